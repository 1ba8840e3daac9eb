package convfilter_test

// TestAgreesWithTalkJSCore evaluates random filters with this package and
// with the evaluator of TalkJS's official @talkjs/core package (1.12.0), the
// one statement of the filter semantics TalkJS has published as code, and
// requires the same answer for every conversation. The package's Data API
// language shares custom, access, subject, createdAt and any with the REST
// language, and names hasUnreadMessages isUnread and lastMessageTs
// lastActivityAt; both are translated.
//
// It needs Node.js and the package: `make validate-talkjs-core` installs the
// pinned version with npm and sets TALKJS_CORE to its dist/talkSession.cjs.
// Without it the test is skipped.

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gotalkjs/talkjs-go/api/convfilter"
	"github.com/gotalkjs/talkjs-go/internal/talkjscore"
)

func TestAgreesWithTalkJSCore(t *testing.T) {
	core := os.Getenv(talkjscore.EnvVar)
	if core == "" {
		t.Skip(talkjscore.SkipMessage)
	}
	s := func(v string) *string { return &v }
	i := func(v int64) *int64 { return &v }
	subjects := []convfilter.Subject{
		{Custom: map[string]string{"category": "shoes", "color": "red"}, Subject: s("Pink shoes"), Access: "ReadWrite", HasUnreadMessages: true, LastMessageTs: i(2000), CreatedAt: i(1000)},
		{Custom: map[string]string{"category": "sandals", "seller": ""}, Subject: s(""), Access: "Read", LastMessageTs: i(3000), CreatedAt: i(3000)},
		{Custom: map[string]string{}, Access: "None", LastMessageTs: i(-5), CreatedAt: i(-5)},
		{Custom: map[string]string{"seller": "bob", "category": ""}, Subject: s("x"), Access: "ReadWrite", HasUnreadMessages: true, LastMessageTs: i(1000), CreatedAt: i(999)},
		{Custom: map[string]string{"color": "blue"}, Access: "Read", LastMessageTs: i(1001), CreatedAt: i(0)},
	}
	r := rand.New(rand.NewPCG(9, 9))
	var cases []talkjscore.Case
	var filters [][]byte
	for range 1500 {
		rest, data := randomFilter(r)
		js, _ := json.Marshal(rest)
		filters = append(filters, js)
		for _, sub := range subjects {
			cases = append(cases, talkjscore.Case{Conv: talkjscore.Conversation{
				Custom: sub.Custom, Subject: sub.Subject, Access: sub.Access, IsUnread: sub.HasUnreadMessages,
				LastMessageAt: *sub.LastMessageTs, JoinedAt: -1000, CreatedAt: *sub.CreatedAt,
			}, Pred: data})
		}
	}
	got, err := talkjscore.Evaluate(core, cases)
	if err != nil {
		t.Fatal(err)
	}
	disagree := 0
	for fi, js := range filters {
		f, err := convfilter.Parse(js)
		if err != nil {
			t.Fatalf("Parse(%s): %v", js, err)
		}
		for si := range subjects {
			want := got[fi*len(subjects)+si]
			if f.Match(&subjects[si]) != want {
				disagree++
				if disagree <= 10 {
					t.Errorf("%s on conversation %d: ours %v, @talkjs/core %v", js, si, !want, want)
				}
			}
		}
	}
	if disagree > 0 {
		t.Errorf("%d of %d evaluations disagree", disagree, len(cases))
	} else {
		t.Logf("%d filters × %d conversations agree with @talkjs/core", len(filters), len(subjects))
	}
}

// randomFilter makes a filter in the REST language and its translation to
// the Data API language of @talkjs/core.
func randomFilter(r *rand.Rand) (rest, data any) {
	if r.IntN(5) == 0 {
		n := 1 + r.IntN(3)
		var rb, db []any
		for range n {
			a, b := randomSimple(r)
			rb, db = append(rb, a), append(db, b)
		}
		return []any{"any", rb}, []any{"any", db}
	}
	return randomSimple(r)
}

func randomSimple(r *rand.Rand) (map[string]any, map[string]any) {
	rest, data := map[string]any{}, map[string]any{}
	pick := func(vals ...any) any { return vals[r.IntN(len(vals))] }
	list := func(vals ...any) []any {
		out := []any{}
		for range r.IntN(4) {
			out = append(out, pick(vals...))
		}
		return out
	}
	strPred := func(vals ...any) any {
		switch r.IntN(4) {
		case 0:
			return []any{"==", pick(vals...)}
		case 1:
			return []any{"!=", pick(vals...)}
		case 2:
			return []any{"oneOf", list(vals...)}
		default:
			return []any{"!oneOf", list(vals...)}
		}
	}
	instants := []any{int64(-5), int64(0), int64(999), int64(1000), int64(1001), int64(2000), int64(3000)}
	numPred := func() any {
		switch op := pick(">", "<", ">=", "<=", "between", "!between").(string); op {
		case "between", "!between":
			return []any{op, []any{pick(instants...), pick(instants...)}}
		default:
			return []any{op, pick(instants...)}
		}
	}
	if r.IntN(2) == 0 {
		custom := map[string]any{}
		for range 1 + r.IntN(2) {
			k := pick("category", "seller", "color").(string)
			if r.IntN(4) == 0 {
				custom[k] = pick("exists", "!exists")
			} else {
				custom[k] = strPred("shoes", "sandals", "", "red", "bob")
			}
		}
		rest["custom"], data["custom"] = custom, custom
	}
	if r.IntN(3) == 0 {
		p := strPred("ReadWrite", "Read", "None")
		rest["access"], data["access"] = p, p
	}
	if r.IntN(3) == 0 {
		p := strPred("Pink shoes", "x", "", nil)
		rest["subject"], data["subject"] = p, p
	}
	if r.IntN(4) == 0 {
		b := r.IntN(2) == 0
		rest["hasUnreadMessages"], data["isUnread"] = b, b
	}
	if r.IntN(3) == 0 {
		p := numPred()
		rest["lastMessageTs"], data["lastActivityAt"] = p, p
	}
	if r.IntN(3) == 0 {
		p := numPred()
		rest["createdAt"], data["createdAt"] = p, p
	}
	return rest, data
}

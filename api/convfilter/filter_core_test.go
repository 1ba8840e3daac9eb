package convfilter_test

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gotalkjs/talkjs-go/api/convfilter"
	"github.com/gotalkjs/talkjs-go/internal/talkjscore"
)

// TestBuilderAgreesWithTalkJSCore: filters built at random with
// talkjs/filter, encoded, evaluated by TalkJS's official @talkjs/core package
// (1.12.0) and by the server's convfilter, on every sample conversation
// that has the timestamps the package always has. Skipped unless
// TALKJS_CORE is set (`make validate-talkjs-core`).
func TestBuilderAgreesWithTalkJSCore(t *testing.T) {
	core := os.Getenv(talkjscore.EnvVar)
	if core == "" {
		t.Skip(talkjscore.SkipMessage)
	}
	var names []string
	for _, n := range sampleNames() {
		if s := samples[n]; s.LastMessageTs != nil && s.CreatedAt != nil && s.Access != "" {
			names = append(names, n)
		}
	}
	if len(names) < 2 {
		t.Fatalf("only %d samples to compare on", len(names))
	}
	r := rand.New(rand.NewPCG(5, 6))
	var cases []talkjscore.Case
	var parsed []*convfilter.Filter
	var filters []string
	for range 1500 {
		f, _, _ := randomBuiltFilter(r)
		js, err := f.FilterJSON()
		if err != nil {
			t.Fatal(err)
		}
		p, err := convfilter.Parse(js)
		if err != nil {
			t.Fatalf("convfilter.Parse(%s): %v", js, err)
		}
		pred, err := talkjscore.Translate(js)
		if err != nil {
			t.Fatal(err)
		}
		parsed, filters = append(parsed, p), append(filters, string(js))
		for _, n := range names {
			s := samples[n]
			cases = append(cases, talkjscore.Case{Pred: pred, Conv: talkjscore.Conversation{
				Custom: s.Custom, Subject: s.Subject, Access: s.Access, IsUnread: s.HasUnreadMessages,
				LastMessageAt: *s.LastMessageTs, JoinedAt: -1 << 40, CreatedAt: *s.CreatedAt,
			}})
		}
	}
	got, err := talkjscore.Evaluate(core, cases)
	if err != nil {
		t.Fatal(err)
	}
	disagree := 0
	for i, p := range parsed {
		for j, n := range names {
			want := got[i*len(names)+j]
			if p.Match(samples[n]) != want {
				disagree++
				if disagree <= 10 {
					t.Errorf("%s on %s: ours %v, @talkjs/core %v", filters[i], n, !want, want)
				}
			}
		}
	}
	if disagree == 0 {
		t.Logf("%d built filters × %d conversations agree with @talkjs/core", len(parsed), len(names))
	}
}

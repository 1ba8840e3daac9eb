package api_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

func TestImportKeepsTimestampsAndReadBy(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	live := e.send("c1", userMsg("alice", "live"))[0] // at t0
	old := t0.Add(-48 * time.Hour).UnixMilli()
	older := t0.Add(-72 * time.Hour).UnixMilli()
	r := must(t, e.raw("POST", "/import/conversations/c1/messages", `[
		{"type":"UserMessage","sender":"bob","text":"old","timestamp":`+i64(old)+`,"readBy":["alice"],"custom":{"k":"v"}},
		{"type":"UserMessage","sender":"alice","text":"older","createdAt":`+i64(older)+`},
		{"type":"UserMessage","sender":"alice","text":"both","timestamp":`+i64(old)+`,"createdAt":1}
	]`), 200)
	var ids []gen.MessageRef
	r.json(t, &ids)
	if len(ids) != 3 {
		t.Fatalf("POST /import/…/messages with 3 messages = %s, want 3 ids", r.body)
	}
	m := e.getMsg("c1", *ids[0].Id)
	if *m.CreatedAt != old || *m.Origin != gen.MessageOriginImport || !eq(*m.ReadBy, "alice") || (*m.Custom)["k"] != "v" {
		t.Errorf("imported message = createdAt %d origin %s readBy %v custom %v, want %d, import, [alice], {k: v}", *m.CreatedAt, *m.Origin, *m.ReadBy, *m.Custom, old)
	}
	if m := e.getMsg("c1", *ids[1].Id); *m.CreatedAt != older {
		t.Errorf("message imported with createdAt %d: createdAt = %d, want %d", older, *m.CreatedAt, older)
	}
	if m := e.getMsg("c1", *ids[2].Id); *m.CreatedAt != old {
		t.Errorf("message imported with timestamp %d and createdAt 1: createdAt = %d, want %d (timestamp wins)", old, *m.CreatedAt, old)
	}
	// Listed in time order, newest first: the live message stays last sent.
	var order []string
	for _, m := range e.srv.Messages("c1") {
		order = append(order, m.Text.MustGet())
	}
	if !eq(order, "older", "old", "both", "live") {
		t.Errorf("Messages(c1) texts = %v, want [older old both live] (by time)", order)
	}
	if lm := e.getConv("c1").LastMessage.MustGet(); *lm.Id != live {
		t.Errorf("c1's lastMessage = %s, want the live message %s", *lm.Id, live)
	}
	// Importing the same again stores it again.
	must(t, e.raw("POST", "/import/conversations/c1/messages", `[{"type":"UserMessage","sender":"bob","text":"old","timestamp":`+i64(old)+`}]`), 200)
	if n := len(e.srv.Messages("c1")); n != 5 {
		t.Errorf("after importing a message again: %d messages, want 5 (TalkJS stores duplicates)", n)
	}
}

func TestImportRules(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	e.user("outsider")
	e.allowViolations = true // a SystemMessage is rejected by the spec itself
	good := `{"type":"UserMessage","sender":"alice","text":"ok","timestamp":1}`
	cases := []struct{ name, bad, want string }{
		{"sender not a participant", `{"type":"UserMessage","sender":"outsider","text":"x","timestamp":2}`, "only participants"},
		{"system message", `{"type":"SystemMessage","sender":"alice","text":"x","timestamp":2}`, "UserMessage"},
		{"no content", `{"type":"UserMessage","sender":"alice","timestamp":2}`, "exactly one of"},
		{"unknown attachment token", `{"type":"UserMessage","sender":"alice","attachmentToken":"nope","timestamp":2}`, "attachmentToken"},
		// The time is required (TalkJS's Importing Messages reference).
		{"no time", `{"type":"UserMessage","sender":"alice","text":"x","readBy":[]}`, `"timestamp" or "createdAt"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := must(t, e.in(t).raw("POST", "/import/conversations/c1/messages", "["+good+","+c.bad+"]"), 400)
			if msg := r.message(t); !strings.Contains(msg, c.want) {
				t.Errorf("POST /import/…/messages [good, %s]: message = %q, want it to contain %q", c.bad, msg, c.want)
			}
		})
	}
	if n := e.srv.Counts().Messages; n != 0 {
		t.Errorf("Counts().Messages after rejected imports = %d, want 0 (a request is stored whole or not at all)", n)
	}
	resp, err := e.c.ImportMessagesWithResponse(ctx, "ghost", nil, gen.ImportMessagesInput{{Type: gen.ImportMessageTypeUserMessage, Sender: "alice", Text: ptr("x"), Timestamp: ptr(t0.UnixMilli())}})
	check(t, resp, err, 404)
	resp, err = e.c.ImportMessagesWithResponse(ctx, "c1", nil, gen.ImportMessagesInput{{Type: gen.ImportMessageTypeUserMessage, Sender: "alice", Text: ptr("x"), Timestamp: ptr(t0.UnixMilli())}})
	check(t, resp, err, 200)
	if m := e.srv.Messages("c1"); len(m) != 1 || *m[0].CreatedAt != t0.UnixMilli() {
		t.Errorf("Messages(c1) after ImportMessages at %d = %+v, want one message created then", t0.UnixMilli(), m)
	}
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

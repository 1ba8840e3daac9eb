package main

import (
	"strings"
	"testing"
)

func TestDemoShowsEveryFlow(t *testing.T) {
	r := runWith(t, nil, "", "demo")
	if r.code != 0 {
		t.Fatalf("talkjs demo = exit %d, want 0\n%s", r.code, r.streams())
	}
	if r.err != "" {
		t.Errorf("talkjs demo: stderr = %q, want nothing", r.err)
	}
	for _, want := range []string{
		"in-memory TalkJS server is running at http://127.0.0.1:",
		"Users\n", "upserted 3 users: alice, bob, carol",
		"A conversation\n", `order-1042  "Order #1042: running shoes"  custom.category=shoes`,
		"Join with Read access and MentionsOnly", "carol  access Read      notify MentionsOnly",
		"Change access", "carol may now write (ReadWrite)", "carol  access None      notify MentionsOnly",
		"Leave", "carol left order-1042",
		"Send user and system messages", "sent 3 messages: msg_",
		"A webhook event arrives", "message.sent evt_", `arrived, signature verified: alice wrote "Hi Bob, do the shoes come in size 43?" in order-1042`,
		"Edit a message", `now reads "Hi Bob, do the shoes come in size 43 or 44?" (edited at 20`,
		"React", "👍 by bob",
		"Upload a file and send it", "uploaded receipt-1042.txt (46 bytes)", "receipt-1042.txt, 46 bytes, http://127.0.0.1:",
		"Mark read and unread", "at first:         alice has 3 unread", "after MarkRead:   alice has 0 unread", "after MarkUnread: alice has 3 unread",
		"List with ordering and a custom filter", "oldest first: order-1042, order-1043, support-7",
		`filter {"custom":{"category":["oneOf",["shoes","sandals"]]}}, newest first: order-1043, order-1042`,
		"Import history with timestamps", `2019-03-04 09:15:00  alice "Is the store open on Sunday?" (origin import)`,
		"Delete", "reading it now answers 404", "deleted every message of legacy-2019: 0 left", "deleted the 4 conversations",
		"Done: 14 steps",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("talkjs demo: stdout lacks %q, want every flow shown", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", r.out)
	}
}

func TestDemoRefusesRealAppWithoutYes(t *testing.T) {
	t.Parallel()
	r := runWith(t, map[string]string{"TALKJS_APP_ID": "app", "TALKJS_SECRET_KEY": "sk_test"}, "", "demo")
	if r.code != 2 || !strings.Contains(r.err, "pass --yes") {
		t.Fatalf("talkjs demo with a real app's credentials = exit %d, want 2 with a hint to pass --yes on stderr\n%s", r.code, r.streams())
	}
}

func TestDemoWithYesUsesTheGivenApp(t *testing.T) {
	e := newEnv(t)
	out := e.ok("demo", "--yes")
	if !strings.Contains(out, "against the app \"test_app\"") || !strings.Contains(out, "Done: 14 steps") {
		t.Fatalf("talkjs demo --yes printed\n%s\nwant a run against the app \"test_app\" ending \"Done: 14 steps\"", out)
	}
	if n := e.srv.Counts().Users; n != 3 {
		t.Errorf("after talkjs demo --yes, the app holds %d users, want the demo's 3", n)
	}
}

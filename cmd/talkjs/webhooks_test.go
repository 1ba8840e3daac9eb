package main

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

const hookSecret = "sk_test_hooks"

// listener is `talkjs webhooks listen`'s handler on a test server, printing
// to its own buffers.
func listener(t *testing.T, asJSON bool) (url string, out, errOut *serveBuf) {
	out, errOut = &serveBuf{}, &serveBuf{}
	st := &stdio{Out: out, Err: errOut, Getenv: func(string) string { return "" }}
	hs := httptest.NewServer(listenHandler(st, hookSecret, webhook.DefaultTolerance, asJSON))
	t.Cleanup(hs.Close)
	return hs.URL, out, errOut
}

func TestTriggerEveryTypeToListen(t *testing.T) {
	url, out, errOut := listener(t, false)
	for _, typ := range append(webhook.Types(), "conversation.archived") {
		t.Run(typ, func(t *testing.T) {
			r := runWith(t, map[string]string{talkjs.EnvSecretKey: hookSecret}, "", "webhooks", "trigger", typ, "--to", url)
			if want := "POST " + url + " " + typ + ": 200 OK"; r.code != 0 || !strings.Contains(r.out, want) {
				t.Errorf("talkjs webhooks trigger %s --to URL = exit %d, want 0 with %q on stdout\n%s", typ, r.code, want, r.streams())
			}
		})
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(webhook.Types())+1 {
		t.Fatalf("webhooks listen printed %d lines, want %d, one per event:\n%s", len(lines), len(webhook.Types())+1, out.String())
	}
	line := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  (\S+) +evt_[0-9a-f]{24}  (.+)$`)
	want := map[string]string{
		"user.created":           "user alice",
		"message.sent":           `msg_sample0000000000001 in order-42: alice "Hello, Bob!"`,
		"message.read":           `bob read msg_sample0000000000001 in order-42: alice "Hello, Bob!"`,
		"conversation.deleted":   "conversation order-42",
		"notification.triggered": "bob in order-42, 1 messages",
		"notification.sent":      "bob in order-42, 1 messages by email",
		"conversation.archived":  "(a type this version does not know)",
	}
	for _, l := range lines {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("webhooks listen printed the line %q, want TIME  TYPE  ID  WHAT", l)
			continue
		}
		if w, ok := want[m[1]]; ok && m[2] != w {
			t.Errorf("webhooks listen described %s as %q, want %q", m[1], m[2], w)
		}
	}
	if errOut.String() != "" {
		t.Errorf("webhooks listen: stderr = %q, want nothing refused", errOut.String())
	}
}

func TestListenRefusesBadSignatures(t *testing.T) {
	url, out, errOut := listener(t, true)
	r := runWith(t, nil, "", "webhooks", "trigger", "message.sent", "--to", url, "--secret", "sk_wrong")
	if r.code != 1 || !strings.Contains(r.out, "401 Unauthorized") {
		t.Errorf("talkjs webhooks trigger message.sent --to URL --secret sk_wrong = exit %d, want 1 with 401 Unauthorized on stdout\n%s", r.code, r.streams())
	}
	if out.String() != "" || !strings.Contains(errOut.String(), "refused a request: webhook: the signature does not match the body") {
		t.Errorf("webhooks listen, sent a wrong signature, printed %q and reported %q; want nothing printed and the signature refused on stderr", out.String(), errOut.String())
	}
	if strings.Contains(errOut.String()+r.out+r.err, "sk_wrong") {
		t.Error("the secret was printed")
	}
}

func TestListenJSON(t *testing.T) {
	url, out, _ := listener(t, true)
	r := runWith(t, nil, "", "webhooks", "trigger", "user.created", "--to", url, "--secret", hookSecret, "--json")
	if r.code != 0 {
		t.Fatalf("talkjs webhooks trigger user.created --to URL --secret S --json = exit %d, want 0\n%s", r.code, r.streams())
	}
	var sent struct {
		Event  json.RawMessage
		Status int
	}
	if err := json.Unmarshal([]byte(r.out), &sent); err != nil || sent.Status != 200 {
		t.Fatalf("talkjs webhooks trigger user.created --to URL --secret S --json printed %q (%v), want the event and status 200", r.out, err)
	}
	if got := strings.TrimSpace(out.String()); got != string(sent.Event) {
		t.Errorf("webhooks listen --json printed\n%s\nwant the event as sent\n%s", got, sent.Event)
	}
}

func TestWebhookCommandsUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"webhooks", "trigger", "message.sent", "--secret", "s"}, "--to is required"},
		{[]string{"webhooks", "trigger", "Message Sent", "--to", "http://x", "--secret", "s"}, "is not an event type"},
		{[]string{"webhooks", "trigger", "message.sent", "--to", "ftp://x", "--secret", "s"}, "want an http:// or https:// URL"},
		{[]string{"webhooks", "trigger", "message.sent", "--to", "http://x"}, "missing the secret key"},
		{[]string{"webhooks", "listen", "--tolerance", "-1s", "--secret", "s"}, "--tolerance must not be negative"},
		{[]string{"serve", "--webhook", "example.com/hook"}, "want an absolute http:// or https:// URL"},
		{[]string{"serve", "--webhook", "http://x", "--webhook-events", "message.snet"}, `event type "message.snet"`},
		{[]string{"serve", "--webhook", "http://x", "--webhook", "http://y", "--webhook-secret", "a", "--webhook-secret", "b", "--webhook-secret", "c"}, "once per --webhook (2 times), not 3 times"},
		{[]string{"serve", "--webhook-secret", "a"}, "need --webhook URL"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runWith(t, nil, "", tc.args...)
			if r.code != exitUsage || !strings.Contains(r.err, tc.want) {
				t.Errorf("%s = exit %d, want %d with %q on stderr\n%s", commandLine(tc.args...), r.code, exitUsage, tc.want, r.streams())
			}
		})
	}
}

// TestServeSendsWebhooks: a scenario on `talkjs serve --webhook` with the
// listen handler as receiver; stopping the server prints the counts.
func TestServeSendsWebhooks(t *testing.T) {
	url, out, errOut := listener(t, false)
	base, serveOut, stop := startServe(t, "--secret", hookSecret, "--webhook", url, "--webhook-events", "user.created,message.sent,conversation.deleted")
	if !strings.Contains(serveOut.String(), "webhook: "+url+" (user.created, message.sent, conversation.deleted, signed with the secret key)") {
		t.Errorf("talkjs serve --webhook URL --webhook-events … printed\n%s\nwant the webhook announced with its events", serveOut.String())
	}
	vars := map[string]string{talkjs.EnvAppID: "test_app", talkjs.EnvSecretKey: hookSecret, talkjs.EnvBaseURL: base}
	for _, args := range [][]string{
		{"users", "upsert", "alice", "--name", "Alice"},
		{"users", "upsert", "alice", "--name", "Alice B."}, // user.updated: not asked for
		{"conversations", "upsert", "c1", "--participant", "alice"},
		{"messages", "send", "c1", "--sender", "alice", "--text", "hello"},
		{"conversations", "delete", "c1"},
	} {
		if r := runWith(t, vars, "", args...); r.code != 0 {
			t.Fatalf("%s = exit %d, want 0\n%s", commandLine(args...), r.code, r.streams())
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("talkjs serve --webhook URL, stopped = exit %d, want 0", code)
	}
	if !strings.Contains(serveOut.String(), "Webhooks: 3 delivered, 0 retried, 0 failed, 0 dropped.") {
		t.Errorf("talkjs serve --webhook URL, stopped, printed\n%s\nwant \"Webhooks: 3 delivered, 0 retried, 0 failed, 0 dropped.\"", serveOut.String())
	}
	var types []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			types = append(types, f[1])
		}
	}
	// A user's events and a conversation's may overtake each other; those
	// of one conversation may not.
	if slices.Sort(types); strings.Join(types, " ") != "conversation.deleted message.sent user.created" {
		t.Errorf("webhooks listen received %q, want one user.created, message.sent and conversation.deleted\n%s", types, out.String())
	}
	if i, j := strings.Index(out.String(), "message.sent"), strings.Index(out.String(), "conversation.deleted"); i > j {
		t.Errorf("webhooks listen received conversation.deleted before message.sent, want the conversation's events in order:\n%s", out.String())
	}
	if errOut.String() != "" {
		t.Errorf("webhooks listen: stderr = %q, want nothing refused", errOut.String())
	}
}

package api

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A saved state loaded into a new server answers every read as the first
// server did, and keeps working (sends, idempotency keys, files).
func TestStateRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.ok("PUT", "/users/alice", `{"name":"Alice","email":["a@example.com"],"custom":{"plan":"pro"}}`)
	h.ok("PUT", "/users/bob", `{"name":"Bob"}`)
	h.ok("PUT", "/users/alice/presence", `{"visible":true}`)
	h.ok("PUT", "/conversations/c1", `{"subject":"Order <1>","participants":["alice","bob"],"custom":{"k":"v"}}`)
	h.ok("PUT", "/conversations/c2", `{"participants":["bob"]}`)
	h.now = h.now.Add(time.Second)
	h.ok("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"hi","idempotencyKey":"k1"},{"type":"SystemMessage","text":"sys"}]`)
	h.ok("POST", "/import/conversations/c2/messages", `[{"type":"UserMessage","sender":"bob","text":"old","timestamp":1000,"readBy":["alice"]}]`)
	var buf bytes.Buffer
	if err := h.s.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t)
	h2.now = h.now
	if err := h2.s.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/users", "/users/alice", "/users/alice/presence", "/conversations", "/conversations/c1",
		"/conversations/c1/messages", "/conversations/c2/messages", "/users/bob/conversations", "/users/alice/conversations?unreadsOnly=true",
		"/conversations?orderBy=createdAt&orderDirection=ASC"} {
		a, b := h.ok("GET", path, ""), h2.ok("GET", path, "")
		if !bytes.Equal(a, b) {
			t.Errorf("GET %s after LoadState = \n%s\nwant the answer before SaveState:\n%s", path, b, a)
		}
	}
	again := h2.ok("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"hi","idempotencyKey":"k1"}]`)
	first := h.ok("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"hi","idempotencyKey":"k1"}]`)
	if !bytes.Equal(again, first) {
		t.Errorf("send with key k1 after LoadState = %s, want %s (the key kept)", again, first)
	}
	checkUnreadCounts(t, h2.s)

	// Another app, format or a newer version is refused, and changes nothing.
	for _, bad := range []string{
		strings.Replace(buf.String(), `"appId":"test_app"`, `"appId":"other"`, 1),
		strings.Replace(buf.String(), `"version":1`, `"version":99`, 1),
		strings.Replace(buf.String(), `"format":"talkjs-go/state"`, `"format":"x"`, 1),
		"{",
	} {
		if err := h2.s.LoadState(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadState(%.80q) = nil, want an error", bad)
		}
	}
	if c := h2.s.Counts(); c.Users != 2 || c.Conversations != 2 || c.Messages != 3 {
		t.Errorf("Counts() after refused loads = %+v, want 2 users, 2 conversations, 3 messages (unchanged)", c)
	}
}

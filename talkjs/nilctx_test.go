package talkjs

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestNilContext: every way a call is built (a gen builder, a JSON body, a
// hand-built URL, a streamed upload) refuses a nil context before sending.
func TestNilContext(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil)
	var ctx context.Context // nil
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"Users.Get (gen builder)", func() error { _, err := c.Users.Get(ctx, "alice"); return err }},
		{"Users.Upsert (JSON body)", func() error { return c.Users.Upsert(ctx, "alice", UserInput{Name: "A"}) }},
		{"Conversations.Get (hand-built URL)", func() error { _, err := c.Conversations.Get(ctx, "c1"); return err }},
		{"Messages.SendOne (hand-built URL, body)", func() error {
			_, err := c.Messages.SendOne(ctx, "c1", UserMessage("alice", "hi"))
			return err
		}},
		{"Files.Upload (stream)", func() error { _, err := c.Files.Upload(ctx, "f.txt", strings.NewReader("x")); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae *ArgumentError
			if !errors.As(err, &ae) || ae.Arg != "ctx" {
				t.Errorf("%s with a nil context = %v, want an *ArgumentError for ctx", tc.name, err)
			}
		})
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("%d requests sent with a nil context, want 0", n)
	}
}

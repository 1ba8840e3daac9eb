package talkjs

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
)

// A DELETE whose first attempt TalkJS carried out but answered with a 5xx
// (or a broken connection) is retried, and the retry finds nothing to
// delete: the call succeeds, because what was asked is done.
func TestDeleteRetriedAfterPossibleSuccessTreats404AsDone(t *testing.T) {
	t.Parallel()
	deletes := map[string]func(c *Client) error{
		"Conversations.Delete": func(c *Client) error { return c.Conversations.Delete(t.Context(), "c1") },
		"Messages.Delete":      func(c *Client) error { return c.Messages.Delete(t.Context(), "c1", "m1") },
		"Messages.DeleteAll":   func(c *Client) error { return c.Messages.DeleteAll(t.Context(), "c1") },
		"Participants.Leave":   func(c *Client) error { return c.Participants.Leave(t.Context(), "c1", "alice") },
		"Messages.RemoveReaction": func(c *Client) error {
			return c.Messages.RemoveReaction(t.Context(), "c1", "m1", "👍", "alice")
		},
	}
	cases := []struct {
		name         string
		first        int // status of the first answer; 0 breaks the connection
		wantErr      error
		wantAttempts int32
	}{
		{"500 then 404", 500, nil, 2},
		{"503 then 404", 503, nil, 2},
		{"connection cut then 404", 0, nil, 2},
		// TalkJS did not act on these: a 404 after them is a real 404.
		{"429 then 404", 429, ErrNotFound, 2},
		{"404 at once", 404, ErrNotFound, 1},
	}
	for name, call := range deletes {
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				var calls atomic.Int32
				c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
					if calls.Add(1) == 1 && tc.first != 404 {
						if tc.first == 0 {
							resetConn(t, w)
							return
						}
						writeJSON(w, tc.first, `{"error":"oops"}`)
						return
					}
					writeJSON(w, http.StatusNotFound, `{"error":"Not found"}`)
				})
				err := call(c)
				if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("%s after %s = %v, want %v", name, tc.name, err, tc.wantErr)
				}
				if got := calls.Load(); got != tc.wantAttempts {
					t.Errorf("%s after %s: %d attempts, want %d", name, tc.name, got, tc.wantAttempts)
				}
			})
		}
	}
}

// Only DELETE: a GET whose retry answers 404 reports it.
func TestGetRetried404IsStillNotFound(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		if calls.Add(1) == 1 {
			writeJSON(w, http.StatusInternalServerError, `{"error":"oops"}`)
			return
		}
		writeJSON(w, http.StatusNotFound, `{"error":"Not found"}`)
	})
	if _, err := c.Conversations.Get(t.Context(), "c1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Conversations.Get after 500 then 404 = %v, want ErrNotFound", err)
	}
}

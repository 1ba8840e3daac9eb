package talkjs

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// pager serves items 0..total-1 as ids "<prefix>N", in pages that honour
// limit and startingAfter, wrapped as {"data": [...]}.
func pager(t *testing.T, total int, item func(id string) string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, op string) {
		q := r.URL.Query()
		limit := 10
		if l := q.Get("limit"); l != "" {
			limit, _ = strconv.Atoi(l)
		}
		start := 0
		if after := q.Get("startingAfter"); after != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(after, "x"))
			if err != nil {
				t.Errorf("startingAfter = %q, want x and a number", after)
			}
			start = n + 1
		}
		var items []string
		for i := start; i < min(start+limit, total); i++ {
			items = append(items, item("x"+strconv.Itoa(i)))
		}
		writeJSON(w, http.StatusOK, `{"data":[`+strings.Join(items, ",")+`]}`)
	}
}

func idItem(id string) string { return `{"id":"` + id + `"}` }

func TestIteratorsWalkEveryPage(t *testing.T) {
	t.Parallel()
	type walk func(t *testing.T, c *Client, o *ListOptions) ([]string, error)
	walks := []struct {
		name string
		walk walk
	}{
		{"Users.All", func(t *testing.T, c *Client, o *ListOptions) (ids []string, err error) {
			for u, e := range c.Users.All(t.Context(), o) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, u.ID)
			}
			return
		}},
		{"Conversations.All", func(t *testing.T, c *Client, o *ListOptions) (ids []string, err error) {
			opts := &ConversationListOptions{ListOptions: *o, OrderBy: OrderByCreatedAt}
			for conv, e := range c.Conversations.All(t.Context(), opts) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, conv.ID)
			}
			if opts.StartingAfter != o.StartingAfter || opts.Limit != o.Limit {
				t.Errorf("after Conversations.All, opts.ListOptions = %+v, want %+v (the caller's, unchanged)", opts.ListOptions, *o)
			}
			return
		}},
		{"Users.AllConversations", func(t *testing.T, c *Client, o *ListOptions) (ids []string, err error) {
			opts := &UserConversationListOptions{ListOptions: *o, UnreadsOnly: true}
			for conv, e := range c.Users.AllConversations(t.Context(), "alice", opts) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, conv.ID)
			}
			return
		}},
		{"Messages.All", func(t *testing.T, c *Client, o *ListOptions) (ids []string, err error) {
			for m, e := range c.Messages.All(t.Context(), "c1", o) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, m.ID)
			}
			return
		}},
	}
	for _, w := range walks {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				name                   string
				total, limit, requests int
				after                  string
			}{
				{name: "stops at the short page", total: 25, limit: 10, requests: 3},
				{name: "full last page, stops at the empty page", total: 20, limit: 10, requests: 3},
				{name: "empty list", total: 0, limit: 10, requests: 1},
				{name: "default page size 100", total: 250, limit: 0, requests: 3},
				{name: "20 after the cursor, two full pages and an empty one", total: 25, limit: 10, requests: 3, after: "x4"},
				{name: "21 after the cursor", total: 26, limit: 10, requests: 3, after: "x4"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					c, ts := newTestServer(t, pager(t, tc.total, idItem))
					opts := &ListOptions{Limit: tc.limit, StartingAfter: tc.after}
					call := fmt.Sprintf("%s(%+v) over %d items", w.name, *opts, tc.total)
					ids, err := w.walk(t, c, opts)
					if err != nil {
						t.Fatalf("%s = %v, want no error", call, err)
					}
					first := 0
					if tc.after != "" {
						first = 5
					}
					if len(ids) != tc.total-first {
						t.Errorf("%s yielded %d items, want %d", call, len(ids), tc.total-first)
					}
					for i, id := range ids {
						if want := fmt.Sprintf("x%d", first+i); id != want {
							t.Fatalf("%s: item %d = %s, want %s", call, i, id, want)
						}
					}
					if n := len(ts.requests()); n != tc.requests {
						t.Errorf("%s made %d requests, want %d", call, n, tc.requests)
					}
					if want := (ListOptions{Limit: tc.limit, StartingAfter: tc.after}); *opts != want {
						t.Errorf("after %s, opts = %+v, want %+v (unchanged)", call, *opts, want)
					}
				})
			}
		})
	}
}

func TestIteratorIsLazyAndStopsOnBreak(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, pager(t, 1000, idItem))
	seq := c.Users.All(t.Context(), &ListOptions{Limit: 10})
	if n := len(ts.requests()); n != 0 {
		t.Fatalf("Users.All(limit 10) made %d requests before ranging, want 0", n)
	}
	count := 0
	for _, err := range seq {
		if err != nil {
			t.Fatalf("Users.All(limit 10) yielded %v, want no error", err)
		}
		count++
		if count == 15 {
			break
		}
	}
	if n := len(ts.requests()); n != 2 {
		t.Errorf("Users.All(limit 10), break after 15 items: %d requests, want 2", n)
	}
}

func TestIteratorStopsOnStuckCursor(t *testing.T) {
	t.Parallel()
	// A server that ignores startingAfter hands back the same full page.
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusOK, `{"data":[{"id":"a"},{"id":"b"}]}`)
	})
	n := 0
	var last error
	for _, err := range c.Messages.All(t.Context(), "c1", &ListOptions{Limit: 2}) {
		n++
		last = err
		if n > 10 {
			t.Fatal("Messages.All(c1, limit 2) over a stuck cursor yielded more than 10 times, want it to stop")
		}
	}
	if last == nil || !strings.Contains(last.Error(), "did not advance") {
		t.Errorf("Messages.All(c1, limit 2) over a stuck cursor: last error %v, want one that says %q", last, "did not advance")
	}
	if n := len(ts.requests()); n != 2 {
		t.Errorf("Messages.All(c1, limit 2) over a stuck cursor made %d requests, want 2", n)
	}
}

func TestIteratorYieldsErrorAndStops(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusNotFound, `{"error":"no such user"}`)
	})
	n := 0
	for _, err := range c.Users.AllConversations(t.Context(), "ghost", nil) {
		n++
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Users.AllConversations(ghost) answered 404 yielded %v, want ErrNotFound", err)
		}
	}
	if n != 1 || len(ts.requests()) != 1 {
		t.Errorf("Users.AllConversations(ghost) answered 404: %d yields, %d requests; want 1, 1", n, len(ts.requests()))
	}
	q, _ := url.ParseQuery(ts.requests()[0].Query)
	if got := q.Get("limit"); got != "100" {
		t.Errorf("Users.AllConversations(ghost, nil) asked for limit=%q, want 100", got)
	}
}

package talkjs

import (
	"context"
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
				t.Errorf("bad cursor %q", after)
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
	ctx := context.Background()
	type walk func(c *Client, o *ListOptions) ([]string, error)
	walks := map[string]walk{
		"users": func(c *Client, o *ListOptions) (ids []string, err error) {
			for u, e := range c.Users.All(ctx, o) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, u.ID)
			}
			return
		},
		"conversations": func(c *Client, o *ListOptions) (ids []string, err error) {
			opts := &ConversationListOptions{ListOptions: *o, OrderBy: OrderByCreatedAt}
			for conv, e := range c.Conversations.All(ctx, opts) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, conv.ID)
			}
			if opts.StartingAfter != o.StartingAfter || opts.Limit != o.Limit {
				t.Error("the iterator changed the caller's options")
			}
			return
		},
		"user conversations": func(c *Client, o *ListOptions) (ids []string, err error) {
			opts := &UserConversationListOptions{ListOptions: *o, UnreadsOnly: true}
			for conv, e := range c.Users.AllConversations(ctx, "alice", opts) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, conv.ID)
			}
			return
		},
		"messages": func(c *Client, o *ListOptions) (ids []string, err error) {
			for m, e := range c.Messages.All(ctx, "c1", o) {
				if e != nil {
					return ids, e
				}
				ids = append(ids, m.ID)
			}
			return
		},
	}
	for name, walk := range walks {
		for _, tc := range []struct {
			total, limit, requests int
			after                  string
		}{
			{total: 25, limit: 10, requests: 3},              // stops at the short page
			{total: 20, limit: 10, requests: 3},              // full last page: stops at the empty page
			{total: 0, limit: 10, requests: 1},               // empty list
			{total: 250, limit: 0, requests: 3},              // default page size 100
			{total: 25, limit: 10, requests: 3, after: "x4"}, // 20 after the cursor: two full pages, then an empty one
			{total: 26, limit: 10, requests: 3, after: "x4"},
		} {
			c, ts := newTestServer(t, pager(t, tc.total, idItem))
			opts := &ListOptions{Limit: tc.limit, StartingAfter: tc.after}
			ids, err := walk(c, opts)
			if err != nil {
				t.Fatalf("%s %+v: %v", name, tc, err)
			}
			first := 0
			if tc.after != "" {
				first = 5
			}
			if len(ids) != tc.total-first {
				t.Errorf("%s %+v: %d items", name, tc, len(ids))
			}
			for i, id := range ids {
				if id != fmt.Sprintf("x%d", first+i) {
					t.Fatalf("%s: item %d is %s", name, i, id)
				}
			}
			if n := len(ts.requests()); n != tc.requests {
				t.Errorf("%s %+v: %d requests, want %d", name, tc, n, tc.requests)
			}
			if *opts != (ListOptions{Limit: tc.limit, StartingAfter: tc.after}) {
				t.Errorf("%s: options changed to %+v", name, *opts)
			}
		}
	}
}

func TestIteratorIsLazyAndStopsOnBreak(t *testing.T) {
	c, ts := newTestServer(t, pager(t, 1000, idItem))
	seq := c.Users.All(context.Background(), &ListOptions{Limit: 10})
	if n := len(ts.requests()); n != 0 {
		t.Fatalf("%d requests before ranging", n)
	}
	count := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		count++
		if count == 15 {
			break
		}
	}
	if n := len(ts.requests()); n != 2 {
		t.Errorf("%d requests for 15 items in pages of 10, want 2", n)
	}
}

func TestIteratorStopsOnStuckCursor(t *testing.T) {
	// A server that ignores startingAfter hands back the same full page.
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusOK, `{"data":[{"id":"a"},{"id":"b"}]}`)
	})
	n := 0
	var last error
	for _, err := range c.Messages.All(context.Background(), "c1", &ListOptions{Limit: 2}) {
		n++
		last = err
		if n > 10 {
			t.Fatal("the iterator loops")
		}
	}
	if last == nil || !strings.Contains(last.Error(), "did not advance") {
		t.Errorf("last error %v", last)
	}
	if len(ts.requests()) != 2 {
		t.Errorf("%d requests", len(ts.requests()))
	}
}

func TestIteratorYieldsErrorAndStops(t *testing.T) {
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusNotFound, `{"error":"no such user"}`)
	})
	n := 0
	for _, err := range c.Users.AllConversations(context.Background(), "ghost", nil) {
		n++
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	}
	if n != 1 || len(ts.requests()) != 1 {
		t.Errorf("%d yields, %d requests", n, len(ts.requests()))
	}
	q, _ := url.ParseQuery(ts.requests()[0].Query)
	if q.Get("limit") != "100" {
		t.Errorf("iterator page size %q, want 100", q.Get("limit"))
	}
}

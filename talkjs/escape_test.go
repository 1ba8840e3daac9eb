package talkjs

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

var awkwardIDs = []string{"a/b", "../users", "what?x=1", "hash#tag", "with space", "emoji😀", "percent%2F", "mix /?#%😀", "...", "./x"}

// segments splits an escaped path below /v1/tApp42/ and unescapes each part.
func segments(t *testing.T, escaped string) []string {
	t.Helper()
	rest, ok := strings.CutPrefix(escaped, "/v1/"+testAppID+"/")
	if !ok {
		t.Fatalf("path %s lost the app prefix", escaped)
	}
	var out []string
	for _, s := range strings.Split(rest, "/") {
		u, err := url.PathUnescape(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

func TestIDsAreEscapedAsOneSegment(t *testing.T) {
	c, ts := newTestServer(t, nil)
	ctx := context.Background()
	for _, id := range awkwardIDs {
		if err := c.Users.Upsert(ctx, id, UserInput{Name: "X"}); err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		if err := c.Messages.AddReaction(ctx, id, id, "👍🏽", id); err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		reqs := ts.requests()
		user, reaction := reqs[len(reqs)-2], reqs[len(reqs)-1]
		if got := segments(t, user.Path); len(got) != 2 || got[0] != "users" || got[1] != id {
			t.Errorf("%q: user path %s splits into %q", id, user.Path, got)
		}
		want := []string{"conversations", id, "messages", id, "reactions", "👍🏽", id}
		if got := segments(t, reaction.Path); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("%q: reaction path %s splits into %q", id, reaction.Path, got)
		}
		if user.Op != "createOrUpdateUser" || reaction.Op != "addReaction" {
			t.Errorf("%q: reached %s and %s", id, user.Op, reaction.Op)
		}
	}
}

func TestQueryEscapedOnce(t *testing.T) {
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusOK, `{"data":[]}`)
	})
	const filter = `{"custom":{"tag":["oneOf",["a&b","c=d","e f","100%","😀","#x"]]}}`
	if _, err := c.Conversations.List(context.Background(), &ConversationListOptions{
		ListOptions: ListOptions{StartingAfter: "c?&#1"}, Filter: RawFilter(filter)}); err != nil {
		t.Fatal(err)
	}
	q, err := url.ParseQuery(ts.requests()[0].Query)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("filter") != filter {
		t.Errorf("filter arrived as %q", q.Get("filter"))
	}
	if q.Get("startingAfter") != "c?&#1" {
		t.Errorf("startingAfter arrived as %q", q.Get("startingAfter"))
	}
}

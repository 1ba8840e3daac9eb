package talkjs

import (
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
		t.Fatalf("path %s, want it below /v1/%s/", escaped, testAppID)
	}
	var out []string
	for _, s := range strings.Split(rest, "/") {
		u, err := url.PathUnescape(s)
		if err != nil {
			t.Fatalf("url.PathUnescape(%q) = %v, want nil", s, err)
		}
		out = append(out, u)
	}
	return out
}

func TestIDsAreEscapedAsOneSegment(t *testing.T) {
	t.Parallel()
	for _, id := range awkwardIDs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c, ts := newTestServer(t, nil)
			if err := c.Users.Upsert(t.Context(), id, UserInput{Name: "X"}); err != nil {
				t.Fatalf("Users.Upsert(%q) = %v, want nil", id, err)
			}
			if err := c.Messages.AddReaction(t.Context(), id, id, "👍🏽", id); err != nil {
				t.Fatalf("Messages.AddReaction(%[1]q, %[1]q, 👍🏽, %[1]q) = %[2]v, want nil", id, err)
			}
			reqs := ts.requests()
			user, reaction := reqs[0], reqs[1]
			if got, want := segments(t, user.Path), []string{"users", id}; strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("Users.Upsert(%q) path %s splits into %q, want %q", id, user.Path, got, want)
			}
			want := []string{"conversations", id, "messages", id, "reactions", "👍🏽", id}
			if got := segments(t, reaction.Path); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("Messages.AddReaction(%q…) path %s splits into %q, want %q", id, reaction.Path, got, want)
			}
			if user.Op != "createOrUpdateUser" || reaction.Op != "addReaction" {
				t.Errorf("Users.Upsert and Messages.AddReaction of %q reached %s and %s, want createOrUpdateUser and addReaction", id, user.Op, reaction.Op)
			}
		})
	}
}

func TestQueryEscapedOnce(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusOK, `{"data":[]}`)
	})
	const filter = `{"custom":{"tag":["oneOf",["a&b","c=d","e f","100%","😀","#x"]]}}`
	const after = "c?&#1"
	if _, err := c.Conversations.List(t.Context(), &ConversationListOptions{
		ListOptions: ListOptions{StartingAfter: after}, Filter: RawFilter(filter)}); err != nil {
		t.Fatalf("Conversations.List(awkward filter and cursor) = %v, want nil", err)
	}
	q, err := url.ParseQuery(ts.requests()[0].Query)
	if err != nil {
		t.Fatalf("url.ParseQuery(%q) = %v, want nil", ts.requests()[0].Query, err)
	}
	if got := q.Get("filter"); got != filter {
		t.Errorf("Conversations.List: filter arrived as %q, want %q", got, filter)
	}
	if got := q.Get("startingAfter"); got != after {
		t.Errorf("Conversations.List: startingAfter arrived as %q, want %q", got, after)
	}
}

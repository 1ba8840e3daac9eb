package talkjs

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/gen"
)

// pathIDs are ids that a careless path builder gets wrong.
var pathIDs = append([]string{"plain_id", "/", "?", "#", " ", "%", "😀", "%2F", "a/b/../c", ";x=1", "a+b&c=d", "~tilde", "ü"}, awkwardIDs...)

// TestPathsMatchGen holds the hand-built paths of the hot operations to
// the gen builders, which follow the spec: same URL, same method, same
// headers, for awkward ids under several base URLs and app ids.
func TestPathsMatchGen(t *testing.T) {
	t.Parallel()
	bases := []string{"https://api.talkjs.com", "http://127.0.0.1:8080/", "http://example.com/proxy/talkjs/", "http://[::1]:9/a%20b"}
	apps := []string{testAppID, "app with space", "ünï😀", "a;b=c"}
	for i, base := range bases {
		for j, app := range apps {
			// Named by index: the base URLs hold slashes, which t.Run
			// would read as levels of subtests.
			t.Run(fmt.Sprintf("base=%d,app=%d", i, j), func(t *testing.T) {
				t.Parallel()
				c, err := NewClient(app, testSecret, WithBaseURL(base))
				if err != nil {
					t.Fatalf("NewClient(%q, secret, WithBaseURL(%s)) = %v, want nil", app, base, err)
				}
				ctx := t.Context()
				for _, id := range pathIDs {
					ours, err := newURLCall(ctx, http.MethodGet, c.conversationURL(id), nil)
					if err != nil {
						t.Fatalf("newURLCall(GET, conversationURL(%q)) = %v, want nil", id, err)
					}
					theirs, err := gen.NewGetConversationRequest(c.server, id, nil)
					if err != nil {
						t.Fatalf("gen.NewGetConversationRequest(%q) = %v, want nil", id, err)
					}
					sameRequest(t, "getConversation "+id, ours.req, theirs)

					ours, err = newURLCall(ctx, http.MethodPost, c.messagesURL(id), []byte("[]"))
					if err != nil {
						t.Fatalf("newURLCall(POST, messagesURL(%q)) = %v, want nil", id, err)
					}
					theirs, err = gen.NewSendMessagesRequestWithBody(c.server, id, nil, "application/json", strings.NewReader("[]"))
					if err != nil {
						t.Fatalf("gen.NewSendMessagesRequestWithBody(%q) = %v, want nil", id, err)
					}
					sameRequest(t, "sendMessages "+id, ours.req, theirs)
				}
			})
		}
	}
}

// sameRequest compares the hand-built request of what (ours) with the gen
// builder's (theirs), which is what is wanted.
func sameRequest(t *testing.T, what string, ours, theirs *http.Request) {
	t.Helper()
	if ours.Method != theirs.Method {
		t.Errorf("%s: method %s, want gen's %s", what, ours.Method, theirs.Method)
	}
	if o, g := ours.URL.String(), theirs.URL.String(); o != g {
		t.Errorf("%s: URL\n  %s\nwant gen's\n  %s", what, o, g)
	}
	if o, g := ours.URL.EscapedPath(), theirs.URL.EscapedPath(); o != g {
		t.Errorf("%s: escaped path %s, want gen's %s", what, o, g)
	}
	if ours.URL.Path != theirs.URL.Path || ours.Host != theirs.Host {
		t.Errorf("%s: path %q, host %q; want gen's %q, %q", what, ours.URL.Path, ours.Host, theirs.URL.Path, theirs.Host)
	}
	if o, g := strings.Join(ours.Header.Values("Content-Type"), ","), strings.Join(theirs.Header.Values("Content-Type"), ","); o != g || len(ours.Header) != len(theirs.Header) {
		t.Errorf("%s: headers %v, want gen's %v", what, ours.Header, theirs.Header)
	}
	if ours.ContentLength != theirs.ContentLength || (ours.GetBody == nil) != (theirs.GetBody == nil) {
		t.Errorf("%s: content length %d (rewindable %t), want gen's %d (%t)", what,
			ours.ContentLength, ours.GetBody != nil, theirs.ContentLength, theirs.GetBody != nil)
	}
}

// TestPathsMatchGenCanFail shows the comparison catching a path built
// without escaping.
func TestPathsMatchGenCanFail(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testAppID, testSecret)
	if err != nil {
		t.Fatalf("NewClient(%s, secret) = %v, want nil", testAppID, err)
	}
	differ := 0
	for _, id := range pathIDs {
		theirs, err := gen.NewGetConversationRequest(c.server, id, nil)
		if err != nil {
			t.Fatalf("gen.NewGetConversationRequest(%q) = %v, want nil", id, err)
		}
		if c.server+"conversations/"+id != theirs.URL.String() {
			differ++
		}
	}
	if differ == 0 {
		t.Errorf("of %d awkward ids, none builds an unescaped path that differs from gen's, want at least one", len(pathIDs))
	}
}

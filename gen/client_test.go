package gen_test

// Hand-written tests of the generated client (this file is not generated).

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	"github.com/gotalkjs/talkjs-go/gen"
)

type seen struct {
	appID, userID, convID, msgID, emoji string
	escapedPath                         string
}

// newServer mounts handlers under /v1/{appId}/, as TalkJS serves them, and
// reports what each request looked like.
func newServer(t *testing.T) (*httptest.Server, chan seen) {
	t.Helper()
	got := make(chan seen, 1)
	mux := http.NewServeMux()
	record := func(w http.ResponseWriter, r *http.Request) {
		got <- seen{
			appID: r.PathValue("appId"), userID: r.PathValue("userId"),
			convID: r.PathValue("conversationId"), msgID: r.PathValue("messageId"),
			emoji: r.PathValue("emoji"), escapedPath: r.URL.EscapedPath(),
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","name":"X"}`)
	}
	mux.HandleFunc("GET /v1/{appId}/users/{userId}", record)
	mux.HandleFunc("PUT /v1/{appId}/conversations/{conversationId}/messages/{messageId}/reactions/{emoji}/{userId}", record)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("server got %s %s, want only the routes under test", r.Method, r.URL.EscapedPath())
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, got
}

// serverURL is the generated client's server for an app: the API root, then
// /v1/{appId}/ with the trailing slash the request builders need.
func serverURL(root, appID string) string {
	return strings.TrimSuffix(root, "/") + "/v1/" + url.PathEscape(appID) + "/"
}

func newClient(t *testing.T, root, appID string) *gen.ClientWithResponses {
	t.Helper()
	c, err := gen.NewClientWithResponses(serverURL(root, appID))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var awkwardIDs = []string{
	"alice",
	"a/b",
	"../../users",
	"what?x=1",
	"hash#tag",
	"with space",
	"emoji😀",
	"percent%2F",
	"mix /?#%😀",
}

func TestClientKeepsAppIDAndEscapesPathParams(t *testing.T) {
	t.Parallel()
	for _, id := range awkwardIDs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv, got := newServer(t)
			c := newClient(t, srv.URL, "tApp42")
			res, err := c.GetUserWithResponse(t.Context(), id, nil)
			if err != nil {
				t.Fatalf("GetUserWithResponse(%q) error = %v, want nil", id, err)
			}
			if res.StatusCode() != http.StatusOK || res.JSON200 == nil || *res.JSON200.Name != "X" {
				t.Fatalf("GetUserWithResponse(%q) = status %d, body %s; want 200 with name X", id, res.StatusCode(), res.Body)
			}
			s := <-got
			if s.appID != "tApp42" {
				t.Errorf("GetUserWithResponse(%q): server saw app id %q (path %s), want tApp42", id, s.appID, s.escapedPath)
			}
			if s.userID != id {
				t.Errorf("GetUserWithResponse(%q): server saw user id %q (path %s), want %q", id, s.userID, s.escapedPath, id)
			}
			if !strings.HasPrefix(s.escapedPath, "/v1/tApp42/users/") || strings.Count(s.escapedPath, "/") != 4 {
				t.Errorf("GetUserWithResponse(%q): server saw path %s, want one segment below /v1/tApp42/users/", id, s.escapedPath)
			}
		})
	}
}

func TestClientEscapesEveryPathParam(t *testing.T) {
	t.Parallel()
	srv, got := newServer(t)
	c := newClient(t, srv.URL, "tApp42")
	res, err := c.AddReactionWithResponse(t.Context(), "c/1?", "m#2", "👍", "u 3", nil)
	if err != nil || res.StatusCode() != http.StatusOK {
		t.Fatalf("AddReactionWithResponse(c/1?, m#2, 👍, u 3) = %v, %v; want status 200, nil", res, err)
	}
	s := <-got
	want := seen{appID: "tApp42", convID: "c/1?", msgID: "m#2", emoji: "👍", userID: "u 3"}
	want.escapedPath = s.escapedPath
	if s != want {
		t.Errorf("AddReactionWithResponse(c/1?, m#2, 👍, u 3): server saw %+v, want %+v", s, want)
	}
}

// The exported request builders resolve against the server URL: without the
// trailing slash that serverURL adds, the app id is dropped.
func TestRequestBuilderNeedsTrailingSlash(t *testing.T) {
	t.Parallel()
	server := serverURL("https://api.talkjs.com", "tApp42")
	req, err := gen.NewGetUserRequest(server, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.URL.String(), "https://api.talkjs.com/v1/tApp42/users/alice"; got != want {
		t.Errorf("NewGetUserRequest(%q, alice).URL = %s, want %s", server, got, want)
	}
	noSlash := strings.TrimSuffix(server, "/")
	req, _ = gen.NewGetUserRequest(noSlash, "alice", nil)
	if got, want := req.URL.String(), "https://api.talkjs.com/v1/users/alice"; got != want {
		t.Errorf("NewGetUserRequest(%q, alice).URL = %s, want %s (the generator changed: the app id is no longer dropped)", noSlash, got, want)
	}
}

// An error body of another shape than documented must not cost the status.
func TestOddErrorBodyKeepsStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"string", `"Unauthorized"`},
		{"nested object", `{"error":{"code":401}}`},
		{"array", `[1,2]`},
		{"other object", `{"message":"bad token"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, tc.body)
			}))
			c := newClient(t, srv.URL, "tApp42")
			res, err := c.GetUserWithResponse(t.Context(), "alice", nil)
			srv.Close()
			if err != nil {
				t.Fatalf("GetUserWithResponse(alice) answered 429 %s: error = %v, want nil", tc.body, err)
			}
			if res.StatusCode() != http.StatusTooManyRequests || res.JSON429 == nil || string(*res.JSON429) != tc.body {
				t.Errorf("GetUserWithResponse(alice) answered 429 %s: status %d, JSON429 %s; want 429, %s", tc.body, res.StatusCode(), res.Body, tc.body)
			}
		})
	}
}

// Nullable fields can be sent as an explicit null, left out, or set.
func TestNullableFieldsSendExplicitNull(t *testing.T) {
	t.Parallel()
	in := gen.ConversationInput{
		Subject:  nullable.NewNullNullable[string](),
		PhotoUrl: nullable.NewNullableWithValue("https://example.com/p.png"),
		Custom:   nullable.NewNullableWithValue(gen.CustomInput{"gone": nil}),
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"custom":{"gone":null},"photoUrl":"https://example.com/p.png","subject":null}`
	if string(b) != want {
		t.Errorf("json.Marshal(ConversationInput with null subject) = %s, want %s", b, want)
	}
}

// The oneOf notify is one named type whose variants round-trip.
func TestNotifyUnion(t *testing.T) {
	t.Parallel()
	var n gen.Notify
	if err := n.FromNotifyLevel(gen.NotifyLevelMentionsOnly); err != nil {
		t.Fatal(err)
	}
	in := gen.ParticipationInput{Notify: &n}
	b, _ := json.Marshal(in)
	if want := `{"notify":"MentionsOnly"}`; string(b) != want {
		t.Errorf("json.Marshal(ParticipationInput{Notify: MentionsOnly}) = %s, want %s", b, want)
	}
	var back gen.Participant
	if err := json.Unmarshal([]byte(`{"notify":false,"access":"None"}`), &back); err != nil {
		t.Fatal(err)
	}
	if v, err := back.Notify.AsNotify0(); err != nil || v {
		t.Errorf(`Participant{"notify":false}.Notify.AsNotify0() = %v, %v; want false, nil`, v, err)
	}
	if *back.Access != gen.AccessNone {
		t.Errorf(`Participant{"access":"None"}.Access = %v, want %v`, *back.Access, gen.AccessNone)
	}
}

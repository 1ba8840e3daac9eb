package gen_test

// Hand-written tests of the generated client (this file is not generated).

import (
	"context"
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
		t.Errorf("unexpected request %s %s", r.Method, r.URL.EscapedPath())
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
	srv, got := newServer(t)
	c := newClient(t, srv.URL, "tApp42")
	for _, id := range awkwardIDs {
		res, err := c.GetUserWithResponse(context.Background(), id, nil)
		if err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		if res.StatusCode() != http.StatusOK || res.JSON200 == nil || *res.JSON200.Name != "X" {
			t.Fatalf("%q: status %d, body %s", id, res.StatusCode(), res.Body)
		}
		s := <-got
		if s.appID != "tApp42" {
			t.Errorf("%q: app id %q lost from %s", id, s.appID, s.escapedPath)
		}
		if s.userID != id {
			t.Errorf("%q: server saw user id %q (path %s)", id, s.userID, s.escapedPath)
		}
		if !strings.HasPrefix(s.escapedPath, "/v1/tApp42/users/") || strings.Count(s.escapedPath, "/") != 4 {
			t.Errorf("%q: path %s is not one segment below /v1/tApp42/users/", id, s.escapedPath)
		}
	}
}

func TestClientEscapesEveryPathParam(t *testing.T) {
	srv, got := newServer(t)
	c := newClient(t, srv.URL, "tApp42")
	res, err := c.AddReactionWithResponse(context.Background(), "c/1?", "m#2", "👍", "u 3", nil)
	if err != nil || res.StatusCode() != http.StatusOK {
		t.Fatalf("add reaction: %v %v", err, res)
	}
	s := <-got
	want := seen{appID: "tApp42", convID: "c/1?", msgID: "m#2", emoji: "👍", userID: "u 3"}
	want.escapedPath = s.escapedPath
	if s != want {
		t.Errorf("server saw %+v, want %+v", s, want)
	}
}

// The exported request builders resolve against the server URL: without the
// trailing slash that serverURL adds, the app id is dropped.
func TestRequestBuilderNeedsTrailingSlash(t *testing.T) {
	server := serverURL("https://api.talkjs.com", "tApp42")
	req, err := gen.NewGetUserRequest(server, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := req.URL.String(); got != "https://api.talkjs.com/v1/tApp42/users/alice" {
		t.Errorf("built %s", got)
	}
	req, _ = gen.NewGetUserRequest(strings.TrimSuffix(server, "/"), "alice", nil)
	if got := req.URL.String(); got != "https://api.talkjs.com/v1/users/alice" {
		t.Errorf("the generator changed: without a slash it now builds %s", got)
	}
}

// An error body of another shape than documented must not cost the status.
func TestOddErrorBodyKeepsStatus(t *testing.T) {
	bodies := []string{`"Unauthorized"`, `{"error":{"code":401}}`, `[1,2]`, `{"message":"bad token"}`}
	for _, body := range bodies {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, body)
		}))
		c := newClient(t, srv.URL, "tApp42")
		res, err := c.GetUserWithResponse(context.Background(), "alice", nil)
		srv.Close()
		if err != nil {
			t.Fatalf("body %s: %v", body, err)
		}
		if res.StatusCode() != http.StatusTooManyRequests || string(*res.JSON429) != body {
			t.Errorf("body %s: status %d, JSON429 %s", body, res.StatusCode(), *res.JSON429)
		}
	}
}

// Nullable fields can be sent as an explicit null, left out, or set.
func TestNullableFieldsSendExplicitNull(t *testing.T) {
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
		t.Errorf("marshalled %s, want %s", b, want)
	}
}

// The oneOf notify is one named type whose variants round-trip.
func TestNotifyUnion(t *testing.T) {
	var n gen.Notify
	if err := n.FromNotifyLevel(gen.NotifyLevelMentionsOnly); err != nil {
		t.Fatal(err)
	}
	in := gen.ParticipationInput{Notify: &n}
	b, _ := json.Marshal(in)
	if string(b) != `{"notify":"MentionsOnly"}` {
		t.Errorf("marshalled %s", b)
	}
	var back gen.Participant
	if err := json.Unmarshal([]byte(`{"notify":false,"access":"None"}`), &back); err != nil {
		t.Fatal(err)
	}
	if v, err := back.Notify.AsNotify0(); err != nil || v {
		t.Errorf("notify false decoded as %v, %v", v, err)
	}
	if *back.Access != gen.AccessNone {
		t.Errorf("access = %v", *back.Access)
	}
}

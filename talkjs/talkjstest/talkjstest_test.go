package talkjstest_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

func TestClientTalksToServer(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	ctx := t.Context()
	c := srv.Client
	if err := c.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Users.Upsert(ctx, "bob", talkjs.UserInput{Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Conversations.Upsert(ctx, "order/42", talkjs.ConversationInput{Subject: talkjs.Value("Order 42"), Participants: []string{"alice", "bob"}}); err != nil {
		t.Fatal(err)
	}
	ids, err := c.Messages.Send(ctx, "order/42", talkjs.UserMessage("alice", "Hi Bob"), talkjs.SystemMessage("Order shipped"))
	if err != nil || len(ids) != 2 {
		t.Fatalf("Messages.Send(order/42, 2 messages) = %v, %v; want 2 ids, nil", ids, err)
	}
	conv, err := c.Conversations.Get(ctx, "order/42")
	if err != nil {
		t.Fatal(err)
	}
	if conv.LastMessage == nil || conv.LastMessage.Text != "Order shipped" {
		t.Errorf("Conversations.Get(order/42).LastMessage = %+v, want the one saying %q", conv.LastMessage, "Order shipped")
	}
	// The accessors see the same state.
	if msgs := srv.Messages("order/42"); len(msgs) != 2 || msgs[0].Text != "Hi Bob" {
		t.Errorf("srv.Messages(order/42) = %+v, want 2 messages, the first %q", msgs, "Hi Bob")
	}
	if n := srv.Counts(); n.Users != 2 || n.Conversations != 1 {
		t.Errorf("srv.Counts() = %+v, want 2 users, 1 conversation", n)
	}
	_, err = c.Users.Get(ctx, "ghost")
	if !errors.Is(err, talkjs.ErrNotFound) {
		t.Errorf("Users.Get(ghost) = %v, want ErrNotFound", err)
	}
	if s := srv.String(); strings.Contains(s, srv.Secret) {
		t.Errorf("srv.String() = %q, want no secret", s)
	}
}

func TestOptionsReachTheServer(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	srv := talkjstest.NewServer(t, talkjstest.WithServerOptions(
		api.WithAppID("myapp"), api.WithSecret("sk_test_mine"), api.WithClock(func() time.Time { return at })))
	if srv.AppID != "myapp" || srv.Secret != "sk_test_mine" || !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("NewServer(WithAppID(myapp), WithSecret(sk_test_mine)) = %v with secret %q, want app myapp, secret sk_test_mine, on http://127.0.0.1", srv, srv.Secret)
	}
	if err := srv.Client.Users.Upsert(t.Context(), "u", talkjs.UserInput{Name: "U"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := srv.User("u"); !u.CreatedTime().Equal(at) {
		t.Errorf("User(u).CreatedTime() = %v, want %v", u.CreatedTime(), at)
	}
}

// recordingTB captures what NewServer reports, to test that it fails tests.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}
func (r *recordingTB) Fatalf(format string, args ...any) { r.Errorf(format, args...); panic("fatal") }
func (r *recordingTB) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func sendInvalid(t *testing.T, srv *talkjstest.Server) {
	t.Helper()
	req, _ := http.NewRequest("PUT", srv.URL+"/v1/"+srv.AppID+"/users/alice", strings.NewReader(`{"name":42}`))
	req.Header.Set("Authorization", "Bearer "+srv.Secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("PUT users/alice with name 42: status %d, want 400", resp.StatusCode)
	}
}

func TestInvalidRequestFailsTheTest(t *testing.T) {
	t.Parallel()
	t.Run("reported", func(t *testing.T) {
		t.Parallel()
		rec := &recordingTB{TB: t}
		srv := talkjstest.NewServer(rec)
		sendInvalid(t, srv)
		rec.finish()
		if want := `field "name": must be a string`; len(rec.errors) != 1 || !strings.Contains(rec.errors[0], want) {
			t.Errorf("NewServer reported %q, want one error containing %q", rec.errors, want)
		}
		// Stopped at cleanup.
		if _, err := http.Get(srv.URL + "/v1/x/users"); err == nil {
			t.Error("GET after cleanup: error = nil, want the server stopped")
		}
	})
	t.Run("AllowInvalidRequests", func(t *testing.T) {
		t.Parallel()
		rec := &recordingTB{TB: t}
		srv := talkjstest.NewServer(rec)
		srv.AllowInvalidRequests()
		sendInvalid(t, srv)
		rec.finish()
		if len(rec.errors) != 0 {
			t.Errorf("NewServer reported %q after AllowInvalidRequests, want nothing", rec.errors)
		}
	})
}

func TestCleanRunReportsNothing(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	srv := talkjstest.NewServer(rec)
	if err := srv.Client.Users.Upsert(t.Context(), "a", talkjs.UserInput{Name: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.Users.Get(t.Context(), "nobody"); err == nil {
		t.Fatal("Users.Get(nobody) error = nil, want a 404")
	}
	rec.finish()
	if len(rec.errors) != 0 {
		t.Errorf("NewServer reported %q, want nothing", rec.errors)
	}
}

// The test server, its api.Server and its client used to print the secret
// with %#v, %x, %d and other verbs.
func TestServerNeverPrintsTheSecret(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	holders := map[string]any{
		"*Server": srv, "Server.API": srv.API, "Server.Client": srv.Client, "*Client value": *srv.Client,
		"struct{S *Server}":     struct{ S *talkjstest.Server }{srv},
		"struct{A *api.Server}": struct{ A *api.Server }{srv.API},
	}
	for name, v := range holders {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out := fmt.Sprintf(verb, v)
			for _, form := range []string{srv.Secret, hex.EncodeToString([]byte(srv.Secret)), strings.ToUpper(hex.EncodeToString([]byte(srv.Secret)))} {
				if strings.Contains(out, form) {
					t.Errorf("Sprintf(%q, %s) = %s, want no secret", verb, name, out)
				}
			}
		}
	}
}

// NewServer used to take only server options, and its accessors returned the
// generated gen types (pointer fields, nullable.Nullable).
func TestClientOptionsAndTalkjsTypes(t *testing.T) {
	t.Parallel()
	var seen []string
	record := func(next http.RoundTripper) http.RoundTripper {
		return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			seen = append(seen, r.Method+" "+r.URL.Path)
			return next.RoundTrip(r)
		})
	}
	srv := talkjstest.NewServer(t,
		talkjstest.WithClientOptions(talkjs.WithMiddleware(record), talkjs.WithUserAgent("shop/1.0")),
		talkjstest.WithServerOptions(api.WithAppID("shop")))
	ctx := t.Context()
	if err := srv.Client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice", Custom: talkjs.Custom(map[string]string{"tier": "gold"})}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client.Conversations.Upsert(ctx, "c1", talkjs.ConversationInput{Subject: talkjs.Value("Hi"), Participants: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.Messages.Send(ctx, "c1", talkjs.UserMessage("alice", "hello")); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[0] != "PUT /v1/shop/users/alice" {
		t.Errorf("the client's middleware saw %q, want the 3 requests, the first PUT /v1/shop/users/alice", seen)
	}

	var u *talkjs.User
	u, ok := srv.User("alice")
	if !ok || u.Name != "Alice" || u.Custom["tier"] != "gold" || u.CreatedTime().IsZero() {
		t.Errorf("User(alice) = %+v, %v; want Alice of tier gold with a creation time", u, ok)
	}
	if _, ok := srv.User("ghost"); ok {
		t.Error("User(ghost) = _, true; want false")
	}
	var conv *talkjs.Conversation
	conv, ok = srv.Conversation("c1")
	if !ok || conv.Subject != "Hi" || conv.Participants["alice"].Access != talkjs.AccessReadWrite {
		t.Errorf("Conversation(c1) = %+v, %v; want subject Hi with alice as a ReadWrite participant", conv, ok)
	}
	var msgs []talkjs.Message = srv.Messages("c1")
	if len(msgs) != 1 || msgs[0].Text != "hello" || msgs[0].SenderID != "alice" || msgs[0].Type != talkjs.UserMessageType {
		t.Errorf("Messages(c1) = %+v, want alice's hello", msgs)
	}
	if got := srv.Messages("nowhere"); got != nil {
		t.Errorf("Messages(nowhere) = %+v, want nil", got)
	}
}

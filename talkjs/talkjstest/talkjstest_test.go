package talkjstest_test

import (
	"context"
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
	srv := talkjstest.NewServer(t)
	ctx := context.Background()
	c := srv.Client
	if err := c.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Users.Upsert(ctx, "bob", talkjs.UserInput{Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Conversations.Upsert(ctx, "order/42", talkjs.ConversationInput{Subject: talkjs.String("Order 42"), Participants: []string{"alice", "bob"}}); err != nil {
		t.Fatal(err)
	}
	ids, err := c.Messages.Send(ctx, "order/42", talkjs.UserMessage("alice", "Hi Bob"), talkjs.SystemMessage("Order shipped"))
	if err != nil || len(ids) != 2 {
		t.Fatalf("send: %v %v", ids, err)
	}
	conv, err := c.Conversations.Get(ctx, "order/42")
	if err != nil {
		t.Fatal(err)
	}
	if conv.LastMessage == nil || conv.LastMessage.Text != "Order shipped" {
		t.Errorf("last message %+v", conv.LastMessage)
	}
	// The accessors see the same state.
	if msgs := srv.API.Messages("order/42"); len(msgs) != 2 || msgs[0].Text.MustGet() != "Hi Bob" {
		t.Errorf("stored messages %+v", msgs)
	}
	if n := srv.API.Counts(); n.Users != 2 || n.Conversations != 1 {
		t.Errorf("counts %+v", n)
	}
	_, err = c.Users.Get(ctx, "ghost")
	if !errors.Is(err, talkjs.ErrNotFound) {
		t.Errorf("missing user: %v", err)
	}
	if strings.Contains(srv.String(), srv.Secret) {
		t.Error("String shows the secret")
	}
}

func TestOptionsReachTheServer(t *testing.T) {
	at := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	srv := talkjstest.NewServer(t, api.WithAppID("myapp"), api.WithSecret("sk_test_mine"), api.WithClock(func() time.Time { return at }))
	if srv.AppID != "myapp" || srv.Secret != "sk_test_mine" || !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("server %v secret %q", srv, srv.Secret)
	}
	if err := srv.Client.Users.Upsert(context.Background(), "u", talkjs.UserInput{Name: "U"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := srv.API.User("u"); *u.CreatedAt != at.UnixMilli() {
		t.Errorf("createdAt %d", *u.CreatedAt)
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
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestInvalidRequestFailsTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	srv := talkjstest.NewServer(rec)
	sendInvalid(t, srv)
	rec.finish()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], `field "name": must be a string`) {
		t.Errorf("reported %q", rec.errors)
	}
	// Stopped at cleanup.
	if _, err := http.Get(srv.URL + "/v1/x/users"); err == nil {
		t.Error("server still answers after cleanup")
	}

	rec = &recordingTB{TB: t}
	srv = talkjstest.NewServer(rec)
	srv.AllowInvalidRequests()
	sendInvalid(t, srv)
	rec.finish()
	if len(rec.errors) != 0 {
		t.Errorf("reported %q despite AllowInvalidRequests", rec.errors)
	}
}

func TestCleanRunReportsNothing(t *testing.T) {
	rec := &recordingTB{TB: t}
	srv := talkjstest.NewServer(rec)
	if err := srv.Client.Users.Upsert(context.Background(), "a", talkjs.UserInput{Name: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.Users.Get(context.Background(), "nobody"); err == nil {
		t.Fatal("want 404")
	}
	rec.finish()
	if len(rec.errors) != 0 {
		t.Errorf("reported %q", rec.errors)
	}
}

// The test server, its api.Server and its client used to print the secret
// with %#v, %x, %d and other verbs.
func TestServerNeverPrintsTheSecret(t *testing.T) {
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
					t.Errorf("Sprintf(%q, %s) shows the secret: %s", verb, name, out)
				}
			}
		}
	}
}

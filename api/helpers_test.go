package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/gen"
	"github.com/gotalkjs/talkjs-go/openapi"
	"github.com/oapi-codegen/nullable"
)

const (
	testApp    = "app1"
	testSecret = "sk_test_secret"
)

// t0 is the fake clock's start: 2024-01-01T00:00:00Z.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a server on loopback with a generated client and a fake clock.
// Every answer is validated against the spec; a request that breaks the
// spec fails the test unless allowViolations is set.
type env struct {
	t               testing.TB
	srv             *api.Server
	hs              *httptest.Server
	c               *gen.ClientWithResponses
	clock           *fakeClock
	allowViolations bool
}

func newEnv(t testing.TB, opts ...api.Option) *env {
	t.Helper()
	e := &env{t: t, clock: &fakeClock{now: t0}}
	base := []api.Option{
		api.WithAppID(testApp), api.WithSecret(testSecret), api.WithClock(e.clock.Now),
		api.WithResponseValidation(func(err error) { t.Errorf("answer breaks the spec: %v", err) }),
	}
	e.srv = api.NewServer(append(base, opts...)...)
	e.hs = httptest.NewServer(e.srv)
	t.Cleanup(func() {
		e.hs.Close()
		if !e.allowViolations {
			for _, v := range e.srv.Violations() {
				t.Errorf("request broke the spec: %v", v)
			}
		}
	})
	u, err := openapi.ServerURL(e.hs.URL, testApp)
	if err != nil {
		t.Fatal(err)
	}
	e.c, err = gen.NewClientWithResponses(u, gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+testSecret)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// in returns a copy of e that reports to t, for use inside a subtest of the
// test that made e. allowViolations stays the one of e.
func (e *env) in(t testing.TB) *env {
	c := *e
	c.t = t
	return &c
}

// reply is a raw answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer %d %s: %v", r.status, r.body, err)
	}
}

// message is the "message" of an error answer.
func (r reply) message(t testing.TB) string {
	t.Helper()
	var e struct {
		Error   string            `json:"error"`
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
	}
	r.json(t, &e)
	if e.Error == "" || e.Message == "" {
		t.Errorf("error answer %d without error or message: %s", r.status, r.body)
	}
	return e.Message
}

// raw sends a request with the secret as bearer token to path below
// /v1/{app} (already escaped).
func (e *env) raw(method, path, body string) reply {
	e.t.Helper()
	return e.rawWith(method, "/v1/"+testApp+path, body, map[string]string{"Authorization": "Bearer " + testSecret})
}

// rawWith sends a request to target (a path from the host root) with the
// given headers; a non-empty body is sent as JSON unless the headers say
// otherwise.
func (e *env) rawWith(method, target, body string, hdr map[string]string) reply {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.hs.URL+target, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.hs.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// must fails the test unless r answered want.
func must(t testing.TB, r reply, want int) reply {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	return r
}

// status checks a generated-client call.
type statusCoder interface{ StatusCode() int }

func check(t testing.TB, resp statusCoder, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != want {
		body := ""
		if b, ok := resp.(interface{ GetBody() []byte }); ok {
			body = string(b.GetBody())
		}
		t.Fatalf("status %d, want %d %s", resp.StatusCode(), want, body)
	}
}

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

// user creates a user with a name.
func (e *env) user(id string) {
	e.t.Helper()
	resp, err := e.c.CreateOrUpdateUserWithResponse(ctx, id, nil, gen.UserInput{Name: ptr("User " + id)})
	check(e.t, resp, err, 200)
}

// conv creates a conversation with participants (created as users first).
func (e *env) conv(id string, participants ...string) {
	e.t.Helper()
	for _, p := range participants {
		e.user(p)
	}
	resp, err := e.c.CreateOrUpdateConversationWithResponse(ctx, id, nil, gen.ConversationInput{Participants: &participants})
	check(e.t, resp, err, 200)
}

// send sends messages and answers their ids.
func (e *env) send(convID string, msgs ...gen.SendMessageInput) []string {
	e.t.Helper()
	resp, err := e.c.SendMessagesWithResponse(ctx, convID, nil, msgs)
	check(e.t, resp, err, 200)
	ids := make([]string, len(*resp.JSON200))
	for i, r := range *resp.JSON200 {
		ids[i] = *r.Id
	}
	return ids
}

func userMsg(sender, text string) gen.SendMessageInput {
	return gen.SendMessageInput{Type: gen.MessageTypeUserMessage, Sender: &sender, Text: &text}
}

func systemMsg(text string) gen.SendMessageInput {
	return gen.SendMessageInput{Type: gen.MessageTypeSystemMessage, Text: &text}
}

func (e *env) getConv(id string) gen.Conversation {
	e.t.Helper()
	resp, err := e.c.GetConversationWithResponse(ctx, id, nil)
	check(e.t, resp, err, 200)
	return *resp.JSON200
}

func (e *env) getMsg(convID, msgID string) gen.Message {
	e.t.Helper()
	resp, err := e.c.GetMessageWithResponse(ctx, convID, msgID, nil)
	check(e.t, resp, err, 200)
	return *resp.JSON200
}

type nullableT[T any] = nullable.Nullable[T]

func newNullable[T any](v T) nullable.Nullable[T] { return nullable.NewNullableWithValue(v) }

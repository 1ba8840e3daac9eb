package talkjs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestErrorIs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		want   error
	}{
		{400, ErrBadRequest},
		{401, ErrUnauthorized},
		{404, ErrNotFound},
		{429, ErrRateLimited},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
				writeJSON(w, tc.status, `{"error":"nope"}`)
			}, WithMaxRetries(0))
			_, err := c.Users.Get(t.Context(), "alice")
			if !errors.Is(err, tc.want) {
				t.Errorf("Users.Get(alice) answered %d = %v, want errors.Is %v", tc.status, err, tc.want)
			}
			for _, other := range []error{ErrBadRequest, ErrUnauthorized, ErrNotFound, ErrRateLimited, ErrInvalidArgument} {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("Users.Get(alice) answered %d = %v, which errors.Is %v too, want only %v", tc.status, err, other, tc.want)
				}
			}
			var e *Error
			want := Error{StatusCode: tc.status, Method: "GET", Path: "/v1/tApp42/users/alice", Message: "nope"}
			if !errors.As(err, &e) || e.StatusCode != want.StatusCode || e.Method != want.Method || e.Path != want.Path || e.Message != want.Message {
				t.Errorf("Users.Get(alice) answered %d = %#v, want an *Error with status %d, method %s, path %s, message %q",
					tc.status, err, want.StatusCode, want.Method, want.Path, want.Message)
			}
		})
	}
}

func TestErrorMessageFromAnyBody(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"message":"bad token"}`:                         "bad token",
		`{"error":"Not found"}`:                           "Not found",
		`{"error":{"code":401,"message":"expired"}}`:      "expired",
		`{"error":"Bad request","errors":{"bob":"name"}}`: "Bad request: bob: name",
		`{"errors":{"b":"x","a":"y"}}`:                    "a: y; b: x",
		`"Unauthorized"`:                                  "Unauthorized",
		`[1,2]`:                                           "",
		`{}`:                                              "",
		`upstream timed out`:                              "upstream timed out",
		``:                                                "",
		strings.Repeat("é", 400):                          strings.Repeat("é", 150) + "…",
	} {
		t.Run(fmt.Sprintf("%.20q", body), func(t *testing.T) {
			t.Parallel()
			if got := errorMessage([]byte(body)); got != want {
				t.Errorf("errorMessage(%.40q) = %q, want %q", body, got, want)
			}
		})
	}
}

func TestNoSecretInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	// A hostile server echoes the Authorization header and the secret.
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		auth := r.Header.Get("Authorization")
		writeJSON(w, http.StatusUnauthorized, fmt.Sprintf(`{"message":"token %s or key %s is wrong"}`, auth, testSecret))
	})
	_, err := c.Users.Get(t.Context(), "alice")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Users.Get(alice) answered 401 = %v, want an *Error", err)
	}
	assertNoSecret(t, "error", err.Error())
	assertNoSecret(t, "error message", e.Message)
	assertNoSecret(t, "error body", string(e.Body))
	assertNoSecret(t, "%+v of the error", fmt.Sprintf("%+v %#v", err, err))
	assertNoSecret(t, "%v of the client", fmt.Sprintf("%v %+v %#v %s", c, c, c, c))
	if !strings.Contains(e.Message, "[token]") || !strings.Contains(e.Message, "[secret]") {
		t.Errorf("Users.Get(alice) answered 401 with the token and the secret: Message = %q, want [token] and [secret] in their places", e.Message)
	}
	if !strings.Contains(ts.logs.String(), "status=401") {
		t.Errorf("debug log = %s, want a line with status=401", ts.logs.String())
	}
	// Legacy auth: the secret is the token.
	c, _ = newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusBadRequest, `"`+r.Header.Get("Authorization")+`"`)
	}, WithLegacySecretKeyAuth())
	_, err = c.Users.Get(t.Context(), "alice")
	assertNoSecret(t, "legacy error", err.Error())
}

func TestArgumentErrors(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil)
	ctx := t.Context()
	eleven := make([]BatchOperation, 11)
	for i := range eleven {
		eleven[i] = BatchGetUser("u")
	}
	both := UserMessage("a", "hi")
	both.AttachmentToken = "tok"
	sysWithSender := SystemMessage("x")
	sysWithSender.Sender = "a"
	cases := []struct {
		arg  string
		call func() error
	}{
		{"id", func() error { _, err := c.Users.Get(ctx, ""); return err }},
		{"id", func() error { _, err := c.Users.Get(ctx, "."); return err }},
		{"id", func() error { _, err := c.Users.Get(ctx, ".."); return err }},
		{"id", func() error { return c.Users.Upsert(ctx, "..", UserInput{Name: "x"}) }},
		{"userID", func() error { _, err := c.Users.Conversations(ctx, "..", nil); return err }},
		{"conversationID", func() error { return c.Participants.Join(ctx, ".", "bob", nil) }},
		{"userID", func() error { return c.Participants.Leave(ctx, "c1", "..") }},
		{"messageID", func() error { _, err := c.Messages.Get(ctx, "c1", ".."); return err }},
		{"emoji", func() error { return c.Messages.AddReaction(ctx, "c1", "m1", "", "bob") }},
		{"opts.Limit", func() error { _, err := c.Users.List(ctx, &ListOptions{Limit: 101}); return err }},
		{"opts.Limit", func() error { _, err := c.Messages.List(ctx, "c1", &ListOptions{Limit: -1}); return err }},
		{"ops", func() error { _, err := c.Batch.Do(ctx, eleven...); return err }},
		{"ops[1].id", func() error { _, err := c.Batch.Do(ctx, BatchGetUser("a"), BatchGetUser("..")); return err }},
		{"ops[0].msgs", func() error {
			_, err := c.Batch.Do(ctx, BatchSendMessages("c1", make([]MessageInput, 11)...))
			return err
		}},
		{"msgs[0]", func() error { _, err := c.Messages.Send(ctx, "c1", both); return err }},
		{"msgs[0]", func() error { _, err := c.Messages.Send(ctx, "c1", UserMessage("a", "")); return err }},
		{"msgs[1].Sender", func() error {
			_, err := c.Messages.Send(ctx, "c1", SystemMessage("ok"), sysWithSender)
			return err
		}},
		{"msgs[0].Sender", func() error { _, err := c.Messages.Send(ctx, "c1", UserMessage("", "hi")); return err }},
		{"msgs[0].Type", func() error { _, err := c.Messages.Send(ctx, "c1", MessageInput{Text: "hi"}); return err }},
		{"msgs", func() error { _, err := c.Messages.Send(ctx, "c1"); return err }},
		{"msgs[0]", func() error {
			_, err := c.Import.Messages(ctx, "c1", []ImportMessage{{Sender: "a", Text: "x", AttachmentToken: "t", Timestamp: 1}})
			return err
		}},
		{"msgs[0].Sender", func() error {
			_, err := c.Import.Messages(ctx, "c1", []ImportMessage{{Text: "x", Timestamp: 1}})
			return err
		}},
		{"msgs[0].Type", func() error {
			_, err := c.Import.Messages(ctx, "c1", []ImportMessage{{Type: SystemMessageType, Sender: "a", Text: "x", Timestamp: 1}})
			return err
		}},
		{"id", func() error { return c.Users.Upsert(ctx, "a\xffb", UserInput{Name: "A"}) }},
		{"msgs[0].Timestamp", func() error {
			_, err := c.Import.Messages(ctx, "c1", []ImportMessage{{Sender: "a", Text: "x"}})
			return err
		}},
		{"opts.Access", func() error { return c.Participants.Join(ctx, "c1", "bob", &JoinOptions{Access: AccessNone}) }},
		{"users[1].ID", func() error {
			_, err := c.Users.UpsertMany(ctx, []UserUpsert{{ID: "a"}, {ID: "a"}})
			return err
		}},
		{"filename", func() error { _, err := c.Files.Upload(ctx, "", strings.NewReader("x")); return err }},
		{"opts.Filter", func() error {
			_, err := c.Conversations.List(ctx, &ConversationListOptions{Filter: RawFilter(`{"custom":`)})
			return err
		}},
		{"e", func() error { return c.Messages.Edit(ctx, "c1", "m1", MessageEdit{MarkEdited: true}) }},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d/%s", i, tc.arg), func(t *testing.T) {
			err := tc.call()
			var ae *ArgumentError
			if !errors.As(err, &ae) || !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("case %d (%s) = %v, want an *ArgumentError about %s", i, tc.arg, err, tc.arg)
			}
			if ae.Arg != tc.arg || !strings.Contains(err.Error(), tc.arg) {
				t.Errorf("case %d (%s) = %q with Arg %q, want Arg %q named in the text", i, tc.arg, err, ae.Arg, tc.arg)
			}
		})
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid arguments, want 0", n)
	}
}

func TestNewClientArguments(t *testing.T) {
	t.Parallel()
	bad := []struct {
		appID, secret string
		opts          []Option
		arg           string
	}{
		{"", "s", nil, "appID"},
		{"a/b", "s", nil, "appID"},
		{"app", "", nil, "secretKey"},
		{"app", "s\n", nil, "secretKey"},
		{"app", "s", []Option{WithBaseURL("api.talkjs.com")}, "baseURL"},
		{"app", "s", []Option{WithBaseURL("https://x.example/?q=1")}, "baseURL"},
		{"app", "s", []Option{WithBaseURL("")}, "baseURL"},
		{"app", "s", []Option{WithHTTPClient(nil)}, "httpClient"},
		{"app", "s", []Option{WithAPIVersion("v2")}, "apiVersion"},
		{"app", "s", []Option{WithMaxRetries(-1)}, "maxRetries"},
		{"app", "s", []Option{WithTokenLifetime(time.Millisecond)}, "tokenLifetime"},
		{"app", "s", []Option{WithMiddleware(nil)}, "middleware[0]"},
		{"app", "s", []Option{WithRoundTripper(nil)}, "roundTripper"},
	}
	for i, tc := range bad {
		t.Run(fmt.Sprintf("%d/%s", i, tc.arg), func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tc.appID, tc.secret, tc.opts...)
			var ae *ArgumentError
			if !errors.As(err, &ae) || ae.Arg != tc.arg {
				t.Errorf("NewClient(%q, secret, %d options) = %v, want an *ArgumentError about %s", tc.appID, len(tc.opts), err, tc.arg)
			}
		})
	}
	c, err := NewClient("app", "s", WithBaseURL("http://127.0.0.1:9/proxy/"))
	if err != nil {
		t.Fatalf("NewClient(app, s, WithBaseURL(http://127.0.0.1:9/proxy/)) = %v, want nil", err)
	}
	if got, want := c.ServerURL(), "http://127.0.0.1:9/proxy/v1/app/"; got != want {
		t.Errorf("ServerURL() = %s, want %s", got, want)
	}
}

// TestNewClientFromEnv is not parallel: it sets environment variables.
func TestNewClientFromEnv(t *testing.T) {
	t.Setenv(EnvAppID, "")
	t.Setenv(EnvSecretKey, "")
	t.Setenv(EnvBaseURL, "")
	if _, err := NewClientFromEnv(); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), EnvAppID) {
		t.Errorf("NewClientFromEnv() without %s = %v, want an ErrInvalidArgument naming it", EnvAppID, err)
	}
	t.Setenv(EnvAppID, "envApp")
	if _, err := NewClientFromEnv(); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), EnvSecretKey) {
		t.Errorf("NewClientFromEnv() without %s = %v, want an ErrInvalidArgument naming it", EnvSecretKey, err)
	}
	t.Setenv(EnvSecretKey, "envSecret")
	c, err := NewClientFromEnv()
	if want := "https://api.talkjs.com/v1/envApp/"; err != nil || c.ServerURL() != want {
		t.Errorf("NewClientFromEnv() without %s = %v, %v; want a client for %s", EnvBaseURL, c, err, want)
	}
	t.Setenv(EnvBaseURL, "http://localhost:8080")
	c, err = NewClientFromEnv()
	if want := "http://localhost:8080/v1/envApp/"; err != nil || c.ServerURL() != want || c.AppID() != "envApp" {
		t.Errorf("NewClientFromEnv() with %s = %v, %v; want a client of envApp for %s", EnvBaseURL, c, err, want)
	}
	c, err = NewClientFromEnv(WithBaseURL("http://override:1"))
	if want := "http://override:1/v1/envApp/"; err != nil || c.ServerURL() != want {
		t.Errorf("NewClientFromEnv(WithBaseURL(http://override:1)) = %v, %v; want a client for %s", c, err, want)
	}
}

// TestNoSecretInAnyFailure collects the error text of every kind of
// failure and checks none holds the secret key or a token.
func TestNoSecretInAnyFailure(t *testing.T) {
	t.Parallel()
	var texts []string
	record := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s = nil error, want a failure", what)
			return
		}
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
		var e *Error
		if errors.As(err, &e) {
			texts = append(texts, string(e.Body), e.Message)
		}
	}
	ctx := t.Context()
	echo := func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusInternalServerError, fmt.Sprintf(`{"message":%q}`, r.Header.Get("Authorization")))
	}
	for _, opts := range [][]Option{nil, {WithLegacySecretKeyAuth()}} {
		record := func(what string, err error) {
			t.Helper()
			if opts != nil {
				what += " with legacy auth"
			}
			record(what, err)
		}
		c, _ := newTestServer(t, echo, opts...)
		_, err := c.Users.Get(ctx, "a") // retried, then the last 500
		record("Users.Get(a) answered 500", err)
		c, _ = newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) { resetConn(t, w) }, opts...)
		_, err = c.Import.Messages(ctx, "c1", []ImportMessage{{Sender: "a", Text: "x", Timestamp: 1}})
		record("Import.Messages(c1) over a reset connection", err)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		record("Conversations.Delete(canceled ctx, c1)", c.Conversations.Delete(cctx, "c1"))
		quoting := func(r *http.Request) error { // a check that quotes the request
			if err := refuseEmptySends(r); err != nil {
				return fmt.Errorf("%s %s: %w", r.Method, r.URL, err)
			}
			return nil
		}
		c, _ = newTestServer(t, nil, append(opts, WithRequestCheck(quoting))...)
		record("a send the request check refuses", c.do(emptySend(t, c)))
		_, err = c.Messages.Send(ctx, "c1", MessageInput{})
		record("Messages.Send(c1, MessageInput{})", err)
	}
	for _, s := range texts {
		assertNoSecret(t, "error output", s)
	}
	if len(texts) < 20 {
		t.Errorf("collected %d error texts, want at least 20", len(texts))
	}
}

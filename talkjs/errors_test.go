package talkjs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestErrorIs(t *testing.T) {
	for status, want := range map[int]error{400: ErrBadRequest, 401: ErrUnauthorized, 404: ErrNotFound, 429: ErrRateLimited} {
		c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
			writeJSON(w, status, `{"error":"nope"}`)
		}, WithMaxRetries(0))
		_, err := c.Users.Get(context.Background(), "alice")
		if !errors.Is(err, want) {
			t.Errorf("status %d: errors.Is(%v, %v) is false", status, err, want)
		}
		for _, other := range []error{ErrBadRequest, ErrUnauthorized, ErrNotFound, ErrRateLimited, ErrInvalidArgument} {
			if other != want && errors.Is(err, other) {
				t.Errorf("status %d also matches %v", status, other)
			}
		}
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != status || e.Method != "GET" || e.Path != "/v1/tApp42/users/alice" || e.Message != "nope" {
			t.Errorf("status %d: %#v", status, e)
		}
	}
}

func TestErrorMessageFromAnyBody(t *testing.T) {
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
		if got := errorMessage([]byte(body)); got != want {
			t.Errorf("errorMessage(%.40q) = %q, want %q", body, got, want)
		}
	}
}

func TestNoSecretInErrorsOrLogs(t *testing.T) {
	// A hostile server echoes the Authorization header and the secret.
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		auth := r.Header.Get("Authorization")
		writeJSON(w, http.StatusUnauthorized, fmt.Sprintf(`{"message":"token %s or key %s is wrong"}`, auth, testSecret))
	})
	_, err := c.Users.Get(context.Background(), "alice")
	if err == nil {
		t.Fatal("no error")
	}
	var e *Error
	errors.As(err, &e)
	assertNoSecret(t, "error", err.Error())
	assertNoSecret(t, "error message", e.Message)
	assertNoSecret(t, "error body", string(e.Body))
	assertNoSecret(t, "%+v of the error", fmt.Sprintf("%+v %#v", err, err))
	assertNoSecret(t, "%v of the client", fmt.Sprintf("%v %+v %#v %s", c, c, c, c))
	if !strings.Contains(e.Message, "[token]") || !strings.Contains(e.Message, "[secret]") {
		t.Errorf("message %q was not scrubbed as expected", e.Message)
	}
	if !strings.Contains(ts.logs.String(), "status=401") {
		t.Errorf("the debug log misses the request: %s", ts.logs.String())
	}
	// Legacy auth: the secret is the token.
	c, _ = newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusBadRequest, `"`+r.Header.Get("Authorization")+`"`)
	}, WithLegacySecretKeyAuth())
	_, err = c.Users.Get(context.Background(), "alice")
	assertNoSecret(t, "legacy error", err.Error())
}

func TestArgumentErrors(t *testing.T) {
	c, ts := newTestServer(t, nil)
	ctx := context.Background()
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
				t.Fatalf("case %d = %v, want an *ArgumentError about %s", i, err, tc.arg)
			}
			if ae.Arg != tc.arg || !strings.Contains(err.Error(), tc.arg) {
				t.Errorf("case %d = %q with Arg %q, want Arg %q named in the text", i, err, ae.Arg, tc.arg)
			}
		})
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("%d requests were sent for invalid arguments", n)
	}
}

func TestNewClientArguments(t *testing.T) {
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
		t.Fatal(err)
	}
	if got, want := c.ServerURL(), "http://127.0.0.1:9/proxy/v1/app/"; got != want {
		t.Errorf("ServerURL() = %s, want %s", got, want)
	}
}

func TestNewClientFromEnv(t *testing.T) {
	t.Setenv(EnvAppID, "")
	t.Setenv(EnvSecretKey, "")
	t.Setenv(EnvBaseURL, "")
	if _, err := NewClientFromEnv(); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), EnvAppID) {
		t.Errorf("missing app id: %v", err)
	}
	t.Setenv(EnvAppID, "envApp")
	if _, err := NewClientFromEnv(); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), EnvSecretKey) {
		t.Errorf("missing secret: %v", err)
	}
	t.Setenv(EnvSecretKey, "envSecret")
	c, err := NewClientFromEnv()
	if err != nil || c.ServerURL() != "https://api.talkjs.com/v1/envApp/" {
		t.Errorf("defaults: %v %v", c, err)
	}
	t.Setenv(EnvBaseURL, "http://localhost:8080")
	c, err = NewClientFromEnv()
	if err != nil || c.ServerURL() != "http://localhost:8080/v1/envApp/" || c.AppID() != "envApp" {
		t.Errorf("base URL: %v %v", c, err)
	}
	c, err = NewClientFromEnv(WithBaseURL("http://override:1"))
	if err != nil || c.ServerURL() != "http://override:1/v1/envApp/" {
		t.Errorf("option after env: %v %v", c, err)
	}
}

// TestNoSecretInAnyFailure collects the error text of every kind of
// failure and checks none holds the secret key or a token.
func TestNoSecretInAnyFailure(t *testing.T) {
	var texts []string
	record := func(err error) {
		if err == nil {
			t.Error("expected an error")
			return
		}
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
		var e *Error
		if errors.As(err, &e) {
			texts = append(texts, string(e.Body), e.Message)
		}
	}
	ctx := context.Background()
	echo := func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusInternalServerError, fmt.Sprintf(`{"message":%q}`, r.Header.Get("Authorization")))
	}
	for _, opts := range [][]Option{nil, {WithLegacySecretKeyAuth()}} {
		c, _ := newTestServer(t, echo, opts...)
		_, err := c.Users.Get(ctx, "a") // retried, then the last 500
		record(err)
		c, _ = newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) { resetConn(t, w) }, opts...)
		_, err = c.Import.Messages(ctx, "c1", []ImportMessage{{Sender: "a", Text: "x", Timestamp: 1}}) // transport error
		record(err)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		record(c.Conversations.Delete(cctx, "c1")) // context error
		quoting := func(r *http.Request) error {   // a check that quotes the request
			if err := refuseEmptySends(r); err != nil {
				return fmt.Errorf("%s %s: %w", r.Method, r.URL, err)
			}
			return nil
		}
		c, _ = newTestServer(t, nil, append(opts, WithRequestCheck(quoting))...)
		record(c.do(emptySend(t, c))) // validation error
		_, err = c.Messages.Send(ctx, "c1", MessageInput{})
		record(err) // argument error
	}
	for _, s := range texts {
		assertNoSecret(t, "error output", s)
	}
	if len(texts) < 20 {
		t.Errorf("only %d texts collected", len(texts))
	}
}

package talkjs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/openapi"
)

const (
	testAppID  = "tApp42"
	testSecret = "sk_test_Sup3rS3cretK3y"
)

// specValidator is shared by the tests: building it parses the spec.
var specValidator = sync.OnceValue(func() *openapi.Validator {
	v, err := openapi.NewValidator()
	if err != nil {
		panic(err)
	}
	return v
})

// withSpecCheck is what package talkjs/validate gives users, for the tests
// of this package (which cannot import it).
func withSpecCheck() Option {
	return WithRequestCheck(func(r *http.Request) error {
		_, err := specValidator().ValidateRequest(r, r.Body == nil)
		return err
	})
}

// seenRequest is what the test server saw of one request.
type seenRequest struct {
	Op     string
	Method string
	Path   string // escaped
	Query  string
	Header http.Header
	Body   []byte
}

// testServer is an httptest server that validates every request against
// the spec before the test's handler sees it: a request that breaks the
// spec fails the test.
type testServer struct {
	*httptest.Server
	t        testing.TB
	mu       sync.Mutex
	seen     []seenRequest
	sleeps   []time.Duration
	logs     *syncBuffer
	skipBody bool // do not read bodies (for streamed uploads)
	// allowInvalid turns spec violations into 400 answers instead of
	// test failures, for the test that proves they are caught.
	allowInvalid bool
	violations   []string
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, op string)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestServer starts a validating server with h behind it and returns a
// client for it. The client never really sleeps between retries: the
// waits are recorded in ts.sleeps. Its debug log is checked for secrets
// when the test ends.
func newTestServer(t testing.TB, h handlerFunc, opts ...Option) (*Client, *testServer) {
	t.Helper()
	ts := &testServer{t: t, logs: &syncBuffer{}}
	v := specValidator()
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		skip := ts.skipBody && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/")
		vr := r
		if skip {
			// ValidateRequest(r, true) still reads a multipart body
			// whole (kin-openapi parses the form): hide the body from it.
			vr = r.Clone(r.Context())
			vr.Body = http.NoBody
		}
		route, err := v.ValidateRequest(vr, skip)
		if err != nil {
			ts.mu.Lock()
			ts.violations = append(ts.violations, err.Error())
			ts.mu.Unlock()
			if !ts.allowInvalid {
				t.Errorf("request %s %s breaks the spec: %v", r.Method, r.URL.EscapedPath(), err)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "Bad request", "message": err.Error()})
			return
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("request %s %s has no bearer token", r.Method, r.URL.EscapedPath())
		}
		var body []byte
		if !skip && r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		ts.mu.Lock()
		ts.seen = append(ts.seen, seenRequest{Op: route.OperationID, Method: r.Method, Path: r.URL.EscapedPath(),
			Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		ts.mu.Unlock()
		if h == nil {
			writeJSON(w, http.StatusOK, `{}`)
			return
		}
		h(w, r, route.OperationID)
	}))
	t.Cleanup(ts.Close)
	logger := slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	all := append([]Option{WithBaseURL(ts.URL), WithLogger(logger)}, opts...)
	c, err := NewClient(testAppID, testSecret, all...)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		ts.mu.Lock()
		ts.sleeps = append(ts.sleeps, d)
		ts.mu.Unlock()
		return ctx.Err()
	}
	t.Cleanup(func() { assertNoSecret(t, "log", ts.logs.String()) })
	return c, ts
}

func (ts *testServer) requests() []seenRequest {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]seenRequest(nil), ts.seen...)
}

func (ts *testServer) waits() []time.Duration {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]time.Duration(nil), ts.sleeps...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// assertNoSecret fails the test when s holds the secret key or anything
// that looks like a JWT.
func assertNoSecret(t testing.TB, what, s string) {
	t.Helper()
	if strings.Contains(s, testSecret) {
		t.Errorf("%s holds the secret key: %s", what, s)
	}
	if strings.Contains(s, "eyJ") {
		t.Errorf("%s holds a token: %s", what, s)
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

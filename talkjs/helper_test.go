package talkjs

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

const (
	testAppID  = "tApp42"
	testSecret = "sk_test_Sup3rS3cretK3y"
)

// route is one operation of the spec as the generator wrote it into gen's
// server: a method, a path pattern below /v1/{appId} and the operationId.
type route struct {
	method string
	segs   []string // "users", "{userId}", ...
	op     string
}

// routes reads the operations from gen.HandlerWithOptions, which registers
// one handler per operation of the spec (HEAD operations are answered by
// the GET ones). The operationId is the handler's name with a lower-case
// first letter; the tests of talkjs/validate hold that to the spec.
var routes = sync.OnceValue(func() []route {
	var rs []route
	gen.HandlerWithOptions(nil, gen.StdHTTPServerOptions{BaseRouter: routeRecorder(func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name() // gen.(*ServerInterfaceWrapper).GetUser-fm
		name = strings.TrimSuffix(name[strings.LastIndex(name, ".")+1:], "-fm")
		rt := route{method: method, op: strings.ToLower(name[:1]) + name[1:]}
		if path = strings.TrimPrefix(path, "/"); path != "{$}" { // "/{$}" is the app itself
			rt.segs = strings.Split(path, "/")
		}
		rs = append(rs, rt)
	})})
	return rs
})

type routeRecorder func(pattern string, h func(http.ResponseWriter, *http.Request))

func (f routeRecorder) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	f(pattern, h)
}

func (routeRecorder) ServeHTTP(http.ResponseWriter, *http.Request) {}

// operation names the operation a request calls, matching its escaped path
// segment by segment (no cleaning, no redirects), or "" when none matches.
func operation(r *http.Request) string {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if len(segs) < 2 || segs[0] != "v1" || segs[1] == "" {
		return ""
	}
	segs = segs[2:]
	method, suffix := r.Method, ""
	if method == http.MethodHead {
		method, suffix = http.MethodGet, "Head"
	}
	best, bestLiterals := "", -1
	for _, rt := range routes() {
		if rt.method != method || len(rt.segs) != len(segs) {
			continue
		}
		literals := 0
		for i, s := range rt.segs {
			if strings.HasPrefix(s, "{") {
				if segs[i] == "" {
					literals = -1
					break
				}
				continue
			}
			if s != segs[i] {
				literals = -1
				break
			}
			literals++
		}
		if literals > bestLiterals {
			best, bestLiterals = rt.op+suffix, literals
		}
	}
	return best
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

// testServer is an httptest server that names the operation of every
// request before the test's handler sees it: a request that calls no
// operation of the spec fails the test. Whether requests follow the spec's
// schemas is the business of the tests of talkjs/validate, which replay the
// requests TestEveryOperation records (testdata/operations.json) through
// the spec's validator: this module does not depend on one.
type testServer struct {
	*httptest.Server
	t        testing.TB
	mu       sync.Mutex
	seen     []seenRequest
	sleeps   []time.Duration
	logs     *syncBuffer
	skipBody bool // do not read bodies (for streamed uploads)
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

// newTestServer starts a server with h behind it and returns a
// client for it. The client never really sleeps between retries: the
// waits are recorded in ts.sleeps. Its debug log is checked for secrets
// when the test ends.
func newTestServer(t testing.TB, h handlerFunc, opts ...Option) (*Client, *testServer) {
	t.Helper()
	ts := &testServer{t: t, logs: &syncBuffer{}}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		skip := ts.skipBody && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/")
		op := operation(r)
		if op == "" {
			t.Errorf("request %s %s calls no operation of the spec", r.Method, r.URL.EscapedPath())
			writeJSON(w, http.StatusNotFound, `{"error":"no such operation"}`)
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
		ts.seen = append(ts.seen, seenRequest{Op: op, Method: r.Method, Path: r.URL.EscapedPath(),
			Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		ts.mu.Unlock()
		if h == nil {
			writeJSON(w, http.StatusOK, `{}`)
			return
		}
		h(w, r, op)
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

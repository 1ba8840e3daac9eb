package validate_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gotalkjs/talkjs-go/openapi"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/validate"
)

func TestRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, body string
		streamed                 bool
		wantField                string // "" for a valid request
	}{
		{name: "valid send", method: "POST", path: "/v1/app/conversations/c1/messages",
			body: `[{"text":"hi","type":"SystemMessage"}]`},
		{name: "empty send", method: "POST", path: "/v1/app/conversations/c1/messages",
			body: `[]`, wantField: "request body"},
		{name: "bad enum", method: "POST", path: "/v1/app/conversations/c1/messages",
			body: `[{"text":"hi","type":"Shout"}]`, wantField: "request body"},
		{name: "limit out of range", method: "GET", path: "/v1/app/users?limit=500", wantField: `query parameter "limit"`},
		{name: "streamed upload is not read", method: "POST", path: "/v1/app/files", streamed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, tc.path, nil)
			r.Body = http.NoBody
			if tc.body != "" {
				r.Body = io.NopCloser(strings.NewReader(tc.body))
				r.Header.Set("Content-Type", "application/json")
			}
			if tc.streamed {
				r.Body = nil
				r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			}
			err := validate.Request(r)
			var ve *openapi.ValidationError
			switch {
			case tc.wantField == "" && err != nil:
				t.Errorf("Request(%s %s) = %v, want nil", tc.method, tc.path, err)
			case tc.wantField != "" && (!errors.As(err, &ve) || ve.Where != tc.wantField):
				t.Errorf("Request(%s %s) = %v, want a validation error of the %s", tc.method, tc.path, err, tc.wantField)
			}
		})
	}
}

// The option checks what a client sends and lets valid requests through,
// behind a base URL with a proxy's path prefix too.
func TestRequestsOption(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"id":"msg_1"}]`)
	}))
	defer srv.Close()
	// The subtests share the counter, so they run one after the other.
	for _, tc := range []struct{ name, base string }{
		{"server root", srv.URL},
		{"proxy path prefix", srv.URL + "/proxy/talkjs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent.Store(0)
			c, err := talkjs.NewClient("app", "sk_test_validate", talkjs.WithBaseURL(tc.base), validate.Requests())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Messages.SendOne(t.Context(), "c1", talkjs.SystemMessage("hi")); err != nil {
				t.Errorf("Messages.SendOne(c1, hi) via %s = %v, want nil", tc.base, err)
			}
			if n := sent.Load(); n != 1 {
				t.Errorf("Messages.SendOne(c1, hi) via %s sent %d requests, want 1", tc.base, n)
			}
		})
	}
}

func TestRequestsRejectsWithoutSending(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	defer srv.Close()
	// A check that stands in for a spec violation the public API cannot
	// produce: the option must stop the call the same way.
	reject := talkjs.WithRequestCheck(func(r *http.Request) error {
		return validate.Request(mustRequest(t, "GET", "/v1/app/users?limit=0"))
	})
	c, err := talkjs.NewClient("app", "sk_test_validate", talkjs.WithBaseURL(srv.URL), reject)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Users.Get(t.Context(), "alice")
	var ve *openapi.ValidationError
	if !errors.Is(err, talkjs.ErrInvalidArgument) || !errors.As(err, &ve) {
		t.Errorf("Users.Get(alice) = %v, want an invalid-argument error wrapping *openapi.ValidationError", err)
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("Users.Get(alice) sent %d requests, want 0", n)
	}
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	r.Body = http.NoBody
	return r
}

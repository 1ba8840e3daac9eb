package talkjs

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// hits records the requests a plain (non-validating) test server received.
type hits struct {
	mu   sync.Mutex
	list []string // "METHOD path auth=<yes|no>"
}

func (h *hits) add(r *http.Request) {
	auth := "no"
	if r.Header.Get("Authorization") != "" {
		auth = "yes"
	}
	h.mu.Lock()
	h.list = append(h.list, r.Method+" "+r.URL.Path+" auth="+auth)
	h.mu.Unlock()
}

func (h *hits) get() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.list...)
}

// redirectClients are the ways a user may build a client; redirects must be
// refused the same way in each.
func redirectClients() map[string][]Option {
	followAll := func(*http.Request, []*http.Request) error { return nil }
	return map[string][]Option{
		"default":                         nil,
		"WithRoundTripper":                {WithRoundTripper(http.DefaultTransport)},
		"WithHTTPClient":                  {WithHTTPClient(&http.Client{})},
		"WithHTTPClient that follows all": {WithHTTPClient(&http.Client{CheckRedirect: followAll})},
	}
}

// A 302 in front of an import used to turn the POST into a GET without a
// body, which the redirect target answered with 200: the import reported
// success and its messages were lost.
func TestPostIsNeverRedirected(t *testing.T) {
	t.Parallel()
	for name, opts := range redirectClients() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var seen hits
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen.add(r)
				if r.Method == http.MethodPost {
					http.Redirect(w, r, "/elsewhere", http.StatusFound)
					return
				}
				writeJSON(w, http.StatusOK, `[]`)
			}))
			defer srv.Close()
			c, err := NewClient(testAppID, testSecret, append([]Option{WithBaseURL(srv.URL), WithMaxRetries(0)}, opts...)...)
			if err != nil {
				t.Fatalf("NewClient(%s) = %v, want nil", name, err)
			}
			_, err = c.Import.Messages(t.Context(), "conv", []ImportMessage{{Sender: "alice", Text: "hi", Timestamp: 1}})
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != http.StatusFound {
				t.Fatalf("Import.Messages behind a 302 = %v, want an *Error with status 302", err)
			}
			assertNoSecret(t, "error", e.Error())
			if got := seen.get(); len(got) != 1 || got[0] != "POST /v1/"+testAppID+"/import/conversations/conv/messages auth=yes" {
				t.Errorf("server saw %q, want the one POST and no GET", got)
			}
		})
	}
}

// Every method but GET and HEAD is refused, whatever the redirect status.
func TestWritesAreNeverRedirected(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			var seen hits
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen.add(r)
				if r.URL.Path == "/elsewhere" {
					writeJSON(w, http.StatusOK, `{}`)
					return
				}
				http.Redirect(w, r, "/elsewhere", status)
			}))
			defer srv.Close()
			c, err := NewClient(testAppID, testSecret, WithBaseURL(srv.URL), WithMaxRetries(0))
			if err != nil {
				t.Fatalf("NewClient(WithBaseURL(%s)) = %v, want nil", srv.URL, err)
			}
			calls := map[string]func() error{
				"PUT":    func() error { return c.Users.Upsert(t.Context(), "alice", UserInput{Name: "Alice"}) },
				"DELETE": func() error { return c.Conversations.Delete(t.Context(), "conv") },
				"PATCH": func() error {
					return c.Participants.Update(t.Context(), "conv", "alice", ParticipantUpdate{Access: AccessRead})
				},
			}
			for method, call := range calls {
				err := call()
				var e *Error
				if !errors.As(err, &e) || e.StatusCode != status {
					t.Errorf("%s answered %d = %v, want an *Error with that status", method, status, err)
				}
			}
			for _, h := range seen.get() {
				if strings.Contains(h, "/elsewhere") {
					t.Errorf("after a %d, the server saw %s, want the redirect not followed", status, h)
				}
			}
			if n := len(seen.get()); n != len(calls) {
				t.Errorf("after a %d, the server saw %d requests %q, want %d", status, n, seen.get(), len(calls))
			}
		})
	}
}

// Go's http.Client carries Authorization to the same host on another port;
// the client must not follow such a redirect at all.
func TestNoCredentialsToAnotherPort(t *testing.T) {
	t.Parallel()
	for name, opts := range redirectClients() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var other hits
			thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				other.add(r)
				writeJSON(w, http.StatusOK, `{"id":"alice"}`)
			}))
			defer thief.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, thief.URL+r.URL.Path, http.StatusFound)
			}))
			defer srv.Close()
			c, err := NewClient(testAppID, testSecret, append([]Option{WithBaseURL(srv.URL), WithMaxRetries(0)}, opts...)...)
			if err != nil {
				t.Fatalf("NewClient(%s) = %v, want nil", name, err)
			}
			_, err = c.Users.Get(t.Context(), "alice")
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != http.StatusFound {
				t.Errorf("Users.Get redirected to another port = %v, want an *Error with status 302", err)
			}
			if got := other.get(); len(got) != 0 {
				t.Errorf("the other port received %q, want nothing", got)
			}
		})
	}
}

// A GET redirected within the same origin is still followed.
func TestGetRedirectWithinOriginFollowed(t *testing.T) {
	t.Parallel()
	for name, opts := range redirectClients() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var seen hits
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen.add(r)
				if r.URL.Path == "/moved" {
					writeJSON(w, http.StatusOK, `{"id":"alice","name":"Alice"}`)
					return
				}
				http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
			}))
			defer srv.Close()
			c, err := NewClient(testAppID, testSecret, append([]Option{WithBaseURL(srv.URL)}, opts...)...)
			if err != nil {
				t.Fatalf("NewClient(%s) = %v, want nil", name, err)
			}
			u, err := c.Users.Get(t.Context(), "alice")
			if err != nil || u.Name != "Alice" {
				t.Fatalf("Users.Get = %+v, %v, want Alice", u, err)
			}
			if got := seen.get(); len(got) != 2 || got[1] != "GET /moved auth=yes" {
				t.Errorf("server saw %q, want the redirect followed with credentials", got)
			}
		})
	}
}

func TestRedirectPolicy(t *testing.T) {
	t.Parallel()
	refuse := errors.New("refused by the caller")
	cases := []struct {
		name     string
		method   string
		from, to string
		user     func(*http.Request, []*http.Request) error
		want     error
	}{
		{"same origin", "GET", "https://api.talkjs.com/v1/a/users", "https://api.talkjs.com/v1/a/users/", nil, nil},
		{"same origin, explicit default port", "GET", "https://api.talkjs.com/x", "https://API.talkjs.com:443/y", nil, nil},
		{"HEAD", "HEAD", "http://h:8080/x", "http://h:8080/y", nil, nil},
		{"POST", "POST", "https://h/x", "https://h/y", nil, http.ErrUseLastResponse},
		{"PUT", "PUT", "https://h/x", "https://h/x", nil, http.ErrUseLastResponse},
		{"DELETE", "DELETE", "https://h/x", "https://h/x", nil, http.ErrUseLastResponse},
		{"PATCH", "PATCH", "https://h/x", "https://h/x", nil, http.ErrUseLastResponse},
		{"another host", "GET", "https://api.talkjs.com/x", "https://evil.example/x", nil, http.ErrUseLastResponse},
		{"a subdomain", "GET", "https://talkjs.com/x", "https://api.talkjs.com/x", nil, http.ErrUseLastResponse},
		{"another port", "GET", "http://127.0.0.1:8080/x", "http://127.0.0.1:8081/x", nil, http.ErrUseLastResponse},
		{"https to http", "GET", "https://api.talkjs.com/x", "http://api.talkjs.com/x", nil, http.ErrUseLastResponse},
		{"https to http, same port", "GET", "https://h:8443/x", "http://h:8443/x", nil, http.ErrUseLastResponse},
		{"caller refuses", "GET", "https://h/x", "https://h/y", func(*http.Request, []*http.Request) error { return refuse }, refuse},
		{"caller allows, policy refuses", "POST", "https://h/x", "https://h/y", func(*http.Request, []*http.Request) error { return nil }, http.ErrUseLastResponse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			first := &http.Request{Method: tc.method, URL: mustURL(t, tc.from)}
			next := &http.Request{Method: tc.method, URL: mustURL(t, tc.to)}
			if got := redirectPolicy(tc.user)(next, []*http.Request{first}); got != tc.want {
				t.Errorf("redirect %s %s -> %s = %v, want %v", tc.method, tc.from, tc.to, got, tc.want)
			}
		})
	}
}

func TestWithHTTPClientLeavesTheCallersClientAlone(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	if _, err := NewClient(testAppID, testSecret, WithHTTPClient(hc)); err != nil {
		t.Fatalf("NewClient(WithHTTPClient(&http.Client{})) = %v, want nil", err)
	}
	if hc.CheckRedirect != nil {
		t.Error("after NewClient(WithHTTPClient(hc)), hc.CheckRedirect is set, want the caller's client left as it was (nil)")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url.Parse(%q) = %v, want nil", s, err)
	}
	return u
}

package talkjs

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/gen"
)

// errBreaksSpec is what the fake checks below answer; package
// talkjs/validate gives users the check built on the spec.
var errBreaksSpec = errors.New("request body: minimum number of items is 1")

// emptySend builds what no public call would: a send with no messages.
func emptySend(t *testing.T, c *Client) *call {
	t.Helper()
	call, err := newJSONCall(t.Context(), []MessageInput{}, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewSendMessagesRequestWithBody(c.server, "c1", nil, ct, body)
	})
	if err != nil {
		t.Fatalf("newJSONCall(an empty send) = %v, want nil", err)
	}
	return call
}

// refuseEmptySends is a RequestCheck that refuses a JSON body of "[]".
func refuseEmptySends(r *http.Request) error {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(r.Body)
	if string(b) == "[]" {
		return errBreaksSpec
	}
	return nil
}

func TestRequestCheckOption(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil, WithRequestCheck(refuseEmptySends))
	err := c.do(emptySend(t, c))
	var ae *ArgumentError
	if !errors.As(err, &ae) || ae.Arg != "request" || !errors.Is(err, errBreaksSpec) || !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("c.do(empty send) = %v, want an *ArgumentError for \"request\" wrapping the check's error", err)
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("requests sent after a refused check = %d, want 0", n)
	}
	// A streamed upload reaches the check without its body, and goes through.
	if _, err := c.Files.Upload(t.Context(), "a.txt", strings.NewReader("x")); err == nil {
		t.Error("Files.Upload with a canned {} answer = nil error, want one (no token)")
	}
	if n := len(ts.requests()); n != 1 {
		t.Errorf("requests after the upload = %d, want 1", n)
	}
}

// A base URL with a path prefix (a proxy): the check sees the path from
// /v1/{appId} on, as the spec's paths start, and the prefix is still sent.
func TestRequestCheckBehindAPathPrefix(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.EscapedPath())
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"a/b","name":"A"}`)
	}))
	defer srv.Close()
	for _, prefix := range []string{"/proxy/talkjs", "/v1/odd prefix"} {
		t.Run(prefix, func(t *testing.T) {
			got = nil
			var checked []string
			check := func(r *http.Request) error {
				checked = append(checked, r.URL.EscapedPath())
				return refuseEmptySends(r)
			}
			escaped := (&url.URL{Path: prefix}).EscapedPath()
			c, err := NewClient("app1", "sk_test_prefix", WithBaseURL(srv.URL+escaped), WithRequestCheck(check))
			if err != nil {
				t.Fatalf("NewClient(WithBaseURL(%s)) = %v, want nil", srv.URL+escaped, err)
			}
			if _, err := c.Users.Get(t.Context(), "a/b"); err != nil {
				t.Fatalf("Users.Get(a/b) = %v, want no error", err)
			}
			if want := escaped + "/v1/app1/users/a%2Fb"; len(got) != 1 || got[0] != want {
				t.Errorf("server saw %v, want [%s]", got, want)
			}
			if want := "/v1/app1/users/a%2Fb"; len(checked) != 1 || checked[0] != want {
				t.Errorf("check saw %v, want [%s]", checked, want)
			}
			if err := c.do(emptySend(t, c)); !errors.Is(err, errBreaksSpec) {
				t.Errorf("c.do(empty send) = %v, want the check's error", err)
			}
			if len(got) != 1 {
				t.Errorf("server saw %v after a refused check, want only the first request", got)
			}
		})
	}
}

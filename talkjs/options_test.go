package talkjs

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHeaders(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil, WithAPIVersion("2021-02-09"), WithUserAgent("myapp/1.2"))
	if err := c.Users.Upsert(t.Context(), "a", UserInput{Name: "A"}); err != nil {
		t.Fatalf("Users.Upsert(a) = %v, want nil", err)
	}
	h := ts.requests()[0].Header
	if got, want := h.Get("TalkJS-REST-Version"), "2021-02-09"; got != want {
		t.Errorf("with WithAPIVersion(%s), TalkJS-REST-Version = %q, want %q", want, got, want)
	}
	if got, want := h.Get("User-Agent"), "myapp/1.2 talkjs-go/"+Version; got != want {
		t.Errorf("with WithUserAgent(myapp/1.2), User-Agent = %q, want %q", got, want)
	}
	if ct, accept := h.Get("Content-Type"), h.Get("Accept"); ct != "application/json" || accept != "application/json" {
		t.Errorf("Users.Upsert(a) Content-Type, Accept = %q, %q; want application/json for both", ct, accept)
	}
	// Without the option, no version header.
	c, ts = newTestServer(t, nil)
	_ = c.Users.Upsert(t.Context(), "a", UserInput{Name: "A"})
	if got, ok := ts.requests()[0].Header["Talkjs-Rest-Version"]; ok {
		t.Errorf("without WithAPIVersion, TalkJS-REST-Version = %q, want none", got)
	}
}

func TestMiddlewareOrderAndHTTPClient(t *testing.T) {
	t.Parallel()
	var order []string
	mw := func(name string) Middleware {
		return func(next http.RoundTripper) http.RoundTripper {
			return RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
				order = append(order, name)
				return next.RoundTrip(r)
			})
		}
	}
	var viaClient atomic.Int32
	hc := &http.Client{Transport: RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		viaClient.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c, _ := newTestServer(t, nil, WithMiddleware(mw("outer"), mw("inner")), WithHTTPClient(hc))
	if err := c.Conversations.Delete(t.Context(), "c1"); err != nil {
		t.Fatalf("Conversations.Delete(c1) = %v, want nil", err)
	}
	if got := strings.Join(order, ","); got != "outer,inner" || viaClient.Load() != 1 {
		t.Errorf("WithMiddleware(outer, inner), WithHTTPClient: middleware ran %s, the client %d times; want outer,inner, 1",
			got, viaClient.Load())
	}

	var viaRT atomic.Int32
	c, _ = newTestServer(t, nil, WithRoundTripper(RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		viaRT.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})))
	if err := c.Conversations.Delete(t.Context(), "c1"); err != nil || viaRT.Load() != 1 {
		t.Errorf("with WithRoundTripper, Conversations.Delete(c1) = %v after %d round trips; want nil after 1", err, viaRT.Load())
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient("app", "secret")
	if err != nil {
		t.Fatalf("NewClient(app, secret) = %v, want nil", err)
	}
	if c.logger != nil {
		t.Errorf("NewClient(app, secret) logs to %v, want no logger", c.logger)
	}
	if c.retry.MaxRetries != 3 {
		t.Errorf("NewClient(app, secret) retries %d times, want 3", c.retry.MaxRetries)
	}
	if hc := c.rt.(clientTransport).hc; hc.Timeout <= 0 {
		t.Errorf("NewClient(app, secret) HTTP client timeout = %v, want a finite one", hc.Timeout)
	}
	if got, want := c.ServerURL(), "https://api.talkjs.com/v1/app/"; got != want {
		t.Errorf("NewClient(app, secret).ServerURL() = %s, want %s", got, want)
	}
}

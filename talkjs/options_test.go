package talkjs

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHeaders(t *testing.T) {
	c, ts := newTestServer(t, nil, WithAPIVersion("2021-02-09"), WithUserAgent("myapp/1.2"))
	if err := c.Users.Upsert(context.Background(), "a", UserInput{Name: "A"}); err != nil {
		t.Fatal(err)
	}
	h := ts.requests()[0].Header
	if got := h.Get("TalkJS-REST-Version"); got != "2021-02-09" {
		t.Errorf("TalkJS-REST-Version = %q", got)
	}
	if got := h.Get("User-Agent"); got != "myapp/1.2 talkjs-go/"+Version {
		t.Errorf("User-Agent = %q", got)
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" {
		t.Errorf("Content-Type %q, Accept %q", h.Get("Content-Type"), h.Get("Accept"))
	}
	// Without the option, no version header.
	c, ts = newTestServer(t, nil)
	_ = c.Users.Upsert(context.Background(), "a", UserInput{Name: "A"})
	if _, ok := ts.requests()[0].Header["Talkjs-Rest-Version"]; ok {
		t.Error("a version header was sent without WithAPIVersion")
	}
}

func TestMiddlewareOrderAndHTTPClient(t *testing.T) {
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
	if err := c.Conversations.Delete(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "outer,inner" || viaClient.Load() != 1 {
		t.Errorf("order %v, via the given client %d times", order, viaClient.Load())
	}

	var viaRT atomic.Int32
	c, _ = newTestServer(t, nil, WithRoundTripper(RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		viaRT.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})))
	if err := c.Conversations.Delete(context.Background(), "c1"); err != nil || viaRT.Load() != 1 {
		t.Errorf("WithRoundTripper: %v, %d calls", err, viaRT.Load())
	}
}

func TestDefaults(t *testing.T) {
	c, err := NewClient("app", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if c.logger != nil {
		t.Error("the client logs by default")
	}
	if c.retry.MaxRetries != 3 {
		t.Errorf("default retries %d", c.retry.MaxRetries)
	}
	hc := c.rt.(clientTransport).hc
	if hc.Timeout <= 0 {
		t.Error("the default HTTP client has no timeout")
	}
	if c.ServerURL() != "https://api.talkjs.com/v1/app/" {
		t.Errorf("server %s", c.ServerURL())
	}
}

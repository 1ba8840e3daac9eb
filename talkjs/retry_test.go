package talkjs

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// resetConn makes the server drop the connection without answering, after
// it has read the whole request: an ambiguous failure.
func resetConn(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Fatalf("Hijack() = %v, want nil", err)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // send RST instead of FIN
	}
	_ = conn.Close()
}

// failFirst answers the first n requests with status (or a reset when
// status is 0) and later ones with 200 and answer.
func failFirst(t *testing.T, n int, status int, header http.Header, answer string) (handlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request, op string) {
		if int(calls.Add(1)) <= n {
			if status == 0 {
				resetConn(t, w)
				return
			}
			for k, v := range header {
				w.Header()[k] = v
			}
			writeJSON(w, status, `{"error":"Try later","message":"slow down"}`)
			return
		}
		writeJSON(w, http.StatusOK, answer)
	}, &calls
}

func TestRetryOn429HonoursRetryAfter(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		name, retryAfter string
		min, max         time.Duration
	}{
		{"seconds", "2", 2 * time.Second, 2 * time.Second},
		{"HTTP date", date, 60 * time.Second, 90 * time.Second}, // 90s away, capped at 60s
		{"capped", "7200", 60 * time.Second, 60 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, calls := failFirst(t, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {tc.retryAfter}}, `{"id":"alice"}`)
			c, ts := newTestServer(t, h, WithRetryPolicy(RetryPolicy{MaxRetries: 2, MaxRetryAfter: 60 * time.Second}))
			u, err := c.Users.Get(t.Context(), "alice")
			if err != nil || u.ID != "alice" {
				t.Fatalf("Users.Get(alice) after a 429 with Retry-After %s = %+v, %v; want alice, nil", tc.retryAfter, u, err)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("Users.Get(alice) made %d attempts, want 2", n)
			}
			if w := ts.waits(); len(w) != 1 || w[0] < tc.min || w[0] > tc.max {
				t.Errorf("Retry-After %s: waited %v, want one wait between %v and %v", tc.retryAfter, w, tc.min, tc.max)
			}
		})
	}
}

func TestRetryOn503ThenGiveUpWithLastAnswer(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(t, 100, http.StatusServiceUnavailable, nil, `{}`)
	c, ts := newTestServer(t, h)
	_, err := c.Conversations.Get(t.Context(), "c1")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Conversations.Get(c1) always answered 503 = %v, want an *Error", err)
	}
	if calls.Load() != 4 || e.Attempts != 4 {
		t.Errorf("Conversations.Get(c1) always answered 503: %d attempts, Error.Attempts %d; want 4, 4", calls.Load(), e.Attempts)
	}
	if e.StatusCode != 503 || e.Message != "Try later" && e.Message != "slow down" || !strings.Contains(string(e.Body), "slow down") {
		t.Errorf("Conversations.Get(c1) always answered 503 = %+v, want the last answer: status 503, its message and body", e)
	}
	if !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("Conversations.Get(c1) always answered 503 = %q, want a text with %q", err, "after 4 attempts")
	}
	logs := ts.logs.String()
	for _, want := range []string{`msg="talkjs: retrying"`, `reason="503 on a request that is safe to repeat"`,
		`msg="talkjs: not retrying"`, `reason="503 on a request that is safe to repeat, but the policy allows 3 retries"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log =\n%s\nwant a line with %s", logs, want)
		}
	}
	w := ts.waits()
	if len(w) != 3 {
		t.Fatalf("waits = %v, want 3 (one before each retry)", w)
	}
	p := DefaultRetryPolicy()
	for i, d := range w {
		if d < 0 || d > p.BaseDelay<<i {
			t.Errorf("wait %d = %v, want between 0 and the backoff ceiling %v", i, d, p.BaseDelay<<i)
		}
	}
}

func TestRetryOnResetConnection(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(t, 1, 0, nil, `{"id":"c1"}`)
	c, _ := newTestServer(t, h)
	conv, err := c.Conversations.Get(t.Context(), "c1")
	if err != nil || conv.ID != "c1" {
		t.Fatalf("Conversations.Get(c1), first connection reset = %+v, %v; want conversation c1, nil", conv, err)
	}
	if calls.Load() != 2 {
		t.Errorf("Conversations.Get(c1), first connection reset: %d attempts, want 2", calls.Load())
	}
}

func TestKeyedSendRetriedWithSameKeys(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(t, 1, 0, nil, `[{"id":"m1"}]`)
	c, ts := newTestServer(t, h)
	id, err := c.Messages.SendOne(t.Context(), "c1", UserMessage("alice", "hi"))
	if err != nil || id != "m1" {
		t.Fatalf("Messages.SendOne(c1), first connection reset = %q, %v; want %q, nil", id, err, "m1")
	}
	if calls.Load() != 2 {
		t.Fatalf("Messages.SendOne(c1), first connection reset: %d attempts, want 2", calls.Load())
	}
	reqs := ts.requests()
	if string(reqs[0].Body) != string(reqs[1].Body) || !strings.Contains(string(reqs[0].Body), `"idempotencyKey":"`) {
		t.Errorf("Messages.SendOne(c1) sent\n%s\nthen\n%s\nwant the same body, with an idempotencyKey, twice", reqs[0].Body, reqs[1].Body)
	}
}

func TestNoRetryAfterAmbiguousFailure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts []Option
		call func(ctx context.Context, c *Client) error
	}{
		{"import", nil, func(ctx context.Context, c *Client) error {
			_, err := c.Import.Messages(ctx, "c1", []ImportMessage{{Sender: "a", Text: "x", Timestamp: 1}})
			return err
		}},
		{"unkeyed send", []Option{WithoutIdempotencyKeys()}, func(ctx context.Context, c *Client) error {
			_, err := c.Messages.Send(ctx, "c1", UserMessage("a", "x"))
			return err
		}},
		{"batch", nil, func(ctx context.Context, c *Client) error {
			_, err := c.Batch.Do(ctx, BatchGetUser("a"))
			return err
		}},
		{"upload from a plain reader", nil, func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "f.txt", io.LimitReader(strings.NewReader("data"), 4))
			return err
		}},
	}
	for _, tc := range cases {
		for _, status := range []int{0, 500, 503} {
			name := tc.name + "/" + http.StatusText(status)
			if status == 0 {
				name = tc.name + "/connection reset"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h, calls := failFirst(t, 1, status, nil, `[{"id":"m1"}]`)
				c, _ := newTestServer(t, h, tc.opts...)
				err := tc.call(t.Context(), c)
				if err == nil {
					t.Fatalf("%s failing with %s = nil, want an error", tc.name, name)
				}
				if n := calls.Load(); n != 1 {
					t.Errorf("%s failing with %s made %d attempts, want 1", tc.name, name, n)
				}
				assertNoSecret(t, "error", err.Error())
			})
		}
	}
}

func TestUnsafeRequestsRetriedWhenNothingWasProcessed(t *testing.T) {
	t.Parallel()
	// A 429 means TalkJS turned the request away: even an import is retried.
	h, calls := failFirst(t, 1, http.StatusTooManyRequests, nil, `{}`)
	c, _ := newTestServer(t, h)
	if _, err := c.Import.Messages(t.Context(), "c1", []ImportMessage{{Sender: "a", Text: "x", Timestamp: 1}}); err != nil {
		t.Fatalf("Import.Messages(c1), first answer 429 = %v, want nil", err)
	}
	if calls.Load() != 2 {
		t.Errorf("Import.Messages(c1), first answer 429: %d attempts, want 2", calls.Load())
	}

	// A dial error means nothing left the machine.
	var dials atomic.Int32
	failDial := func(next http.RoundTripper) http.RoundTripper {
		return RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			if dials.Add(1) == 1 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
			}
			return next.RoundTrip(r)
		})
	}
	c, ts := newTestServer(t, nil, WithMiddleware(failDial), WithoutIdempotencyKeys())
	if _, err := c.Import.Messages(t.Context(), "c1", []ImportMessage{{Sender: "a", Text: "x", Timestamp: 1}}); err != nil {
		t.Fatalf("Import.Messages(c1), first dial refused = %v, want nil", err)
	}
	dials.Store(0)
	if _, err := c.Batch.Do(t.Context(), BatchGetUser("a")); err == nil {
		// The canned {} answer is not a batch result: an error is
		// expected, but only after the retry went through.
		t.Log("batch answered")
	}
	if n := len(ts.requests()); n != 2 {
		t.Errorf("Import.Messages and Batch.Do, each after a refused dial: the server saw %d requests, want 2", n)
	}
}

func TestRetriesOff(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(t, 5, http.StatusServiceUnavailable, nil, `{}`)
	c, _ := newTestServer(t, h, WithMaxRetries(0))
	_, err := c.Users.Get(t.Context(), "a")
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 1 || calls.Load() != 1 {
		t.Errorf("with WithMaxRetries(0), Users.Get(a) answered 503 = %v after %d attempts; want the 503 after 1", err, calls.Load())
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(t, 100, http.StatusTooManyRequests, http.Header{"Retry-After": {"20"}}, `{}`)
	c, _ := newTestServer(t, h)
	ctx, cancel := context.WithCancel(t.Context())
	// Really wait, so that the context must end the wait; cancel once the
	// client has begun waiting (not on a timer: a slow machine may not
	// have sent the first request yet).
	waiting := make(chan struct{})
	go func() { <-waiting; cancel() }()
	var once sync.Once
	c.sleep = func(ctx context.Context, d time.Duration) error {
		once.Do(func() { close(waiting) })
		return sleepCtx(ctx, d)
	}
	start := time.Now()
	_, err := c.Users.Get(ctx, "a")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Users.Get(a), canceled while waiting out a Retry-After of 20s, returned after %v, want well under 5s", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Users.Get(a), canceled while waiting = %v, want errors.Is context.Canceled", err)
	}
	if !errors.Is(err, ErrRateLimited) {
		t.Errorf("Users.Get(a), canceled while waiting = %v, want errors.Is ErrRateLimited too (the last answer)", err)
	}
	if calls.Load() != 1 {
		t.Errorf("Users.Get(a), canceled while waiting: %d attempts, want 1", calls.Load())
	}
}

func TestContextAlreadyDone(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := c.Conversations.Delete(ctx, "c1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Conversations.Delete(canceled ctx, c1) = %v, want errors.Is context.Canceled", err)
	}
	if w := ts.waits(); len(w) != 0 {
		t.Errorf("Conversations.Delete(canceled ctx, c1) waited %v, want no wait", w)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxRetries: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxRetryAfter: 3 * time.Second}
	top := func(n int64) int64 { return n - 1 }
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		if got := p.backoff(n+1, 0, top); got != want*time.Millisecond {
			t.Errorf("backoff(%d, 0, the top draw) = %v, want %v", n+1, got, want*time.Millisecond)
		}
	}
	if got := p.backoff(1, 0, func(int64) int64 { return 0 }); got != 0 {
		t.Errorf("backoff(1, 0, a random draw of 0) = %v, want 0 (full jitter)", got)
	}
	if got := p.backoff(1, 10*time.Second, top); got != 3*time.Second {
		t.Errorf("backoff(1, Retry-After 10s) = %v, want 3s (MaxRetryAfter)", got)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"3": 3 * time.Second, "0": 0, "-1": 0, "": 0, "soon": 0,
		now.Add(5 * time.Second).Format(http.TimeFormat):  5 * time.Second,
		now.Add(-5 * time.Second).Format(http.TimeFormat): 0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestNoWaitPastTheDeadline(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(t, 100, http.StatusTooManyRequests, http.Header{"Retry-After": {"20"}}, `{}`)
	c, ts := newTestServer(t, h)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := c.Users.Get(ctx, "a")
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 429 || e.RetryAfter != 20*time.Second || calls.Load() != 1 || len(ts.waits()) != 0 {
		t.Errorf("Users.Get(a) with 5s left, answered 429 with Retry-After 20 = %v after %d attempts and waits %v; want the 429 at once (1 attempt, no wait)",
			err, calls.Load(), ts.waits())
	}
}

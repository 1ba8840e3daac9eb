package talkjs

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how often and how patiently a failed request is retried.
//
// Only what is safe to repeat is retried: a connection that failed before
// the request was written; a 429 answer; and, for requests that are
// idempotent, a 5xx answer or a connection that broke mid-way. Idempotent
// here means GET, PUT, PATCH and DELETE, reads done with POST (presence
// queries, mark-as-read), and message sends whose every message carries an
// idempotency key. Imports, /batch requests and uploads from a reader that
// cannot be rewound are not idempotent.
//
// A DELETE that is retried after an attempt TalkJS may have carried out (a
// 5xx answer, or a connection that broke after the request was sent) and
// then answered 404 Not Found succeeds: the thing is gone, which is what was
// asked. Without such an earlier attempt a 404 is an error matching
// [ErrNotFound], as always.
//
// Waits grow exponentially from BaseDelay with full jitter, capped at
// MaxDelay; a Retry-After header (seconds or an HTTP date) replaces the
// computed wait, capped at MaxRetryAfter. Every wait ends early when the
// context is done, and a wait that would outlast the context's deadline is
// not begun: the call returns the last error at once.
type RetryPolicy struct {
	// MaxRetries is how many times a request may be repeated; 0 means never.
	MaxRetries int
	// BaseDelay is the first backoff step (default 200ms).
	BaseDelay time.Duration
	// MaxDelay caps a computed backoff (default 5s).
	MaxDelay time.Duration
	// MaxRetryAfter caps a wait that a Retry-After header asks for (default 30s).
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy retries up to 3 times.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3}.withDefaults()
}

// NoRetries is a policy that sends each request once.
func NoRetries() RetryPolicy { return RetryPolicy{}.withDefaults() }

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.BaseDelay == 0 {
		p.BaseDelay = 200 * time.Millisecond
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = 5 * time.Second
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	return p
}

// backoff is the wait before retry number n (1-based): a random duration in
// [0, min(MaxDelay, BaseDelay·2^(n-1))], or the server's Retry-After.
func (p RetryPolicy) backoff(n int, retryAfter time.Duration, random func(int64) int64) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, p.MaxRetryAfter)
	}
	ceiling := p.BaseDelay
	for i := 1; i < n && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.MaxDelay)
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(random(int64(ceiling) + 1))
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

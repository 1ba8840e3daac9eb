package talkjs

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"time"
)

// An Option configures a Client. Options are applied in order by [NewClient],
// which reports the first one that is invalid.
type Option func(*settings) error

type settings struct {
	baseURL          string
	httpClient       *http.Client
	roundTripper     http.RoundTripper
	middleware       []Middleware
	tokenLifetime    time.Duration
	legacyAuth       bool
	apiVersion       string
	retry            RetryPolicy
	logger           *slog.Logger
	userAgent        string
	check            RequestCheck
	noIdempotencyKey bool
	maxResponseBytes int64
}

// Middleware wraps the transport the client sends each request attempt
// through. It sees the finished request, Authorization header included:
// never log that header.
type Middleware func(next http.RoundTripper) http.RoundTripper

// RoundTripperFunc turns a function into an http.RoundTripper, which is
// handy when writing a Middleware.
type RoundTripperFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f(r).
func (f RoundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// DefaultBaseURL is the host the client talks to unless [WithBaseURL] or
// TALKJS_BASE_URL says otherwise.
const DefaultBaseURL = "https://api.talkjs.com"

// DefaultTimeout is the overall timeout of the *http.Client the client
// creates when none is given with [WithHTTPClient].
const DefaultTimeout = 30 * time.Second

// WithBaseURL sets the root URL of the API host, such as
// "http://127.0.0.1:8080" for a local fake; the client adds /v1/{appId}.
// A path prefix is kept, which suits a proxy.
func WithBaseURL(root string) Option {
	return func(s *settings) error {
		if root == "" {
			return argError("baseURL", "must not be empty")
		}
		s.baseURL = root
		return nil
	}
}

// WithHTTPClient makes the client send requests with a copy of hc: its
// Transport, Jar and Timeout (which, if set, bounds each attempt; contexts
// bound whole calls). hc itself is not changed.
//
// Redirects: the copy follows a redirect only for a GET or HEAD request and
// only to the same scheme, host and port, whatever hc.CheckRedirect says, so
// that a request that changes data is never replayed as a GET and the
// Authorization header never leaves the API's origin. hc.CheckRedirect, if
// set, is asked only about the redirects that pass this check, and may refuse
// them too. A redirect that is not followed ends the call with an *Error
// holding the 3xx status.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return argError("httpClient", "must not be nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithRoundTripper sends requests through rt, in an *http.Client with the
// default timeout. It is ignored when [WithHTTPClient] is also given.
func WithRoundTripper(rt http.RoundTripper) Option {
	return func(s *settings) error {
		if rt == nil {
			return argError("roundTripper", "must not be nil")
		}
		s.roundTripper = rt
		return nil
	}
}

// WithMiddleware adds middleware around every request attempt. The first
// middleware given is the outermost.
func WithMiddleware(mw ...Middleware) Option {
	return func(s *settings) error {
		for i, m := range mw {
			if m == nil {
				return argError(fmt.Sprintf("middleware[%d]", i), "must not be nil")
			}
		}
		s.middleware = append(s.middleware, mw...)
		return nil
	}
}

// WithTokenLifetime sets how long each app token is valid (default 30 s).
// A fresh token is minted for every attempt, so a short lifetime is fine.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *settings) error {
		if d < time.Second || d > 24*time.Hour {
			return argError("tokenLifetime", "must be between 1s and 24h")
		}
		s.tokenLifetime = d
		return nil
	}
}

// WithLegacySecretKeyAuth sends the secret key itself as the bearer token
// instead of a signed app token. TalkJS still accepts it, but a short-lived
// token is safer: prefer the default.
func WithLegacySecretKeyAuth() Option {
	return func(s *settings) error {
		s.legacyAuth = true
		return nil
	}
}

var apiVersionPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// WithAPIVersion sends the TalkJS-REST-Version header, such as
// "2021-02-09", on every request. Without it the app's configured version
// applies.
func WithAPIVersion(version string) Option {
	return func(s *settings) error {
		if !apiVersionPattern.MatchString(version) {
			return argError("apiVersion", "must look like 2021-02-09")
		}
		s.apiVersion = version
		return nil
	}
}

// WithRetryPolicy replaces the retry policy; see [RetryPolicy].
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxRetries < 0 {
			return argError("retryPolicy.MaxRetries", "must not be negative")
		}
		if p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 {
			return argError("retryPolicy", "delays must not be negative")
		}
		s.retry = p.withDefaults()
		return nil
	}
}

// WithMaxRetries sets how many times a failed request may be retried,
// keeping the rest of the policy; 0 turns retries off.
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return argError("maxRetries", "must not be negative")
		}
		s.retry.MaxRetries = n
		return nil
	}
}

// WithLogger logs each request attempt and each retry to l, at Debug and
// Info level. Logs never hold the secret key, tokens or bodies. Without this
// option the client is silent.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header, which is prepended to the
// client's own ("talkjs-go/…").
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		s.userAgent = ua
		return nil
	}
}

// A [RequestCheck] inspects a request before the client sends it; when it
// returns an error nothing is sent and the call fails with an
// *ArgumentError that wraps it (errors.Is(err, [ErrInvalidArgument]) holds).
//
// The request's URL path starts at /v1/{appId}: a path prefix in the base
// URL (a proxy's) is removed. Its Body holds the JSON payload and may be
// read; it is http.NoBody when there is no payload, and nil when the
// payload is a stream that must not be consumed twice (Files.Upload). It
// carries no Authorization header yet.
type RequestCheck func(r *http.Request) error

// WithRequestCheck runs check on every request before it is sent, once per
// call (not per retry). Package talkjs/validate builds one that checks
// requests against the OpenAPI specification; keeping it out of this
// package keeps the specification and its validator out of programs that
// do not ask for them.
func WithRequestCheck(check RequestCheck) Option {
	return func(s *settings) error {
		if check == nil {
			return argError("check", "must not be nil")
		}
		s.check = check
		return nil
	}
}

// WithoutIdempotencyKeys stops the client from giving every sent message an
// idempotency key. Messages without a key are then sent at most once: after
// a failure that may have reached TalkJS (a 5xx or a broken connection) the
// call is not retried, because a retry could post the message twice.
func WithoutIdempotencyKeys() Option {
	return func(s *settings) error {
		s.noIdempotencyKey = true
		return nil
	}
}

// WithMaxResponseBytes sets the largest successful answer the client reads
// ([DefaultMaxResponseBytes], 64 MiB, unless set). A longer answer ends the
// call with an *Error instead of growing the heap without bound: reading
// an answer allocates at most about four times the limit (the decoder's
// buffer doubles as it grows), plus what the answer decodes into; see
// BenchmarkLargeAnswer. Error answers are always cut at 1 MiB.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1 {
			return argError("maxResponseBytes", "must be positive")
		}
		s.maxResponseBytes = n
		return nil
	}
}

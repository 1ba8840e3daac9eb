// Package webhook receives TalkJS webhook events: it checks their signature,
// parses them into typed events and serves them as an http.Handler. It also
// signs events as TalkJS does, for tests.
//
// TalkJS POSTs each event as JSON {"id", "type", "createdAt", "data"} with
// two headers: X-TalkJS-Timestamp, and X-TalkJS-Signature, the upper-case
// hex HMAC-SHA256 of timestamp + "." + the raw body, keyed with the app's
// secret key. TalkJS waits 5 seconds for an answer and sends the event once
// more shortly after any answer but 200. (Source: TalkJS's REST reference
// "Webhooks" and its security recommendations.)
//
//	http.Handle("/talkjs", webhook.NewHandler(secret, func(ctx context.Context, ev webhook.Event) error {
//		switch ev := ev.(type) {
//		case *webhook.MessageSent:
//			return bot.Answer(ctx, ev.Data.Conversation.ID, ev.Data.Message.Text)
//		}
//		return nil // other events, including types added after this package
//	}))
//
// The package needs only the standard library: importing it links neither
// the TalkJS client nor the in-memory server.
//
// # Choices where TalkJS's documentation is silent
//
//   - TalkJS documents no tolerance on the timestamp. Verify refuses a
//     timestamp more than DefaultTolerance (5 minutes) away from the clock,
//     against replays; WithTolerance(0) turns the check off.
//   - TalkJS does not document the timestamp's unit. Sign and this module's
//     server write Unix milliseconds, like every other TalkJS time; Verify
//     reads a number below 10^11 as seconds and any other as milliseconds,
//     so it accepts either.
//   - The signature is compared as bytes after hex decoding, so upper and
//     lower case both verify.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The headers TalkJS signs its requests with.
const (
	HeaderTimestamp = "X-TalkJS-Timestamp"
	HeaderSignature = "X-TalkJS-Signature"
)

// DefaultTolerance is how far a timestamp may be from the clock before
// Verify refuses it, unless WithTolerance says otherwise.
const DefaultTolerance = 5 * time.Minute

// DefaultMaxBodyBytes bounds the body a Handler reads (see WithMaxBodyBytes).
const DefaultMaxBodyBytes = 1 << 20

// The errors of Verify; match them with errors.Is.
var (
	// ErrNotSigned: the timestamp or the signature is missing.
	ErrNotSigned = errors.New("webhook: the request carries no X-TalkJS-Timestamp or X-TalkJS-Signature")
	// ErrBadSignature: the signature does not match the timestamp and body
	// for this secret.
	ErrBadSignature = errors.New("webhook: the signature does not match the body")
	// ErrBadTimestamp: the timestamp is not a Unix time, or is further from
	// the clock than the tolerance allows.
	ErrBadTimestamp = errors.New("webhook: the timestamp is not a Unix time within the tolerance")
	// ErrNoSecret: the secret key given to Verify or NewHandler is empty,
	// which would let anyone sign events (an HMAC with an empty key is
	// public); every request is refused until it is set.
	ErrNoSecret = errors.New("webhook: no secret key is configured, so no signature can be trusted")
)

// Option configures Verify and NewHandler.
type Option func(*config)

type config struct {
	tolerance time.Duration
	now       func() time.Time
	maxBody   int64
	onError   func(error)
}

func newConfig(opts []Option) config {
	c := config{tolerance: DefaultTolerance, now: time.Now, maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithTolerance sets how far from the clock a timestamp may be, either way;
// 0 disables the check (the signature is still checked).
func WithTolerance(d time.Duration) Option { return func(c *config) { c.tolerance = d } }

// WithClock sets the clock the tolerance is measured against.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithMaxBodyBytes bounds the body a Handler reads; a larger one is answered
// 413 without being verified.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithErrorHandler has a Handler report each refused or failed request to
// report: the error says why (ErrBadSignature, a parse error, or the error
// the handling function returned). It never holds the body or the secret.
func WithErrorHandler(report func(error)) Option { return func(c *config) { c.onError = report } }

// Sign returns the signature TalkJS sends with body at timestamp: the
// upper-case hex HMAC-SHA256 of timestamp + "." + body keyed with secret.
func Sign(secret, timestamp string, body []byte) string {
	return strings.ToUpper(hex.EncodeToString(mac(secret, timestamp, body)))
}

func mac(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Timestamp formats t as this package's signer writes X-TalkJS-Timestamp:
// Unix milliseconds.
func Timestamp(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// Verify checks that signature is TalkJS's signature of timestamp and body
// (the raw bytes received, unchanged) for secret, comparing in constant
// time, and that timestamp is within the tolerance (DefaultTolerance unless
// WithTolerance says otherwise). It returns nil, or an error matching
// ErrNotSigned, ErrBadSignature, ErrBadTimestamp or, for an empty secret
// (a missing environment variable, say), ErrNoSecret.
func Verify(secret, timestamp, signature string, body []byte, opts ...Option) error {
	c := newConfig(opts)
	return c.verify(secret, timestamp, signature, body)
}

func (c *config) verify(secret, timestamp, signature string, body []byte) error {
	if secret == "" {
		return ErrNoSecret
	}
	if timestamp == "" || signature == "" {
		return ErrNotSigned
	}
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	if !hmac.Equal(got, mac(secret, timestamp, body)) {
		return ErrBadSignature
	}
	if c.tolerance > 0 {
		at, ok := parseTimestamp(timestamp)
		if !ok {
			return ErrBadTimestamp
		}
		if d := c.now().Sub(at); d > c.tolerance || d < -c.tolerance {
			return ErrBadTimestamp
		}
	}
	return nil
}

// parseTimestamp reads a Unix time in seconds (below 10^11, which is the
// year 5138) or milliseconds.
func parseTimestamp(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	if n < 1e11 {
		return time.Unix(n, 0), true
	}
	return time.UnixMilli(n), true
}

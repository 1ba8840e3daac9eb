package talkjs

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRetryable is the retry decision, case by case: what failed, for which
// kind of call, and whether it may be repeated.
func TestRetryable(t *testing.T) {
	t.Parallel()
	flag := func(v bool) *atomic.Bool {
		b := new(atomic.Bool)
		b.Store(v)
		return b
	}
	idem := func() *call { return &call{safety: idempotent} }
	// notReplayable calls that are not streamed track whether their
	// headers were written.
	unsafe := func(written bool) *call { return &call{safety: notReplayable, sent: flag(written)} }
	// Streamed calls (uploads) track whether their body was read.
	streamCall := func(rewindable, read bool) *call {
		return &call{safety: notReplayable, rewindable: rewindable, sent: flag(read),
			stream: func() (io.ReadCloser, *atomic.Bool, error) { return nil, nil, errors.New("not sent in this test") }}
	}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	dns := &net.DNSError{Err: "no such host", Name: "api.talkjs.invalid"}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	status := func(code int) *http.Response { return &http.Response{StatusCode: code} }

	for _, tc := range []struct {
		name   string
		call   *call
		resp   *http.Response
		err    error
		want   bool
		reason string // a part of the reason
	}{
		{"429 idempotent", idem(), status(429), nil, true, "without acting"},
		{"429 not replayable", unsafe(true), status(429), nil, true, "without acting"},
		{"500 idempotent", idem(), status(500), nil, true, "safe to repeat"},
		{"503 idempotent", idem(), status(503), nil, true, "safe to repeat"},
		{"500 not replayable", unsafe(true), status(500), nil, false, "could do it twice"},
		{"400", idem(), status(400), nil, false, "400 is final"},
		{"404", idem(), status(404), nil, false, "404 is final"},
		{"409", unsafe(true), status(409), nil, false, "is final"},
		{"reset idempotent", idem(), nil, reset, true, "safe to repeat"},
		{"reset not replayable after the headers", unsafe(true), nil, reset, false, "after the request was sent"},
		{"reset not replayable before the headers", unsafe(false), nil, reset, true, "before the request was sent"},
		{"dial error not replayable", unsafe(true), nil, dial, true, "before the request was sent"},
		{"dns error not replayable", unsafe(true), nil, dns, true, "before the request was sent"},
		{"stream read, not rewindable, 429", streamCall(false, true), status(429), nil, false, "cannot be sent again"},
		{"stream read, not rewindable, reset", streamCall(false, true), nil, reset, false, "cannot be sent again"},
		{"stream read, not rewindable, dial error", streamCall(false, true), nil, dial, false, "cannot be sent again"},
		{"stream unread, not rewindable, reset", streamCall(false, false), nil, reset, true, "before the request was sent"},
		{"stream unread, not rewindable, 429", streamCall(false, false), status(429), nil, true, "without acting"},
		{"stream read, rewindable, 429", streamCall(true, true), status(429), nil, true, "without acting"},
		{"stream read, rewindable, reset", streamCall(true, true), nil, reset, false, "after the request was sent"},
		{"stream read, rewindable, 503", streamCall(true, true), status(503), nil, false, "could do it twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, reason := retryable(tc.call, tc.resp, tc.err)
			if got != tc.want || !strings.Contains(reason, tc.reason) {
				t.Errorf("retryable(%s) = %v, %q; want %v, a reason with %q", tc.name, got, reason, tc.want, tc.reason)
			}
		})
	}
}

package talkjs

// This file is the request engine: a call is built (newCall, newJSONCall,
// newURLCall), sent and retried (do, retryable, wait), and its answer read
// (decode, responseError), in that order.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	hdrJSON   = []string{"application/json"}
	maxErrLen = int64(1 << 20)
)

// call is one API call: a request built by a gen builder (or, for the hot
// operations, by newURLCall) and bound to the call's context, plus what the
// retry loop needs to repeat it.
type call struct {
	req *http.Request
	// body is the JSON body, resent on each attempt.
	body []byte
	// stream makes a fresh streamed body for an attempt; rewindable says
	// whether it can be called again after the first stream was read.
	stream     func() (io.ReadCloser, *atomic.Bool, error)
	rewindable bool
	// sent is set, during an attempt that tracks it, once part of the
	// request left: the stream's first byte was read, or the headers of a
	// notReplayable request were written. nil means not tracked.
	sent   *atomic.Bool
	safety safety
	// out receives the decoded 2xx body; nil discards it. Unless emptyOK,
	// an empty body is an error when out is set.
	out     any
	emptyOK bool
}

// newCall returns the call of req bound to ctx; req and err are what a gen
// builder returned. Every call is made here or, for the hot operations, in
// newURLCall; both refuse a nil ctx.
func newCall(ctx context.Context, req *http.Request, err error) (*call, error) {
	if ctx == nil {
		return nil, argError("ctx", "must not be nil")
	}
	if err != nil {
		return nil, fmt.Errorf("talkjs: build request: %w", err)
	}
	return &call{req: req.WithContext(ctx)}, nil
}

// newJSONCall marshals v and hands the bytes to build, a
// gen.NewXxxRequestWithBody closure, for newCall.
func newJSONCall(ctx context.Context, v any, build func(contentType string, body io.Reader) (*http.Request, error)) (*call, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("talkjs: encode request body: %w", err)
	}
	req, err := build("application/json", bytes.NewReader(b))
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	call.body = b
	return call, nil
}

// newURLCall builds the request for url, one of the hand-built URLs below
// (conversationURL, messagesURL), with body as its JSON body when body is
// not nil. It does what the gen builders do without their URL parsing and
// reference resolution, which cost more than the rest of a call's
// client-side work; TestPathsMatchGen proves the two give the same URL.
//
// It builds the request with ctx rather than handing it to newCall: binding
// a built request to a context (WithContext) copies the request, one more
// allocation on the two hottest calls (see BENCHMARKS.md, issue 14).
func newURLCall(ctx context.Context, method, url string, body []byte) (*call, error) {
	if ctx == nil {
		return nil, argError("ctx", "must not be nil")
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("talkjs: build request: %w", err)
	}
	if body != nil {
		req.Header["Content-Type"] = hdrJSON
	}
	return &call{req: req, body: body}, nil
}

// Hand-built URLs of the hot operations, for newURLCall: the server URL
// and the escaped path in one concatenation. Each matches the gen builder
// of its operation, which the spec drives; TestPathsMatchGen holds them to
// that.

// conversationURL is the URL of getConversation: conversations/{id}.
func (c *Client) conversationURL(id string) string {
	return c.server + "conversations/" + url.PathEscape(id)
}

// messagesURL is the URL of sendMessages: conversations/{id}/messages.
func (c *Client) messagesURL(conversationID string) string {
	return c.server + "conversations/" + url.PathEscape(conversationID) + "/messages"
}

// do sends the call, retrying as the policy and the call's safety allow,
// and decodes a 2xx body into call.out.
func (c *Client) do(call *call) error {
	req := call.req
	ctx := req.Context()
	h := req.Header
	h["Accept"] = hdrJSON
	h["User-Agent"] = c.userAgent
	if c.apiVersion != nil {
		h["Talkjs-Rest-Version"] = c.apiVersion
	}
	if c.check != nil {
		if err := c.runCheck(ctx, req, call); err != nil {
			return err
		}
	}

	var start time.Time
	// mayHaveActed says that an earlier attempt may have been carried out
	// by TalkJS although it failed: a 5xx answer or a connection that
	// broke after the request was sent.
	mayHaveActed := false
	for attempt := 1; ; attempt++ {
		// attemptReq is what this attempt sends: req itself the first time,
		// a clone of it after that; each attempt sets its own body and token.
		attemptReq := req
		if attempt > 1 {
			attemptReq = req.Clone(ctx)
		}
		call.sent = nil
		switch {
		case call.stream != nil:
			body, read, err := call.stream()
			if err != nil {
				return err
			}
			attemptReq.Body, call.sent = body, read
		case call.body != nil:
			if attempt > 1 || c.check != nil {
				attemptReq.Body = io.NopCloser(bytes.NewReader(call.body))
			}
		}
		if call.safety == notReplayable && call.stream == nil {
			wrote := new(atomic.Bool)
			call.sent = wrote
			attemptReq = attemptReq.WithContext(httptrace.WithClientTrace(attemptReq.Context(), &httptrace.ClientTrace{
				WroteHeaders: func() { wrote.Store(true) },
			}))
		}
		auth := c.authorization()
		attemptReq.Header["Authorization"] = auth

		if c.logger != nil {
			start = time.Now()
		}
		resp, err := c.rt.RoundTrip(attemptReq)
		var e *Error
		if err != nil {
			c.logAttempt(ctx, req, attempt, 0, start, c.scrubErr(err, auth[0]))
			if ctxErr := ctx.Err(); ctxErr != nil {
				return &Error{Method: req.Method, Path: req.URL.EscapedPath(), Attempts: attempt, Err: ctxErr}
			}
			e = &Error{Method: req.Method, Path: req.URL.EscapedPath(), Attempts: attempt, Err: c.scrubErr(err, auth[0])}
		} else {
			c.logAttempt(ctx, req, attempt, resp.StatusCode, start, nil)
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				return c.decode(resp, call, req, attempt)
			}
			if resp.StatusCode == http.StatusNotFound && req.Method == http.MethodDelete && mayHaveActed {
				// An earlier attempt may have deleted it: what was asked is done.
				drain(resp.Body)
				_ = resp.Body.Close()
				if c.logger != nil {
					c.logger.LogAttrs(ctx, slog.LevelInfo, "talkjs: 404 to a repeated DELETE after an attempt that may have succeeded: done",
						slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()), slog.Int("attempt", attempt))
				}
				return nil
			}
			e = c.responseError(resp, req, attempt, auth[0])
		}
		again, reason := retryable(call, resp, err)
		if again && attempt > c.retry.MaxRetries {
			again, reason = false, fmt.Sprintf("%s, but the policy allows %d retries", reason, c.retry.MaxRetries)
		}
		if !again {
			if c.logger != nil {
				c.logger.LogAttrs(ctx, slog.LevelDebug, "talkjs: not retrying",
					slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
					slog.Int("attempt", attempt), slog.String("reason", reason))
			}
			return e
		}
		mayHaveActed = mayHaveActed || mayHaveBeenActedOn(call, resp, err)
		if werr := c.wait(ctx, req, attempt, e.RetryAfter, e, reason); werr != nil {
			return werr
		}
	}
}

// retryable decides whether the attempt of call that ended with resp (a
// failure answer) or err (no answer) may be repeated, and says why. It looks
// only at the call and the attempt's outcome; do checks the policy's
// MaxRetries. The rules are those of [RetryPolicy].
func retryable(call *call, resp *http.Response, err error) (ok bool, reason string) {
	// A stream that was read and cannot be rewound cannot be sent again.
	if call.stream != nil && !call.rewindable && call.sent != nil && call.sent.Load() {
		return false, "the body was read and cannot be sent again"
	}
	if err != nil {
		switch {
		case call.safety == idempotent:
			return true, "connection error on a request that is safe to repeat"
		case !mayHaveBeenActedOn(call, nil, err):
			return true, "connection failed before the request was sent"
		}
		return false, "connection failed after the request was sent, and repeating it could do it twice"
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, "429: TalkJS turned the request away without acting on it"
	case resp.StatusCode >= 500 && call.safety == idempotent:
		return true, strconv.Itoa(resp.StatusCode) + " on a request that is safe to repeat"
	case resp.StatusCode >= 500:
		return false, strconv.Itoa(resp.StatusCode) + ": TalkJS may have acted, and repeating the request could do it twice"
	}
	return false, strconv.Itoa(resp.StatusCode) + " is final"
}

// mayHaveBeenActedOn reports whether TalkJS may have carried out the failed
// attempt of call: it answered 5xx, or the connection broke after the whole
// request could have left (not while dialling, not before the headers were
// written or the streamed body was read).
func mayHaveBeenActedOn(call *call, resp *http.Response, err error) bool {
	if err == nil {
		return resp.StatusCode >= 500
	}
	return !isDialError(err) && (call.sent == nil || call.sent.Load())
}

// wait sleeps before the next attempt. When the context ends first, the
// returned error is the last attempt's, with the context error as its cause.
func (c *Client) wait(ctx context.Context, req *http.Request, attempt int, retryAfter time.Duration, last *Error, reason string) error {
	d := c.retry.backoff(attempt, retryAfter, c.random)
	if deadline, ok := ctx.Deadline(); ok && c.now().Add(d).After(deadline) {
		// The context would end during the wait: give up now, with the
		// last answer, instead of sleeping into a certain failure.
		return last
	}
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "talkjs: retrying",
			slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
			slog.Int("attempt", attempt), slog.Int("status", last.StatusCode), slog.Duration("wait", d),
			slog.String("reason", reason))
	}
	if err := c.sleep(ctx, d); err != nil {
		e := *last
		if e.Err == nil {
			e.Err = err
		} else {
			e.Err = fmt.Errorf("%w (last attempt: %v)", err, e.Err)
		}
		return &e
	}
	return nil
}

// authorization returns the Authorization header value of one attempt.
func (c *Client) authorization() []string {
	if c.cred().legacyAuth != nil {
		return c.cred().legacyAuth
	}
	return c.minter.header()
}

func (c *Client) logAttempt(ctx context.Context, req *http.Request, attempt, status int, start time.Time, err error) {
	if c.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
		slog.Int("attempt", attempt), slog.Duration("took", time.Since(start)),
	}
	level := slog.LevelDebug
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
		if status >= 400 {
			level = slog.LevelInfo
		}
	}
	if err != nil {
		level = slog.LevelInfo
		attrs = append(attrs, slog.String("error", c.scrub(err.Error(), "")))
	}
	c.logger.LogAttrs(ctx, level, "talkjs: request", attrs...)
}

// decode reads a 2xx answer into call.out and closes the body. An answer that
// cannot be what the operation returns is an *Error: an empty body or a
// JSON null where a value is expected, an envelope without its "data"
// (see page), and a body longer than the client's limit.
func (c *Client) decode(resp *http.Response, call *call, req *http.Request, attempt int) error {
	defer resp.Body.Close()
	if call.out == nil {
		drain(resp.Body)
		return nil
	}
	shapeError := func(msg string, err error) error {
		return &Error{StatusCode: resp.StatusCode, Method: req.Method, Path: req.URL.EscapedPath(), Attempts: attempt,
			Message: msg, Err: err}
	}
	tooLarge := func() error {
		return shapeError(fmt.Sprintf("the answer is larger than the client's limit of %d bytes (see WithMaxResponseBytes)", c.maxBody), nil)
	}
	if resp.ContentLength > c.maxBody {
		return tooLarge()
	}
	body := &answerReader{r: resp.Body, left: c.maxBody}
	err := json.NewDecoder(body).Decode(call.out)
	switch {
	case err == io.EOF:
		if !call.emptyOK {
			return shapeError("the answer is empty; a JSON body was expected", nil)
		}
	case errors.Is(err, errAnswerTooLarge):
		return tooLarge()
	case err != nil:
		return shapeError("the answer is not the JSON expected", fmt.Errorf("decode response: %w", err))
	case body.first == 'n':
		return shapeError("the answer is null; a JSON value was expected", nil)
	}
	if p, ok := call.out.(interface{ missing() string }); ok && err == nil {
		if m := p.missing(); m != "" {
			return shapeError("the answer has no "+m, nil)
		}
	}
	drain(resp.Body)
	return nil
}

// page is the {"data": …} envelope of list answers; decode reports an
// envelope whose data is missing or null.
type page[T any] struct {
	Data *T `json:"data"`
}

func (p *page[T]) missing() string {
	if p.Data == nil {
		return `"data"`
	}
	return ""
}

// DefaultMaxResponseBytes is the largest successful answer the client
// reads unless [WithMaxResponseBytes] says otherwise. The largest TalkJS
// answers, pages of 100 conversations or messages, are far smaller.
const DefaultMaxResponseBytes = 64 << 20

var errAnswerTooLarge = errors.New("answer too large")

// answerReader reads at most left bytes of a body, fails with
// errAnswerTooLarge when the body holds more, and notes the first byte that
// is not JSON white space.
type answerReader struct {
	r     io.Reader
	left  int64
	first byte
}

func (a *answerReader) Read(p []byte) (int, error) {
	if a.left <= 0 {
		var probe [1]byte
		n, err := io.ReadFull(a.r, probe[:])
		if n > 0 {
			return 0, errAnswerTooLarge
		}
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > a.left {
		p = p[:a.left]
	}
	n, err := a.r.Read(p)
	a.left -= int64(n)
	if a.first == 0 {
		for _, b := range p[:n] {
			if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
				a.first = b
				break
			}
		}
	}
	return n, err
}

var drainBufs = sync.Pool{New: func() any { return new([512]byte) }}

// drain reads what is left of a body (up to 64 KiB), so that the
// connection can be reused.
func drain(body io.Reader) {
	buf := drainBufs.Get().(*[512]byte)
	for n := 0; n < 64<<10; {
		k, err := body.Read(buf[:])
		n += k
		if err != nil {
			break
		}
	}
	drainBufs.Put(buf)
}

// responseError turns a non-2xx answer into an *Error and closes the body.
func (c *Client) responseError(resp *http.Response, req *http.Request, attempt int, auth string) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrLen))
	_ = resp.Body.Close()
	body = []byte(c.scrub(string(body), auth))
	e := &Error{
		StatusCode: resp.StatusCode,
		Body:       body,
		Message:    c.scrub(errorMessage(body), auth), // a second pass, after unescaping
		Method:     req.Method,
		Path:       req.URL.EscapedPath(),
		Attempts:   attempt,
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// Only a refused redirect gets here; see redirectPolicy.
		e.Message = c.scrub("redirect to "+strconv.Quote(resp.Header.Get("Location"))+" not followed: the client follows redirects only for GET requests within the same origin", auth)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	}
	return e
}

// scrub removes the secret key and the given Authorization value (and the
// token inside it) from s, raw or encoded as an answer may echo them
// (JSON-escaped, percent-encoded).
func (c *Client) scrub(s, auth string) string {
	s = redact(s, c.cred().secret, "[secret]")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok && tok != "" {
		s = redact(s, tok, "[token]")
	}
	return s
}

// scrubErr keeps err as the cause unless its text holds a secret, in which
// case a scrubbed copy of the text replaces it.
func (c *Client) scrubErr(err error, auth string) error {
	msg := err.Error()
	if clean := c.scrub(msg, auth); clean != msg {
		return errors.New(clean)
	}
	return err
}

// runCheck hands the user's [RequestCheck] a copy of req as the spec sees it:
// the path from /v1/{appId} on, the JSON body readable, a streamed body
// left out.
func (c *Client) runCheck(ctx context.Context, req *http.Request, call *call) error {
	specReq := req.Clone(ctx)
	if c.basePath != "" {
		specReq.URL.Path = strings.TrimPrefix(specReq.URL.Path, c.basePath)
		if specReq.URL.RawPath != "" {
			specReq.URL.RawPath = strings.TrimPrefix(specReq.URL.RawPath, (&url.URL{Path: c.basePath}).EscapedPath())
		}
	}
	specReq.Body, specReq.GetBody = http.NoBody, nil
	switch {
	case call.stream != nil:
		specReq.Body = nil
	case call.body != nil:
		specReq.Body = io.NopCloser(bytes.NewReader(call.body))
	}
	if err := c.check(specReq); err != nil {
		return &ArgumentError{Arg: "request", Problem: err.Error(), Err: err}
	}
	return nil
}

// sleepCtx waits for d or until ctx is done, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// safety says which failures of a request may be repeated.
type safety uint8

const (
	// idempotent requests are retried on 429, 5xx and connection errors.
	idempotent safety = iota
	// notReplayable requests (imports, batches, unkeyed sends, uploads from
	// a plain reader) are retried only when TalkJS cannot have acted on
	// them: a 429, or a connection that failed before the request was written.
	notReplayable
)

// isDialError reports whether err happened while connecting, before any
// byte of the request could leave the machine.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

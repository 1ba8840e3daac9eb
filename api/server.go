package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gotalkjs/talkjs-go/gen"
	"github.com/gotalkjs/talkjs-go/openapi"
)

// Defaults of a Server built without options.
const (
	// DefaultAppID is the app id a Server answers for unless WithAppID is given.
	DefaultAppID = "test_app"
	// DefaultMaxBodyBytes bounds a JSON request body.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxFileBytes bounds an uploaded file.
	DefaultMaxFileBytes = 25 << 20
	// DefaultMaxStoredFileBytes bounds the bytes of all stored files together.
	DefaultMaxStoredFileBytes = 512 << 20
	// DefaultUploadExpiry is how long an upload no message carries is kept.
	DefaultUploadExpiry = time.Hour
	// keptViolations is how many of the latest request violations the server
	// keeps for Violations (every one goes to WithViolationReport).
	keptViolations = 64
	// maxDrainBytes is how much of an oversized request body the server
	// still reads (and discards) after answering 413, so that the client,
	// still sending, reads the answer instead of a reset connection.
	maxDrainBytes = 64 << 20
)

// Server is the in-memory TalkJS server, an http.Handler. Build it with
// NewServer. It is safe for concurrent use.
type Server struct {
	appID       string
	secret      string
	secretBytes []byte
	now         func() time.Time
	maxBody     int64
	maxFile     int64
	maxStored   int64
	uploadTTL   time.Duration
	limiter     *tokenBucket
	rate        float64
	burst       int
	faults      *faultInjector
	logger      *slog.Logger
	onInvalid   func(error)

	validator *openapi.Validator
	declared  map[string]map[int]bool // operationId -> documented statuses
	jwtParser *jwt.Parser
	tokens    tokenCache
	ops       map[string]http.HandlerFunc // by operationId

	vmu        sync.Mutex
	violations [keptViolations]error // a ring of the latest
	nviolation int                   // how many were ever recorded
	onViolate  func(error)

	hooks hooks // webhook endpoints and delivery (webhooks.go)

	mu  sync.RWMutex
	st  store
	app appState

	panicHook func(*http.Request) // tests only: make a request panic
}

// Option configures a Server.
type Option func(*Server)

// WithAppID sets the one app id the server answers for; requests for any
// other app id are answered 404.
func WithAppID(appID string) Option { return func(s *Server) { s.appID = appID } }

// WithSecret sets the secret key: it is accepted as a bearer token, and it
// signs the app-scoped JWTs the server accepts. Without it a random secret is
// generated (see Secret).
func WithSecret(secret string) Option { return func(s *Server) { s.secret = secret } }

// WithClock sets the clock used for every timestamp the server stores
// (createdAt, joinedAt, editedAt, read markers), for the 24-hour window of
// idempotency keys and for refilling the rate limit. Token expiry is checked
// against the wall clock.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithMaxBodyBytes bounds JSON request bodies; a larger one is answered 413.
func WithMaxBodyBytes(n int64) Option { return func(s *Server) { s.maxBody = n } }

// WithMaxFileBytes bounds uploaded files; a larger one is answered 413.
func WithMaxFileBytes(n int64) Option { return func(s *Server) { s.maxFile = n } }

// WithMaxStoredFileBytes bounds the bytes of all stored files together (the
// default is DefaultMaxStoredFileBytes); an upload beyond it is answered 413
// with a message saying so.
func WithMaxStoredFileBytes(n int64) Option { return func(s *Server) { s.maxStored = n } }

// WithUploadExpiry sets how long an uploaded file that no message carries is
// kept, on the server's clock (the default is DefaultUploadExpiry). A file a
// message carries is kept until the last such message is deleted.
func WithUploadExpiry(d time.Duration) Option { return func(s *Server) { s.uploadTTL = d } }

// WithViolationReport calls report with every request the server receives
// that breaks the specification (as Violations describes them). Tests use it
// to keep every one; without it the server keeps only the latest few.
func WithViolationReport(report func(error)) Option {
	return func(s *Server) { s.onViolate = report }
}

// WithRateLimit limits the API to rate requests per second with bursts of
// burst requests (a token bucket on the server's clock). A request beyond the
// limit is answered 429 with a Retry-After header in whole seconds. Only
// authenticated requests count: a request with a bad token is answered 401
// and takes nothing from the bucket. Attachment downloads are not limited. A rate of 0 or less disables the limit.
func WithRateLimit(rate float64, burst int) Option {
	return func(s *Server) { s.rate, s.burst = rate, burst }
}

// WithFaults makes the server fail on purpose, as Faults describes.
func WithFaults(f Faults) Option {
	return func(s *Server) {
		if f.Unavailable > 0 || f.BadGateway > 0 || f.Cut > 0 {
			s.faults = newFaultInjector(f)
		} else {
			s.faults = nil
		}
	}
}

// WithLogger logs one line per request (method, path, status, duration; never
// a header) to l. Without it nothing is logged.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.logger = l } }

// WithResponseValidation checks every answer the server's handlers give
// against the specification and calls report with each violation. Tests use
// it so the server cannot drift from the spec the client is generated from.
// Answers the spec cannot describe (injected faults, or an error status the
// spec does not list for the operation, such as 413 for a JSON body) are not
// checked.
func WithResponseValidation(report func(error)) Option {
	return func(s *Server) { s.onInvalid = report }
}

// NewServer builds a Server. It panics only if the embedded specification is
// broken, which the openapi package's tests rule out.
func NewServer(opts ...Option) *Server {
	s := &Server{
		appID:     DefaultAppID,
		now:       time.Now,
		maxBody:   DefaultMaxBodyBytes,
		maxFile:   DefaultMaxFileBytes,
		maxStored: DefaultMaxStoredFileBytes,
		uploadTTL: DefaultUploadExpiry,
		logger:    slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(s)
	}
	if s.secret == "" {
		s.secret = "sk_test_" + randomHex(16)
	}
	s.secretBytes = []byte(s.secret)
	s.hooks.init(s.secret, s.now)
	if s.rate > 0 {
		s.limiter = newTokenBucket(s.rate, s.burst, s.now)
	}
	v, err := openapi.NewValidator()
	if err != nil {
		panic(err)
	}
	s.validator = v
	s.declared = declaredStatuses()
	s.jwtParser = newJWTParser()
	s.st.init()
	s.ops = operationHandlers(handlers{s})
	return s
}

// operationHandlers maps each operationId to the generated handler that
// reads its parameters and calls ours. The validator has matched the route
// already, so requests are dispatched by its operationId with its path
// parameters, not matched a second time by a ServeMux.
func operationHandlers(h handlers) map[string]http.HandlerFunc {
	byPattern := patternTable{}
	gen.HandlerWithOptions(h, gen.StdHTTPServerOptions{
		BaseURL:    openapi.BasePath,
		BaseRouter: byPattern,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, err.Error())
		},
	})
	ops := map[string]http.HandlerFunc{}
	for path, item := range openapi.MustLoad().Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + openapi.BasePath + path
			if strings.HasSuffix(path, "/") {
				pattern += "{$}"
			}
			f := byPattern[pattern]
			if f == nil && method == http.MethodHead {
				// As a ServeMux does, HEAD runs the GET handler (the
				// server sends no body).
				f = byPattern[http.MethodGet+strings.TrimPrefix(pattern, http.MethodHead)]
			}
			if f == nil {
				panic("api: no generated handler for " + method + " " + path)
			}
			ops[op.OperationID] = f
		}
	}
	return ops
}

// patternTable collects the handlers the generated code registers.
type patternTable map[string]http.HandlerFunc

func (t patternTable) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	t[pattern] = h
}

func (t patternTable) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "no such operation")
}

// AppID is the app id the server answers for.
func (s *Server) AppID() string { return s.appID }

// Format prints the server's app id, never its secret, whatever the verb.
func (s *Server) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, "api.Server{appID: "+s.appID+"}")
}

// Secret is the secret key the server accepts.
func (s *Server) Secret() string { return s.secret }

// Violations lists the latest requests (at most 64, oldest first) the server
// received that broke the specification (answered 400, 404 or 405 by request
// validation), each as an error naming the method, path and problem. Long
// paths and messages are shortened. WithViolationReport sees every one.
func (s *Server) Violations() []error {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	n := min(s.nviolation, keptViolations)
	out := make([]error, 0, n)
	for i := s.nviolation - n; i < s.nviolation; i++ {
		out = append(out, s.violations[i%keptViolations])
	}
	return out
}

// maxViolationText bounds the path and the message of a recorded violation.
const maxViolationText = 512

func (s *Server) recordViolation(r *http.Request, err error) {
	v := &violation{method: r.Method, path: shorten(r.URL.EscapedPath(), maxViolationText), err: err}
	if len(err.Error()) > maxViolationText {
		v.err = errors.New(shorten(err.Error(), maxViolationText))
	}
	s.vmu.Lock()
	s.violations[s.nviolation%keptViolations] = v
	s.nviolation++
	report := s.onViolate
	s.vmu.Unlock()
	if report != nil {
		report(v)
	}
}

// violation is a request that broke the specification.
type violation struct {
	method, path string
	err          error
}

func (v *violation) Error() string { return v.method + " " + v.path + ": " + v.err.Error() }
func (v *violation) Unwrap() error { return v.err }

// shorten cuts s to about n bytes (on a rune boundary), marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + fmt.Sprintf("…(%d bytes more)", len(s)-i)
}

func (s *Server) nowMs() int64 { return s.now().UnixMilli() }

type ctxKey int

const baseURLKey ctxKey = 0

// baseURL is the scheme and host the request reached the server at, for the
// URLs of attachments.
func baseURL(r *http.Request) string {
	if v, ok := r.Context().Value(baseURLKey).(string); ok {
		return v
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// ServeHTTP answers one request: attachment downloads under /files/, and the
// REST API under /v1/{appId}/. The order of the checks: injected 503, app id,
// rate limit, authentication, body size, request validation, handler;
// then an injected 502 or cut connection, which the handler's effect has
// already happened for.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, filesPrefix) {
		s.serveFile(w, r)
		return
	}
	start := time.Now()
	body := r.Body // handle may replace r.Body
	fault := faultNone
	if s.faults != nil {
		fault = s.faults.draw()
	}
	rec := newRecorder()
	if s.onInvalid == nil && s.faults == nil {
		rec.direct = w // nothing needs the answer whole: it streams
	}
	if fault == faultUnavailable {
		writeError(rec, http.StatusServiceUnavailable, "the service is unavailable (injected fault): retry the request")
	} else {
		r = r.WithContext(context.WithValue(r.Context(), baseURLKey, baseURL(r)))
		rec = s.handleSafely(rec, r)
	}
	switch fault {
	case faultBadGateway:
		rec = newRecorder()
		writeError(rec, http.StatusBadGateway, "the answer was lost (injected fault): the request was processed")
	case faultCut:
		s.log(r, 0, start)
		cutConnection(w)
		return
	}
	if rec.bodyTooLarge || rec.status == http.StatusRequestEntityTooLarge {
		s.answerThenDrain(w, body, rec)
	} else {
		rec.flushTo(w)
	}
	s.log(r, rec.status, start)
}

// answerThenDrain sends a 413 at once, then reads and discards what the
// client still sends (up to maxDrainBytes), so that a client still writing
// an oversized body (chunked, or with a Content-Length) reads the 413 instead
// of a connection reset. The connection is closed afterwards.
func (s *Server) answerThenDrain(w http.ResponseWriter, body io.Reader, rec *recorder) {
	rc := http.NewResponseController(w)
	if !rec.sent {
		_ = rc.EnableFullDuplex()
		rec.header.Set("Connection", "close")
		rec.flushTo(w)
	}
	_ = rc.Flush()
	if body != nil {
		_, _ = io.CopyN(io.Discard, body, maxDrainBytes)
	}
}

func (s *Server) log(r *http.Request, status int, start time.Time) {
	if !s.logger.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)))
}

// cutConnection closes the client's connection without an answer.
func cutConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// handle runs one API request through the app check, (for requests from the
// network) rate limit and authentication, body bounds, validation and the
// handler. Batch operations come in with external false.
func (s *Server) handle(w *recorder, r *http.Request, external bool) {
	app, ok := appOfPath(r.URL.EscapedPath())
	if !ok {
		writeError(w, http.StatusNotFound, "no such path: the API is served under /v1/{appId}/")
		return
	}
	if app != s.appID {
		writeError(w, http.StatusNotFound, "no app with this id")
		return
	}
	if err := canonicalPath(r); err != nil {
		writeAPIError(w, err)
		return
	}
	if external {
		// Authentication comes first, so that requests with a bad token
		// take nothing from the rate limit of the client that has a good one.
		if err := s.authenticate(r); err != nil {
			writeError(w, http.StatusUnauthorized, err.Error())
			s.checkEarlyResponse(w, r)
			return
		}
		if s.limiter != nil {
			if ok, wait := s.limiter.take(); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
				writeError(w, http.StatusTooManyRequests, "rate limit exceeded: retry after the time in the Retry-After header")
				s.checkEarlyResponse(w, r)
				return
			}
		}
	}
	upload := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/files") && strings.Count(r.URL.EscapedPath(), "/") == 3
	if upload {
		r.Body = http.MaxBytesReader(nil, r.Body, s.maxFile+64<<10)
	} else if r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength > s.maxBody {
			w.bodyTooLarge = true
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body: larger than the limit of %d bytes", s.maxBody))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
		if err != nil {
			writeError(w, http.StatusBadRequest, "request body: could not be read")
			return
		}
		if int64(len(body)) > s.maxBody {
			w.bodyTooLarge = true
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body: larger than the limit of %d bytes", s.maxBody))
			return
		}
		holdBody(r, body)
	}
	var route *openapi.Route
	var err error
	if upload {
		// The upload streams: the validator leaves its body unread, and the
		// media type is checked here instead.
		route, err = s.validator.ValidateRequest(r, true)
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt != "multipart/form-data" {
			err = &openapi.ValidationError{Status: http.StatusBadRequest, Where: "request body",
				Problem: "Content-Type must be multipart/form-data with a boundary (let the HTTP library set it)"}
		}
	} else {
		route, err = s.validator.ValidateRequest(r, false)
	}
	if err != nil {
		status, msg := http.StatusBadRequest, err.Error()
		if ve, ok := err.(*openapi.ValidationError); ok {
			status = ve.Status
			if len(ve.Allow) > 0 {
				w.Header().Set("Allow", strings.Join(ve.Allow, ", "))
			}
		}
		s.recordViolation(r, err)
		writeError(w, status, msg)
		if route != nil {
			s.checkResponse(w, r, route, true)
		}
		return
	}
	for k, v := range route.PathParams {
		if u, err := url.PathUnescape(v); err == nil {
			r.SetPathValue(k, u)
		}
	}
	s.ops[route.OperationID](w, r)
	s.checkResponse(w, r, route, false)
}

// checkEarlyResponse validates an answer given before request validation.
func (s *Server) checkEarlyResponse(w *recorder, r *http.Request) {
	if s.onInvalid == nil {
		return
	}
	if route, err := s.validator.FindRoute(r); err == nil {
		s.checkResponse(w, r, route, true)
	}
}

// checkResponse validates an answer against the spec when response
// validation is on. An infrastructure answer (infra) whose status the spec
// does not list for the operation is not checked.
func (s *Server) checkResponse(w *recorder, r *http.Request, route *openapi.Route, infra bool) {
	if s.onInvalid == nil {
		return
	}
	if infra && !s.declared[route.OperationID][w.status] {
		return
	}
	if err := s.validator.ValidateResponse(r, route, w.status, w.Header(), w.bytes()); err != nil {
		s.onInvalid(fmt.Errorf("%s %s answered %d: %w", r.Method, r.URL.EscapedPath(), w.status, err))
	}
}

// appOfPath returns the unescaped app id of an escaped path /v1/{appId}/….
func appOfPath(escaped string) (string, bool) {
	rest, ok := strings.CutPrefix(escaped, "/v1/")
	if !ok {
		return "", false
	}
	app, _, _ := strings.Cut(rest, "/") // /v1/{appId} alone is the app
	app, err := url.PathUnescape(app)
	if err != nil {
		return "", false
	}
	return app, true
}

// declaredStatuses maps each operationId to the statuses the spec documents.
func declaredStatuses() map[string]map[int]bool {
	doc := openapi.MustLoad()
	out := map[string]map[int]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			m := map[int]bool{}
			for code := range op.Responses.Map() {
				if n, err := strconv.Atoi(code); err == nil {
					m[n] = true
				}
			}
			out[op.OperationID] = m
		}
	}
	return out
}

// recorder buffers an answer, so that it can be validated, replaced by an
// injected fault, or returned from a batch operation.
type recorder struct {
	header       http.Header
	status       int
	buf          bytes.Buffer
	raw          []byte // a whole answer handed over by writeRawJSON, not copied
	bodyTooLarge bool   // the request body was refused for its size
	// direct, when set, receives the answer as it is written (no response
	// validation and no faults need it whole); sent: its header went out.
	direct http.ResponseWriter
	sent   bool
}

// adopt takes b as the whole answer without copying it.
func (rec *recorder) adopt(status int, b []byte) {
	rec.WriteHeader(status)
	if rec.direct != nil {
		_, _ = rec.direct.Write(b)
		return
	}
	if rec.buf.Len() == 0 && rec.raw == nil {
		rec.raw = b
		return
	}
	_, _ = rec.Write(b)
}

// bytes is the answer's body.
func (rec *recorder) bytes() []byte {
	if rec.raw != nil {
		return append(rec.raw[:len(rec.raw):len(rec.raw)], rec.buf.Bytes()...)
	}
	return rec.buf.Bytes()
}

func newRecorder() *recorder { return &recorder{header: make(http.Header, 4), status: 0} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(code int) {
	if rec.status != 0 {
		return
	}
	rec.status = code
	if rec.direct == nil {
		return
	}
	h := rec.direct.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	if code == http.StatusRequestEntityTooLarge {
		// See answerThenDrain: the rest of the body is read after the answer.
		h.Set("Connection", "close")
		_ = http.NewResponseController(rec.direct).EnableFullDuplex()
	}
	rec.direct.WriteHeader(code)
	rec.sent = true
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.direct != nil {
		return rec.direct.Write(b)
	}
	return rec.buf.Write(b)
}

func (rec *recorder) flushTo(w http.ResponseWriter) {
	if rec.sent {
		return
	}
	h := w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.bytes())
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

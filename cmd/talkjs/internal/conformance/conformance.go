// Package conformance runs one black-box scenario against any
// TalkJS-compatible REST API and reports, check by check, what the service
// answered: the in-memory server of this module, a mock, or a real TalkJS
// app. It sends raw HTTP requests (only the app token is minted here) so that
// it observes statuses and field shapes exactly as the service gives them.
//
// Every check names its source: a page of TalkJS's documentation, or a
// weaker one (TalkJS's own published code, the seed specification, or "ours"
// for choices this project made where the documentation is silent). A check
// that fails against a documented behaviour is a failure; one that fails
// against a weaker source is informational.
//
// The scenario creates users and conversations whose ids start with a random
// prefix, never touches anything else, and cleans up at the end: it deletes
// the conversations it created and anonymises its users (TalkJS has no user
// deletion). It never sends more than Config.MaxRequests requests; the
// cleanup's requests are reserved from that budget before the scenario
// spends it.
//
// A run can be recorded (every exchange, with secrets redacted and ids
// normalised) and a recording compared, field by field, with a run against
// another service: see [Record], [ReadRecording] and [Compare].
package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/sleep"
)

// Verdict is the outcome of one check.
type Verdict string

const (
	// Pass: the service answered what the source says.
	Pass Verdict = "pass"
	// Fail: the service differs from TalkJS's documentation.
	Fail Verdict = "FAIL"
	// Info: the service differs from a source that is not TalkJS's
	// documentation (TalkJS's code, the seed specification, or ours).
	Info Verdict = "info"
	// Skip: the check could not run (the request cap was reached, or an
	// earlier step it needs failed).
	Skip Verdict = "skip"
)

// Check is one observation of the scenario.
type Check struct {
	Name     string  `json:"name"`
	Source   string  `json:"source"`
	Expected string  `json:"expected"`
	Observed string  `json:"observed"`
	Verdict  Verdict `json:"verdict"`
}

// Documented reports whether the check's source is TalkJS's documentation.
func (c Check) Documented() bool { return IsDocumented(c.Source) }

// Sources of the checks.
const (
	docsREST           = "https://talkjs.com/docs/Reference/REST_API/"
	srcGettingStarted  = docsREST + "Getting_Started/"
	srcUsers           = docsREST + "Users/"
	srcConversations   = docsREST + "Conversations/"
	srcParticipation   = docsREST + "Participation/"
	srcMessages        = docsREST + "Messages/"
	srcImport          = docsREST + "Importing_Messages/"
	srcBatch           = docsREST + "Batch/"
	srcPresence        = docsREST + "Presence/"
	srcNotifications   = docsREST + "Notifications/"
	srcChangelog       = docsREST + "API_changelog/"
	srcContent         = "https://talkjs.com/docs/Concepts/Messages/"
	srcFilterLanguage  = "https://talkjs.com/docs/Reference/JavaScript_Chat_SDK/ConversationPredicate/"
	srcCore            = "@talkjs/core 1.12 (TalkJS's published code)"
	srcSeed            = "seed spec"
	srcOurs            = "ours"
	srcDocsPrefix      = "https://talkjs.com/docs/"
	defaultAPIVersion  = "2024-01-01"
	anonymousName      = "Deleted user"
	defaultMaxRequests = 250
	cleanupTimeout     = 2 * time.Minute
)

// IsDocumented reports whether source is a page of TalkJS's documentation.
func IsDocumented(source string) bool { return strings.HasPrefix(source, srcDocsPrefix) }

// DefaultMaxRequests is the request cap when Config.MaxRequests is 0.
const DefaultMaxRequests = defaultMaxRequests

// Config says where to run the scenario and how.
type Config struct {
	// APIRoot is the URL the API's paths are appended to, such as
	// https://api.talkjs.com/v1/APPID (or http://127.0.0.1:4010 for a mock
	// that serves the paths at /).
	APIRoot string
	// AppID and Secret are the app's credentials. Every request carries a
	// fresh app token (HS256, tokenType "app", iss AppID, 30 s); one check
	// sends the secret key itself, TalkJS's legacy form.
	AppID, Secret string
	// HTTPClient sends the requests (http.DefaultClient when nil). Redirects
	// are never followed.
	HTTPClient *http.Client
	// Prefix starts every id the scenario creates (random when empty).
	Prefix string
	// MaxRequests caps the requests sent, cleanup included
	// (DefaultMaxRequests when 0).
	MaxRequests int
	// Interval is the least time between two requests (none when 0);
	// BatchInterval the least time between two /batch requests.
	Interval, BatchInterval time.Duration
	// Sleep waits for d or until ctx is done (a timer when nil).
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for pacing (time.Now when nil); tokens always
	// use the wall clock.
	Now func() time.Time
	// Observe, when set, sees every exchange as it happens (for a progress
	// line); it must not keep the request.
	Observe func(Exchange)
}

// Report is the outcome of a run.
type Report struct {
	Target   string   `json:"target"`
	Prefix   string   `json:"prefix"`
	Checks   []Check  `json:"checks"`
	Requests int      `json:"requests"`
	Capped   bool     `json:"capped,omitempty"`
	Created  Created  `json:"created"`
	Cleanup  []string `json:"cleanupProblems,omitempty"`
	// Exchanges are every request and answer, normalised for a recording.
	Exchanges []Exchange `json:"-"`
}

// Created lists what the scenario created under its prefix.
type Created struct {
	Users         []string `json:"users"`
	Conversations []string `json:"conversations"`
}

// Failed reports whether any check failed against TalkJS's documentation,
// or the cleanup left something behind.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Verdict == Fail {
			return true
		}
	}
	return len(r.Cleanup) > 0
}

// Counts counts the checks by verdict.
func (r *Report) Counts() map[Verdict]int {
	m := map[Verdict]int{}
	for _, c := range r.Checks {
		m[c.Verdict]++
	}
	return m
}

// Exchange is one request and its answer, as recorded.
type Exchange struct {
	Step     string       `json:"step"`
	Request  RecordedReq  `json:"request"`
	Response RecordedResp `json:"response"`
}

// RecordedReq is the request half of an exchange. Auth says what the
// Authorization header carried, never its value.
type RecordedReq struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Auth    string            `json:"auth"`
	Body    any               `json:"body,omitempty"`
}

// RecordedResp is the answer half of an exchange: Body is the decoded JSON,
// or Text when the body is not JSON. Error is a transport error.
type RecordedResp struct {
	Status int    `json:"status"`
	Body   any    `json:"body,omitempty"`
	Text   string `json:"text,omitempty"`
	Error  string `json:"error,omitempty"`
}

// errCapped marks a request that was not sent because of the request cap.
var errCapped = errors.New("not sent: request cap reached")

// Run runs the scenario against cfg.APIRoot and cleans up after it. The
// error is for a configuration that cannot work; what the service answered
// is in the report, whatever it was.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	r.sentSecrets = []string{cfg.Secret}
	scenario(ctx, r)
	r.cleanup(ctx)
	for i := range r.checks {
		r.checks[i].Observed = r.scrub(r.checks[i].Observed)
	}
	for i := range r.cleanupProblems {
		r.cleanupProblems[i] = r.scrub(r.cleanupProblems[i])
	}
	rep := &Report{
		Target:    r.root.String(),
		Prefix:    r.prefix,
		Checks:    r.checks,
		Requests:  r.sent,
		Capped:    r.capped,
		Created:   Created{Users: r.users, Conversations: r.convs},
		Cleanup:   r.cleanupProblems,
		Exchanges: r.exchanges,
	}
	if rep.Created.Users == nil {
		rep.Created.Users = []string{}
	}
	if rep.Created.Conversations == nil {
		rep.Created.Conversations = []string{}
	}
	return rep, nil
}

// runner sends the scenario's requests and collects its checks.
type runner struct {
	cfg     Config
	root    *url.URL
	hc      *http.Client
	prefix  string
	max     int
	sleep   func(context.Context, time.Duration) error
	now     func() time.Time
	version string

	sent                int
	capped              bool
	lastSent, lastBatch time.Time
	steps               map[string]int
	checks              []Check
	exchanges           []Exchange

	// users and convs are the ids the scenario may have created, in order;
	// maybeUsers are users that exist only if the service accepted a request
	// that it should have refused.
	users, convs, maybeUsers []string
	cleanupProblems          []string

	// norm maps message ids and attachment tokens to their placeholders
	// in recordings; msgs and files count them.
	norm        map[string]string
	msgs, files int

	// sentSecrets are the secret key and every token sent, scrubbed from
	// what the report says.
	sentSecrets []string
}

func newRunner(cfg Config) (*runner, error) {
	if cfg.AppID == "" || cfg.Secret == "" {
		return nil, errors.New("conformance: an app id and a secret key are needed")
	}
	root, err := url.Parse(strings.TrimRight(cfg.APIRoot, "/"))
	if err != nil || (root.Scheme != "http" && root.Scheme != "https") || root.Host == "" {
		return nil, fmt.Errorf("conformance: the API root %q is not an http(s) URL", cfg.APIRoot)
	}
	if root.RawQuery != "" || root.Fragment != "" {
		return nil, fmt.Errorf("conformance: the API root %q must not have a query or fragment", cfg.APIRoot)
	}
	r := &runner{cfg: cfg, root: root, prefix: cfg.Prefix, max: cfg.MaxRequests, sleep: cfg.Sleep, now: cfg.Now,
		version: defaultAPIVersion, steps: map[string]int{}}
	if r.prefix == "" {
		r.prefix = RandomPrefix()
	}
	if strings.ContainsAny(r.prefix, "/?#% ") {
		return nil, fmt.Errorf("conformance: the prefix %q must not hold / ? # %% or spaces", r.prefix)
	}
	if r.max <= 0 {
		r.max = defaultMaxRequests
	}
	if r.sleep == nil {
		r.sleep = sleep.For
	}
	if r.now == nil {
		r.now = time.Now
	}
	hc := http.DefaultClient
	if cfg.HTTPClient != nil {
		hc = cfg.HTTPClient
	}
	// A copy that never follows redirects: a redirect is an answer to observe.
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r.hc = &c
	return r, nil
}

// RandomPrefix returns a fresh id prefix such as "cfk-3f9a1c2e-".
func RandomPrefix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "cfk-" + hex.EncodeToString(b[:]) + "-"
}

// auth kinds of a request.
const (
	authApp    = "app token"
	authNone   = "none"
	authSecret = "secret key (legacy)"
	authBogus  = "not a token"
	authForged = "JWT signed with another key"
)

// request is one request of the scenario.
type request struct {
	method, path string
	query        url.Values
	body         any    // JSON-encoded unless raw is set
	raw          []byte // sent as is with contentType
	contentType  string
	auth         string // authApp when empty
	version      string // TalkJS-REST-Version; the runner's default when empty, "-" for none
	cleanup      bool   // a cleanup request: spends the reserved budget
}

// response is what came back.
type response struct {
	sent   bool
	status int
	body   []byte
	v      any // decoded JSON, nil when not JSON
	isJSON bool
	err    error
}

// ok reports whether the request was sent and answered 200.
func (rs *response) ok() bool { return rs.sent && rs.err == nil && rs.status == http.StatusOK }

// get walks the decoded body: strings index objects, ints index arrays.
func (rs *response) get(path ...any) any { return walk(rs.v, path...) }

func walk(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// reserve is the number of requests the cleanup may need.
func (r *runner) reserve() int { return len(r.convs) + len(r.users) + 2*len(r.maybeUsers) }

// do sends one request of step, pacing and counting it, and records the
// exchange.
func (r *runner) do(ctx context.Context, step string, req request) *response {
	step = r.uniqueStep(step)
	rs := &response{}
	budget := r.max
	if !req.cleanup {
		budget -= r.reserve()
	}
	if r.sent >= budget {
		if !req.cleanup {
			r.capped = true
		}
		rs.err = errCapped
		return rs
	}
	if err := r.pace(ctx, req.path == "/batch"); err != nil {
		rs.err = err
		return rs
	}
	hreq, secrets, err := r.build(ctx, req)
	if err != nil {
		rs.err = err
		return rs
	}
	r.sent++
	rs.sent = true
	r.lastSent = r.now()
	if req.path == "/batch" {
		r.lastBatch = r.lastSent
	}
	resp, err := r.hc.Do(hreq)
	if err != nil {
		rs.err = scrubError(err, secrets)
	} else {
		rs.status = resp.StatusCode
		rs.body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			rs.err = scrubError(err, secrets)
		}
		if len(bytes.TrimSpace(rs.body)) > 0 && json.Unmarshal(rs.body, &rs.v) == nil {
			rs.isJSON = true
		}
	}
	ex := r.exchange(step, req, rs, secrets)
	r.exchanges = append(r.exchanges, ex)
	if r.cfg.Observe != nil {
		r.cfg.Observe(ex)
	}
	return rs
}

// uniqueStep makes step names unique within a run, so that recordings
// line up step by step.
func (r *runner) uniqueStep(step string) string {
	r.steps[step]++
	if n := r.steps[step]; n > 1 {
		return fmt.Sprintf("%s#%d", step, n)
	}
	return step
}

func (r *runner) pace(ctx context.Context, batch bool) error {
	wait := time.Duration(0)
	if r.cfg.Interval > 0 && !r.lastSent.IsZero() {
		wait = r.cfg.Interval - r.now().Sub(r.lastSent)
	}
	if batch && r.cfg.BatchInterval > 0 && !r.lastBatch.IsZero() {
		if w := r.cfg.BatchInterval - r.now().Sub(r.lastBatch); w > wait {
			wait = w
		}
	}
	if wait > 0 {
		return r.sleep(ctx, wait)
	}
	return ctx.Err()
}

// build makes the HTTP request; secrets are the strings that must never
// show up in a recording or an error.
func (r *runner) build(ctx context.Context, req request) (*http.Request, []string, error) {
	u := *r.root
	u.Path = r.root.Path + req.path
	u.RawPath = ""
	if r.root.RawPath != "" || strings.Contains(req.path, "%") {
		u.RawPath = r.root.EscapedPath() + req.path
		if p, err := url.PathUnescape(u.RawPath); err == nil {
			u.Path = p
		}
	}
	u.RawQuery = req.query.Encode()
	var body io.Reader
	ct := req.contentType
	switch {
	case req.raw != nil:
		body = bytes.NewReader(req.raw)
	case req.body != nil:
		b, err := json.Marshal(req.body)
		if err != nil {
			return nil, nil, err
		}
		body = bytes.NewReader(b)
		ct = "application/json"
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return nil, nil, err
	}
	if ct != "" {
		hreq.Header.Set("Content-Type", ct)
	}
	switch v := req.version; v {
	case "-":
	case "":
		hreq.Header.Set("TalkJS-REST-Version", r.version)
	default:
		hreq.Header.Set("TalkJS-REST-Version", v)
	}
	hreq.Header.Set("User-Agent", "talkjs-conformance")
	secrets := []string{r.cfg.Secret}
	var token string
	switch req.auth {
	case "", authApp:
		token, err = r.appToken([]byte(r.cfg.Secret))
	case authSecret:
		token = r.cfg.Secret
	case authBogus:
		token = "not-a-token"
	case authForged:
		token, err = r.appToken([]byte("not-the-secret-key-" + r.prefix))
	case authNone:
	}
	if err != nil {
		return nil, nil, err
	}
	if token != "" {
		hreq.Header.Set("Authorization", "Bearer "+token)
		secrets = append(secrets, token)
		if !slices.Contains(r.sentSecrets, token) {
			r.sentSecrets = append(r.sentSecrets, token)
		}
	}
	return hreq, secrets, nil
}

// appToken mints an app token signed with key, valid for 30 seconds.
func (r *runner) appToken(key []byte) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"tokenType": "app",
		"iss":       r.cfg.AppID,
		"exp":       time.Now().Add(30 * time.Second).Unix(), // the wall clock: the service checks it
	})
	return t.SignedString(key)
}

// scrub removes the secret key and the tokens sent from s, raw or
// JSON-escaped.
func (r *runner) scrub(s string) string {
	for _, sec := range r.sentSecrets {
		if sec == "" {
			continue
		}
		s = strings.ReplaceAll(s, sec, redacted)
		if b, err := json.Marshal(sec); err == nil {
			s = strings.ReplaceAll(s, strings.Trim(string(b), `"`), redacted)
		}
	}
	return s
}

// scrubError removes secrets from a transport error's text.
func scrubError(err error, secrets []string) error {
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return errors.New(msg)
}

package talkjs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Version is the version of this package, sent in the User-Agent header.
const Version = "0.1.0"

// Client talks to the TalkJS REST API on behalf of one app. It is safe for
// concurrent use; create one and share it. The API is grouped by area, like
// the TalkJS documentation: client.Users, client.Conversations,
// client.Participants, client.Messages, client.Files, client.Import,
// client.Batch and client.Presence.
type Client struct {
	appID  string
	cred   func() *credentials // in a closure, so that fmt never prints it
	server string              // root/v1/<appID>/, from serverURL

	rt         http.RoundTripper // middleware chain ending in the *http.Client
	minter     *tokenMinter
	apiVersion []string
	userAgent  []string
	retry      RetryPolicy
	logger     *slog.Logger
	check      RequestCheck
	// basePath is the path of the base URL before /v1/{appId} (a proxy's
	// prefix, usually ""), which a [RequestCheck] does not see.
	basePath  string
	noIdemKey bool
	maxBody   int64 // the longest 2xx body read

	// Swapped by tests for speed and determinism.
	sleep  func(ctx context.Context, d time.Duration) error
	random func(int64) int64
	now    func() time.Time

	// Users creates, updates, reads and lists users.
	Users *UsersService
	// Conversations creates, updates, reads, lists and deletes conversations.
	Conversations *ConversationsService
	// Participants manages who takes part in a conversation and how far
	// each participant has read.
	Participants *ParticipantsService
	// Messages sends, lists, edits and deletes messages, and manages reactions.
	Messages *MessagesService
	// Files uploads attachments.
	Files *FilesService
	// Import brings in existing chat history with its original timestamps.
	Import *ImportService
	// Batch runs up to 10 operations in one request.
	Batch *BatchService
	// Presence tells who is online.
	Presence *PresenceService
	// App reads and changes the app itself.
	App *AppService
}

// NewClient returns a [Client] for the app appID, authenticating with
// secretKey (both from the TalkJS dashboard). By default every request
// attempt carries a freshly minted app token valid for 30 seconds; failed
// requests are retried up to 3 times where that is safe; nothing is logged.
func NewClient(appID, secretKey string, opts ...Option) (*Client, error) {
	if appID == "" {
		return nil, argError("appID", "must not be empty")
	}
	if strings.TrimSpace(appID) != appID || strings.ContainsAny(appID, "/?#%") {
		return nil, argError("appID", "must not hold spaces at its ends or any of / ? # %")
	}
	if secretKey == "" {
		return nil, argError("secretKey", "must not be empty")
	}
	if strings.TrimSpace(secretKey) != secretKey || strings.ContainsAny(secretKey, "\r\n") {
		return nil, argError("secretKey", "must not hold white space at its ends or line breaks")
	}
	s := settings{
		baseURL:          DefaultBaseURL,
		tokenLifetime:    DefaultTokenLifetime,
		retry:            DefaultRetryPolicy(),
		maxResponseBytes: DefaultMaxResponseBytes,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	server, basePath, err := serverURL(s.baseURL, appID)
	if err != nil {
		return nil, err
	}
	hc := s.httpClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout, Transport: s.roundTripper}
	} else {
		hc = new(http.Client)
		*hc = *s.httpClient // a copy: the caller's client is left as it is
	}
	hc.CheckRedirect = redirectPolicy(hc.CheckRedirect)
	var rt http.RoundTripper = clientTransport{hc}
	for i := len(s.middleware) - 1; i >= 0; i-- {
		rt = s.middleware[i](rt)
		if rt == nil {
			return nil, argError(fmt.Sprintf("middleware[%d]", i), "returned a nil RoundTripper")
		}
	}
	ua := "talkjs-go/" + Version
	if s.userAgent != "" {
		ua = s.userAgent + " " + ua
	}
	c := &Client{
		appID:     appID,
		server:    server,
		rt:        rt,
		minter:    newTokenMinter(appID, secretKey, s.tokenLifetime),
		userAgent: []string{ua},
		retry:     s.retry,
		logger:    s.logger,
		noIdemKey: s.noIdempotencyKey,
		maxBody:   s.maxResponseBytes,
		sleep:     sleepCtx,
		random:    rand.Int64N,
		now:       time.Now,
	}
	cred := &credentials{secret: secretKey}
	if s.legacyAuth {
		cred.legacyAuth = []string{"Bearer " + secretKey}
	}
	c.cred = func() *credentials { return cred }
	if s.apiVersion != "" {
		c.apiVersion = []string{s.apiVersion}
	}
	if s.check != nil {
		c.check = s.check
		c.basePath = basePath
	}
	c.Users = &UsersService{c}
	c.Conversations = &ConversationsService{c}
	c.Participants = &ParticipantsService{c}
	c.Messages = &MessagesService{c}
	c.Files = &FilesService{c}
	c.Import = &ImportService{c}
	c.Batch = &BatchService{c}
	c.Presence = &PresenceService{c}
	c.App = &AppService{c}
	return c, nil
}

// serverURL returns the URL every operation is resolved against, the base
// URL root joined with /v1/{appId}/ (the app id escaped as one segment; the
// trailing slash keeps the last segment when the generated builders resolve
// paths against it), and the path of root (a proxy's prefix, usually "").
func serverURL(root, appID string) (server, basePath string, err error) {
	u, err := url.Parse(root)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", argError("baseURL", "must be an absolute http or https URL without query, fragment or credentials")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return strings.TrimRight(u.String(), "/") + "/v1/" + url.PathEscape(appID) + "/", u.Path, nil
}

// Environment variables read by [NewClientFromEnv].
const (
	EnvAppID     = "TALKJS_APP_ID"
	EnvSecretKey = "TALKJS_SECRET_KEY"
	EnvBaseURL   = "TALKJS_BASE_URL"
)

// NewClientFromEnv returns a [Client] as [NewClient] does, with the app id
// from TALKJS_APP_ID, the secret key from TALKJS_SECRET_KEY and, when set,
// the host root from TALKJS_BASE_URL (default https://api.talkjs.com).
// Options given here are applied after the base URL, so [WithBaseURL]
// overrides the variable.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	appID := os.Getenv(EnvAppID)
	if appID == "" {
		return nil, argError(EnvAppID, "is not set")
	}
	secret := os.Getenv(EnvSecretKey)
	if secret == "" {
		return nil, argError(EnvSecretKey, "is not set")
	}
	if base := os.Getenv(EnvBaseURL); base != "" {
		opts = append([]Option{WithBaseURL(base)}, opts...)
	}
	return NewClient(appID, secret, opts...)
}

// AppID returns the app id the client works for.
func (c *Client) AppID() string { return c.appID }

// ServerURL returns the URL requests are resolved against,
// <base URL>/v1/<app id>/.
func (c *Client) ServerURL() string { return c.server }

// String describes the client without its secret key.
func (c *Client) String() string {
	return "talkjs.Client{appID: " + c.appID + ", server: " + c.server + "}"
}

// GoString is String, so that %#v does not print the secret key either.
func (c *Client) GoString() string { return c.String() }

// Format prints String whatever the verb (GoString for %#v), so that no
// verb reaches the fields.
func (c *Client) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, c.GoString())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue keeps the secret key out of slog output.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("appID", c.appID), slog.String("server", c.server))
}

// redirectPolicy returns the CheckRedirect of the client's *http.Client.
// It follows a redirect only for a GET or HEAD request and only to the same
// origin (scheme, host and port), so that a POST is never turned into a GET
// and the Authorization header never reaches another server; then, if the
// caller's own *http.Client had a CheckRedirect, that one decides. A redirect
// that is not followed is returned as an *Error with its 3xx status.
func redirectPolicy(user func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := via[0]
		if first.Method != http.MethodGet && first.Method != http.MethodHead {
			return http.ErrUseLastResponse
		}
		if !sameOrigin(first.URL, req.URL) {
			return http.ErrUseLastResponse
		}
		if user != nil {
			return user(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// sameOrigin reports whether a and b have the same scheme, host and port,
// the port made explicit.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) &&
		originPort(a) == originPort(b)
}

func originPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// clientTransport sends a request with an *http.Client, so that its
// timeout, jar and redirect policy apply.
type clientTransport struct{ hc *http.Client }

func (t clientTransport) RoundTrip(r *http.Request) (*http.Response, error) { return t.hc.Do(r) }

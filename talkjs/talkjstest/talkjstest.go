// Package talkjstest runs an in-memory TalkJS server inside a Go test, the
// way net/http/httptest runs an HTTP server:
//
//	func TestOrderChat(t *testing.T) {
//		srv := talkjstest.NewServer(t)
//		shop := NewShop(srv.Client) // the code under test, given a ready *talkjs.Client
//		…
//		conv, ok := srv.Conversation("order-42") // inspect what it stored, as talkjs types
//	}
//
// The server is package api's: it authenticates like TalkJS, rejects every
// request the OpenAPI specification does not allow, and keeps its data in
// memory. The test fails if the code under test sent a request that breaks
// the specification, or if the server answered something the specification
// does not describe; the server stops when the test ends.
//
// The server also sends TalkJS's webhook events for what changes, inside the
// process: WaitForEvent waits for one ("sending this message fires my bot"),
// Events lists them, and HandleWebhooks routes them, signed, to the handler
// under test (see package talkjs/webhook).
package talkjstest

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// Server is a TalkJS server on loopback for one test.
type Server struct {
	// URL is the host root, such as http://127.0.0.1:41234; the API is
	// under URL + "/v1/" + AppID. Give it to talkjs.WithBaseURL.
	URL string
	// AppID and Secret are the app id and secret key the server accepts.
	AppID  string
	Secret string
	// Client is a ready client for the server.
	Client *talkjs.Client
	// API is the server itself (package api), for what the methods of
	// Server do not cover; its accessors return the generated gen types.
	API *api.Server
	// HTTP is the underlying httptest server.
	HTTP *httptest.Server

	tb           testing.TB
	mu           sync.Mutex
	violations   []error
	badResponses []error
	allowInvalid bool

	events events // webhook events sent by the server (webhooks.go)
}

// An Option configures NewServer: WithServerOptions for the server,
// WithClientOptions for its ready Client.
type Option interface{ apply(*config) }

type config struct {
	server []api.Option
	client []talkjs.Option
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithServerOptions passes options to the server (see package api:
// WithAppID, WithSecret, WithClock, WithRateLimit, WithFaults…).
func WithServerOptions(opts ...api.Option) Option {
	return optionFunc(func(c *config) { c.server = append(c.server, opts...) })
}

// WithClientOptions passes options to Server.Client (talkjs.WithLogger,
// talkjs.WithMaxRetries…). They are applied after the base URL and the HTTP
// client of the test server, so WithHTTPClient and WithBaseURL replace them.
func WithClientOptions(opts ...talkjs.Option) Option {
	return optionFunc(func(c *config) { c.client = append(c.client, opts...) })
}

// NewServer starts a server for tb on 127.0.0.1 with the given options.
// Without api.WithAppID the app id is api.DefaultAppID; without
// api.WithSecret a random secret is made. The server is closed in
// tb.Cleanup, which then reports, with tb.Errorf, every request it received
// that broke the specification (see AllowInvalidRequests) and every answer
// that did.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	s := &Server{tb: tb}
	check := api.WithResponseValidation(func(err error) {
		s.mu.Lock()
		s.badResponses = append(s.badResponses, err)
		s.mu.Unlock()
	})
	keep := api.WithViolationReport(func(err error) {
		s.mu.Lock()
		s.violations = append(s.violations, err)
		s.mu.Unlock()
	})
	server := append([]api.Option{check, keep}, s.events.webhookOptions()...)
	s.API = api.NewServer(append(server, cfg.server...)...)
	s.events.init(s.API.Secret())
	s.HTTP = httptest.NewServer(s.API)
	s.URL, s.AppID, s.Secret = s.HTTP.URL, s.API.AppID(), s.API.Secret()
	tb.Cleanup(s.close(tb))
	clientOpts := append([]talkjs.Option{talkjs.WithBaseURL(s.URL), talkjs.WithHTTPClient(s.HTTP.Client())}, cfg.client...)
	c, err := talkjs.NewClient(s.AppID, s.Secret, clientOpts...)
	if err != nil {
		tb.Fatalf("talkjstest: client for the test server: %v", err)
	}
	s.Client = c
	return s
}

// User returns the user id as the server stores it, as the talkjs client
// would read it, and whether it exists.
func (s *Server) User(id string) (*talkjs.User, bool) {
	u, ok := s.API.User(id)
	if !ok {
		return nil, false
	}
	return convert[talkjs.User](s.tb, u), true
}

// Conversation returns the conversation id as the server stores it, and
// whether it exists.
func (s *Server) Conversation(id string) (*talkjs.Conversation, bool) {
	c, ok := s.API.Conversation(id)
	if !ok {
		return nil, false
	}
	return convert[talkjs.Conversation](s.tb, c), true
}

// Messages returns the messages of a conversation, oldest first (nil when
// the conversation does not exist).
func (s *Server) Messages(conversationID string) []talkjs.Message {
	msgs := s.API.Messages(conversationID)
	if msgs == nil {
		return nil
	}
	return *convert[[]talkjs.Message](s.tb, msgs)
}

// Counts returns how many users, conversations and messages the server holds.
func (s *Server) Counts() api.Counts { return s.API.Counts() }

// convert turns a value of package gen into its talkjs counterpart through
// their common JSON form, the API's own.
func convert[T any](tb testing.TB, v any) *T {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("talkjstest: encode %T: %v", v, err)
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		tb.Fatalf("talkjstest: decode %T as %T: %v", v, out, err)
	}
	return out
}

// AllowInvalidRequests keeps the test from failing on requests that break
// the specification, for a test that sends such requests on purpose to see
// how its code handles the 400 answer.
func (s *Server) AllowInvalidRequests() {
	s.mu.Lock()
	s.allowInvalid = true
	s.mu.Unlock()
}

func (s *Server) close(tb testing.TB) func() {
	return func() {
		s.API.CloseWebhooks()
		s.HTTP.Close()
		for _, err := range s.events.problems() {
			tb.Errorf("talkjstest: the server sent a webhook event that does not verify or parse (a bug in talkjs-go): %v", err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.allowInvalid {
			for _, v := range s.violations {
				tb.Errorf("talkjstest: the test sent a request the TalkJS API does not allow: %v", v)
			}
		}
		for _, err := range s.badResponses {
			tb.Errorf("talkjstest: the server answered outside the specification (a bug in talkjs-go): %v", err)
		}
	}
}

// String describes the server without its secret.
func (s *Server) String() string {
	return fmt.Sprintf("talkjstest.Server{URL: %s, AppID: %s}", s.URL, s.AppID)
}

// Format prints String whatever the verb, so that %#v, %x and the rest do not
// print the Secret field.
func (s *Server) Format(f fmt.State, verb rune) { _, _ = fmt.Fprint(f, s.String()) }

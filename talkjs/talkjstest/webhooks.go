package talkjstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

// Webhooks: every Server sends its webhook events (see package api,
// "Webhooks") to an endpoint inside the test process, which checks their
// signature, records them for Events and WaitForEvent, and hands them to the
// handler given to HandleWebhooks, if any. Nothing goes over the network.
// Endpoints a test adds with api.WithWebhook are served too (over the
// network); an api.WithWebhookClient of the test's own replaces the
// in-process one, and then Events and WaitForEvent see nothing.

// eventsURL is where the server sends events; the request never leaves the
// process (webhookTransport answers it).
const eventsURL = "http://talkjstest.invalid/events"

// maxEvents bounds the events a Server keeps for Events (the oldest go);
// WaitForEvent also sees every event that arrives while it waits.
const maxEvents = 10000

// events is the recording side of a Server.
type events struct {
	mu      sync.Mutex
	list    []webhook.Event
	seen    map[string]bool // event ids, so a retry is recorded once
	arrived chan struct{}   // closed and replaced on each new event
	bad     []error
	total   int // events ever recorded
	handler http.Handler
	secret  string
}

func (ev *events) init(secret string) {
	ev.secret = secret
	ev.seen = map[string]bool{}
	ev.arrived = make(chan struct{})
}

// webhookOptions are the server options that send every event to ev.
func (ev *events) webhookOptions() []api.Option {
	return []api.Option{
		api.WithWebhook(api.Webhook{URL: eventsURL}),
		api.WithWebhookClient(&http.Client{Transport: ev}),
		api.WithWebhookRetryDelay(0),
	}
}

// RoundTrip answers the server's deliveries to eventsURL in process, and
// sends those to other URLs (endpoints the test registered itself with
// api.WithWebhook) over the network.
func (ev *events) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.String() != eventsURL {
		return http.DefaultTransport.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	status := ev.record(r.Header, body)
	ev.mu.Lock()
	handler := ev.handler
	ev.mu.Unlock()
	if status == http.StatusOK && handler != nil {
		req := httptest.NewRequestWithContext(r.Context(), http.MethodPost, "/", bytes.NewReader(body))
		req.Header = r.Header.Clone()
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		status = w.Code
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: http.NoBody, Request: r,
	}, nil
}

// record checks and keeps one delivery, answering the status the recording
// endpoint gives it.
func (ev *events) record(h http.Header, body []byte) int {
	// The server's clock may be a test's fake one: the tolerance is off.
	err := webhook.Verify(ev.secret, h.Get(webhook.HeaderTimestamp), h.Get(webhook.HeaderSignature), body, webhook.WithTolerance(0))
	var e webhook.Event
	if err == nil {
		e, err = webhook.Parse(body)
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if err != nil {
		ev.bad = append(ev.bad, err)
		return http.StatusBadRequest
	}
	if ev.seen[e.EventID()] {
		return http.StatusOK
	}
	ev.seen[e.EventID()] = true
	if len(ev.list) >= maxEvents {
		ev.list = append(ev.list[:0:0], ev.list[maxEvents/2:]...) // drop the older half
	}
	ev.list = append(ev.list, e)
	ev.total++
	close(ev.arrived)
	ev.arrived = make(chan struct{})
	return http.StatusOK
}

func (ev *events) problems() []error {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return append([]error(nil), ev.bad...)
}

// HandleWebhooks has the server's webhook events delivered to h in process,
// signed with the server's secret as TalkJS signs them, so that h can be the
// handler under test, such as webhook.NewHandler(srv.Secret, yourBot). h's
// answer counts: anything but 200 makes the server send the event once
// more, as TalkJS does. Events already sent are not delivered again; nil
// stops the delivery to a handler (recording goes on).
func (s *Server) HandleWebhooks(h http.Handler) {
	s.events.mu.Lock()
	s.events.handler = h
	s.events.mu.Unlock()
}

// Events returns the webhook events the server has sent so far, oldest
// first (at most the last 10,000). Events are sent in the background just
// after the change that causes them: use WaitForEvent to wait for one, or
// API.FlushWebhooks to wait for all.
func (s *Server) Events() []webhook.Event {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	return append([]webhook.Event(nil), s.events.list...)
}

// WaitForEvent waits until the server has sent an event of type typ (any
// type when typ is "") for which match returns true (match nil takes any),
// and returns it; events sent before the call count too. It returns
// ctx.Err() when ctx ends first. The event is a value of package
// talkjs/webhook (*webhook.MessageSent…), as a receiver would parse it.
func (s *Server) WaitForEvent(ctx context.Context, typ string, match func(webhook.Event) bool) (webhook.Event, error) {
	next := 0 // events looked at, counted from the first ever recorded
	for {
		s.events.mu.Lock()
		list, arrived, total := s.events.list, s.events.arrived, s.events.total
		s.events.mu.Unlock()
		first := total - len(list) // the number of the oldest kept
		for _, e := range list[max(next, first)-first:] {
			if (typ == "" || e.EventType() == typ) && (match == nil || match(e)) {
				return e, nil
			}
		}
		next = total
		select {
		case <-arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("talkjstest: no %s event arrived: %w", orAny(typ), ctx.Err())
		}
	}
}

func orAny(typ string) string {
	if typ == "" {
		return "matching"
	}
	return "matching " + typ
}

package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Webhooks: the server POSTs TalkJS's webhook events to registered
// endpoints when its state changes, signed as TalkJS signs them. The event
// table (what emits what, with which data) is in the package documentation
// under "Webhooks"; this file holds the registry, the queues and the
// delivery, and the handlers call into it with one line each.

// The event types the server emits (TalkJS's REST reference "Webhooks").
const (
	EventUserCreated             = "user.created"
	EventUserUpdated             = "user.updated"
	EventMessageSent             = "message.sent"
	EventMessageRead             = "message.read"
	EventMessageUpdated          = "message.updated"
	EventMessageDeleted          = "message.deleted"
	EventConversationDeleted     = "conversation.deleted"
	EventNotificationTriggered   = "notification.triggered"
	EventNotificationSent        = "notification.sent"
	EventNotificationDelivered   = "notification.delivered"
	EventNotificationBounced     = "notification.bounced"
	EventNotificationOpened      = "notification.opened"
	EventNotificationLinkClicked = "notification.link.clicked"
)

// EventTypes lists every event type TalkJS documents.
func EventTypes() []string {
	return []string{
		EventUserCreated, EventUserUpdated, EventMessageSent, EventMessageRead,
		EventMessageUpdated, EventMessageDeleted, EventConversationDeleted,
		EventNotificationTriggered, EventNotificationSent, EventNotificationDelivered,
		EventNotificationBounced, EventNotificationOpened, EventNotificationLinkClicked,
	}
}

// Delivery settings. TalkJS waits 5 seconds for an answer and retries once
// "shortly after" an answer other than 200 [docs]; the retry delay and queue
// size are ours.
const (
	webhookTimeout           = 5 * time.Second
	DefaultWebhookRetryDelay = time.Second
	DefaultWebhookQueue      = 1024
	webhookLanes             = 4 // per endpoint; a conversation always uses the same lane
)

// Webhook is an endpoint the server sends events to.
type Webhook struct {
	// URL receives each event as a POST.
	URL string
	// Secret signs the events; empty means the server's secret key, which
	// is what TalkJS signs with.
	Secret string
	// Types are the event types to send; empty means all.
	Types []string
}

// String describes the endpoint without its secret.
func (w Webhook) String() string {
	return fmt.Sprintf("api.Webhook{URL: %s, Types: %v}", w.URL, w.Types)
}

// WithWebhook registers an endpoint; give it once per endpoint. Events are
// queued per endpoint (see WithWebhookQueue) and sent by background
// goroutines, so the API never waits for a receiver. Call CloseWebhooks
// when done with the server (talkjstest does).
func WithWebhook(w Webhook) Option {
	return func(s *Server) { s.hooks.endpoints = append(s.hooks.endpoints, &endpoint{Webhook: w}) }
}

// WithWebhookClient sets the HTTP client that delivers events (by default
// one that follows no redirects). Each attempt is bounded to 5 seconds by
// its context whatever the client's own timeout.
func WithWebhookClient(c *http.Client) Option { return func(s *Server) { s.hooks.client = c } }

// WithWebhookRetryDelay sets the wait before the one retry of an event that
// was not answered 200 (DefaultWebhookRetryDelay).
func WithWebhookRetryDelay(d time.Duration) Option {
	return func(s *Server) { s.hooks.retryDelay = d }
}

// WithWebhookQueue bounds the events waiting for each endpoint
// (DefaultWebhookQueue); an event that finds the queue full is dropped and
// counted in WebhookStats.Dropped.
func WithWebhookQueue(n int) Option { return func(s *Server) { s.hooks.queue = n } }

// WebhookStats counts deliveries over all endpoints.
type WebhookStats struct {
	// Delivered: answered 200, at the first attempt or the retry.
	Delivered int64
	// Retried: sent a second time after an answer other than 200 (or none).
	Retried int64
	// Failed: not answered 200 by the retry either.
	Failed int64
	// Dropped: never sent, because the endpoint's queue was full or the
	// webhooks were closed first.
	Dropped int64
}

func (st WebhookStats) String() string {
	return fmt.Sprintf("%d delivered, %d retried, %d failed, %d dropped", st.Delivered, st.Retried, st.Failed, st.Dropped)
}

type endpoint struct {
	Webhook
	secret []byte
	types  map[string]bool // nil: all
	lanes  []chan delivery
}

func (e *endpoint) wants(typ string) bool { return e.types == nil || e.types[typ] }

// wants reports whether any endpoint takes typ.
func (h *hooks) wants(typ string) bool {
	for _, e := range h.endpoints {
		if e.wants(typ) {
			return true
		}
	}
	return false
}

type delivery struct {
	id   string
	body []byte
}

type hooks struct {
	endpoints  []*endpoint
	client     *http.Client
	retryDelay time.Duration
	queue      int
	seed       maphash.Seed
	now        func() time.Time
	ctx        context.Context // cancelled by CloseWebhooks
	cancel     context.CancelFunc

	delivered, retried, failed, dropped atomic.Int64

	mu      sync.Mutex
	pending int             // queued or being delivered
	idle    []chan struct{} // closed when pending reaches 0
	closed  bool
	stop    chan struct{}
	workers sync.WaitGroup
}

func (h *hooks) init(defaultSecret string, now func() time.Time) {
	h.now = now
	if len(h.endpoints) == 0 {
		return
	}
	if h.client == nil {
		h.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if h.queue <= 0 {
		h.queue = DefaultWebhookQueue
	}
	if h.retryDelay < 0 {
		h.retryDelay = 0
	}
	h.seed = maphash.MakeSeed()
	h.stop = make(chan struct{})
	h.ctx, h.cancel = context.WithCancel(context.Background())
	perLane := (h.queue + webhookLanes - 1) / webhookLanes
	for _, e := range h.endpoints {
		e.secret = []byte(e.Webhook.Secret)
		if len(e.secret) == 0 {
			e.secret = []byte(defaultSecret)
		}
		if len(e.Types) > 0 {
			e.types = map[string]bool{}
			for _, t := range e.Types {
				e.types[t] = true
			}
		}
		e.lanes = make([]chan delivery, webhookLanes)
		for i := range e.lanes {
			e.lanes[i] = make(chan delivery, perLane)
			h.workers.Add(1)
			go h.work(e, e.lanes[i])
		}
	}
}

// ValidateWebhook says what is wrong with an endpoint, or nil: the URL must
// be absolute http or https, and each type one TalkJS documents.
func ValidateWebhook(w Webhook) error {
	if !strings.HasPrefix(w.URL, "http://") && !strings.HasPrefix(w.URL, "https://") {
		return fmt.Errorf("webhook URL %q: want an absolute http:// or https:// URL", w.URL)
	}
	known := map[string]bool{}
	for _, t := range EventTypes() {
		known[t] = true
	}
	for _, t := range w.Types {
		if !known[t] {
			return fmt.Errorf("webhook event type %q: want one of %s", t, strings.Join(EventTypes(), ", "))
		}
	}
	return nil
}

// room reports whether some endpoint wants typ and has room in the lane of
// key, so that nothing is rendered for events nobody would receive. When
// every wanting endpoint is full, the drops are counted here.
func (h *hooks) room(typ, key string) bool {
	if len(h.endpoints) == 0 {
		return false
	}
	lane := h.lane(key)
	full := 0
	wanted := false
	for _, e := range h.endpoints {
		if !e.wants(typ) {
			continue
		}
		wanted = true
		if len(e.lanes[lane]) == cap(e.lanes[lane]) {
			full++
		} else {
			return true
		}
	}
	if wanted {
		h.dropped.Add(int64(full))
	}
	return false
}

func (h *hooks) lane(key string) int {
	return int(maphash.String(h.seed, key) % webhookLanes)
}

// enqueue queues body for every endpoint that wants typ, never blocking.
// Callers hold the store lock, so events of one key are queued in the
// order their changes happened, and each lane is sent in order.
func (h *hooks) enqueue(typ, key, id string, body []byte) {
	lane := h.lane(key)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.endpoints {
		if !e.wants(typ) {
			continue
		}
		if h.closed {
			h.dropped.Add(1)
			continue
		}
		select {
		case e.lanes[lane] <- delivery{id: id, body: body}:
			h.pending++
		default:
			h.dropped.Add(1)
		}
	}
}

func (h *hooks) done() {
	h.mu.Lock()
	h.pending--
	if h.pending == 0 {
		for _, ch := range h.idle {
			close(ch)
		}
		h.idle = nil
	}
	h.mu.Unlock()
}

func (h *hooks) work(e *endpoint, lane chan delivery) {
	defer h.workers.Done()
	for {
		select {
		case <-h.stop:
			return
		case d := <-lane:
			h.deliver(e, d)
			h.done()
		}
	}
}

// deliver sends d, and once more after the retry delay unless the first
// attempt was answered 200.
func (h *hooks) deliver(e *endpoint, d delivery) {
	if h.attempt(e, d) {
		h.delivered.Add(1)
		return
	}
	h.retried.Add(1)
	if h.retryDelay > 0 {
		t := time.NewTimer(h.retryDelay)
		select {
		case <-h.stop:
			t.Stop()
			h.failed.Add(1)
			return
		case <-t.C:
		}
	}
	if h.attempt(e, d) {
		h.delivered.Add(1)
	} else {
		h.failed.Add(1)
	}
}

// attempt POSTs the event once, signed at the time of sending, and reports
// whether it was answered 200.
func (h *hooks) attempt(e *endpoint, d delivery) bool {
	ctx, cancel := context.WithTimeout(h.ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(d.body))
	if err != nil {
		return false
	}
	ts := strconv.FormatInt(h.now().UnixMilli(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "talkjs-go-server")
	req.Header.Set("X-TalkJS-Timestamp", ts)
	req.Header.Set("X-TalkJS-Signature", signWebhook(e.secret, ts, d.body))
	resp, err := h.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// signWebhook is TalkJS's signature: upper-case hex HMAC-SHA256 of
// timestamp "." body, keyed with the secret [docs]. It is written here
// rather than taken from talkjs/webhook so that the receiver's tests check
// it against an implementation of its own.
func signWebhook(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// WebhookStats answers the delivery counts so far.
func (s *Server) WebhookStats() WebhookStats {
	h := &s.hooks
	return WebhookStats{Delivered: h.delivered.Load(), Retried: h.retried.Load(), Failed: h.failed.Load(), Dropped: h.dropped.Load()}
}

// FlushWebhooks waits until every event queued so far has been delivered or
// given up on, or until ctx is done (then it returns ctx.Err()).
func (s *Server) FlushWebhooks(ctx context.Context) error {
	h := &s.hooks
	h.mu.Lock()
	if h.pending == 0 || h.closed {
		h.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	h.idle = append(h.idle, ch)
	h.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CloseWebhooks stops delivery: attempts under way are cancelled, events
// still queued are dropped (and counted), and later events are dropped. It
// returns once the delivery goroutines have stopped. Call FlushWebhooks
// first to let the queues empty.
func (s *Server) CloseWebhooks() {
	h := &s.hooks
	h.mu.Lock()
	if h.closed || h.stop == nil {
		h.closed = true
		h.mu.Unlock()
		return
	}
	h.closed = true
	close(h.stop)
	h.cancel()
	h.mu.Unlock()
	h.workers.Wait()
	h.mu.Lock()
	for _, e := range h.endpoints {
		for _, lane := range e.lanes {
			for n := len(lane); n > 0; n-- {
				<-lane
				h.dropped.Add(1)
				h.pending--
			}
		}
	}
	for _, ch := range h.idle {
		close(ch)
	}
	h.idle = nil
	h.mu.Unlock()
}

// The payloads. Each is rendered by the same functions as the REST answers,
// under the store lock, at the moment of the change.

type eventJSON struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	CreatedAt int64  `json:"createdAt"`
	Data      any    `json:"data"`
}

// emit queues an event whose data build renders; key orders it (events of
// one key reach each endpoint in order). Callers hold the write lock.
func (s *Server) emit(typ, key string, build func() any) {
	if !s.hooks.room(typ, key) {
		return
	}
	ev := eventJSON{ID: s.st.newID("evt_", 20), Type: typ, CreatedAt: s.nowMs(), Data: build()}
	s.hooks.enqueue(typ, key, ev.ID, marshal(ev))
}

func (s *Server) renderUserByID(id string) *userJSON {
	if u := s.st.users[id]; u != nil {
		out := renderUser(u)
		return &out
	}
	return nil
}

// emitUserUpsert sends user.created or user.updated for user id after an
// upsert; created says whether the user was new. Every upsert of an
// existing user counts as an update, changed or not (ours).
func (s *Server) emitUserUpsert(created bool, id string) {
	typ := EventUserUpdated
	if created {
		typ = EventUserCreated
	}
	s.emit(typ, "user\x00"+id, func() any {
		return struct {
			User *userJSON `json:"user"`
		}{s.renderUserByID(id)}
	})
}

type messageEventJSON struct {
	Message      *messageJSON     `json:"message"`
	Conversation conversationJSON `json:"conversation"`
	Sender       *userJSON        `json:"sender"`
	Recipient    *userJSON        `json:"recipient,omitempty"`
}

// emitMessage sends message.sent, message.updated or message.deleted for m
// of c: the message, the conversation, and the sender as a user (null for a
// SystemMessage).
func (s *Server) emitMessage(typ string, c *conversation, m *message, r *http.Request) {
	s.emit(typ, c.id, func() any {
		base := baseURL(r)
		return messageEventJSON{Message: renderMessage(c, m, base), Conversation: renderConversation(c, base), Sender: s.renderUserByID(m.sender)}
	})
}

// emitReads sends message.read for each message that userID's read marker
// now covers and that no message.read was sent for yet: never for the
// user's own messages or for messages imported as read by them, at most
// once per message and participant (the participant's reported mark only
// moves forward), and only in conversations of at most 300 participants
// [docs]. Events go oldest message first.
func (s *Server) emitReads(c *conversation, userID string, r *http.Request) {
	p := c.participants[userID]
	if p == nil || !p.hasRead || len(c.participants) > maxReadByParticipants || !s.hooks.wants(EventMessageRead) {
		return
	}
	rep := &p.reported
	if rep.set && (p.readTs < rep.ts || (p.readTs == rep.ts && p.readSeq <= rep.seq)) {
		return // the marker is not past what was reported
	}
	first := len(c.msgs)
	for first > 0 {
		m := c.msgs[first-1]
		if rep.set && (m.createdAt < rep.ts || (m.createdAt == rep.ts && m.seq <= rep.seq)) {
			break
		}
		first--
	}
	for _, m := range c.msgs[first:] {
		if !p.covers(m) {
			break
		}
		if isUnreadFor(m, userID) {
			s.emit(EventMessageRead, c.id, func() any {
				base := baseURL(r)
				return messageEventJSON{Message: renderMessage(c, m, base), Conversation: renderConversation(c, base),
					Sender: s.renderUserByID(m.sender), Recipient: s.renderUserByID(userID)}
			})
		}
	}
	*rep = readMark{set: true, ts: p.readTs, seq: p.readSeq}
}

// readMark is how far message.read events were sent for a participant.
type readMark struct {
	set bool
	ts  int64
	seq uint64
}

// emitConversationDeleted sends conversation.deleted with c as it was.
func (s *Server) emitConversationDeleted(c *conversation, r *http.Request) {
	s.emit(EventConversationDeleted, c.id, func() any {
		return struct {
			Conversation conversationJSON `json:"conversation"`
		}{renderConversation(c, baseURL(r))}
	})
}

// NotificationEvent describes a notification.* event for
// TriggerNotification.
type NotificationEvent struct {
	// Type is one of the notification.* event types.
	Type string
	// ConversationID and UserID name the conversation and the participant
	// notified.
	ConversationID, UserID string
	// ID names the notification across its events; empty makes a new one
	// (give the notificationId of the notification.triggered event to the
	// later events of the same notification).
	ID string
	// Channel is "email" or "sms", for notification.sent and later events
	// (default "email").
	Channel string
	// URL is the link clicked, for notification.link.clicked.
	URL string
}

// ErrNotification is matched (errors.Is) by TriggerNotification's errors.
var ErrNotification = errors.New("api: cannot trigger the notification")

// TriggerNotification emits a notification.* event. The server sends no
// e-mail, SMS or push and never decides on its own that a notification is
// due, so these events come only from this call and, for
// notification.triggered, from POST /conversations/{id}/notifications. The
// data holds the recipient, the conversation, the recipient's unread
// messages (oldest first, at most 10), the sender of the last of them, the
// notification id, and Channel and URL when given. The participant's notify
// setting and presence are not consulted: the caller decides. It answers
// the notification id.
func (s *Server) TriggerNotification(n NotificationEvent) (string, error) {
	if !strings.HasPrefix(n.Type, "notification.") || !isEventType(n.Type) {
		return "", fmt.Errorf("%w: %q is not a notification.* event type", ErrNotification, n.Type)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.convs[n.ConversationID]
	if c == nil {
		return "", fmt.Errorf("%w: no conversation with id %q", ErrNotification, n.ConversationID)
	}
	if c.participants[n.UserID] == nil {
		return "", fmt.Errorf("%w: user %q is not a participant of conversation %q", ErrNotification, n.UserID, n.ConversationID)
	}
	return s.emitNotification(c, n), nil
}

// emitNotificationRequest sends notification.triggered to each recipient of
// a POST /conversations/{id}/notifications (ours: TalkJS documents the
// request and the event, not that one causes the other).
func (s *Server) emitNotificationRequest(c *conversation, recipients []string) {
	for _, id := range recipients {
		s.emitNotification(c, NotificationEvent{Type: EventNotificationTriggered, ConversationID: c.id, UserID: id})
	}
}

// emitNotification queues the event n for a participant of c and answers
// its notification id. Callers hold the write lock.
func (s *Server) emitNotification(c *conversation, n NotificationEvent) string {
	p := c.participants[n.UserID]
	if p == nil {
		return ""
	}
	if n.ID == "" {
		n.ID = s.st.newID("ntf_", 20)
	}
	if n.Type != EventNotificationTriggered && n.Channel == "" {
		n.Channel = "email"
	}
	if n.Type != EventNotificationLinkClicked {
		n.URL = ""
	}
	s.emit(n.Type, c.id, func() any {
		var unread []*message
		for i := len(c.msgs) - 1; i >= 0 && len(unread) < 10; i-- {
			m := c.msgs[i]
			if p.covers(m) {
				break
			}
			if isUnreadFor(m, n.UserID) {
				unread = append(unread, m)
			}
		}
		msgs := make([]*messageJSON, len(unread))
		for i, m := range unread {
			msgs[len(unread)-1-i] = renderMessage(c, m, "")
		}
		var sender *userJSON
		if len(unread) > 0 {
			sender = s.renderUserByID(unread[0].sender)
		}
		return struct {
			Recipient      *userJSON        `json:"recipient"`
			Sender         *userJSON        `json:"sender"`
			Conversation   conversationJSON `json:"conversation"`
			Messages       []*messageJSON   `json:"messages"`
			NotificationID string           `json:"notificationId"`
			Channel        string           `json:"channel,omitempty"`
			URL            string           `json:"url,omitempty"`
		}{s.renderUserByID(n.UserID), sender, renderConversation(c, ""), msgs, n.ID, n.Channel, n.URL}
	})
	return n.ID
}

func isEventType(t string) bool {
	for _, k := range EventTypes() {
		if k == t {
			return true
		}
	}
	return false
}

package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

// receiver is a webhook endpoint that checks each event's signature with
// package talkjs/webhook (an implementation separate from the server's)
// and records what arrives.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	events   []webhook.Event
	attempts int
	refused  []error
	taken    int
	answer   func(attempt int) int // status for the n-th request (from 1); nil: 200
}

func newReceiver(t *testing.T, clock func() time.Time) *receiver {
	rc := &receiver{}
	h := webhook.NewHandler(testSecret, func(ctx context.Context, ev webhook.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.events = append(rc.events, ev)
		return nil
	}, webhook.WithClock(clock), webhook.WithErrorHandler(func(err error) {
		rc.mu.Lock()
		rc.refused = append(rc.refused, err)
		rc.mu.Unlock()
	}))
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.attempts++
		n, answer := rc.attempts, rc.answer
		rc.mu.Unlock()
		if answer != nil {
			if code := answer(n); code != 200 {
				w.WriteHeader(code)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		rc.Close()
		for _, err := range rc.refused {
			t.Errorf("the receiver refused an event: %v", err)
		}
	})
	return rc
}

// take answers the events received since the last take.
func (rc *receiver) take() []webhook.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.events[rc.taken:]
	rc.taken = len(rc.events)
	return out
}

// webhookEnv is an env whose server sends every event to a receiver.
func webhookEnv(t *testing.T, opts ...api.Option) (*env, *receiver) {
	t.Helper()
	var e *env
	rc := newReceiver(t, func() time.Time { return e.clock.Now() }) // the server's clock
	e = newEnv(t, append([]api.Option{api.WithWebhook(api.Webhook{URL: rc.URL}), api.WithWebhookRetryDelay(0)}, opts...)...)
	t.Cleanup(e.srv.CloseWebhooks)
	return e, rc
}

// flush waits until the server has delivered everything queued.
func (e *env) flush() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.srv.FlushWebhooks(ctx); err != nil {
		e.t.Fatalf("FlushWebhooks: %v", err)
	}
}

// summary is "type subject", the subject naming what the event is about.
func summary(ev webhook.Event) string {
	switch ev := ev.(type) {
	case *webhook.UserCreated:
		return ev.Type + " " + ev.Data.User.ID
	case *webhook.UserUpdated:
		return ev.Type + " " + ev.Data.User.ID
	case *webhook.MessageSent:
		return fmt.Sprintf("%s %s/%s by %q", ev.Type, ev.Data.Conversation.ID, ev.Data.Message.Text, senderOf(ev.Data.Sender))
	case *webhook.MessageUpdated:
		return fmt.Sprintf("%s %s/%s", ev.Type, ev.Data.Conversation.ID, ev.Data.Message.Text)
	case *webhook.MessageDeleted:
		return fmt.Sprintf("%s %s/%s", ev.Type, ev.Data.Conversation.ID, ev.Data.Message.Text)
	case *webhook.MessageRead:
		return fmt.Sprintf("%s %s/%s for %s", ev.Type, ev.Data.Conversation.ID, ev.Data.Message.Text, ev.Data.Recipient.ID)
	case *webhook.ConversationDeleted:
		return ev.Type + " " + ev.Data.Conversation.ID
	case *webhook.NotificationTriggered:
		texts := []string{}
		for _, m := range ev.Data.Messages {
			texts = append(texts, m.Text)
		}
		return fmt.Sprintf("%s %s for %s: %s", ev.Type, ev.Data.Conversation.ID, ev.Data.Recipient.ID, strings.Join(texts, ","))
	}
	return ev.EventType() + " ?"
}

func senderOf(u *webhook.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}

func summaries(evs []webhook.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = summary(ev)
	}
	return out
}

// TestEveryDocumentedActionEmitsOneEvent walks through the REST actions in
// order; after each, the receiver must have got exactly the events listed.
func TestEveryDocumentedActionEmitsOneEvent(t *testing.T) {
	e, rc := webhookEnv(t)
	var msgIDs []string
	steps := []struct {
		name     string
		do       func()
		want     []string
		anyOrder bool // events of different users may arrive in any order
	}{
		{"create a user", func() { must(t, e.raw("PUT", "/users/alice", `{"name":"Alice","role":"customer"}`), 200) },
			[]string{"user.created alice"}, false},
		{"update a user", func() { must(t, e.raw("PUT", "/users/alice", `{"email":["a@example.com"]}`), 200) },
			[]string{"user.updated alice"}, false},
		{"batch upsert of users", func() {
			must(t, e.raw("PUT", "/users", `{"bob":{"name":"Bob"},"carol":{"name":"Carol"},"alice":{"locale":"nl"}}`), 200)
		}, []string{"user.created bob", "user.created carol", "user.updated alice"}, true},
		{"create a conversation: TalkJS documents no event", func() {
			must(t, e.raw("PUT", "/conversations/c1", `{"participants":["alice","bob"]}`), 200)
		}, nil, false},
		{"join: no event", func() { must(t, e.raw("PUT", "/conversations/c1/participants/carol", ""), 200) }, nil, false},
		{"send a user message", func() { msgIDs = append(msgIDs, e.send("c1", userMsg("alice", "hi"))...) },
			[]string{`message.sent c1/hi by "alice"`}, false},
		{"send a system message", func() { msgIDs = append(msgIDs, e.send("c1", systemMsg("welcome"))...) },
			[]string{`message.sent c1/welcome by ""`}, false},
		{"bob marks the conversation read", func() { must(t, e.raw("POST", "/conversations/c1/readBy/bob", ""), 200) },
			[]string{"message.read c1/hi for bob", "message.read c1/welcome for bob"}, false},
		{"bob marks it read again: at most once per participant", func() {
			must(t, e.raw("POST", "/conversations/c1/readBy/bob", ""), 200)
		}, nil, false},
		{"bob's marker back and forward again: still at most once", func() {
			must(t, e.raw("PATCH", "/users/bob/conversations/c1", `{"readUntil":1}`), 200)
			must(t, e.raw("PATCH", "/users/bob/conversations/c1", `{"readUntil":"sent"}`), 200)
		}, nil, false},
		{"bob sends: reading his own message is no event", func() { msgIDs = append(msgIDs, e.send("c1", userMsg("bob", "yo"))...) },
			[]string{`message.sent c1/yo by "bob"`}, false},
		{"alice reads up to now", func() {
			e.clock.Advance(time.Second)
			must(t, e.raw("PATCH", "/users/alice/conversations/c1", `{"readUntil":"sent"}`), 200)
		}, []string{"message.read c1/welcome for alice", "message.read c1/yo for alice"}, false},
		{"carol sends: she has now read what came before", func() { msgIDs = append(msgIDs, e.send("c1", userMsg("carol", "hey"))...) },
			[]string{`message.sent c1/hey by "carol"`, "message.read c1/hi for carol", "message.read c1/welcome for carol", "message.read c1/yo for carol"}, false},
		{"edit", func() { must(t, e.raw("PUT", "/conversations/c1/messages/"+msgIDs[0], `{"text":"hi!"}`), 200) },
			[]string{"message.updated c1/hi!"}, false},
		{"react: TalkJS documents no event", func() {
			must(t, e.raw("PUT", "/conversations/c1/messages/"+msgIDs[0]+"/reactions/%F0%9F%91%8D/bob", ""), 200)
		}, nil, false},
		{"delete a message", func() { must(t, e.raw("DELETE", "/conversations/c1/messages/"+msgIDs[1], ""), 200) },
			[]string{"message.deleted c1/welcome"}, false},
		{"batch: the operations emit as alone", func() {
			must(t, e.raw("POST", "/batch", `[[1,"POST","/conversations/c1/messages",[{"type":"UserMessage","sender":"alice","text":"in a batch"}]]]`), 200)
		}, []string{`message.sent c1/in a batch by "alice"`, "message.read c1/hey for alice"}, false},
		{"import emits nothing", func() {
			must(t, e.raw("POST", "/import/conversations/c1/messages", `[{"sender":"bob","type":"UserMessage","text":"old","timestamp":1000}]`), 200)
		}, nil, false},
		{"leave: no event", func() { must(t, e.raw("DELETE", "/conversations/c1/participants/carol", ""), 200) }, nil, false},
		{"delete all messages emits nothing", func() { must(t, e.raw("DELETE", "/conversations/c1/messages", ""), 200) }, nil, false},
		{"notification by explicit trigger", func() {
			e.send("c1", userMsg("alice", "are you there?"))
			rc.take()
			e.flush()
			rc.take()
			if _, err := e.srv.TriggerNotification(api.NotificationEvent{Type: api.EventNotificationTriggered, ConversationID: "c1", UserID: "bob"}); err != nil {
				t.Fatal(err)
			}
		}, []string{"notification.triggered c1 for bob: are you there?"}, false},
		{"a notification request triggers one per recipient", func() {
			must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":["email"],"recipients":["bob"]}`), 200)
		}, []string{"notification.triggered c1 for bob: are you there?"}, false},
		{"delete the conversation", func() { must(t, e.raw("DELETE", "/conversations/c1", ""), 200) },
			[]string{"conversation.deleted c1"}, false},
	}
	for _, st := range steps {
		st.do()
		e.flush()
		got := summaries(rc.take())
		want := st.want
		if st.anyOrder {
			slices.Sort(got)
			want = slices.Clone(want)
			slices.Sort(want)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: events\n  %q\nwant\n  %q", st.name, got, want)
		}
	}
	if s := e.srv.WebhookStats(); s.Retried != 0 || s.Failed != 0 || s.Dropped != 0 {
		t.Errorf("WebhookStats = %v, want no retries, failures or drops", s)
	}
}

// TestWebhookPayloadIsTheRESTRendering compares message.sent's message and
// conversation with what GET answers right after.
func TestWebhookPayloadIsTheRESTRendering(t *testing.T) {
	e, rc := webhookEnv(t)
	e.conv("c1", "alice", "bob")
	e.flush()
	rc.take()
	id := e.send("c1", userMsg("alice", "hello"))[0]
	getMsg := e.raw("GET", "/conversations/c1/messages/"+id, "").body
	getConv := e.raw("GET", "/conversations/c1", "").body
	getUser := e.raw("GET", "/users/alice", "").body
	e.flush()
	evs := rc.take()
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
	if c := evs[0].(*webhook.MessageSent).Data.Message.Content; !strings.Contains(string(c), "hello") {
		t.Errorf("webhook.Message.Content = %s, want the content blocks with the text", c)
	}
	var body struct {
		ID        string
		Type      string
		CreatedAt int64
		Data      struct{ Message, Conversation, Sender json.RawMessage }
	}
	if err := json.Unmarshal(evs[0].Raw(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "message.sent" || !strings.HasPrefix(body.ID, "evt_") || body.CreatedAt != t0.UnixMilli() {
		t.Errorf("envelope = %+v, want message.sent, an evt_ id, createdAt %d", body, t0.UnixMilli())
	}
	for name, pair := range map[string][2][]byte{
		"message": {body.Data.Message, getMsg}, "conversation": {body.Data.Conversation, getConv}, "sender": {body.Data.Sender, getUser},
	} {
		if !sameJSON(t, pair[0], pair[1]) {
			t.Errorf("data.%s = %s\nwant GET's %s", name, pair[0], pair[1])
		}
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

func TestMessageReadOnlyUpTo300Participants(t *testing.T) {
	for _, n := range []int{300, 301} {
		t.Run(fmt.Sprint(n, " participants"), func(t *testing.T) {
			e, rc := webhookEnv(t, api.WithWebhookQueue(4096))
			var ids []string
			for i := range n {
				ids = append(ids, fmt.Sprintf("u%03d", i))
			}
			for i := 0; i < n; i += 100 {
				var users []string
				for _, id := range ids[i:min(i+100, n)] {
					users = append(users, fmt.Sprintf("%q:{\"name\":\"U\"}", id))
				}
				must(t, e.raw("PUT", "/users", "{"+strings.Join(users, ",")+"}"), 200)
			}
			list, _ := json.Marshal(ids)
			must(t, e.raw("PUT", "/conversations/big", `{"participants":`+string(list)+`}`), 200)
			e.send("big", userMsg("u000", "hello all"))
			e.flush()
			rc.take()
			must(t, e.raw("POST", "/conversations/big/readBy/u001", ""), 200)
			e.flush()
			got := summaries(rc.take())
			var want []string
			if n <= 300 {
				want = []string{"message.read big/hello all for u001"}
			}
			if !slices.Equal(got, want) {
				t.Errorf("events %q, want %q", got, want)
			}
		})
	}
}

func TestWebhookRetriesOnceAfterNon200(t *testing.T) {
	tests := []struct {
		name     string
		answer   func(n int) int
		attempts int
		events   int
		want     api.WebhookStats
	}{
		{"500 once, then 200", func(n int) int { return map[bool]int{true: 500, false: 200}[n == 1] }, 2, 1, api.WebhookStats{Delivered: 1, Retried: 1}},
		{"always 500", func(int) int { return 500 }, 2, 0, api.WebhookStats{Retried: 1, Failed: 1}},
		{"201 is not 200", func(n int) int { return map[bool]int{true: 201, false: 200}[n == 1] }, 2, 1, api.WebhookStats{Delivered: 1, Retried: 1}},
		{"200 at once", nil, 1, 1, api.WebhookStats{Delivered: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: t0}
			rc := newReceiver(t, clock.Now)
			rc.answer = tc.answer
			srv := api.NewServer(api.WithSecret(testSecret), api.WithClock(clock.Now), api.WithWebhookRetryDelay(0),
				api.WithWebhook(api.Webhook{URL: rc.URL, Types: []string{api.EventUserCreated}}))
			t.Cleanup(srv.CloseWebhooks)
			hs := httptest.NewServer(srv)
			defer hs.Close()
			req, _ := http.NewRequest("PUT", hs.URL+"/v1/"+api.DefaultAppID+"/users/alice", strings.NewReader(`{"name":"A"}`))
			req.Header.Set("Authorization", "Bearer "+testSecret)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hs.Client().Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("PUT user: %v %v", resp, err)
			}
			resp.Body.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := srv.FlushWebhooks(ctx); err != nil {
				t.Fatal(err)
			}
			rc.mu.Lock()
			attempts := rc.attempts
			rc.mu.Unlock()
			if attempts != tc.attempts {
				t.Errorf("the receiver got %d requests, want %d", attempts, tc.attempts)
			}
			if n := len(rc.take()); n != tc.events {
				t.Errorf("the receiver accepted %d events, want %d", n, tc.events)
			}
			if got := srv.WebhookStats(); got != tc.want {
				t.Errorf("WebhookStats = %v, want %v", got, tc.want)
			}
		})
	}
}

// stuckReceiver answers nothing until release is closed or the sender hangs
// up.
func stuckReceiver(release chan struct{}) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices a hang-up
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
}

// TestStuckReceiverNeverBlocksTheAPI: a receiver that does not answer holds
// its delivery goroutines; the API keeps answering and the events beyond
// the queue are dropped and counted.
func TestStuckReceiverNeverBlocksTheAPI(t *testing.T) {
	release := make(chan struct{})
	stuck := stuckReceiver(release)
	defer stuck.Close()
	e := newEnv(t, api.WithWebhook(api.Webhook{URL: stuck.URL, Types: []string{api.EventMessageSent}}), api.WithWebhookQueue(4))
	t.Cleanup(e.srv.CloseWebhooks)
	e.conv("c1", "alice")
	const sends = 50
	for i := range sends {
		e.send("c1", userMsg("alice", fmt.Sprint(i))) // would hang here if delivery blocked the API
	}
	// One lane of one endpoint holds one queued event, and one more is in
	// the hands of the stuck delivery; the others were dropped, or (had the
	// sends outlasted the 5-second timeout) failed.
	if s := e.srv.WebhookStats(); s.Delivered != 0 || s.Dropped+s.Failed < sends-2 {
		t.Errorf("WebhookStats = %v, want none delivered and at least %d dropped or failed", s, sends-2)
	}
	close(release)
	e.flush()
	s := e.srv.WebhookStats()
	if s.Delivered+s.Failed+s.Dropped != sends {
		t.Errorf("WebhookStats = %v: delivered, failed and dropped should add up to the %d events", s, sends)
	}
}

// TestEventsOfAConversationArriveInOrder sends from several goroutines into
// several conversations; each conversation's events must arrive in the order
// the server stored its messages.
func TestEventsOfAConversationArriveInOrder(t *testing.T) {
	e, rc := webhookEnv(t, api.WithWebhookQueue(4096))
	convs := []string{"c0", "c1", "c2", "c3", "c4", "c5"}
	for _, c := range convs {
		e.conv(c, "alice")
	}
	e.flush()
	rc.take()
	var wg sync.WaitGroup
	for _, c := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				e.send(c, userMsg("alice", fmt.Sprint(i)))
			}
		}()
	}
	wg.Wait()
	e.flush()
	got := map[string][]string{}
	for _, ev := range rc.take() {
		ms := ev.(*webhook.MessageSent)
		got[ms.Data.Conversation.ID] = append(got[ms.Data.Conversation.ID], ms.Data.Message.ID)
	}
	for _, c := range convs {
		var stored []string
		for _, m := range e.srv.Messages(c) {
			stored = append(stored, *m.Id)
		}
		if !slices.Equal(got[c], stored) {
			t.Errorf("message.sent events of %s = %v, want the stored order %v", c, got[c], stored)
		}
	}
}

func TestWebhookTypesFilterAndValidation(t *testing.T) {
	e, _ := webhookEnv(t)
	e.conv("c1", "alice")
	if err := api.ValidateWebhook(api.Webhook{URL: "example.com/hook"}); err == nil {
		t.Error("ValidateWebhook(URL without scheme) = nil, want an error")
	}
	if err := api.ValidateWebhook(api.Webhook{URL: "https://example.com/hook", Types: []string{"message.snet"}}); err == nil {
		t.Error("ValidateWebhook(misspelt type) = nil, want an error")
	}
	if err := api.ValidateWebhook(api.Webhook{URL: "https://example.com/hook", Types: api.EventTypes()}); err != nil {
		t.Errorf("ValidateWebhook(every type) = %v, want nil", err)
	}
	if s := fmt.Sprint(api.Webhook{URL: "http://x", Secret: "sk_hidden"}); strings.Contains(s, "sk_hidden") {
		t.Errorf("fmt.Sprint(Webhook) = %q shows the secret", s)
	}
	_, err := e.srv.TriggerNotification(api.NotificationEvent{Type: "message.sent", ConversationID: "c1", UserID: "alice"})
	if !errors.Is(err, api.ErrNotification) {
		t.Errorf("TriggerNotification(message.sent) = %v, want ErrNotification", err)
	}
	_, err = e.srv.TriggerNotification(api.NotificationEvent{Type: api.EventNotificationSent, ConversationID: "c1", UserID: "zed"})
	if !errors.Is(err, api.ErrNotification) {
		t.Errorf("TriggerNotification(no such participant) = %v, want ErrNotification", err)
	}
}

func TestCloseWebhooksDropsWhatIsQueued(t *testing.T) {
	release := make(chan struct{})
	stuck := stuckReceiver(release)
	defer stuck.Close()
	defer close(release) // before stuck.Close, which waits for its handlers
	e := newEnv(t, api.WithWebhook(api.Webhook{URL: stuck.URL}))
	e.conv("c1", "alice") // user.created: one event, held by the stuck receiver
	e.srv.CloseWebhooks()
	e.user("bob") // after closing: dropped
	s := e.srv.WebhookStats()
	if s.Delivered != 0 || s.Dropped+s.Failed != 2 {
		t.Errorf("WebhookStats = %v, want the 2 events failed or dropped", s)
	}
	if err := e.srv.FlushWebhooks(context.Background()); err != nil {
		t.Errorf("FlushWebhooks after CloseWebhooks = %v, want nil at once", err)
	}
}

package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"
)

// SignRequest sets X-TalkJS-Timestamp (at, in Unix milliseconds) and
// X-TalkJS-Signature on r for body, as TalkJS does, and sets r's
// Content-Type to JSON. Use it to test your own handler.
func SignRequest(r *http.Request, secret string, body []byte, at time.Time) {
	ts := Timestamp(at)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignature, Sign(secret, ts, body))
}

// NewRequest returns a POST of body to url signed for secret at time at,
// as TalkJS would send it.
func NewRequest(ctx context.Context, url, secret string, body []byte, at time.Time) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	SignRequest(r, secret, body, at)
	return r, nil
}

// Encode returns the body of an event of type typ with the given id,
// creation time and data (any value that encodes to a JSON object, such as
// MessageData). An empty id gets a random one.
func Encode(id, typ string, at time.Time, data any) ([]byte, error) {
	if id == "" {
		id = NewEventID()
	}
	return json.Marshal(struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		CreatedAt int64  `json:"createdAt"`
		Data      any    `json:"data"`
	}{id, typ, at.UnixMilli(), data})
}

// NewEventID returns a random event id ("evt_" and 24 hex digits). The form
// is this module's choice; TalkJS documents none.
func NewEventID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "evt_" + hex.EncodeToString(b[:])
}

// Sample returns the body of an example event of type typ created at at:
// user "alice" writing "Hello, Bob!" to "bob" in conversation "order-42".
// Any type is accepted; a type this package does not know gets the data of
// message.sent. For trying a handler (see `talkjs webhooks trigger`).
func Sample(typ string, at time.Time) []byte {
	ms := at.UnixMilli()
	alice := User{ID: "alice", Name: "Alice", Email: []string{"alice@example.com"}, Role: "customer", Custom: map[string]string{}, CreatedAt: ms - 60_000}
	bob := User{ID: "bob", Name: "Bob", Email: []string{"bob@example.com"}, Role: "agent", Custom: map[string]string{}, CreatedAt: ms - 60_000}
	conv := Conversation{ID: "order-42", Subject: "Order 42", Custom: map[string]string{}, CreatedAt: ms - 30_000,
		Participants: map[string]Participant{"alice": {Access: "ReadWrite", Notify: "true"}, "bob": {Access: "ReadWrite", Notify: "true"}}}
	msg := Message{ID: "msg_sample0000000000001", ConversationID: conv.ID, SenderID: alice.ID, Type: "UserMessage",
		Origin: "rest", Text: "Hello, Bob!", Custom: map[string]string{}, ReadBy: []string{}, CreatedAt: ms}
	var data any
	switch typ {
	case TypeUserCreated, TypeUserUpdated:
		data = UserData{User: alice}
	case TypeMessageRead:
		msg.ReadBy = []string{bob.ID}
		data = MessageReadData{Message: msg, Conversation: conv, Sender: &alice, Recipient: bob}
	case TypeConversationDeleted:
		data = ConversationData{Conversation: conv}
	case TypeNotificationTriggered, TypeNotificationSent, TypeNotificationDelivered,
		TypeNotificationBounced, TypeNotificationOpened, TypeNotificationLinkClicked:
		n := NotificationData{Recipient: bob, Sender: &alice, Conversation: conv, Messages: []Message{msg}, NotificationID: "ntf_sample0000000000001"}
		if typ != TypeNotificationTriggered {
			n.Channel = "email"
		}
		if typ == TypeNotificationLinkClicked {
			n.URL = "https://example.com/orders/42"
		}
		data = n
	default:
		data = MessageData{Message: msg, Conversation: conv, Sender: &alice}
	}
	b, err := Encode("", typ, at, data)
	if err != nil {
		panic("webhook: encoding a sample: " + err.Error())
	}
	return b
}

package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The event types TalkJS documents (REST reference "Webhooks").
const (
	TypeUserCreated             = "user.created"
	TypeUserUpdated             = "user.updated"
	TypeMessageSent             = "message.sent"
	TypeMessageRead             = "message.read"
	TypeMessageUpdated          = "message.updated"
	TypeMessageDeleted          = "message.deleted"
	TypeConversationDeleted     = "conversation.deleted"
	TypeNotificationTriggered   = "notification.triggered"
	TypeNotificationSent        = "notification.sent"
	TypeNotificationDelivered   = "notification.delivered"
	TypeNotificationBounced     = "notification.bounced"
	TypeNotificationOpened      = "notification.opened"
	TypeNotificationLinkClicked = "notification.link.clicked"
)

// Types lists every documented event type, in the order of TalkJS's
// reference.
func Types() []string {
	return []string{
		TypeUserCreated, TypeUserUpdated, TypeMessageSent, TypeMessageRead,
		TypeMessageUpdated, TypeMessageDeleted, TypeConversationDeleted,
		TypeNotificationTriggered, TypeNotificationSent, TypeNotificationDelivered,
		TypeNotificationBounced, TypeNotificationOpened, TypeNotificationLinkClicked,
	}
}

// Event is one parsed webhook event: a *UserCreated, *UserUpdated,
// *MessageSent, *MessageRead, *MessageUpdated, *MessageDeleted,
// *ConversationDeleted, *NotificationTriggered, *NotificationSent,
// *NotificationDelivered, *NotificationBounced, *NotificationOpened,
// *NotificationLinkClicked, or an *Unknown for a type this package does not
// know. Tell them apart with a type switch, or by EventType.
type Event interface {
	// EventID is the event's id (the same on TalkJS's retry).
	EventID() string
	// EventType is the type, such as "message.sent".
	EventType() string
	// Time is when TalkJS created the event.
	Time() time.Time
	// Raw is the whole body as received.
	Raw() json.RawMessage
}

// Base holds what every event carries; each event type embeds it.
type Base struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// CreatedAt is a Unix time in milliseconds.
	CreatedAt int64 `json:"createdAt"`
	raw       json.RawMessage
}

// EventID answers the event's id.
func (b *Base) EventID() string { return b.ID }

// EventType answers the event's type.
func (b *Base) EventType() string { return b.Type }

// Time answers CreatedAt as a time.Time.
func (b *Base) Time() time.Time { return time.UnixMilli(b.CreatedAt) }

// Raw answers the whole body as it was parsed.
func (b *Base) Raw() json.RawMessage { return b.raw }

// The objects inside events. They have the shapes of the REST API's answers;
// fields TalkJS sends that are not listed here are still in Event.Raw.

// User is a TalkJS user.
type User struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Email            []string          `json:"email"`
	Phone            []string          `json:"phone"`
	PhotoURL         string            `json:"photoUrl"`
	Role             string            `json:"role"`
	WelcomeMessage   string            `json:"welcomeMessage"`
	AvailabilityText string            `json:"availabilityText"`
	Locale           string            `json:"locale"`
	Custom           map[string]string `json:"custom"`
	// CreatedAt is a Unix time in milliseconds.
	CreatedAt int64 `json:"createdAt"`
}

// Attachment is a file sent in a message.
type Attachment struct {
	URL      string `json:"url"`
	Size     int64  `json:"size"`
	Filename string `json:"filename"`
}

// Message is a message of a conversation.
type Message struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversationId"`
	// SenderID is empty for a SystemMessage.
	SenderID string `json:"senderId"`
	// Type is "UserMessage" or "SystemMessage".
	Type string `json:"type"`
	// Origin is how it was sent: "rest", "web", "email" or "import".
	Origin string `json:"origin"`
	Text   string `json:"text"`
	// Content is the message's content blocks as TalkJS sends them (text,
	// file and location blocks), kept raw.
	Content    json.RawMessage   `json:"content,omitempty"`
	Attachment *Attachment       `json:"attachment"`
	Location   []float64         `json:"location"`
	Custom     map[string]string `json:"custom"`
	ReadBy     []string          `json:"readBy"`
	// ReferencedMessageID is the message this one replies to, or empty.
	ReferencedMessageID string `json:"referencedMessageId"`
	// CreatedAt and EditedAt are Unix times in milliseconds; EditedAt is 0
	// for a message never marked edited.
	CreatedAt int64 `json:"createdAt"`
	EditedAt  int64 `json:"editedAt"`
}

// Participant is one user's participation in a conversation.
type Participant struct {
	// Access is "ReadWrite", "Read" or "None".
	Access string `json:"access"`
	// Notify is "true", "false" or "MentionsOnly".
	Notify Notify `json:"notify"`
}

// Notify is a participant's notification setting: "true", "false" or
// "MentionsOnly" (TalkJS sends the first two as JSON booleans).
type Notify string

// UnmarshalJSON reads a boolean or a string.
func (n *Notify) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = Notify(s)
		return nil
	}
	if string(b) == "null" {
		*n = ""
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Notify(fmt.Sprint(v))
	return nil
}

// MarshalJSON writes "true" and "false" as booleans, as TalkJS does.
func (n Notify) MarshalJSON() ([]byte, error) {
	switch n {
	case "true", "false":
		return []byte(n), nil
	}
	return json.Marshal(string(n))
}

// Conversation is a conversation with its participants, keyed by user id.
type Conversation struct {
	ID              string                 `json:"id"`
	Subject         string                 `json:"subject"`
	PhotoURL        string                 `json:"photoUrl"`
	WelcomeMessages []string               `json:"welcomeMessages"`
	Custom          map[string]string      `json:"custom"`
	TopicID         string                 `json:"topicId"`
	Participants    map[string]Participant `json:"participants"`
	// CreatedAt is a Unix time in milliseconds.
	CreatedAt int64 `json:"createdAt"`
}

// UserData is the data of user.created and user.updated.
type UserData struct {
	User User `json:"user"`
}

// MessageData is the data of message.sent, message.updated and
// message.deleted: the message, its conversation and its sender (nil for a
// SystemMessage).
type MessageData struct {
	Message      Message      `json:"message"`
	Conversation Conversation `json:"conversation"`
	Sender       *User        `json:"sender"`
}

// MessageReadData is the data of message.read: MessageData and the
// participant who read the message.
type MessageReadData struct {
	Message      Message      `json:"message"`
	Conversation Conversation `json:"conversation"`
	Sender       *User        `json:"sender"`
	Recipient    User         `json:"recipient"`
}

// ConversationData is the data of conversation.deleted: the conversation as
// it was.
type ConversationData struct {
	Conversation Conversation `json:"conversation"`
}

// NotificationData is the data of the notification.* events: who is
// notified, about which messages of which conversation. NotificationID
// names the notification across its events; Channel ("email" or "sms") and
// URL (for notification.link.clicked) are this module's reading, not
// documented by TalkJS.
type NotificationData struct {
	Recipient      User         `json:"recipient"`
	Sender         *User        `json:"sender"`
	Conversation   Conversation `json:"conversation"`
	Messages       []Message    `json:"messages"`
	NotificationID string       `json:"notificationId"`
	Channel        string       `json:"channel,omitempty"`
	URL            string       `json:"url,omitempty"`
}

// UserCreated is user.created: a user was created.
type UserCreated struct {
	Base
	Data UserData `json:"data"`
}

// UserUpdated is user.updated: a user was updated.
type UserUpdated struct {
	Base
	Data UserData `json:"data"`
}

// MessageSent is message.sent: a message was sent in a conversation.
type MessageSent struct {
	Base
	Data MessageData `json:"data"`
}

// MessageRead is message.read: a participant other than the sender read
// the message (sent at most once per participant, and only in conversations
// of at most 300 participants).
type MessageRead struct {
	Base
	Data MessageReadData `json:"data"`
}

// MessageUpdated is message.updated: the message's text or custom data
// changed (not its read state).
type MessageUpdated struct {
	Base
	Data MessageData `json:"data"`
}

// MessageDeleted is message.deleted: the message was deleted; Data holds it
// as it was.
type MessageDeleted struct {
	Base
	Data MessageData `json:"data"`
}

// ConversationDeleted is conversation.deleted: the conversation was deleted
// through the REST API.
type ConversationDeleted struct {
	Base
	Data ConversationData `json:"data"`
}

// NotificationTriggered is notification.triggered: TalkJS decided to notify
// a participant of messages they may have missed (also when the user has
// no e-mail or phone number).
type NotificationTriggered struct {
	Base
	Data NotificationData `json:"data"`
}

// NotificationSent is notification.sent: the notification went out by
// e-mail or SMS (not for mobile push).
type NotificationSent struct {
	Base
	Data NotificationData `json:"data"`
}

// NotificationDelivered is notification.delivered: an e-mail notification
// was delivered.
type NotificationDelivered struct {
	Base
	Data NotificationData `json:"data"`
}

// NotificationBounced is notification.bounced: an e-mail notification
// bounced or was reported as spam.
type NotificationBounced struct {
	Base
	Data NotificationData `json:"data"`
}

// NotificationOpened is notification.opened: the recipient opened an
// e-mail notification (when their client loads tracking pixels).
type NotificationOpened struct {
	Base
	Data NotificationData `json:"data"`
}

// NotificationLinkClicked is notification.link.clicked: the recipient
// clicked a link in an e-mail notification.
type NotificationLinkClicked struct {
	Base
	Data NotificationData `json:"data"`
}

// Unknown is an event of a type this package does not know, kept whole:
// Data is its data as received.
type Unknown struct {
	Base
	Data json.RawMessage `json:"data"`
}

// newEvent answers an empty event of type t, with its Base to fill.
func newEvent(t string) (Event, *Base, any) {
	switch t {
	case TypeUserCreated:
		e := &UserCreated{}
		return e, &e.Base, &e.Data
	case TypeUserUpdated:
		e := &UserUpdated{}
		return e, &e.Base, &e.Data
	case TypeMessageSent:
		e := &MessageSent{}
		return e, &e.Base, &e.Data
	case TypeMessageRead:
		e := &MessageRead{}
		return e, &e.Base, &e.Data
	case TypeMessageUpdated:
		e := &MessageUpdated{}
		return e, &e.Base, &e.Data
	case TypeMessageDeleted:
		e := &MessageDeleted{}
		return e, &e.Base, &e.Data
	case TypeConversationDeleted:
		e := &ConversationDeleted{}
		return e, &e.Base, &e.Data
	case TypeNotificationTriggered:
		e := &NotificationTriggered{}
		return e, &e.Base, &e.Data
	case TypeNotificationSent:
		e := &NotificationSent{}
		return e, &e.Base, &e.Data
	case TypeNotificationDelivered:
		e := &NotificationDelivered{}
		return e, &e.Base, &e.Data
	case TypeNotificationBounced:
		e := &NotificationBounced{}
		return e, &e.Base, &e.Data
	case TypeNotificationOpened:
		e := &NotificationOpened{}
		return e, &e.Base, &e.Data
	case TypeNotificationLinkClicked:
		e := &NotificationLinkClicked{}
		return e, &e.Base, &e.Data
	}
	e := &Unknown{}
	return e, &e.Base, &e.Data
}

// ErrMalformed is matched (errors.Is) by every error of Parse.
var ErrMalformed = errors.New("webhook: malformed event")

// Parse reads an event body: a JSON object with a non-empty "type". A type
// this package does not know gives an *Unknown holding its data raw, so a
// new TalkJS event never breaks a handler. Parse does not check the
// signature: call Verify first (NewHandler does both).
func Parse(body []byte) (Event, error) {
	var env struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		CreatedAt int64           `json:"createdAt"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if env.Type == "" {
		return nil, fmt.Errorf(`%w: no "type"`, ErrMalformed)
	}
	ev, base, data := newEvent(env.Type)
	*base = Base{ID: env.ID, Type: env.Type, CreatedAt: env.CreatedAt, raw: append(json.RawMessage(nil), body...)}
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, data); err != nil {
			return nil, fmt.Errorf("%w: data of %s: %v", ErrMalformed, env.Type, err)
		}
	}
	return ev, nil
}

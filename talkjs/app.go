package talkjs

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gotalkjs/talkjs-go/gen"
)

// App is the TalkJS app itself.
type App struct {
	ID     string            `json:"id"`
	Custom map[string]string `json:"custom"`
	// DefaultLocale is an IETF language tag such as "en-US", or "".
	DefaultLocale string `json:"defaultLocale"`
}

// AppInput changes the app: leave a field zero to keep it, set it with
// Value/String, clear it with Null. Custom keys are merged.
type AppInput struct {
	Custom        Nullable[CustomInput] `json:"custom,omitzero"`
	DefaultLocale Nullable[string]      `json:"defaultLocale,omitzero"`
}

// AppService reads and changes the app; reach it as Client.App.
type AppService struct{ client *Client }

// appRequest drops the trailing slash of the app's URL: TalkJS documents it
// as /v1/{appId}.
func appRequest(req *http.Request, err error) (*http.Request, error) {
	if err == nil {
		req.URL.Path = strings.TrimSuffix(req.URL.Path, "/")
		if req.URL.RawPath != "" {
			req.URL.RawPath = strings.TrimSuffix(req.URL.RawPath, "/")
		}
	}
	return req, err
}

// Get returns the app: its id, custom data and default locale.
//
// TalkJS: GET /v1/{appId} (docs)
func (s *AppService) Get(ctx context.Context) (*App, error) {
	req, err := appRequest(gen.NewGetAppRequest(s.client.server, nil))
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	a := new(App)
	call.out = a
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return a, nil
}

// Update changes the app's custom data and default locale, the fields set in
// in; its id cannot change.
//
// TalkJS: PUT /v1/{appId} (docs)
func (s *AppService) Update(ctx context.Context, in AppInput) error {
	if v, ok := in.DefaultLocale.Get(); ok && v == "" {
		return argError("in.DefaultLocale", "must not be empty (clear it with Null)")
	}
	call, err := newJSONCall(ctx, in, func(ct string, body io.Reader) (*http.Request, error) {
		return appRequest(gen.NewUpdateAppRequestWithBody(s.client.server, nil, ct, body))
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// NotificationChannel is a channel TalkJS notifies through.
type NotificationChannel string

// The notification channels.
const (
	EmailChannel NotificationChannel = "email"
	SMSChannel   NotificationChannel = "sms"
)

// Notification asks TalkJS to notify users about a conversation's unread
// messages.
type Notification struct {
	// Channels is required: [EmailChannel], [SMSChannel] or both.
	Channels []NotificationChannel `json:"channels"`
	// Recipients are user ids taking part in the conversation; empty means
	// every participant.
	Recipients []string `json:"recipients,omitempty"`
	// EmailSettings and SMSSettings are passed as TalkJS documents them.
	EmailSettings map[string]any `json:"emailSettings,omitempty"`
	SMSSettings   map[string]any `json:"smsSettings,omitempty"`
}

// Notify sends the notification n about the conversation.
//
// TalkJS: POST /v1/{appId}/conversations/{conversationId}/notifications (docs)
func (s *ConversationsService) Notify(ctx context.Context, conversationID string, n Notification) error {
	if err := checkID("conversationID", conversationID); err != nil {
		return err
	}
	if len(n.Channels) == 0 {
		return argError("n.Channels", "must name at least one channel (EmailChannel, SMSChannel)")
	}
	for i, ch := range n.Channels {
		if ch != EmailChannel && ch != SMSChannel {
			return argError("n.Channels["+strconv.Itoa(i)+"]", "must be EmailChannel or SMSChannel")
		}
	}
	for i, r := range n.Recipients {
		if r == "" {
			return argError("n.Recipients["+strconv.Itoa(i)+"]", "must not be empty")
		}
	}
	call, err := newJSONCall(ctx, n, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewSendNotificationRequestWithBody(s.client.server, conversationID, nil, ct, body)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// Session is one of a user's live TalkJS sessions, as the legacy sessions
// list gives it.
type Session struct {
	IsTyping bool `json:"isTyping"`
	// CurrentConversationID is the conversation the session shows, or "".
	CurrentConversationID string `json:"currentConversationId"`
}

// Sessions lists the user's live [Session]s (from TalkJS's older reference;
// kevlened/talkjs-node uses it).
//
// TalkJS: GET /v1/{appId}/users/{userId}/sessions (docs)
//
// Deprecated: TalkJS now documents presence as POST /presences; use
// [PresenceService.List].
func (s *UsersService) Sessions(ctx context.Context, userID string) ([]Session, error) {
	if err := checkID("userID", userID); err != nil {
		return nil, err
	}
	req, err := gen.NewListUserSessionsRequest(s.client.server, userID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	var out []Session
	call.out = &out
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return out, nil
}

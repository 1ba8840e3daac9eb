package api

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/gotalkjs/talkjs-go/gen"
)

// The app, notifications and the legacy sessions list: documented TalkJS
// endpoints (REST reference: Getting Started, Notifications, the older
// presence page) that the seed spec lacked.

// appState is the app's own data and what the server records; guarded by
// Server.mu.
type appState struct {
	custom        map[string]string
	defaultLocale *string
	notifications []Notification
}

// maxNotifications bounds the notifications a Server keeps (the oldest go).
const maxNotifications = 1000

// Notification is a notification request the server received (it sends
// nothing).
type Notification struct {
	ConversationID string
	Channels       []string
	// Recipients are the users named, or every participant when the
	// request named none, sorted.
	Recipients []string
	// At is the server's clock when it was received, Unix ms.
	At int64
}

// Notifications returns the notification requests received for the
// conversation, oldest first (at most the last 1000 of the server).
func (s *Server) Notifications(conversationID string) []Notification {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Notification
	for _, n := range s.app.notifications {
		if n.ConversationID == conversationID {
			out = append(out, n)
		}
	}
	return out
}

type appJSON struct {
	ID            string            `json:"id"`
	Custom        map[string]string `json:"custom"`
	DefaultLocale *string           `json:"defaultLocale"`
}

// GetApp answers the app: its id, custom data and default locale.
func (h handlers) GetApp(w http.ResponseWriter, r *http.Request, _ gen.GetAppParams) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	writeJSON(w, appJSON{ID: s.appID, Custom: orEmpty(s.app.custom), DefaultLocale: s.app.defaultLocale})
}

// UpdateApp merges custom data (a null key removes it, a null custom all of
// it) and sets or clears the default locale.
func (h handlers) UpdateApp(w http.ResponseWriter, r *http.Request, _ gen.UpdateAppParams) {
	var in gen.AppInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Custom.IsSpecified() {
		if in.Custom.IsNull() {
			s.app.custom = nil
		} else {
			s.app.custom = mergeCustom(s.app.custom, in.Custom.MustGet())
		}
	}
	if in.DefaultLocale.IsSpecified() {
		if in.DefaultLocale.IsNull() {
			s.app.defaultLocale = nil
		} else {
			l := in.DefaultLocale.MustGet()
			s.app.defaultLocale = &l
		}
	}
	writeEmpty(w)
}

// SendNotification records a notification request. Our readings: the
// conversation must exist (404) and every recipient must take part in it
// (400); without recipients every participant is meant.
func (h handlers) SendNotification(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.SendNotificationParams) {
	var in gen.NotificationInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversationOr404(w, convID)
	if c == nil {
		return
	}
	n := Notification{ConversationID: convID, At: s.nowMs()}
	for _, ch := range in.Channels {
		n.Channels = append(n.Channels, string(ch))
	}
	if in.Recipients != nil {
		for i, id := range *in.Recipients {
			if c.participants[id] == nil {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("recipients[%d]: user %q is not a participant of conversation %q", i, id, convID))
				return
			}
			n.Recipients = append(n.Recipients, id)
		}
	} else {
		for id := range c.participants {
			n.Recipients = append(n.Recipients, id)
		}
	}
	sort.Strings(n.Recipients)
	if len(s.app.notifications) >= maxNotifications {
		s.app.notifications = append(s.app.notifications[:0:0], s.app.notifications[1:]...)
	}
	s.app.notifications = append(s.app.notifications, n)
	s.emitNotificationRequest(c, n.Recipients) // webhooks.go
	writeEmpty(w)
}

type userSessionJSON struct {
	IsTyping              bool    `json:"isTyping"`
	CurrentConversationID *string `json:"currentConversationId"`
}

// ListUserSessions answers the legacy session list from the user's stored
// presence (ours, like POST /presences): one session, not typing, showing
// no conversation, while the user is online; none before a presence is
// stored or while it is offline (an offline user has no live session, and
// POST /presences does not list one). A missing user is 404.
func (h handlers) ListUserSessions(w http.ResponseWriter, r *http.Request, userID gen.UserId, _ gen.ListUserSessionsParams) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[userID]
	if u == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q", userID))
		return
	}
	out := []userSessionJSON{}
	if u.online() {
		out = append(out, userSessionJSON{})
	}
	writeJSON(w, out)
}

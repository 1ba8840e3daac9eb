package api

import (
	"fmt"
	"net/http"

	"github.com/gotalkjs/talkjs-go/gen"
)

// SetUserPresence stores the user's presence (the seed spec's deprecated
// form); lastChanged defaults to now. A missing user is 404.
func (h handlers) SetUserPresence(w http.ResponseWriter, r *http.Request, userID gen.UserId, _ gen.SetUserPresenceParams) {
	var in gen.Presence
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.users[userID]
	if u == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q", userID))
		return
	}
	p := presence{availability: string(gen.AvailabilityOffline), lastChanged: s.nowMs()}
	if u.presence != nil {
		p = *u.presence
		p.lastChanged = s.nowMs()
	}
	if in.Visible != nil {
		p.visible = *in.Visible
	}
	if in.Availability != nil {
		p.availability = string(*in.Availability)
	}
	if in.LastChanged != nil {
		p.lastChanged = *in.LastChanged
	}
	u.presence = &p
	writeEmpty(w)
}

// GetUserPresence answers the stored presence; our reading: a user who never
// had one is offline and not visible, changed at creation.
func (h handlers) GetUserPresence(w http.ResponseWriter, r *http.Request, userID gen.UserId, _ gen.GetUserPresenceParams) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[userID]
	if u == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q", userID))
		return
	}
	p := presence{availability: string(gen.AvailabilityOffline), lastChanged: u.createdAt}
	if u.presence != nil {
		p = *u.presence
	}
	writeJSON(w, presenceJSON{Visible: p.visible, Availability: p.availability, LastChanged: p.lastChanged})
}

// online reports whether u has a live session: a stored presence that is
// online. This one reading backs POST /presences and the legacy
// GET /users/{id}/sessions, so the two never disagree.
func (u *user) online() bool {
	return u.presence != nil && u.presence.availability == string(gen.AvailabilityOnline)
}

type presenceJSON struct {
	Visible      bool   `json:"visible"`
	LastChanged  int64  `json:"lastChanged"`
	Availability string `json:"availability"`
}

type sessionJSON struct {
	SelectedConversationID *string           `json:"selectedConversationId"`
	Custom                 map[string]string `json:"custom"`
	HasFocus               bool              `json:"hasFocus"`
	IsTyping               bool              `json:"isTyping"`
	SessionID              string            `json:"sessionId"`
}

type userPresenceJSON struct {
	Status             string        `json:"status"`
	BackgroundSessions []sessionJSON `json:"backgroundSessions"`
	Widgets            []sessionJSON `json:"widgets"`
}

// ListPresences answers the online users with their sessions. The server
// models each online user's stored presence as one session: a focused widget
// with no conversation selected when the presence is visible, a background
// session otherwise. Every field of the query narrows the result: userIds,
// includeBackgroundSessions (default false: only users with a widget),
// selectedConversationId (only null matches), hasFocus and isTyping (no
// session is typing).
func (h handlers) ListPresences(w http.ResponseWriter, r *http.Request, _ gen.ListPresencesParams) {
	var q gen.PresenceQuery
	if err := decodeBody(r, &q); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	if q.UserIds != nil {
		ids = *q.UserIds
	} else {
		for id, u := range s.st.users {
			if u.presence != nil {
				ids = append(ids, id)
			}
		}
	}
	match := func(sess sessionJSON) bool {
		if q.HasFocus != nil && sess.HasFocus != *q.HasFocus {
			return false
		}
		if q.IsTyping != nil && sess.IsTyping != *q.IsTyping {
			return false
		}
		if q.SelectedConversationId.IsSpecified() && !q.SelectedConversationId.IsNull() {
			return false // no session has a conversation selected
		}
		return true
	}
	data := map[string]userPresenceJSON{}
	for _, id := range ids {
		u := s.st.users[id]
		if u == nil || !u.online() {
			continue
		}
		sess := sessionJSON{Custom: noCustom, SessionID: "sess_" + id, HasFocus: u.presence.visible}
		up := userPresenceJSON{Status: "online", BackgroundSessions: []sessionJSON{}, Widgets: []sessionJSON{}}
		if !match(sess) {
			continue
		}
		if u.presence.visible {
			up.Widgets = append(up.Widgets, sess)
		} else {
			if q.IncludeBackgroundSessions == nil || !*q.IncludeBackgroundSessions {
				continue
			}
			up.BackgroundSessions = append(up.BackgroundSessions, sess)
		}
		data[id] = up
	}
	writeRawJSON(w, http.StatusOK, marshal(struct {
		Data map[string]userPresenceJSON `json:"data"`
	}{data}))
}

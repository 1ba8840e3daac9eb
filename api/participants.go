package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gotalkjs/talkjs-go/gen"
)

// participation looks up a conversation and one participant; it answers 404
// (and false) when either is missing.
func (s *Server) participation(w http.ResponseWriter, convID, userID string) (*conversation, *participant, bool) {
	c := s.st.convs[convID]
	if c == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no conversation with id %q", convID))
		return nil, nil, false
	}
	p := c.participants[userID]
	if p == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("user %q is not a participant of conversation %q", userID, convID))
		return nil, nil, false
	}
	return c, p, true
}

// notifyJSON renders a validated Notify (true, false or "MentionsOnly").
func notifyJSON(n *gen.Notify) json.RawMessage {
	b, err := n.MarshalJSON()
	if err != nil {
		return notifyTrue
	}
	switch string(b) {
	case "true":
		return notifyTrue
	case "false":
		return notifyFalse
	}
	return append(json.RawMessage(nil), b...)
}

// JoinConversation adds the user to the conversation or overwrites their
// participation; fields left out take the defaults access ReadWrite and notify
// true. A missing conversation or user is 404. Overwriting keeps joinedAt and
// the read marker.
func (h handlers) JoinConversation(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, userID gen.UserId, _ gen.JoinConversationParams) {
	var in gen.ParticipationInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.convs[convID]
	if c == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no conversation with id %q", convID))
		return
	}
	u := s.st.users[userID]
	if u == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q: create it with PUT /users/{userId} first", userID))
		return
	}
	access, notify := string(gen.JoinAccessReadWrite), notifyTrue
	if in.Access != nil {
		access = string(*in.Access)
	}
	if in.Notify != nil {
		notify = notifyJSON(in.Notify)
	}
	if p := c.participants[userID]; p != nil {
		p.access, p.notify = access, notify
	} else {
		s.join(c, u, &participant{access: access, notify: notify, joinedAt: s.nowMs()})
	}
	writeEmpty(w)
}

// UpdateParticipant changes only the fields sent; access may be None. A
// user who is not a participant is 404.
func (h handlers) UpdateParticipant(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, userID gen.UserId, params gen.UpdateParticipantParams) {
	var in gen.ParticipationUpdate
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	if in.Access != nil && *in.Access == gen.AccessNone && versionBefore(params.TalkJSRESTVersion, leaveRemovesVersion) {
		writeError(w, http.StatusBadRequest, `access: "None" exists since API version 2021-07-30; before it, leaving the conversation keeps it in the user's list`)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, ok := s.participation(w, convID, userID)
	if !ok {
		return
	}
	if in.Access != nil {
		p.access = string(*in.Access)
	}
	if in.Notify != nil {
		p.notify = notifyJSON(in.Notify)
	}
	writeEmpty(w)
}

// leaveRemovesVersion is the API version from which leaving removes the
// conversation from the user's list (TalkJS's API changelog, 2021-07-30).
const leaveRemovesVersion = "2021-07-30"

// versionBefore reports whether the request's TalkJS-REST-Version is
// before v; without the header the newest behaviour applies.
func versionBefore(version *string, v string) bool {
	return version != nil && *version < v
}

// LeaveConversation removes the participant; the conversation leaves the
// user's list. Leaving is idempotent: a user who does not take part gets 200.
// Before API version 2021-07-30 leaving kept the conversation in the user's
// list with its history visible, which is what that version then named
// access "None": with an older version header, leaving sets the
// participant's access to None (our reading of the changelog).
func (h handlers) LeaveConversation(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, userID gen.UserId, params gen.LeaveConversationParams) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if versionBefore(params.TalkJSRESTVersion, leaveRemovesVersion) {
		if _, p, ok := s.participation(w, convID, userID); ok {
			p.access = string(gen.AccessNone)
			writeEmpty(w)
		}
		return
	}
	if c := s.st.convs[convID]; c != nil && c.participants[userID] == nil {
		// TalkJS's Participation reference: "All calls on this page are
		// idempotent": leaving again answers as the first leave did.
		writeEmpty(w)
		return
	}
	c, _, ok := s.participation(w, convID, userID)
	if !ok {
		return
	}
	delete(c.participants, userID)
	if u := s.st.users[userID]; u != nil {
		delete(u.convs, convID)
		u.convIdx.remove(c)
	}
	writeEmpty(w)
}

// GetParticipantEmail answers the participant's reply-to address. Our
// reading: a stable address derived from the conversation, the user and the
// secret, on a reserved domain.
func (h handlers) GetParticipantEmail(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, userID gen.UserId, _ gen.GetParticipantEmailParams) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, _, ok := s.participation(w, convID, userID); !ok {
		return
	}
	mac := hmac.New(sha256.New, s.secretBytes)
	mac.Write([]byte(convID))
	mac.Write([]byte{0})
	mac.Write([]byte(userID))
	addr := "reply+" + hex.EncodeToString(mac.Sum(nil)[:12]) + "@" + s.appID + ".talkjs.invalid"
	writeJSON(w, struct {
		EmailAddress string `json:"emailAddress"`
	}{addr})
}

// MarkConversationReadByUser marks the conversation and every message in it
// read by the participant. TalkJS asks for an empty body; the spec lists no
// 400 for this operation, so a body is ignored.
func (h handlers) MarkConversationReadByUser(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, userID gen.UserId, _ gen.MarkConversationReadByUserParams) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, p, ok := s.participation(w, convID, userID)
	if !ok {
		return
	}
	c.markAllRead(p, s.nowMs(), s.st.seq)
	c.recount(userID, p)
	s.emitReads(c, userID, r) // webhooks.go
	writeEmpty(w)
}

// MarkConversationRead moves the participant's read marker: to a Unix time in
// ms (messages after it become unread) or to "sent" (everything read).
func (h handlers) MarkConversationRead(w http.ResponseWriter, r *http.Request, userID gen.UserId, convID gen.ConversationId, _ gen.MarkConversationReadParams) {
	var in gen.ReadMarkerInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, p, ok := s.participation(w, convID, userID)
	if !ok {
		return
	}
	if ts, err := in.ReadUntil.AsReadUntil0(); err == nil {
		p.setReadUntil(ts)
	} else {
		c.markAllRead(p, s.nowMs(), s.st.seq)
	}
	c.recount(userID, p)
	s.emitReads(c, userID, r) // webhooks.go
	writeEmpty(w)
}

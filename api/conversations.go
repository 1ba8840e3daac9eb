package api

import (
	"fmt"
	"net/http"

	"github.com/gotalkjs/talkjs-go/gen"
)

// CreateOrUpdateConversation creates a conversation or changes the fields
// sent; listed participants are added with ReadWrite access and notify true
// (existing ones are kept as they are), never removed. Our reading where the
// docs are silent: a participant must be an existing user (400 otherwise),
// as TalkJS asks for users to be synchronised before they take part.
func (h handlers) CreateOrUpdateConversation(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.CreateOrUpdateConversationParams) {
	var in gen.ConversationInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	if in.Participants != nil {
		for _, id := range *in.Participants {
			if st.users[id] == nil {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("participants: no user with id %q: create users with PUT /users/{userId} before adding them", id))
				return
			}
		}
	}
	now := s.nowMs()
	c := st.convs[convID]
	if c == nil {
		c = &conversation{
			id: convID, seq: st.nextSeq(), createdAt: now,
			participants: map[string]*participant{},
			msgByID:      map[string]*message{},
			idem:         map[string]idemEntry{},
		}
		st.convs[convID] = c
		st.addConversation(c)
	}
	setString(&c.subject, in.Subject)
	setString(&c.photoURL, in.PhotoUrl)
	setStrings(&c.welcomeMessages, in.WelcomeMessages.IsSpecified(), in.WelcomeMessages.IsNull(), in.WelcomeMessages)
	if in.Custom.IsSpecified() {
		if in.Custom.IsNull() {
			c.custom = nil
		} else {
			c.custom = mergeCustom(c.custom, in.Custom.MustGet())
		}
	}
	if in.Participants != nil {
		for _, id := range *in.Participants {
			if c.participants[id] == nil {
				s.join(c, st.users[id], &participant{access: string(gen.AccessReadWrite), notify: notifyTrue, joinedAt: now})
			}
		}
	}
	writeEmpty(w)
}

// join makes u a participant of c with p.
func (s *Server) join(c *conversation, u *user, p *participant) {
	c.participants[u.id] = p
	u.convs[c.id] = c
	u.convIdx.add(c)
	c.recount(u.id, p)
}

// GetConversation answers the conversation with its participants (access,
// notify, isUnread, joinedAt, readUntil), last message and createdAt.
func (h handlers) GetConversation(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.GetConversationParams) {
	s := h.s
	s.mu.RLock()
	c := s.st.convs[convID]
	if c == nil {
		s.mu.RUnlock()
		writeError(w, http.StatusNotFound, fmt.Sprintf("no conversation with id %q", convID))
		return
	}
	out := renderConversation(c, baseURL(r))
	s.mu.RUnlock()
	writeRawJSON(w, http.StatusOK, marshal(out))
}

// DeleteConversation deletes the conversation, its messages (and their
// attachments) and its participations; the users are kept.
func (h handlers) DeleteConversation(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.DeleteConversationParams) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	c := st.convs[convID]
	if c == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no conversation with id %q", convID))
		return
	}
	s.emitConversationDeleted(c, r) // webhooks.go
	for _, m := range c.msgs {
		st.releaseAttachment(m)
	}
	st.messages -= len(c.msgs)
	st.removeConversation(c, s.nowMs())
	for id := range c.participants {
		if u := st.users[id]; u != nil {
			delete(u.convs, convID)
		}
	}
	delete(st.convs, convID)
	writeEmpty(w)
}

// ListConversations lists the app's conversations with limit, startingAfter,
// orderBy, orderDirection, offsetTs, lastMessageBefore/After and filter.
func (h handlers) ListConversations(w http.ResponseWriter, r *http.Request, params gen.ListConversationsParams) {
	q, aerr := newListQuery(params.TalkJSRESTVersion, params.Limit, params.StartingAfter, params.OrderBy, params.OrderDirection,
		params.OffsetTs, params.LastMessageBefore, params.LastMessageAfter, params.Filter)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	base := baseURL(r)
	data := make([]conversationJSON, 0, min(q.pageSize(), 100))
	_, aerr = h.s.listPage(q, "", func(c *conversation, _ *participant) {
		data = append(data, renderConversation(c, base))
	})
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	writeList(w, data)
}

// ListUserConversations lists the conversations the user takes part in, with
// the user's read state; it honours the list parameters and unreadsOnly. A
// user that does not exist is 404 (API version 2024-01-01 and later, and
// without a version header) or an empty list (earlier versions).
func (h handlers) ListUserConversations(w http.ResponseWriter, r *http.Request, userID gen.UserId, params gen.ListUserConversationsParams) {
	q, aerr := newListQuery(params.TalkJSRESTVersion, params.Limit, params.StartingAfter, params.OrderBy, params.OrderDirection,
		params.OffsetTs, params.LastMessageBefore, params.LastMessageAfter, params.Filter)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	q.unreadsOnly = params.UnreadsOnly != nil && *params.UnreadsOnly
	base := baseURL(r)
	data := make([]userConversationJSON, 0, min(q.pageSize(), 100))
	found, aerr := h.s.listPage(q, userID, func(c *conversation, p *participant) {
		data = append(data, renderUserConversation(c, userID, p, base))
	})
	if !found {
		if v := params.TalkJSRESTVersion; v != nil && *v < "2024-01-01" {
			writeRawJSON(w, http.StatusOK, []byte(`{"data":[]}`))
			return
		}
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q", userID))
		return
	}
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	writeList(w, data)
}

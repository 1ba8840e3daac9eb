package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/gotalkjs/talkjs-go/gen"
)

// idempotencyWindow is how long, in ms, an idempotency key is remembered.
const idempotencyWindow = 24 * 60 * 60 * 1000

// conversationOr404 looks up a conversation, answering 404 when it is missing.
func (s *Server) conversationOr404(w http.ResponseWriter, convID string) *conversation {
	c := s.st.convs[convID]
	if c == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no conversation with id %q", convID))
	}
	return c
}

// messageOr404 looks up a message of a conversation, answering 404 when
// either is missing.
func (s *Server) messageOr404(w http.ResponseWriter, convID, msgID string) (*conversation, *message) {
	c := s.conversationOr404(w, convID)
	if c == nil {
		return nil, nil
	}
	m := c.msgByID[msgID]
	if m == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no message with id %q in conversation %q", msgID, convID))
	}
	return c, m
}

// checkSend says what is wrong with message i of a send, or "".
func (s *Server) checkSend(c *conversation, i int, m *gen.SendMessageInput) string {
	where := fmt.Sprintf("message [%d]", i)
	bodies := 0
	for _, given := range []bool{m.Text != nil, m.AttachmentToken != nil, m.Content != nil, m.Location != nil} {
		if given {
			bodies++
		}
	}
	switch m.Type {
	case gen.MessageTypeUserMessage:
		if m.Sender == nil {
			return where + `: a UserMessage needs a "sender"`
		}
		p := c.participants[*m.Sender]
		if p == nil {
			return fmt.Sprintf("%s: sender %q is not a participant of conversation %q", where, *m.Sender, c.id)
		}
		if p.access != string(gen.AccessReadWrite) {
			return fmt.Sprintf("%s: sender %q has %s access to conversation %q; sending needs ReadWrite", where, *m.Sender, p.access, c.id)
		}
	case gen.MessageTypeSystemMessage:
		if m.Sender != nil {
			return where + `: a SystemMessage must not have a "sender"`
		}
		if m.Location != nil {
			return where + ": a SystemMessage cannot carry a location"
		}
	}
	if bodies != 1 {
		return where + `: give exactly one of "text", "attachmentToken", "content" or "location"`
	}
	if m.AttachmentToken != nil && !s.claimable(*m.AttachmentToken, s.nowMs()) {
		return where + `: "attachmentToken" is not a token from POST /files (or the upload expired before a message carried it)`
	}
	if m.ReferencedMessageId.IsSpecified() && !m.ReferencedMessageId.IsNull() {
		if c.msgByID[m.ReferencedMessageId.MustGet()] == nil {
			return fmt.Sprintf("%s: referencedMessageId %q is not a message of this conversation", where, m.ReferencedMessageId.MustGet())
		}
	}
	return ""
}

// SendMessages sends 1 to 10 messages. Every message is checked before any is
// stored, so a request with one bad message stores nothing. A message whose
// idempotencyKey was used in this conversation in the last 24 hours is not
// stored again: its answer is the original message's id. Sending marks the
// conversation read for the sender up to the new message.
func (h handlers) SendMessages(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.SendMessagesParams) {
	var in gen.SendMessagesInput
	body, err := readBody(r, &in)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	var contents []json.RawMessage
	for i := range in {
		if in[i].Content != nil {
			// Only then is the body read a second time, for the blocks
			// exactly as sent.
			contents = sentContents(body)
			break
		}
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversationOr404(w, convID)
	if c == nil {
		return
	}
	for i := range in {
		if msg := s.checkSend(c, i, &in[i]); msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
	}
	now := s.nowMs()
	s.st.expireIdempotencyKeys(now, idempotencyWindow)
	s.st.expireUploads(now, s.uploadTTL.Milliseconds())
	refs := make([]messageRefJSON, len(in))
	for i := range in {
		mi := &in[i]
		if mi.IdempotencyKey != nil {
			if e, ok := c.idem[*mi.IdempotencyKey]; ok && now-e.at < idempotencyWindow {
				refs[i].ID = e.id
				continue
			}
		}
		m := &message{id: s.st.newID("msg_", messageIDLength), seq: s.st.nextSeq(), createdAt: now, typ: userMessage, custom: customOf(mi.Custom)}
		if mi.Type == gen.MessageTypeSystemMessage {
			m.typ = systemMessage
		}
		switch {
		case mi.Text != nil:
			m.hasText, m.text = true, *mi.Text
		case mi.Content != nil && i < len(contents):
			m.content = contents[i]
			m.hasText, m.text = true, contentText(m.content)
		case mi.Location != nil:
			loc := [2]float64{(*mi.Location)[0], (*mi.Location)[1]}
			m.location = &loc
		case mi.AttachmentToken != nil:
			m.attachment = s.st.attach(*mi.AttachmentToken)
		}
		if mi.ReferencedMessageId.IsSpecified() && !mi.ReferencedMessageId.IsNull() {
			ref := mi.ReferencedMessageId.MustGet()
			m.referenced = &ref
		}
		if mi.Sender != nil {
			m.sender = *mi.Sender
		}
		c.insert(m)
		s.st.messages++
		if p := c.participants[m.sender]; p != nil && m.sender != "" {
			p.moveMarkerTo(m)
			c.recount(m.sender, p)
		}
		s.emitMessage(EventMessageSent, c, m, r) // webhooks.go
		s.emitReads(c, m.sender, r)
		if mi.IdempotencyKey != nil {
			c.idem[*mi.IdempotencyKey] = idemEntry{id: m.id, at: now}
			m.idemKey = *mi.IdempotencyKey
			s.st.idemQueue = append(s.st.idemQueue, idemRef{conv: c.id, key: m.idemKey, at: now})
		}
		refs[i].ID = m.id
	}
	s.st.touch(c)
	writeRawJSON(w, http.StatusOK, marshal(refs))
}

func customOf(c *gen.Custom) map[string]string {
	if c == nil || len(*c) == 0 {
		return nil
	}
	out := make(map[string]string, len(*c))
	for k, v := range *c {
		out[k] = v
	}
	return out
}

// ListMessages lists the messages of a conversation, newest first;
// startingAfter is a message id (of a message deleted since, too: the page
// continues after the place it had). The page is encoded after the store's
// lock is released.
func (h handlers) ListMessages(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, params gen.ListMessagesParams) {
	s := h.s
	s.mu.RLock()
	c := s.conversationOr404(w, convID)
	if c == nil {
		s.mu.RUnlock()
		return
	}
	n := len(c.msgs)
	from := 0 // index in newest-first order
	if params.StartingAfter != nil {
		if m := c.msgByID[*params.StartingAfter]; m != nil {
			from = n - c.index(m)
		} else if t, ok := s.st.tombs.get(tombKey{kind: 'm', conv: c.id, id: *params.StartingAfter}, s.nowMs()); ok {
			gone := &message{createdAt: t.createdAt, seq: t.seq}
			from = n - sort.Search(n, func(i int) bool { return !c.msgs[i].before(gone) })
		} else {
			s.mu.RUnlock()
			writeError(w, http.StatusBadRequest, fmt.Sprintf("startingAfter: no message with id %q in conversation %q", *params.StartingAfter, convID))
			return
		}
	}
	from, to := pageBounds(from, n, params.Limit)
	base := baseURL(r)
	data := make([]*messageJSON, 0, to-from)
	for i := from; i < to; i++ {
		data = append(data, renderMessage(c, c.msgs[n-1-i], base))
	}
	s.mu.RUnlock()
	writeList(w, data)
}

// GetMessage answers one message.
func (h handlers) GetMessage(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, msgID gen.MessageId, _ gen.GetMessageParams) {
	s := h.s
	s.mu.RLock()
	c, m := s.messageOr404(w, convID, msgID)
	if m == nil {
		s.mu.RUnlock()
		return
	}
	out := renderMessage(c, m, baseURL(r))
	s.mu.RUnlock()
	writeRawJSON(w, http.StatusOK, marshal(out))
}

// EditMessage changes the text and merges the custom data (a null key is
// removed; null for the whole of custom clears it); markEdited true sets
// editedAt to now.
func (h handlers) EditMessage(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, msgID gen.MessageId, _ gen.EditMessageParams) {
	var in gen.EditMessageInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m := s.messageOr404(w, convID, msgID)
	if m == nil {
		return
	}
	defer s.emitMessage(EventMessageUpdated, c, m, r) // webhooks.go
	if in.Text != nil {
		// The content follows the new text (derived again when rendered).
		m.hasText, m.text, m.content = true, *in.Text, nil
	}
	if in.Custom.IsSpecified() {
		if in.Custom.IsNull() {
			m.custom = nil
		} else {
			m.custom = mergeCustom(m.custom, in.Custom.MustGet())
		}
	}
	if in.MarkEdited != nil && *in.MarkEdited {
		m.edited, m.editedAt = true, s.nowMs()
	}
	writeEmpty(w)
}

// DeleteMessage deletes one message and its attachment (when no other
// message carries the same file).
func (h handlers) DeleteMessage(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, msgID gen.MessageId, _ gen.DeleteMessageParams) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m := s.messageOr404(w, convID, msgID)
	if m == nil {
		return
	}
	c.remove(m)
	s.st.releaseAttachment(m)
	s.st.messages--
	now := s.nowMs()
	s.st.tombs.put(tombKey{kind: 'm', conv: c.id, id: m.id}, tomb{createdAt: m.createdAt, seq: m.seq, at: now})
	s.st.touch(c)
	s.emitMessage(EventMessageDeleted, c, m, r) // webhooks.go
	writeEmpty(w)
}

// DeleteAllMessages deletes every message of the conversation, keeping the
// conversation and its participants.
func (h handlers) DeleteAllMessages(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.DeleteAllMessagesParams) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversationOr404(w, convID)
	if c == nil {
		return
	}
	now := s.nowMs()
	for _, m := range c.msgs {
		s.st.releaseAttachment(m)
		s.st.tombs.put(tombKey{kind: 'm', conv: c.id, id: m.id}, tomb{createdAt: m.createdAt, seq: m.seq, at: now})
	}
	s.st.messages -= len(c.msgs)
	c.msgs = nil
	c.msgByID = map[string]*message{}
	c.idem = map[string]idemEntry{}
	for _, p := range c.participants {
		p.unreadN = 0
	}
	s.st.touch(c)
	writeEmpty(w)
}

// AddReaction adds the user's emoji reaction to a message; adding it again
// changes nothing. Our reading: the user must take part in the conversation
// (400 otherwise; 404 when the user does not exist).
func (h handlers) AddReaction(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, msgID gen.MessageId, emoji string, userID gen.UserId, _ gen.AddReactionParams) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m := s.messageOr404(w, convID, msgID)
	if m == nil {
		return
	}
	if s.st.users[userID] == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q", userID))
		return
	}
	if c.participants[userID] == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("user %q is not a participant of conversation %q, so cannot react", userID, convID))
		return
	}
	users := m.reactions[emoji]
	i := sort.SearchStrings(users, userID)
	if i < len(users) && users[i] == userID {
		writeEmpty(w)
		return
	}
	next := make([]string, 0, len(users)+1)
	next = append(append(append(next, users[:i]...), userID), users[i:]...)
	// A new map: answers being encoded outside the lock may hold the old one.
	reactions := make(map[string][]string, len(m.reactions)+1)
	for k, v := range m.reactions {
		reactions[k] = v
	}
	reactions[emoji] = next
	m.reactions = reactions
	writeEmpty(w)
}

// RemoveReaction removes the user's emoji reaction; our reading: a reaction
// that is not there is 404.
func (h handlers) RemoveReaction(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, msgID gen.MessageId, emoji string, userID gen.UserId, _ gen.RemoveReactionParams) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m := s.messageOr404(w, convID, msgID)
	if m == nil {
		return
	}
	users := m.reactions[emoji]
	i := sort.SearchStrings(users, userID)
	if i >= len(users) || users[i] != userID {
		writeError(w, http.StatusNotFound, fmt.Sprintf("user %q has not reacted with %q to message %q", userID, emoji, msgID))
		return
	}
	next := append(append([]string{}, users[:i]...), users[i+1:]...)
	reactions := make(map[string][]string, len(m.reactions))
	for k, v := range m.reactions {
		reactions[k] = v
	}
	if len(next) == 0 {
		delete(reactions, emoji)
	} else {
		reactions[emoji] = next
	}
	m.reactions = reactions
	writeEmpty(w)
}

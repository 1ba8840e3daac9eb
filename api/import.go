package api

import (
	"fmt"
	"net/http"

	"github.com/gotalkjs/talkjs-go/gen"
)

// checkImport says what is wrong with imported message i, or "".
func (s *Server) checkImport(c *conversation, i int, m *gen.ImportMessageInput) string {
	where := fmt.Sprintf("message [%d]", i)
	if c.participants[m.Sender] == nil {
		return fmt.Sprintf("%s: sender %q is not a participant of conversation %q; only participants' messages can be imported", where, m.Sender, c.id)
	}
	if (m.Text != nil) == (m.AttachmentToken != nil) {
		return where + `: give exactly one of "text" or "attachmentToken"`
	}
	if m.AttachmentToken != nil && !s.claimable(*m.AttachmentToken, s.nowMs()) {
		return where + `: "attachmentToken" is not a token from POST /files (or the upload expired before a message carried it)`
	}
	return ""
}

// ImportMessages imports 1 to 10 messages with their original time
// (timestamp, or the deprecated createdAt; timestamp wins; the spec makes
// one of them required, as TalkJS's Importing Messages reference does),
// origin "import" and the readBy given (none when left out). Only
// participants' messages are accepted; nothing is stored when any message is
// invalid; duplicates are stored again. Read markers and unread counts follow
// readBy, not the import. The answer lists the new ids in order.
func (h handlers) ImportMessages(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.ImportMessagesParams) {
	var in gen.ImportMessagesInput
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
	for i := range in {
		if msg := s.checkImport(c, i, &in[i]); msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
	}
	now := s.nowMs()
	refs := make([]messageRefJSON, len(in))
	for i := range in {
		mi := &in[i]
		ts := now // unreachable: validation requires timestamp or createdAt
		switch {
		case mi.Timestamp != nil:
			ts = *mi.Timestamp
		case mi.CreatedAt != nil:
			ts = *mi.CreatedAt
		}
		m := &message{id: s.st.newID("msg_", messageIDLength), seq: s.st.nextSeq(), createdAt: ts, typ: userMessage, imported: true,
			sender: mi.Sender, custom: customOf(mi.Custom)}
		if mi.Text != nil {
			m.hasText, m.text = true, *mi.Text
		} else {
			m.attachment = s.st.attach(*mi.AttachmentToken)
		}
		if mi.ReadBy != nil {
			m.readBy = copyStrings(*mi.ReadBy)
		}
		if mi.ReferencedMessageId.IsSpecified() && !mi.ReferencedMessageId.IsNull() {
			ref := mi.ReferencedMessageId.MustGet()
			m.referenced = &ref
		}
		c.insert(m)
		s.st.messages++
		refs[i].ID = m.id
	}
	s.st.touch(c)
	writeRawJSON(w, http.StatusOK, marshal(refs))
}

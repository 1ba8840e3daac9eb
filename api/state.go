package api

import (
	"encoding/json"

	"github.com/gotalkjs/talkjs-go/gen"
)

// The accessors below let tests inspect the stored state. Each answers a
// copy in the spec's shapes (the gen types), as GET would render it;
// attachment URLs are relative to the server's root.

// Counts are the numbers of stored objects.
type Counts struct {
	Users, Conversations, Messages, Files int
}

// Counts answers how many users, conversations, messages and files are stored.
func (s *Server) Counts() Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Counts{Users: len(s.st.users), Conversations: len(s.st.convs), Messages: s.st.messages, Files: len(s.st.files)}
}

// User answers the stored user id.
func (s *Server) User(id string) (gen.User, bool) {
	s.mu.RLock()
	u := s.st.users[id]
	var b []byte
	if u != nil {
		b = marshal(renderUser(u))
	}
	s.mu.RUnlock()
	var out gen.User
	if u == nil {
		return out, false
	}
	mustUnmarshal(b, &out)
	return out, true
}

// Conversation answers the stored conversation id with its participants.
func (s *Server) Conversation(id string) (gen.Conversation, bool) {
	s.mu.RLock()
	c := s.st.convs[id]
	var b []byte
	if c != nil {
		b = marshal(renderConversation(c, ""))
	}
	s.mu.RUnlock()
	var out gen.Conversation
	if c == nil {
		return out, false
	}
	mustUnmarshal(b, &out)
	return out, true
}

// Messages answers the messages of conversation id, oldest first (nil when
// the conversation does not exist).
func (s *Server) Messages(conversationID string) []gen.Message {
	s.mu.RLock()
	c := s.st.convs[conversationID]
	if c == nil {
		s.mu.RUnlock()
		return nil
	}
	out := make([]*messageJSON, len(c.msgs))
	for i, m := range c.msgs {
		out[i] = renderMessage(c, m, "")
	}
	b := marshal(out)
	s.mu.RUnlock()
	var msgs []gen.Message
	mustUnmarshal(b, &msgs)
	return msgs
}

// File answers the bytes and filename of an uploaded file.
func (s *Server) File(token string) (data []byte, filename string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f := s.st.files[token]
	if f == nil {
		return nil, "", false
	}
	return append([]byte(nil), f.data...), f.filename, true
}

func mustUnmarshal(b []byte, v any) {
	if err := json.Unmarshal(b, v); err != nil {
		panic("api: decoding a rendered copy: " + err.Error())
	}
}

package api

import (
	"encoding/json"
	"net/url"
	"sort"
)

// The JSON shapes of answers. They follow the spec's schemas; tests validate
// every answer against the spec.

type userJSON struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Email            []string          `json:"email"`
	Phone            []string          `json:"phone"`
	PhotoURL         *string           `json:"photoUrl"`
	HeaderPhotoURL   *string           `json:"headerPhotoUrl"`
	Role             *string           `json:"role"`
	WelcomeMessage   *string           `json:"welcomeMessage"`
	AvailabilityText *string           `json:"availabilityText"`
	Locale           *string           `json:"locale"`
	Custom           map[string]string `json:"custom"`
	PushTokens       map[string]bool   `json:"pushTokens"`
	CreatedAt        int64             `json:"createdAt"`
}

type attachmentJSON struct {
	URL      string `json:"url"`
	Size     int64  `json:"size"`
	Filename string `json:"filename"`
}

type messageJSON struct {
	ID                  string              `json:"id"`
	ConversationID      string              `json:"conversationId"`
	SenderID            *string             `json:"senderId"`
	Type                string              `json:"type"`
	Origin              string              `json:"origin"`
	Text                *string             `json:"text"`
	Content             json.RawMessage     `json:"content"`
	Attachment          *attachmentJSON     `json:"attachment"`
	Location            *[2]float64         `json:"location"`
	Custom              map[string]string   `json:"custom"`
	ReadBy              []string            `json:"readBy"`
	ReferencedMessageID *string             `json:"referencedMessageId"`
	Reactions           map[string][]string `json:"reactions"`
	CreatedAt           int64               `json:"createdAt"`
	EditedAt            *int64              `json:"editedAt"`
}

type participantJSON struct {
	Access    string          `json:"access"`
	Notify    json.RawMessage `json:"notify"`
	IsUnread  bool            `json:"isUnread"`
	JoinedAt  int64           `json:"joinedAt"`
	ReadUntil *int64          `json:"readUntil"`
}

type conversationJSON struct {
	ID                string                     `json:"id"`
	Subject           *string                    `json:"subject"`
	PhotoURL          *string                    `json:"photoUrl"`
	WelcomeMessages   []string                   `json:"welcomeMessages"`
	Custom            map[string]string          `json:"custom"`
	TopicID           *string                    `json:"topicId"`
	LastMessage       *messageJSON               `json:"lastMessage"`
	Participants      map[string]participantJSON `json:"participants"`
	CreatedAt         int64                      `json:"createdAt"`
	EveryoneReadUntil *int64                     `json:"everyoneReadUntil"`
}

type userConversationJSON struct {
	conversationJSON
	IsUnread           bool   `json:"isUnread"`
	UnreadMessageCount int    `json:"unreadMessageCount"`
	ReadUntil          *int64 `json:"readUntil"`
}

type messageRefJSON struct {
	ID string `json:"id"`
}

var (
	noCustom    = map[string]string{}
	noReactions = map[string][]string{}
	noStrings   = []string{}
)

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return noCustom
	}
	return m
}

func renderUser(u *user) userJSON {
	return userJSON{
		ID: u.id, Name: u.name, Email: u.email, Phone: u.phone,
		PhotoURL: u.photoURL, HeaderPhotoURL: u.headerPhotoURL, Role: u.role,
		WelcomeMessage: u.welcomeMessage, AvailabilityText: u.availabilityText,
		Locale: u.locale, Custom: orEmpty(u.custom), PushTokens: u.pushTokens,
		CreatedAt: u.createdAt,
	}
}

// fileURL is where the server serves an attachment.
func fileURL(base string, a *attachment) string {
	return base + filesPrefix + a.token + "/" + url.PathEscape(a.filename)
}

// renderMessage renders m of c; base is the scheme and host for attachment
// URLs. Must be called with the store locked.
func renderMessage(c *conversation, m *message, base string) *messageJSON {
	out := &messageJSON{
		ID: m.id, ConversationID: c.id, Type: m.typ.String(), Origin: "rest",
		Location: m.location, Custom: orEmpty(m.custom),
		ReferencedMessageID: m.referenced, CreatedAt: m.createdAt,
		Reactions: m.reactions,
	}
	if m.imported {
		out.Origin = "import"
	}
	if m.sender != "" {
		s := m.sender
		out.SenderID = &s
	}
	if m.hasText {
		t := m.text
		out.Text = &t
	}
	url := ""
	if m.attachment != nil {
		url = fileURL(base, m.attachment)
		out.Attachment = &attachmentJSON{URL: url, Size: m.attachment.size, Filename: m.attachment.filename}
	}
	out.Content = renderContent(m, url)
	if m.edited {
		e := m.editedAt
		out.EditedAt = &e
	}
	if out.Reactions == nil {
		out.Reactions = noReactions
	}
	out.ReadBy = readByOf(c, m)
	return out
}

// maxReadByParticipants: TalkJS fills readBy only for conversations with at
// most this many participants.
const maxReadByParticipants = 300

// readByOf lists, sorted, the users who have read m: those named when it was
// imported and the participants whose read marker covers it (never the
// sender).
func readByOf(c *conversation, m *message) []string {
	if len(c.participants) > maxReadByParticipants {
		return noStrings
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range m.readBy {
		if id != m.sender && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for id, p := range c.participants {
		if id != m.sender && !seen[id] && p.covers(m) {
			seen[id] = true
			out = append(out, id)
		}
	}
	if out == nil {
		return noStrings
	}
	sort.Strings(out)
	return out
}

// renderConversation renders c with its participants' state. Must be called
// with the store locked.
func renderConversation(c *conversation, base string) conversationJSON {
	out := conversationJSON{
		ID: c.id, Subject: c.subject, PhotoURL: c.photoURL,
		WelcomeMessages: c.welcomeMessages, Custom: orEmpty(c.custom),
		CreatedAt:    c.createdAt,
		Participants: make(map[string]participantJSON, len(c.participants)),
	}
	if m := c.lastMessage(); m != nil {
		out.LastMessage = renderMessage(c, m, base)
	}
	var everyone *int64
	allRead := len(c.participants) > 0
	for id, p := range c.participants {
		out.Participants[id] = participantJSON{
			Access: p.access, Notify: p.notify, IsUnread: c.unread(id, p),
			JoinedAt: p.joinedAt, ReadUntil: p.readUntil(),
		}
		switch {
		case !p.hasRead:
			allRead = false
		case everyone == nil || p.readTs < *everyone:
			ts := p.readTs
			everyone = &ts
		}
	}
	if allRead {
		out.EveryoneReadUntil = everyone
	}
	return out
}

// renderUserConversation renders c as listed for the participant id.
func renderUserConversation(c *conversation, id string, p *participant, base string) userConversationJSON {
	return userConversationJSON{
		conversationJSON:   renderConversation(c, base),
		IsUnread:           c.unread(id, p),
		UnreadMessageCount: p.unreadN,
		ReadUntil:          p.readUntil(),
	}
}

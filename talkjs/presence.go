package talkjs

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

// PresenceQuery narrows a presence listing; every field set narrows it
// further. The zero value lists the users with a visible TalkJS UI.
type PresenceQuery struct {
	// IncludeBackgroundSessions also lists users with only a background session.
	IncludeBackgroundSessions bool `json:"includeBackgroundSessions,omitempty"`
	// SelectedConversationID keeps users who have this conversation
	// selected; Null keeps users online with no conversation selected.
	SelectedConversationID Nullable[string] `json:"selectedConversationId,omitzero"`
	// HasFocus keeps users who are (true) or are not (false) watching the UI.
	HasFocus *bool `json:"hasFocus,omitempty"`
	// IsTyping keeps users who are (true) or are not (false) typing.
	IsTyping *bool `json:"isTyping,omitempty"`
	// UserIDs keeps only these users.
	UserIDs []string `json:"userIds,omitempty"`
}

// UserPresence is one online user's sessions.
type UserPresence struct {
	Status             string            `json:"status"`
	BackgroundSessions []PresenceSession `json:"backgroundSessions"`
	Widgets            []PresenceSession `json:"widgets"`
}

// PresenceSession is one session of an online user.
type PresenceSession struct {
	SessionID              string            `json:"sessionId"`
	SelectedConversationID string            `json:"selectedConversationId"`
	Custom                 map[string]string `json:"custom"`
	HasFocus               bool              `json:"hasFocus"`
	IsTyping               bool              `json:"isTyping"`
}

// Presence is the older, per-user presence record.
type Presence struct {
	Visible bool `json:"visible,omitempty"`
	// LastChanged is a Unix time in ms.
	LastChanged int64 `json:"lastChanged,omitempty"`
	// Availability is "online" or "offline".
	Availability string `json:"availability,omitempty"`
}

// LastChangedTime returns LastChanged as a time.Time (the zero Time when unset).
func (p *Presence) LastChangedTime() time.Time { return msTime(p.LastChanged) }

// PresenceService tells who is online; reach it as Client.Presence.
type PresenceService struct{ client *Client }

// List returns the online users matching q (which may be nil), keyed by
// user id.
//
// TalkJS: POST /v1/{appId}/presences (docs)
func (s *PresenceService) List(ctx context.Context, q *PresenceQuery) (map[string]UserPresence, error) {
	var body PresenceQuery
	if q != nil {
		body = *q
	}
	for i, id := range body.UserIDs {
		if id == "" {
			return nil, argError("q.UserIDs["+strconv.Itoa(i)+"]", "must not be empty")
		}
	}
	call, err := newJSONCall(ctx, body, func(ct string, r io.Reader) (*http.Request, error) {
		return gen.NewListPresencesRequestWithBody(s.client.server, nil, ct, r)
	})
	if err != nil {
		return nil, err
	}
	var answer page[map[string]UserPresence]
	call.out = &answer
	if err := s.client.do(call); err != nil { // a read: safe to retry
		return nil, err
	}
	return *answer.Data, nil
}

// Get returns the presence record of userID.
//
// TalkJS's public REST reference does not list this endpoint: it comes from
// the seed specification this project started from, and the real service
// may answer 404 ([ErrNotFound]).
//
// TalkJS: GET /v1/{appId}/users/{userId}/presence (seed)
//
// Deprecated: TalkJS documents presence only as POST /presences; use
// [PresenceService.List].
func (s *PresenceService) Get(ctx context.Context, userID string) (*Presence, error) {
	if err := checkID("userID", userID); err != nil {
		return nil, err
	}
	req, err := gen.NewGetUserPresenceRequest(s.client.server, userID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	p := new(Presence)
	call.out = p
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return p, nil
}

// Set stores the presence record of userID.
//
// TalkJS's public REST reference does not list this endpoint: it comes from
// the seed specification this project started from, and the real service
// may answer 404 ([ErrNotFound]).
//
// TalkJS: PUT /v1/{appId}/users/{userId}/presence (seed)
//
// Deprecated: not in TalkJS's documentation, where presence comes from the
// user's live sessions.
func (s *PresenceService) Set(ctx context.Context, userID string, p Presence) error {
	if err := checkID("userID", userID); err != nil {
		return err
	}
	switch p.Availability {
	case "", "online", "offline":
	default:
		return argError("p.Availability", `must be "online", "offline" or empty`)
	}
	call, err := newJSONCall(ctx, p, func(ct string, r io.Reader) (*http.Request, error) {
		return gen.NewSetUserPresenceRequestWithBody(s.client.server, userID, nil, ct, r)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

package talkjs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

// Access is what a participant may do in a conversation.
type Access string

// The access levels. [AccessNone] (since API version 2021-07-30) keeps the
// history visible but allows neither reading new messages nor writing; it
// can only be set with [ParticipantsService.Update].
const (
	AccessReadWrite Access = "ReadWrite"
	AccessRead      Access = "Read"
	AccessNone      Access = "None"
)

// Notify says whether a participant gets notifications. The zero value
// leaves the setting out of a request.
type Notify uint8

// The notification settings.
const (
	NotifyDefault      Notify = iota // left out: TalkJS's default (on) or the current setting
	NotifyOn                         // true
	NotifyOff                        // false
	NotifyMentionsOnly               // "MentionsOnly"
)

func (n Notify) String() string {
	switch n {
	case NotifyOn:
		return "true"
	case NotifyOff:
		return "false"
	case NotifyMentionsOnly:
		return "MentionsOnly"
	}
	return "default"
}

// IsZero reports whether n is [NotifyDefault], which is left out of requests.
func (n Notify) IsZero() bool { return n == NotifyDefault }

// MarshalJSON encodes true, false or "MentionsOnly".
func (n Notify) MarshalJSON() ([]byte, error) {
	switch n {
	case NotifyOn:
		return []byte("true"), nil
	case NotifyOff:
		return []byte("false"), nil
	case NotifyMentionsOnly:
		return []byte(`"MentionsOnly"`), nil
	}
	return nil, fmt.Errorf("talkjs: Notify(%d) cannot be encoded", uint8(n))
}

// UnmarshalJSON decodes true, false or "MentionsOnly". It is lenient, so
// that a setting TalkJS adds later does not break reading a conversation:
// any other string or null decodes as [NotifyDefault]; only a value of
// another JSON type is an error.
func (n *Notify) UnmarshalJSON(b []byte) error {
	switch s := string(b); {
	case s == "true":
		*n = NotifyOn
	case s == "false":
		*n = NotifyOff
	case s == `"MentionsOnly"`:
		*n = NotifyMentionsOnly
	case s == "null" || len(s) > 0 && s[0] == '"':
		*n = NotifyDefault
	default:
		return fmt.Errorf("talkjs: notify must be a boolean or a string, not %s", b)
	}
	return nil
}

func (n Notify) valid() bool { return n <= NotifyMentionsOnly }

// Participant is one user's participation in a conversation.
type Participant struct {
	Access   Access `json:"access"`
	Notify   Notify `json:"notify"`
	IsUnread bool   `json:"isUnread"`
	// JoinedAt is a Unix time in ms.
	JoinedAt int64 `json:"joinedAt"`
	// ReadUntil is the Unix time in ms up to which the participant has
	// read, or 0.
	ReadUntil int64 `json:"readUntil"`
}

// JoinedTime returns JoinedAt as a time.Time (the zero Time when unset).
func (p *Participant) JoinedTime() time.Time { return msTime(p.JoinedAt) }

// ReadUntilTime returns ReadUntil as a time.Time (the zero Time when the
// participant has read nothing).
func (p *Participant) ReadUntilTime() time.Time { return msTime(p.ReadUntil) }

// JoinOptions are the settings of a participant who joins. Fields left
// zero take TalkJS's defaults: [AccessReadWrite] and [NotifyOn].
type JoinOptions struct {
	// Access is [AccessReadWrite] or [AccessRead].
	Access Access `json:"access,omitempty"`
	Notify Notify `json:"notify,omitzero"`
}

// ParticipantUpdate holds the participation fields to change; zero fields
// are kept as they are.
type ParticipantUpdate struct {
	// Access may be [AccessReadWrite], [AccessRead] or [AccessNone].
	Access Access `json:"access,omitempty"`
	Notify Notify `json:"notify,omitzero"`
}

// ParticipantsService holds the participation calls; reach it as
// Client.Participants.
type ParticipantsService struct{ client *Client }

func checkPair(conversationID, userID string) error {
	if err := checkID("conversationID", conversationID); err != nil {
		return err
	}
	return checkID("userID", userID)
}

// Join adds userID to the conversation, or overwrites the participation:
// settings left out of opts ([JoinOptions], which may be nil) take their defaults.
//
// TalkJS: PUT /v1/{appId}/conversations/{conversationId}/participants/{userId} (docs)
func (s *ParticipantsService) Join(ctx context.Context, conversationID, userID string, opts *JoinOptions) error {
	if err := checkPair(conversationID, userID); err != nil {
		return err
	}
	var o JoinOptions
	if opts != nil {
		o = *opts
	}
	switch o.Access {
	case "", AccessReadWrite, AccessRead:
	default:
		return argError("opts.Access", "must be AccessReadWrite or AccessRead when joining (use Update for AccessNone)")
	}
	if !o.Notify.valid() {
		return argError("opts.Notify", "is not one of the Notify constants")
	}
	call, err := newJSONCall(ctx, o, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewJoinConversationRequestWithBody(s.client.server, conversationID, userID, nil, ct, body)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// Update changes the fields set in u ([ParticipantUpdate]) and keeps the
// rest.
//
// TalkJS: PATCH /v1/{appId}/conversations/{conversationId}/participants/{userId} (docs)
func (s *ParticipantsService) Update(ctx context.Context, conversationID, userID string, u ParticipantUpdate) error {
	if err := checkPair(conversationID, userID); err != nil {
		return err
	}
	switch u.Access {
	case "", AccessReadWrite, AccessRead, AccessNone:
	default:
		return argError("u.Access", "must be AccessReadWrite, AccessRead or AccessNone")
	}
	if !u.Notify.valid() {
		return argError("u.Notify", "is not one of the Notify constants")
	}
	call, err := newJSONCall(ctx, u, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewUpdateParticipantRequestWithBody(s.client.server, conversationID, userID, nil, ct, body)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// Leave removes userID from the conversation.
// When a retry follows an attempt that may have done it, a 404 to the retry
// counts as success (see [RetryPolicy]).
//
// TalkJS: DELETE /v1/{appId}/conversations/{conversationId}/participants/{userId} (docs)
func (s *ParticipantsService) Leave(ctx context.Context, conversationID, userID string) error {
	if err := checkPair(conversationID, userID); err != nil {
		return err
	}
	req, err := gen.NewLeaveConversationRequest(s.client.server, conversationID, userID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// Email returns the address that turns an email reply into a message from
// userID in the conversation.
//
// TalkJS: GET /v1/{appId}/conversations/{conversationId}/participants/{userId}/email (docs)
func (s *ParticipantsService) Email(ctx context.Context, conversationID, userID string) (string, error) {
	if err := checkPair(conversationID, userID); err != nil {
		return "", err
	}
	req, err := gen.NewGetParticipantEmailRequest(s.client.server, conversationID, userID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return "", err
	}
	var out emailAnswer
	call.out = &out
	if err := s.client.do(call); err != nil {
		return "", err
	}
	return out.EmailAddress, nil
}

// emailAnswer is the answer of Email; one without the address is an error.
type emailAnswer struct {
	EmailAddress string `json:"emailAddress"`
}

func (a *emailAnswer) missing() string {
	if a.EmailAddress == "" {
		return `"emailAddress"`
	}
	return ""
}

// MarkRead marks the conversation, and every message in it, as read by
// userID.
//
// TalkJS's public REST reference does not list this endpoint: community
// clients (kevlened/talkjs-node, carandclassic/talkjs) use it, and the
// real service may answer 404 ([ErrNotFound]) if it is gone.
//
// TalkJS: POST /v1/{appId}/conversations/{conversationId}/readBy/{userId} (community)
func (s *ParticipantsService) MarkRead(ctx context.Context, conversationID, userID string) error {
	if err := checkPair(conversationID, userID); err != nil {
		return err
	}
	req, err := gen.NewMarkConversationReadByUserRequest(s.client.server, conversationID, userID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return err
	}
	return s.client.do(call) // marking read twice is harmless: idempotent
}

// ReadMarker is how far a user has read: a point in time, or everything
// sent so far. Make one with [ReadUntil] or [ReadUntilSent].
type ReadMarker struct {
	ms   int64
	sent bool
}

// ReadUntil returns the marker that puts messages up to t as read and later
// ones as unread, for [ParticipantsService.SetReadMarker].
func ReadUntil(t time.Time) ReadMarker { return ReadMarker{ms: t.UnixMilli()} }

// ReadUntilSent returns the marker that puts everything sent so far as read.
func ReadUntilSent() ReadMarker { return ReadMarker{sent: true} }

// MarshalJSON encodes the marker as a Unix time in ms or "sent".
func (m ReadMarker) MarshalJSON() ([]byte, error) {
	if m.sent {
		return []byte(`"sent"`), nil
	}
	return json.Marshal(m.ms)
}

// SetReadMarker moves userID's read marker in the conversation to m (see
// [ReadUntil] and [ReadUntilSent]): messages after it count as unread.
//
// TalkJS's public REST reference does not list this endpoint: it comes from
// the seed specification this project started from, and the real service
// may answer 404 ([ErrNotFound]).
//
// TalkJS: PATCH /v1/{appId}/users/{userId}/conversations/{conversationId} (seed)
func (s *ParticipantsService) SetReadMarker(ctx context.Context, conversationID, userID string, m ReadMarker) error {
	if err := checkPair(conversationID, userID); err != nil {
		return err
	}
	if !m.sent && m.ms < 0 {
		return argError("m", "must not be before 1970")
	}
	body := struct {
		ReadUntil ReadMarker `json:"readUntil"`
	}{m}
	call, err := newJSONCall(ctx, body, func(ct string, r io.Reader) (*http.Request, error) {
		return gen.NewMarkConversationReadRequestWithBody(s.client.server, userID, conversationID, nil, ct, r)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// MarkUnread marks every message of the conversation as unread for userID,
// by moving the read marker to the start of time ([ParticipantsService.SetReadMarker]).
//
// TalkJS's public REST reference does not list this endpoint: it comes from
// the seed specification this project started from, and the real service
// may answer 404 ([ErrNotFound]).
//
// TalkJS: PATCH /v1/{appId}/users/{userId}/conversations/{conversationId} (seed)
func (s *ParticipantsService) MarkUnread(ctx context.Context, conversationID, userID string) error {
	return s.SetReadMarker(ctx, conversationID, userID, ReadMarker{})
}

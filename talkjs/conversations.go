package talkjs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

// Conversation is a TalkJS conversation as the API returns it.
type Conversation struct {
	ID              string            `json:"id"`
	Subject         string            `json:"subject"`
	PhotoURL        string            `json:"photoUrl"`
	WelcomeMessages []string          `json:"welcomeMessages"`
	Custom          map[string]string `json:"custom"`
	TopicID         string            `json:"topicId"`
	// LastMessage is nil when the conversation has no messages.
	LastMessage *Message `json:"lastMessage"`
	// Participants are keyed by user id.
	Participants map[string]Participant `json:"participants"`
	// CreatedAt is a Unix time in milliseconds.
	CreatedAt int64 `json:"createdAt"`
	// EveryoneReadUntil is the Unix time in ms up to which every
	// participant has read, or 0.
	EveryoneReadUntil int64 `json:"everyoneReadUntil"`
}

// missing makes a 2xx answer without an id an error (see decode).
func (c *Conversation) missing() string {
	if c.ID == "" {
		return `"id"`
	}
	return ""
}

// CreatedTime returns CreatedAt as a time.Time (the zero Time when unset).
func (c *Conversation) CreatedTime() time.Time { return msTime(c.CreatedAt) }

// EveryoneReadUntilTime returns EveryoneReadUntil as a time.Time (the zero
// Time when no one has read).
func (c *Conversation) EveryoneReadUntilTime() time.Time { return msTime(c.EveryoneReadUntil) }

// UserConversation is a conversation as listed for one user, with that
// user's read state.
type UserConversation struct {
	Conversation
	// IsUnread says whether the user has unread messages in it.
	IsUnread bool `json:"isUnread"`
	// UnreadMessageCount is how many messages the user has not read.
	UnreadMessageCount int `json:"unreadMessageCount"`
	// ReadUntil is the Unix time in ms up to which the user has read, or 0.
	ReadUntil int64 `json:"readUntil"`
}

// ReadUntilTime returns ReadUntil as a time.Time (the zero Time when the
// user has read nothing).
func (c *UserConversation) ReadUntilTime() time.Time { return msTime(c.ReadUntil) }

// ConversationInput holds the fields of a conversation to create or update.
// Only the fields set are sent; Null clears a field. Participants are added,
// never removed: use Client.Participants for that.
type ConversationInput struct {
	Subject         Nullable[string]      `json:"subject,omitzero"`
	PhotoURL        Nullable[string]      `json:"photoUrl,omitzero"`
	WelcomeMessages Nullable[[]string]    `json:"welcomeMessages,omitzero"`
	Custom          Nullable[CustomInput] `json:"custom,omitzero"`
	// Participants are user ids to add with the default access and notify.
	Participants []string `json:"participants,omitempty"`
}

// ConversationFilter selects conversations in list calls; package
// talkjs/filter builds them.
type ConversationFilter interface {
	// FilterJSON returns the filter as the JSON the JavaScript SDK sends,
	// or an error for an impossible filter.
	FilterJSON() ([]byte, error)
}

// RawFilter returns a [ConversationFilter] written by hand as JSON, such as
// `{"custom":{"category":["==","shoes"]}}`: an escape hatch for what
// package talkjs/filter cannot express. Invalid JSON is reported when the
// filter is used.
func RawFilter(json string) ConversationFilter { return rawFilter(json) }

type rawFilter string

func (f rawFilter) FilterJSON() ([]byte, error) {
	if !json.Valid([]byte(f)) {
		return nil, errors.New("the raw filter is not valid JSON")
	}
	return []byte(f), nil
}

// ConversationOrder is the sort key of a conversation list.
type ConversationOrder string

// The sort keys (since API version 2021-02-09).
const (
	OrderByLastActivity ConversationOrder = "lastActivity"
	OrderByCreatedAt    ConversationOrder = "createdAt"
)

// OrderDirection is the direction of a sort.
type OrderDirection string

// The sort directions.
const (
	Descending OrderDirection = "DESC"
	Ascending  OrderDirection = "ASC"
)

// ConversationListOptions narrow and order a conversation list.
type ConversationListOptions struct {
	ListOptions
	// OrderBy is lastActivity (the default) or createdAt.
	OrderBy ConversationOrder
	// OrderDirection is DESC (the default) or ASC.
	OrderDirection OrderDirection
	// OffsetTs, a Unix time in ms, starts the list after that time in the
	// current order; 0 leaves it out.
	OffsetTs int64
	// LastMessageBefore and LastMessageAfter (Unix times in ms, 0 = unset)
	// keep conversations whose last message was sent before or after them.
	LastMessageBefore int64
	LastMessageAfter  int64
	// Filter keeps the conversations it matches; see package talkjs/filter.
	Filter ConversationFilter
}

// UserConversationListOptions narrow and order the conversations of a
// user. They are [ConversationListOptions] plus UnreadsOnly, with every field
// at the top, so that a filter needs no nested literal:
//
//	opts := &talkjs.UserConversationListOptions{
//		Filter:      filter.Where{Subject: filter.Eq("Support")},
//		UnreadsOnly: true,
//	}
type UserConversationListOptions struct {
	ListOptions
	// OrderBy, OrderDirection, OffsetTs, LastMessageBefore,
	// LastMessageAfter and Filter are those of [ConversationListOptions].
	OrderBy           ConversationOrder
	OrderDirection    OrderDirection
	OffsetTs          int64
	LastMessageBefore int64
	LastMessageAfter  int64
	Filter            ConversationFilter
	// UnreadsOnly keeps the conversations with messages the user has not read.
	UnreadsOnly bool
}

// conversationOptions returns o without UnreadsOnly.
func (o *UserConversationListOptions) conversationOptions() ConversationListOptions {
	return ConversationListOptions{ListOptions: o.ListOptions, OrderBy: o.OrderBy, OrderDirection: o.OrderDirection,
		OffsetTs: o.OffsetTs, LastMessageBefore: o.LastMessageBefore, LastMessageAfter: o.LastMessageAfter, Filter: o.Filter}
}

func (o *ConversationListOptions) params() (gen.ListConversationsParams, error) {
	var p gen.ListConversationsParams
	if err := o.ListOptions.check(); err != nil {
		return p, err
	}
	switch o.OrderBy {
	case "", OrderByLastActivity, OrderByCreatedAt:
	default:
		return p, argError("opts.OrderBy", "must be OrderByLastActivity or OrderByCreatedAt")
	}
	switch o.OrderDirection {
	case "", Descending, Ascending:
	default:
		return p, argError("opts.OrderDirection", "must be Descending or Ascending")
	}
	if o.OffsetTs < 0 || o.LastMessageBefore < 0 || o.LastMessageAfter < 0 {
		return p, argError("opts", "timestamps must not be negative")
	}
	p.Limit, p.StartingAfter = ptrIf(o.Limit), ptrIf(o.StartingAfter)
	if o.OrderBy != "" {
		v := gen.ConversationOrderBy(o.OrderBy)
		p.OrderBy = &v
	}
	if o.OrderDirection != "" {
		v := gen.OrderDirection(o.OrderDirection)
		p.OrderDirection = &v
	}
	p.OffsetTs = ptrIf(o.OffsetTs)
	p.LastMessageBefore, p.LastMessageAfter = ptrIf(o.LastMessageBefore), ptrIf(o.LastMessageAfter)
	if o.Filter != nil {
		b, err := o.Filter.FilterJSON()
		if err != nil {
			return p, &ArgumentError{Arg: "opts.Filter", Problem: err.Error(), Err: err}
		}
		f := string(b)
		p.Filter = &f
	}
	return p, nil
}

// ConversationsService holds the conversation calls; reach it as
// Client.Conversations.
type ConversationsService struct{ client *Client }

// Upsert creates the conversation id or updates the fields set in in
// (PATCH semantics).
//
// TalkJS: PUT /v1/{appId}/conversations/{conversationId} (docs)
func (s *ConversationsService) Upsert(ctx context.Context, id string, in ConversationInput) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	for i, p := range in.Participants {
		if p == "" {
			return argError("in.Participants["+strconv.Itoa(i)+"]", "must not be empty")
		}
	}
	call, err := newJSONCall(ctx, in, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewCreateOrUpdateConversationRequestWithBody(s.client.server, id, nil, ct, body)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// Get returns the conversation id.
//
// TalkJS: GET /v1/{appId}/conversations/{conversationId} (docs)
func (s *ConversationsService) Get(ctx context.Context, id string) (*Conversation, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	call, err := newURLCall(ctx, http.MethodGet, s.client.conversationURL(id), nil)
	if err != nil {
		return nil, err
	}
	conv := new(Conversation)
	call.out = conv
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return conv, nil
}

// Delete deletes the conversation id with all its messages. The users are kept.
// When a retry follows an attempt that may have done it, a 404 to the retry
// counts as success (see [RetryPolicy]).
//
// TalkJS: DELETE /v1/{appId}/conversations/{conversationId} (docs)
func (s *ConversationsService) Delete(ctx context.Context, id string) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	req, err := gen.NewDeleteConversationRequest(s.client.server, id, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// List returns one page of the app's conversations. Use [ConversationsService.All] to walk
// every page.
//
// TalkJS: GET /v1/{appId}/conversations (docs)
func (s *ConversationsService) List(ctx context.Context, opts *ConversationListOptions) ([]Conversation, error) {
	var o ConversationListOptions
	if opts != nil {
		o = *opts
	}
	p, err := o.params()
	if err != nil {
		return nil, err
	}
	req, err := gen.NewListConversationsRequest(s.client.server, &p)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	var answer page[[]Conversation]
	call.out = &answer
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return *answer.Data, nil
}

// All walks every conversation, page by page. It is lazy and copies opts.
//
// TalkJS: GET /v1/{appId}/conversations (docs)
func (s *ConversationsService) All(ctx context.Context, opts *ConversationListOptions) iter.Seq2[Conversation, error] {
	var o ConversationListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o.Limit, o.StartingAfter, func(ctx context.Context, limit int, after string) ([]Conversation, error) {
		page := o
		page.Limit, page.StartingAfter = limit, after
		return s.List(ctx, &page)
	}, func(c *Conversation) string { return c.ID })
}

package talkjs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

// User is a TalkJS user as the API returns it.
type User struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Email            []string          `json:"email"`
	Phone            []string          `json:"phone"`
	PhotoURL         string            `json:"photoUrl"`
	HeaderPhotoURL   string            `json:"headerPhotoUrl"`
	Role             string            `json:"role"`
	WelcomeMessage   string            `json:"welcomeMessage"`
	AvailabilityText string            `json:"availabilityText"`
	Locale           string            `json:"locale"`
	Custom           map[string]string `json:"custom"`
	PushTokens       map[string]bool   `json:"pushTokens"`
	// CreatedAt is a Unix time in milliseconds; see Time.
	CreatedAt int64 `json:"createdAt"`
}

// missing makes a 2xx answer without an id an error (see decode).
func (u *User) missing() string {
	if u.ID == "" {
		return `"id"`
	}
	return ""
}

// CreatedTime returns CreatedAt as a time.Time (the zero Time when unset).
func (u *User) CreatedTime() time.Time { return msTime(u.CreatedAt) }

// UserInput holds the fields of a user to create or update. Only the fields
// that are set are sent, so an update changes nothing else; a field set to
// Null is cleared. Name is needed when the user is created.
type UserInput struct {
	Name             string                `json:"name,omitempty"`
	Email            Nullable[[]string]    `json:"email,omitzero"`
	Phone            Nullable[[]string]    `json:"phone,omitzero"`
	PhotoURL         Nullable[string]      `json:"photoUrl,omitzero"`
	HeaderPhotoURL   Nullable[string]      `json:"headerPhotoUrl,omitzero"`
	Role             Nullable[string]      `json:"role,omitzero"`
	WelcomeMessage   Nullable[string]      `json:"welcomeMessage,omitzero"`
	AvailabilityText Nullable[string]      `json:"availabilityText,omitzero"`
	Locale           Nullable[string]      `json:"locale,omitzero"`
	Custom           Nullable[CustomInput] `json:"custom,omitzero"`
	PushTokens       Nullable[PushTokens]  `json:"pushTokens,omitzero"`
}

// UsersService holds the user calls; reach it as Client.Users.
type UsersService struct{ client *Client }

// Upsert creates the user id or updates the fields set in u (PATCH
// semantics: the fields [UserInput] leaves unset are kept).
//
// TalkJS: PUT /v1/{appId}/users/{userId} (docs)
func (s *UsersService) Upsert(ctx context.Context, id string, u UserInput) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	call, err := newJSONCall(ctx, u, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewCreateOrUpdateUserRequestWithBody(s.client.server, id, nil, ct, body)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// Get returns the [User] id. A user that does not exist is an error
// matching [ErrNotFound].
//
// TalkJS: GET /v1/{appId}/users/{userId} (docs)
func (s *UsersService) Get(ctx context.Context, id string) (*User, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	req, err := gen.NewGetUserRequest(s.client.server, id, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	u := new(User)
	call.out = u
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return u, nil
}

// List returns one page of the app's users. Use [UsersService.All] to walk every page.
//
// TalkJS: GET /v1/{appId}/users (docs)
func (s *UsersService) List(ctx context.Context, opts *ListOptions) ([]User, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	var p gen.ListUsersParams
	if opts != nil {
		p.Limit, p.StartingAfter = ptrIf(opts.Limit), ptrIf(opts.StartingAfter)
	}
	req, err := gen.NewListUsersRequest(s.client.server, &p)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	var answer page[[]User]
	call.out = &answer
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return *answer.Data, nil
}

// All walks every user, page by page, starting after opts.StartingAfter ([ListOptions]).
// Nothing is requested until the sequence is ranged over; opts is copied,
// never changed.
//
// TalkJS: GET /v1/{appId}/users (docs)
func (s *UsersService) All(ctx context.Context, opts *ListOptions) iter.Seq2[User, error] {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o.Limit, o.StartingAfter, func(ctx context.Context, limit int, after string) ([]User, error) {
		page := o
		page.Limit, page.StartingAfter = limit, after
		return s.List(ctx, &page)
	}, func(u *User) string { return u.ID })
}

// UserUpsert is one entry of UpsertMany: the user id and its fields.
type UserUpsert struct {
	ID   string
	User UserInput
}

// MaxUsersPerBatch is how many users TalkJS accepts in one batch update.
const MaxUsersPerBatch = 100

// UpsertMany creates or updates many users, [MaxUsersPerBatch] per request,
// in the order given. TalkJS applies each request all-or-nothing. When a
// request fails, the users of the earlier requests stay stored, the users
// of the failing request are not stored, and later ones are not sent: the
// returned count says how many users (a prefix of users) were stored, so
// the caller can resume with users[n:]. An id may appear only once.
//
// TalkJS: PUT /v1/{appId}/users (docs)
func (s *UsersService) UpsertMany(ctx context.Context, users []UserUpsert) (int, error) {
	if len(users) == 0 {
		return 0, argError("users", "must not be empty")
	}
	seen := make(map[string]int, len(users))
	for i, u := range users {
		if err := checkID(fmt.Sprintf("users[%d].ID", i), u.ID); err != nil {
			return 0, err
		}
		if j, dup := seen[u.ID]; dup {
			return 0, argError(fmt.Sprintf("users[%d].ID", i), fmt.Sprintf("repeats users[%d].ID %q", j, u.ID))
		}
		seen[u.ID] = i
	}
	done := 0
	for start := 0; start < len(users); start += MaxUsersPerBatch {
		chunk := users[start:min(start+MaxUsersPerBatch, len(users))]
		body := make(orderedUsers, len(chunk))
		copy(body, chunk)
		call, err := newJSONCall(ctx, body, func(ct string, r io.Reader) (*http.Request, error) {
			return gen.NewBatchUpdateUsersRequestWithBody(s.client.server, nil, ct, r)
		})
		if err != nil {
			return done, err
		}
		if err := s.client.do(call); err != nil {
			return done, err
		}
		done += len(chunk)
	}
	return done, nil
}

// orderedUsers encodes as a JSON object keyed by user id, in slice order.
type orderedUsers []UserUpsert

func (o orderedUsers) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, u := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(u.ID)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(u.User)
		if err != nil {
			return nil, err
		}
		b = append(b, k...)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// Conversations returns one page of the conversations userID takes part
// in, with that user's read state ([UserConversation]). Use [UsersService.AllConversations] to
// walk every page.
//
// TalkJS: GET /v1/{appId}/users/{userId}/conversations (docs)
func (s *UsersService) Conversations(ctx context.Context, userID string, opts *UserConversationListOptions) ([]UserConversation, error) {
	if err := checkID("userID", userID); err != nil {
		return nil, err
	}
	var o UserConversationListOptions
	if opts != nil {
		o = *opts
	}
	co := o.conversationOptions()
	cp, err := co.params()
	if err != nil {
		return nil, err
	}
	p := gen.ListUserConversationsParams{
		Limit: cp.Limit, StartingAfter: cp.StartingAfter, OrderBy: cp.OrderBy, OrderDirection: cp.OrderDirection,
		OffsetTs: cp.OffsetTs, LastMessageBefore: cp.LastMessageBefore, LastMessageAfter: cp.LastMessageAfter,
		Filter: cp.Filter, UnreadsOnly: ptrIf(o.UnreadsOnly),
	}
	req, err := gen.NewListUserConversationsRequest(s.client.server, userID, &p)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	var answer page[[]UserConversation]
	call.out = &answer
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return *answer.Data, nil
}

// AllConversations walks every conversation of userID, page by page. It is
// lazy and copies opts, like [UsersService.All].
//
// TalkJS: GET /v1/{appId}/users/{userId}/conversations (docs)
func (s *UsersService) AllConversations(ctx context.Context, userID string, opts *UserConversationListOptions) iter.Seq2[UserConversation, error] {
	var o UserConversationListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o.Limit, o.StartingAfter, func(ctx context.Context, limit int, after string) ([]UserConversation, error) {
		page := o
		page.Limit, page.StartingAfter = limit, after
		return s.Conversations(ctx, userID, &page)
	}, func(c *UserConversation) string { return c.ID })
}

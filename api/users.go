package api

import (
	"fmt"
	"net/http"

	"github.com/gotalkjs/talkjs-go/gen"
)

// CreateOrUpdateUser upserts a user: only the fields sent change, null clears
// a field, a custom key or push token set to null is removed. Creating a user
// needs a name (400 without one).
func (h handlers) CreateOrUpdateUser(w http.ResponseWriter, r *http.Request, userID gen.UserId, _ gen.CreateOrUpdateUserParams) {
	var in gen.UserInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg := s.checkUserInput(userID, &in); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	s.applyUser(userID, &in, s.nowMs())
	writeEmpty(w)
}

// BatchUpdateUsers upserts up to 100 users, all or nothing: when any entry is
// invalid nothing changes and the 400 answer's errors map names each invalid
// user id.
func (h handlers) BatchUpdateUsers(w http.ResponseWriter, r *http.Request, _ gen.BatchUpdateUsersParams) {
	var in gen.BatchUserInput
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	problems := map[string]string{}
	for id, u := range in {
		if msg := s.checkUserInput(id, &u); msg != "" {
			problems[id] = msg
		}
	}
	if len(problems) > 0 {
		writeAPIError(w, &apiError{
			status:  http.StatusBadRequest,
			message: fmt.Sprintf("%d of %d users are invalid; none was updated", len(problems), len(in)),
			errors:  problems,
		})
		return
	}
	now := s.nowMs()
	for _, id := range sortedKeys(in) {
		u := in[id]
		s.applyUser(id, &u, now)
	}
	writeEmpty(w)
}

// checkUserInput says what is wrong with an upsert of user id, or "".
func (s *Server) checkUserInput(id string, in *gen.UserInput) string {
	if id == "" {
		return "a user id must not be empty"
	}
	if _, ok := s.st.users[id]; !ok && in.Name == nil {
		return fmt.Sprintf("user %q does not exist yet, so a name is required to create it", id)
	}
	return ""
}

// applyUser upserts a checked input. Callers hold the write lock.
func (s *Server) applyUser(id string, in *gen.UserInput, now int64) {
	st := &s.st
	u := st.users[id]
	defer s.emitUserUpsert(u == nil, id) // webhooks.go
	if u == nil {
		u = &user{id: id, seq: st.nextSeq(), createdAt: now, convs: map[string]*conversation{}}
		st.users[id] = u
		st.userOrder = append(st.userOrder, u)
	}
	if in.Name != nil {
		u.name = *in.Name
	}
	setStrings(&u.email, in.Email.IsSpecified(), in.Email.IsNull(), in.Email)
	setStrings(&u.phone, in.Phone.IsSpecified(), in.Phone.IsNull(), in.Phone)
	setString(&u.photoURL, in.PhotoUrl)
	setString(&u.headerPhotoURL, in.HeaderPhotoUrl)
	setString(&u.role, in.Role)
	setString(&u.welcomeMessage, in.WelcomeMessage)
	setString(&u.availabilityText, in.AvailabilityText)
	setString(&u.locale, in.Locale)
	if in.Custom.IsSpecified() {
		if in.Custom.IsNull() {
			u.custom = nil
		} else {
			u.custom = mergeCustom(u.custom, in.Custom.MustGet())
		}
	}
	if in.PushTokens.IsSpecified() {
		if in.PushTokens.IsNull() {
			u.pushTokens = nil
		} else {
			next := make(map[string]bool, len(u.pushTokens))
			for k, v := range u.pushTokens {
				next[k] = v
			}
			for k, v := range in.PushTokens.MustGet() {
				if v == nil {
					delete(next, k)
				} else {
					next[k] = *v
				}
			}
			u.pushTokens = next
		}
	}
}

type nullableStrings interface{ MustGet() []string }

func setStrings(dst *[]string, specified, null bool, v nullableStrings) {
	switch {
	case !specified:
	case null:
		*dst = nil
	default:
		*dst = append([]string{}, v.MustGet()...)
	}
}

type nullableString interface {
	IsSpecified() bool
	IsNull() bool
	MustGet() string
}

func setString(dst **string, v nullableString) {
	switch {
	case !v.IsSpecified():
	case v.IsNull():
		*dst = nil
	default:
		s := v.MustGet()
		*dst = &s
	}
}

// GetUser answers the user, or 404.
func (h handlers) GetUser(w http.ResponseWriter, r *http.Request, userID gen.UserId, _ gen.GetUserParams) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[userID]
	if u == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q", userID))
		return
	}
	writeRawJSON(w, http.StatusOK, marshal(renderUser(u)))
}

// ListUsers lists users, newest first (our reading; TalkJS does not document
// the order), limit (default 10) per page, startingAfter a user id.
func (h handlers) ListUsers(w http.ResponseWriter, r *http.Request, params gen.ListUsersParams) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	order := s.st.userOrder
	from := 0 // index into the newest-first order
	if params.StartingAfter != nil {
		u := s.st.users[*params.StartingAfter]
		if u == nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("startingAfter: no user with id %q", *params.StartingAfter))
			return
		}
		// userOrder is oldest first and users are never deleted, so a
		// user's position is found by its sequence number.
		from = len(order) - userIndex(order, u)
	}
	from, to := pageBounds(from, len(order), params.Limit)
	data := make([]userJSON, 0, to-from)
	for i := from; i < to; i++ {
		data = append(data, renderUser(order[len(order)-1-i]))
	}
	writeRawJSON(w, http.StatusOK, marshal(struct {
		Data []userJSON `json:"data"`
	}{data}))
}

// userIndex finds u in order (sorted by seq).
func userIndex(order []*user, u *user) int {
	lo, hi := 0, len(order)
	for lo < hi {
		m := (lo + hi) / 2
		if order[m].seq < u.seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

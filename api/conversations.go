package api

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/gotalkjs/talkjs-go/api/convfilter"
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
}

// GetConversation answers the conversation with its participants (access,
// notify, isUnread, joinedAt, readUntil), last message and createdAt.
func (h handlers) GetConversation(w http.ResponseWriter, r *http.Request, convID gen.ConversationId, _ gen.GetConversationParams) {
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.st.convs[convID]
	if c == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no conversation with id %q", convID))
		return
	}
	writeRawJSON(w, http.StatusOK, marshal(renderConversation(c, baseURL(r))))
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
	for _, m := range c.msgs {
		st.releaseAttachment(m)
	}
	st.messages -= len(c.msgs)
	for id := range c.participants {
		if u := st.users[id]; u != nil {
			delete(u.convs, convID)
		}
	}
	delete(st.convs, convID)
	writeEmpty(w)
}

// listQuery is the common part of the two conversation lists.
type listQuery struct {
	limit             *int
	startingAfter     *string
	orderBy           gen.ConversationOrderBy
	desc              bool
	offsetTs          *int64
	lastMessageBefore *int64
	lastMessageAfter  *int64
	filter            *convfilter.Filter
	unreadsOnly       bool
}

// newListQuery reads the query; before API version 2021-02-09 the order is
// always createdAt DESC and offsetTs is not known.
func newListQuery(version *string, limit *int, startingAfter *string, orderBy *gen.ConversationOrderBy, dir *gen.OrderDirection, offsetTs, before, after *int64, filter *string) (*listQuery, *apiError) {
	q := &listQuery{limit: limit, startingAfter: startingAfter, orderBy: gen.ConversationOrderByLastActivity, desc: true,
		offsetTs: offsetTs, lastMessageBefore: before, lastMessageAfter: after}
	if orderBy != nil {
		q.orderBy = *orderBy
	}
	if dir != nil {
		q.desc = *dir == gen.OrderDirectionDESC
	}
	if version != nil && *version < "2021-02-09" {
		q.orderBy, q.desc, q.offsetTs = gen.ConversationOrderByCreatedAt, true, nil
	}
	if filter != nil {
		f, err := convfilter.Parse([]byte(*filter))
		if err != nil {
			return nil, badRequest("query parameter \"filter\": " + err.Error())
		}
		q.filter = f
	}
	return q, nil
}

// sortKey is a conversation's place in the order of q.
func (q *listQuery) sortKey(c *conversation) int64 {
	if q.orderBy == gen.ConversationOrderByCreatedAt {
		return c.createdAt
	}
	return c.lastActivity()
}

// after reports whether a comes after b in the order of q.
func (q *listQuery) after(a, b *conversation) bool {
	ka, kb := q.sortKey(a), q.sortKey(b)
	if ka == kb {
		if q.desc {
			return a.seq < b.seq
		}
		return a.seq > b.seq
	}
	if q.desc {
		return ka < kb
	}
	return ka > kb
}

// keep reports whether c passes the filters of q; p is the listing user's
// participation, nil for the app-wide list.
func (q *listQuery) keep(c *conversation, userID string, p *participant) bool {
	last := c.lastMessage()
	if q.lastMessageBefore != nil && (last == nil || last.createdAt >= *q.lastMessageBefore) {
		return false
	}
	if q.lastMessageAfter != nil && (last == nil || last.createdAt <= *q.lastMessageAfter) {
		return false
	}
	if q.offsetTs != nil {
		k := q.sortKey(c)
		if (q.desc && k >= *q.offsetTs) || (!q.desc && k <= *q.offsetTs) {
			return false
		}
	}
	unread := p != nil && c.unread(userID, p)
	if q.unreadsOnly && !unread {
		return false
	}
	if q.filter != nil {
		created := c.createdAt
		subj := convfilter.Subject{Custom: orEmpty(c.custom), Subject: c.subject, HasUnreadMessages: unread, CreatedAt: &created}
		if p != nil {
			subj.Access = p.access
		}
		if last != nil {
			ts := last.createdAt
			subj.LastMessageTs = &ts
		}
		if !q.filter.Match(&subj) {
			return false
		}
	}
	return true
}

// page sorts and pages the kept conversations. The startingAfter
// conversation need not pass the filters (it may have been read since the
// last page, say): the page starts after its place in the order.
func (q *listQuery) page(st *store, kept []*conversation) ([]*conversation, *apiError) {
	sort.Slice(kept, func(i, j int) bool { return q.after(kept[j], kept[i]) })
	from := 0
	if q.startingAfter != nil {
		cur := st.convs[*q.startingAfter]
		if cur == nil {
			return nil, badRequest(fmt.Sprintf("startingAfter: no conversation with id %q", *q.startingAfter))
		}
		from = sort.Search(len(kept), func(i int) bool { return q.after(kept[i], cur) })
	}
	from, to := pageBounds(from, len(kept), q.limit)
	return kept[from:to], nil
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
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	kept := make([]*conversation, 0, len(s.st.convs))
	for _, c := range s.st.convs {
		if q.keep(c, "", nil) {
			kept = append(kept, c)
		}
	}
	pg, aerr := q.page(&s.st, kept)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	base := baseURL(r)
	data := make([]conversationJSON, len(pg))
	for i, c := range pg {
		data[i] = renderConversation(c, base)
	}
	writeRawJSON(w, http.StatusOK, marshal(struct {
		Data []conversationJSON `json:"data"`
	}{data}))
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
	s := h.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[userID]
	if u == nil {
		if v := params.TalkJSRESTVersion; v != nil && *v < "2024-01-01" {
			writeRawJSON(w, http.StatusOK, []byte(`{"data":[]}`))
			return
		}
		writeError(w, http.StatusNotFound, fmt.Sprintf("no user with id %q", userID))
		return
	}
	kept := make([]*conversation, 0, len(u.convs))
	for _, c := range u.convs {
		if q.keep(c, userID, c.participants[userID]) {
			kept = append(kept, c)
		}
	}
	pg, aerr := q.page(&s.st, kept)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	base := baseURL(r)
	data := make([]userConversationJSON, len(pg))
	for i, c := range pg {
		data[i] = renderUserConversation(c, userID, c.participants[userID], base)
	}
	writeRawJSON(w, http.StatusOK, marshal(struct {
		Data []userConversationJSON `json:"data"`
	}{data}))
}

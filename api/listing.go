package api

import (
	"fmt"
	"math"

	"github.com/google/btree"

	"github.com/gotalkjs/talkjs-go/api/convfilter"
	"github.com/gotalkjs/talkjs-go/gen"
)

// The listing engine. Conversations are kept in ordered indexes by createdAt
// and by lastActivity, for the whole app and per user, so that a page costs
// a seek to its start and a walk of the conversations it shows (plus those a
// filter turns down), not a sort of every conversation. A long walk lets go
// of the store's lock every scanBudget conversations, so no request holds it
// for more than about a page's work.

// convKey is a conversation's place in one order: (ts, seq) ascending, seq
// being the conversation's creation sequence, which breaks ties.
type convKey struct {
	ts  int64
	seq uint64
	c   *conversation
}

func lessKey(a, b convKey) bool { return a.ts < b.ts || (a.ts == b.ts && a.seq < b.seq) }

// convIndex holds conversations in both orders.
type convIndex struct {
	created  *btree.BTreeG[convKey]
	activity *btree.BTreeG[convKey]
}

const btreeDegree = 16

func (ix *convIndex) init() {
	ix.created = btree.NewG(btreeDegree, lessKey)
	ix.activity = btree.NewG(btreeDegree, lessKey)
}

func (ix *convIndex) add(c *conversation) {
	if ix.created == nil {
		ix.init()
	}
	ix.created.ReplaceOrInsert(convKey{c.createdAt, c.seq, c})
	ix.activity.ReplaceOrInsert(convKey{c.laTs, c.seq, c})
}

func (ix *convIndex) remove(c *conversation) {
	if ix.created == nil {
		return
	}
	ix.created.Delete(convKey{c.createdAt, c.seq, nil})
	ix.activity.Delete(convKey{c.laTs, c.seq, nil})
}

func (ix *convIndex) tree(byCreated bool) *btree.BTreeG[convKey] {
	if byCreated {
		return ix.created
	}
	return ix.activity
}

// addConversation indexes a new conversation.
func (st *store) addConversation(c *conversation) {
	c.laTs = c.lastActivity()
	st.convIdx.add(c)
}

// touch re-indexes c after its messages changed: its lastActivity may have
// moved, in the app's index and in each participant's.
func (st *store) touch(c *conversation) {
	la := c.lastActivity()
	if la == c.laTs {
		return
	}
	old := convKey{c.laTs, c.seq, nil}
	c.laTs = la
	nk := convKey{la, c.seq, c}
	st.convIdx.activity.Delete(old)
	st.convIdx.activity.ReplaceOrInsert(nk)
	for id := range c.participants {
		if u := st.users[id]; u != nil && u.convIdx.activity != nil {
			u.convIdx.activity.Delete(old)
			u.convIdx.activity.ReplaceOrInsert(nk)
		}
	}
}

// removeConversation takes c out of every index and remembers where it was,
// for cursors that name it.
func (st *store) removeConversation(c *conversation, now int64) {
	st.convIdx.remove(c)
	for id := range c.participants {
		if u := st.users[id]; u != nil {
			u.convIdx.remove(c)
		}
	}
	st.tombs.put(tombKey{kind: 'c', id: c.id}, tomb{createdAt: c.createdAt, activity: c.laTs, seq: c.seq, at: now})
}

// The bounded record of deleted items' sort keys. Our choice: a cursor that
// names a conversation or message deleted since the previous page continues
// after the place the item had; the record keeps at most maxTombs items for
// at most tombTTL of the server's clock.
const (
	maxTombs = 100_000
	tombTTL  = 60 * 60 * 1000 // ms
)

type tombKey struct {
	kind byte   // 'c' conversation, 'm' message
	conv string // the conversation of a message
	id   string
}

type tomb struct {
	createdAt, activity int64 // activity: a conversation's lastActivity
	seq                 uint64
	at                  int64 // when it was deleted
}

type tombs struct {
	m     map[tombKey]tomb
	queue []tombKey // in deletion order
}

func (t *tombs) put(k tombKey, v tomb) {
	if t.m == nil {
		t.m = map[tombKey]tomb{}
	}
	t.expire(v.at)
	for len(t.m) >= maxTombs && len(t.queue) > 0 {
		t.drop()
	}
	t.m[k] = v
	t.queue = append(t.queue, k)
}

func (t *tombs) drop() {
	k := t.queue[0]
	t.queue[0] = tombKey{}
	t.queue = t.queue[1:]
	delete(t.m, k)
}

func (t *tombs) expire(now int64) {
	for len(t.queue) > 0 {
		v, ok := t.m[t.queue[0]]
		if ok && now-v.at < tombTTL {
			return
		}
		t.drop()
	}
}

func (t *tombs) get(k tombKey, now int64) (tomb, bool) {
	v, ok := t.m[k]
	if !ok || now-v.at >= tombTTL {
		return tomb{}, false
	}
	return v, true
}

// Bounds of a filter, ours: TalkJS documents none.
const (
	maxFilterBytes      = 16 << 10
	maxFilterConditions = 100
)

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
		if len(*filter) > maxFilterBytes {
			return nil, badRequest(fmt.Sprintf("query parameter \"filter\": too long (%d bytes; this server takes at most %d)", len(*filter), maxFilterBytes))
		}
		f, err := convfilter.Parse([]byte(*filter))
		if err != nil {
			return nil, badRequest("query parameter \"filter\": " + err.Error())
		}
		if n := f.Conditions(); n > maxFilterConditions {
			return nil, badRequest(fmt.Sprintf("query parameter \"filter\": too many conditions (%d; this server takes at most %d)", n, maxFilterConditions))
		}
		q.filter = f
	}
	return q, nil
}

func (q *listQuery) byCreated() bool { return q.orderBy == gen.ConversationOrderByCreatedAt }

func (q *listQuery) pageSize() int {
	if q.limit != nil {
		return *q.limit
	}
	return 10
}

// keep reports whether c passes the filters of q other than the order's
// bounds; p is the listing user's participation, nil for the app-wide list.
func (q *listQuery) keep(c *conversation, p *participant) bool {
	last := c.lastMessage()
	if q.lastMessageBefore != nil && (last == nil || last.createdAt >= *q.lastMessageBefore) {
		return false
	}
	if q.lastMessageAfter != nil && (last == nil || last.createdAt <= *q.lastMessageAfter) {
		return false
	}
	unread := p != nil && p.unreadN > 0
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

// scanBudget is how many conversations one hold of the lock looks at.
const scanBudget = 512

// bound is where a walk of an index starts: the first key at or past it in
// the walk's direction.
type bound struct {
	key  convKey
	open bool // no bound: the walk starts at the end of the index
}

// startBound is the bound of q's first page: after the startingAfter
// conversation (or where it was, if deleted since), and past offsetTs.
// Callers hold the store's lock.
func (q *listQuery) startBound(st *store, now int64) (bound, *apiError) {
	b := bound{open: true}
	if q.startingAfter != nil {
		var k convKey
		if c := st.convs[*q.startingAfter]; c != nil {
			k = convKey{c.createdAt, c.seq, nil}
			if !q.byCreated() {
				k.ts = c.laTs
			}
		} else if t, ok := st.tombs.get(tombKey{kind: 'c', id: *q.startingAfter}, now); ok {
			k = convKey{t.createdAt, t.seq, nil}
			if !q.byCreated() {
				k.ts = t.activity
			}
		} else {
			return b, badRequest(fmt.Sprintf("startingAfter: no conversation with id %q", *q.startingAfter))
		}
		b = bound{key: q.step(k)}
	}
	if q.offsetTs != nil {
		var o convKey
		if q.desc {
			o = convKey{*q.offsetTs - 1, math.MaxUint64, nil}
			if *q.offsetTs == math.MinInt64 {
				o = convKey{math.MinInt64, 0, nil}
			}
		} else {
			o = convKey{*q.offsetTs + 1, 0, nil}
			if *q.offsetTs == math.MaxInt64 {
				o = convKey{math.MaxInt64, math.MaxUint64, nil}
			}
		}
		if b.open || q.further(o, b.key) {
			b = bound{key: o}
		}
	}
	return b, nil
}

// step is the first key strictly past k in q's direction.
func (q *listQuery) step(k convKey) convKey {
	if q.desc {
		if k.seq == 0 {
			return convKey{k.ts - 1, math.MaxUint64, nil}
		}
		return convKey{k.ts, k.seq - 1, nil}
	}
	if k.seq == math.MaxUint64 {
		return convKey{k.ts + 1, 0, nil}
	}
	return convKey{k.ts, k.seq + 1, nil}
}

// further reports whether a is further along q's direction than b.
func (q *listQuery) further(a, b convKey) bool {
	if q.desc {
		return lessKey(a, b)
	}
	return lessKey(b, a)
}

// walk visits the conversations of ix from b in q's direction until visit
// answers false or budget conversations were visited; it answers whether the
// index was exhausted and the bound to continue from.
func (q *listQuery) walk(ix *convIndex, b bound, budget int, visit func(c *conversation) bool) (bool, bound) {
	if ix.created == nil {
		return true, b
	}
	t := ix.tree(q.byCreated())
	n := 0
	exhausted := true
	next := b
	it := func(k convKey) bool {
		if n == budget {
			exhausted = false
			return false
		}
		n++
		next = bound{key: q.step(k)}
		if !visit(k.c) {
			exhausted = false
			return false
		}
		return true
	}
	switch {
	case q.desc && b.open:
		t.Descend(it)
	case q.desc:
		t.DescendLessOrEqual(b.key, it)
	case b.open:
		t.Ascend(it)
	default:
		t.AscendGreaterOrEqual(b.key, it)
	}
	return exhausted, next
}

// listPage collects one page of q: the app's conversations (userID "") or
// the user's. render is called under the read lock for each conversation of
// the page, with the user's participation; it should copy what it needs
// into values that the caller encodes after the lock is released. A user
// that does not exist answers found false.
func (s *Server) listPage(q *listQuery, userID string, render func(c *conversation, p *participant)) (found bool, aerr *apiError) {
	size := q.pageSize()
	got := 0
	var b bound
	for first := true; ; first = false {
		s.mu.RLock()
		ix := &s.st.convIdx
		if userID != "" {
			u := s.st.users[userID]
			if u == nil {
				s.mu.RUnlock()
				return false, nil
			}
			ix = &u.convIdx
		}
		if first {
			b, aerr = q.startBound(&s.st, s.nowMs())
			if aerr != nil {
				s.mu.RUnlock()
				return true, aerr
			}
		}
		if size <= 0 {
			s.mu.RUnlock()
			return true, nil
		}
		var exhausted bool
		exhausted, b = q.walk(ix, b, scanBudget, func(c *conversation) bool {
			var p *participant
			if userID != "" {
				p = c.participants[userID]
				if p == nil {
					return true // left since the index was read; cannot happen under the lock
				}
			}
			if q.keep(c, p) {
				render(c, p)
				got++
			}
			return got < size
		})
		s.mu.RUnlock()
		if exhausted || got >= size {
			return true, nil
		}
	}
}

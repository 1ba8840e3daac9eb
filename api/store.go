package api

import (
	crand "crypto/rand"
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
)

// store is the server's data. Every field is guarded by Server.mu.
type store struct {
	seq       uint64 // orders everything created
	users     map[string]*user
	userOrder []*user // in creation order
	convs     map[string]*conversation
	files     map[string]*file
	fileBytes int64     // the bytes of all stored files
	unclaimed []*file   // uploads in upload order, while no message carries them
	messages  int       // number of stored messages
	idemQueue []idemRef // idempotency keys in the order they were given
	convIdx   convIndex // every conversation, by createdAt and by lastActivity
	tombs     tombs     // where recently deleted items were, for cursors
	rng       *rand.Rand
}

func (st *store) init() {
	st.users = map[string]*user{}
	st.convs = map[string]*conversation{}
	st.files = map[string]*file{}
	st.convIdx.init()
	var seed [32]byte
	_, _ = crand.Read(seed[:])
	st.rng = rand.New(rand.NewChaCha8(seed))
}

func (st *store) nextSeq() uint64 {
	st.seq++
	return st.seq
}

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// newID returns prefix and n random characters (base 62).
// messageIDLength is the length of a message id after "msg_": TalkJS's
// ids look like msg_6TKoWs0Jm8XrjPOmFdOGiX (22 characters).
const messageIDLength = 22

func (st *store) newID(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); {
		x := st.rng.Uint64()
		for j := 0; j < 10 && i < len(b); j++ {
			b[i] = idAlphabet[x%62]
			x /= 62
			i++
		}
	}
	return string(b)
}

type user struct {
	id               string
	seq              uint64
	name             string
	email, phone     []string // nil is null
	photoURL         *string
	headerPhotoURL   *string
	role             *string
	welcomeMessage   *string
	availabilityText *string
	locale           *string
	custom           map[string]string // never shared: replaced on change
	pushTokens       map[string]bool   // nil is null
	createdAt        int64
	presence         *presence
	convs            map[string]*conversation // the conversations the user takes part in
	convIdx          convIndex                // the same, ordered (made on the first join)
}

type presence struct {
	visible      bool
	availability string
	lastChanged  int64
}

type conversation struct {
	id              string
	seq             uint64
	subject         *string
	photoURL        *string
	welcomeMessages []string // nil is null
	custom          map[string]string
	participants    map[string]*participant
	createdAt       int64
	laTs            int64 // the lastActivity the indexes hold it under

	msgs    []*message // ordered by (createdAt, seq)
	msgByID map[string]*message
	idem    map[string]idemEntry
}

type idemEntry struct {
	id string
	at int64
}

// idemRef names an idempotency key in the store's queue of keys to expire.
type idemRef struct {
	conv, key string
	at        int64
}

type participant struct {
	access   string          // ReadWrite, Read or None
	notify   json.RawMessage // true, false or "MentionsOnly"
	joinedAt int64
	// The read marker: messages up to (readTs, readSeq) in the
	// conversation's order are read. hasRead false: nothing read yet.
	hasRead bool
	readTs  int64
	readSeq uint64
	// unreadN counts the messages the participant has not read; kept up to
	// date by insert, remove and recount.
	unreadN int
	// reported is how far message.read events went out (webhooks.go).
	reported readMark
}

var (
	notifyTrue  = json.RawMessage("true")
	notifyFalse = json.RawMessage("false")
)

type msgType uint8

const (
	userMessage msgType = iota
	systemMessage
)

func (t msgType) String() string {
	if t == systemMessage {
		return "SystemMessage"
	}
	return "UserMessage"
}

type message struct {
	id         string
	seq        uint64
	createdAt  int64
	editedAt   int64
	edited     bool
	typ        msgType
	imported   bool
	hasText    bool
	sender     string // "" for system messages
	text       string
	attachment *attachment
	location   *[2]float64
	custom     map[string]string
	readBy     []string // given when imported
	referenced *string
	reactions  map[string][]string
	idemKey    string          // the idempotency key it was sent with, if any
	content    json.RawMessage // content blocks as sent, or nil (derived when rendered)
}

type attachment struct {
	token    string
	filename string
	size     int64
}

type file struct {
	token      string
	filename   string
	data       []byte
	refs       int   // messages that carry it
	uploadedAt int64 // Unix ms on the server's clock
}

// before reports whether message a comes before b in a conversation.
func (a *message) before(b *message) bool {
	return a.createdAt < b.createdAt || (a.createdAt == b.createdAt && a.seq < b.seq)
}

// readBy reports whether p's marker covers m.
func (p *participant) covers(m *message) bool {
	if !p.hasRead {
		return false
	}
	return m.createdAt < p.readTs || (m.createdAt == p.readTs && m.seq <= p.readSeq)
}

// readUntil is the participant's marker as Unix ms, nil when unset.
func (p *participant) readUntil() *int64 {
	if !p.hasRead {
		return nil
	}
	ts := p.readTs
	return &ts
}

// moveMarkerTo moves p's marker forward to m (never backward).
func (p *participant) moveMarkerTo(m *message) {
	if p.covers(m) {
		return
	}
	p.hasRead, p.readTs, p.readSeq = true, m.createdAt, m.seq
}

// markAllRead marks every message of c, now and earlier, read by p.
func (c *conversation) markAllRead(p *participant, now int64, seq uint64) {
	if n := len(c.msgs); n > 0 {
		p.moveMarkerTo(c.msgs[n-1])
	}
	if !p.hasRead || p.readTs < now {
		p.hasRead, p.readTs, p.readSeq = true, now, seq
	}
}

// setReadUntil sets p's marker to the Unix time ms: everything sent at or
// before it is read, anything later unread.
func (p *participant) setReadUntil(ts int64) {
	p.hasRead, p.readTs, p.readSeq = true, ts, math.MaxUint64
}

// recount counts anew the messages participant id has not read, after its
// marker moved or it joined.
func (c *conversation) recount(id string, p *participant) { p.unreadN = c.unreadCount(id, p) }

// insert adds m in order; a message at the current end is appended. Its
// sender and readBy must be set: the participants' unread counts follow.
func (c *conversation) insert(m *message) {
	for id, p := range c.participants {
		if !p.covers(m) && isUnreadFor(m, id) {
			p.unreadN++
		}
	}
	n := len(c.msgs)
	if n == 0 || c.msgs[n-1].before(m) {
		c.msgs = append(c.msgs, m)
	} else {
		i := sort.Search(n, func(i int) bool { return m.before(c.msgs[i]) })
		c.msgs = append(c.msgs, nil)
		copy(c.msgs[i+1:], c.msgs[i:])
		c.msgs[i] = m
	}
	c.msgByID[m.id] = m
}

// index returns the position of m in c.msgs.
func (c *conversation) index(m *message) int {
	i := sort.Search(len(c.msgs), func(i int) bool { return !c.msgs[i].before(m) })
	if i < len(c.msgs) && c.msgs[i] == m {
		return i
	}
	return -1
}

// remove deletes m (and its idempotency key) from c.
func (c *conversation) remove(m *message) {
	c.dropIdempotencyKey(m)
	for id, p := range c.participants {
		if !p.covers(m) && isUnreadFor(m, id) {
			p.unreadN--
		}
	}
	if i := c.index(m); i >= 0 {
		copy(c.msgs[i:], c.msgs[i+1:])
		c.msgs[len(c.msgs)-1] = nil
		c.msgs = c.msgs[:len(c.msgs)-1]
	}
	delete(c.msgByID, m.id)
}

func (c *conversation) lastMessage() *message {
	if n := len(c.msgs); n > 0 {
		return c.msgs[n-1]
	}
	return nil
}

// lastActivity is the time of the last message, or of creation when there
// is none (or when the last message was imported with an older time).
func (c *conversation) lastActivity() int64 {
	if m := c.lastMessage(); m != nil && m.createdAt > c.createdAt {
		return m.createdAt
	}
	return c.createdAt
}

// unread tells whether p has unread messages in c: messages after p's marker
// that p neither sent nor is listed in readBy of.
func (c *conversation) unread(_ string, p *participant) bool { return p.unreadN > 0 }

// unreadCount counts the messages p has not read.
func (c *conversation) unreadCount(id string, p *participant) int {
	n := 0
	for i := len(c.msgs) - 1; i >= 0; i-- {
		m := c.msgs[i]
		if p.covers(m) {
			break
		}
		if isUnreadFor(m, id) {
			n++
		}
	}
	return n
}

func isUnreadFor(m *message, userID string) bool {
	if m.sender == userID {
		return false
	}
	for _, r := range m.readBy {
		if r == userID {
			return false
		}
	}
	return true
}

// releaseAttachment drops one reference to m's file, deleting the file when
// no message carries it any more.
func (st *store) releaseAttachment(m *message) {
	if m.attachment == nil {
		return
	}
	if f := st.files[m.attachment.token]; f != nil {
		f.refs--
		if f.refs <= 0 {
			st.dropFile(f)
		}
	}
}

func (st *store) dropFile(f *file) {
	delete(st.files, f.token)
	st.fileBytes -= int64(len(f.data))
}

// expireUploads deletes the uploads no message carries that are older than
// ttl ms. Each upload is looked at once after it is claimed or expires, so
// the cost is constant per upload.
func (st *store) expireUploads(now, ttl int64) {
	i := 0
	for ; i < len(st.unclaimed); i++ {
		f := st.unclaimed[i]
		if st.files[f.token] != f {
			continue // deleted already
		}
		if f.refs > 0 {
			continue // claimed: kept with its messages
		}
		if now-f.uploadedAt < ttl {
			break
		}
		st.dropFile(f)
	}
	clear(st.unclaimed[:i])
	st.unclaimed = st.unclaimed[i:]
}

// dropIdempotencyKey forgets the idempotency key given with m.
func (c *conversation) dropIdempotencyKey(m *message) {
	if m.idemKey == "" {
		return
	}
	if e, ok := c.idem[m.idemKey]; ok && e.id == m.id {
		delete(c.idem, m.idemKey)
	}
}

// expireIdempotencyKeys forgets the keys given window ms or more before
// now, across all conversations; each key is looked at once.
func (st *store) expireIdempotencyKeys(now, window int64) {
	i := 0
	for ; i < len(st.idemQueue); i++ {
		ref := st.idemQueue[i]
		if now-ref.at < window {
			break
		}
		if c := st.convs[ref.conv]; c != nil {
			if e, ok := c.idem[ref.key]; ok && e.at == ref.at {
				delete(c.idem, ref.key)
			}
		}
	}
	clear(st.idemQueue[:i])
	st.idemQueue = st.idemQueue[i:]
}

// mergeCustom applies a custom-data update: a string value is stored, a nil
// one removes the key. It returns a new map, so rendered copies stay valid.
func mergeCustom(old map[string]string, upd map[string]*string) map[string]string {
	out := make(map[string]string, len(old)+len(upd))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range upd {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	return out
}

func copyStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string{}, s...)
}

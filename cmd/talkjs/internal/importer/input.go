package importer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// The input is NDJSON, one object a line, told apart by "kind":
//
//	{"kind":"user","id":"u1","name":"Ann","email":["ann@example.com"],"role":"buyer","custom":{…}}
//	{"kind":"conversation","id":"c1","participants":["u1","u2"],"subject":"…","custom":{…}}
//	{"kind":"message","conversationId":"c1","sender":"u1","text":"Hi","timestamp":1552000000000,"readBy":["u2"],"custom":{…}}

type userLine struct {
	Kind             string            `json:"kind"`
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Email            stringList        `json:"email"`
	Phone            stringList        `json:"phone"`
	PhotoURL         string            `json:"photoUrl"`
	HeaderPhotoURL   string            `json:"headerPhotoUrl"`
	Role             string            `json:"role"`
	Locale           string            `json:"locale"`
	WelcomeMessage   string            `json:"welcomeMessage"`
	AvailabilityText string            `json:"availabilityText"`
	Custom           map[string]string `json:"custom"`
}

type conversationLine struct {
	Kind            string            `json:"kind"`
	ID              string            `json:"id"`
	Participants    []string          `json:"participants"`
	Subject         string            `json:"subject"`
	PhotoURL        string            `json:"photoUrl"`
	WelcomeMessages []string          `json:"welcomeMessages"`
	Custom          map[string]string `json:"custom"`
}

type messageLine struct {
	Kind           string            `json:"kind"`
	ConversationID string            `json:"conversationId"`
	Sender         string            `json:"sender"`
	Text           string            `json:"text"`
	Timestamp      *timestamp        `json:"timestamp"`
	ReadBy         []string          `json:"readBy"`
	Custom         map[string]string `json:"custom"`
}

// stringList accepts "a" as well as ["a", "b"].
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*l = []string{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return errors.New("must be a string or a list of strings")
	}
	*l = ss
	return nil
}

// timestamp is a Unix time in milliseconds, given as a number or as an
// RFC 3339 string.
type timestamp int64

// minMillis is 1973-03-03: smaller numbers are most likely seconds.
const minMillis = 100_000_000_000

func (t *timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q is not an RFC 3339 time nor a number of milliseconds", s)
		}
		*t = timestamp(tm.UnixMilli())
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("timestamp must be a Unix time in milliseconds or an RFC 3339 string")
	}
	v, err := n.Int64()
	if err != nil {
		return fmt.Errorf("timestamp %s is not a whole number of milliseconds", n)
	}
	if v < minMillis {
		return fmt.Errorf("timestamp %d is before 1973: it looks like seconds, but milliseconds are needed", v)
	}
	*t = timestamp(v)
	return nil
}

// user, conversation and message are valid input lines.
type user struct {
	line int
	raw  string
	up   talkjs.UserUpsert
}

type conversation struct {
	line int
	raw  string
	id   string
	in   talkjs.ConversationInput
	// participants are those listed plus every sender of its messages.
	participants []string
	rejected     string // why the conversation could not be created
}

type message struct {
	line int
	raw  string
	conv string
	msg  talkjs.ImportMessage
}

// key identifies a message in a read-back: TalkJS stores an imported
// message with the sender, text and timestamp it was given.
func (m *message) key() msgKey {
	return msgKey{m.msg.Sender, m.msg.Timestamp, m.msg.Text}
}

type msgKey struct {
	sender string
	ts     int64
	text   string
}

// keySum is a digest of a msgKey: a read-back keeps 16 bytes a stored
// message, not its text.
type keySum [16]byte

func (k msgKey) sum() keySum {
	h := sha256.New()
	var n [16]byte
	binary.BigEndian.PutUint64(n[:8], uint64(len(k.sender)))
	binary.BigEndian.PutUint64(n[8:], uint64(k.ts))
	h.Write(n[:])
	h.Write([]byte(k.sender))
	h.Write([]byte(k.text))
	var s keySum
	copy(s[:], h.Sum(nil))
	return s
}

// input is what the first pass over the input keeps: the users and
// conversations whole, and of each message only where to find it again
// (see msgRef).
type input struct {
	lines    int
	users    []*user
	convs    []*conversation
	convByID map[string]*conversation
	src      *source
	// msgConvs are the conversations that messages name, by index.
	msgConvs  []*msgConv
	msgConvAt map[string]int
	messages  int
}

// rejectFunc records a line that cannot be imported.
type rejectFunc func(line int, raw, reason string)

// parse reads the input once, sending every line it cannot use to reject
// and indexing the valid messages.
func parse(src *source, reject rejectFunc) (*input, error) {
	in := &input{convByID: map[string]*conversation{}, msgConvAt: map[string]int{}, src: src}
	ix := newIndexer(in)
	userAt := map[string]int{}
	br := bufio.NewReaderSize(src.first, 1<<16)
	var pos int64 // the offset of the line read next
	for n := 1; ; n++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return in, ix.finish()
			}
			return nil, fmt.Errorf("read line %d: %w", n, err)
		}
		in.lines = n
		left := bytes.TrimLeftFunc(raw, unicode.IsSpace)
		off := pos + int64(len(raw)-len(left))
		pos += int64(len(raw))
		line := bytes.TrimRightFunc(left, unicode.IsSpace)
		if len(line) == 0 {
			continue
		}
		rej := func(reason string) { reject(n, string(line), reason) }
		if !utf8.Valid(line) {
			rej("the line is not valid UTF-8")
			continue
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(line, &head); err != nil {
			rej("not a JSON object: " + jsonProblem(err))
			continue
		}
		switch head.Kind {
		case "user":
			var u userLine
			if err := strict(line, &u); err != nil {
				rej(err.Error())
				continue
			}
			if problem := checkID("id", u.ID); problem != "" {
				rej(problem)
				continue
			}
			if u.Name == "" {
				rej(`a user needs a "name"`)
				continue
			}
			if first, dup := userAt[u.ID]; dup {
				rej(fmt.Sprintf("user %q is already defined on line %d", u.ID, first))
				continue
			}
			userAt[u.ID] = n
			in.users = append(in.users, &user{line: n, raw: string(line), up: talkjs.UserUpsert{ID: u.ID, User: u.input()}})
		case "conversation":
			var c conversationLine
			if err := strict(line, &c); err != nil {
				rej(err.Error())
				continue
			}
			if problem := checkID("id", c.ID); problem != "" {
				rej(problem)
				continue
			}
			if first, dup := in.convByID[c.ID]; dup {
				rej(fmt.Sprintf("conversation %q is already defined on line %d", c.ID, first.line))
				continue
			}
			bad := ""
			for _, p := range c.Participants {
				if problem := checkID("participant", p); problem != "" {
					bad = problem
				}
			}
			if bad != "" {
				rej(bad)
				continue
			}
			conv := &conversation{line: n, raw: string(line), id: c.ID, in: c.input(), participants: append([]string(nil), c.Participants...)}
			in.convs = append(in.convs, conv)
			in.convByID[c.ID] = conv
		case "message":
			m, problem := parseMessage(line)
			if problem != "" {
				rej(problem)
				continue
			}
			if problem := ix.add(m, n, off, len(line)); problem != "" {
				rej(problem)
				continue
			}
			in.messages++
		case "":
			rej(`the object has no "kind": say "user", "conversation" or "message"`)
		default:
			rej(fmt.Sprintf(`unknown kind %q: want "user", "conversation" or "message"`, head.Kind))
		}
		if errors.Is(err, io.EOF) {
			return in, ix.finish()
		}
	}
}

// parseMessage decodes and checks a message line.
func parseMessage(line []byte) (*messageLine, string) {
	var m messageLine
	if err := strict(line, &m); err != nil {
		return nil, err.Error()
	}
	if problem := m.check(); problem != "" {
		return nil, problem
	}
	return &m, ""
}

// strict decodes one line, refusing fields it does not know, so that a
// misspelt field is reported instead of silently dropped.
func strict(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(jsonProblem(err))
	}
	if dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	return nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("field %q must be a %s, not a %s", te.Field, jsonType(te.Type.Kind().String()), te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonType(kind string) string {
	switch kind {
	case "slice":
		return "list"
	case "map", "struct":
		return "object"
	case "int64", "int":
		return "number"
	}
	return kind
}

func checkID(what, id string) string {
	switch {
	case id == "":
		return fmt.Sprintf("%q is missing or empty", what)
	case id == "." || id == "..":
		return fmt.Sprintf("%q cannot be %q", what, id)
	case strings.TrimSpace(id) != id:
		return fmt.Sprintf("%q %q has white space at an end", what, id)
	}
	return ""
}

func (m *messageLine) check() string {
	if p := checkID("conversationId", m.ConversationID); p != "" {
		return p
	}
	if p := checkID("sender", m.Sender); p != "" {
		return p
	}
	if m.Text == "" {
		return `a message needs a non-empty "text"`
	}
	if m.Timestamp == nil {
		return `a message needs its original "timestamp" (Unix milliseconds or RFC 3339)`
	}
	return ""
}

func (u *userLine) input() talkjs.UserInput {
	in := talkjs.UserInput{Name: u.Name}
	if len(u.Email) > 0 {
		in.Email = talkjs.Values(u.Email...)
	}
	if len(u.Phone) > 0 {
		in.Phone = talkjs.Values(u.Phone...)
	}
	set := func(dst *talkjs.Nullable[string], v string) {
		if v != "" {
			*dst = talkjs.Value(v)
		}
	}
	set(&in.PhotoURL, u.PhotoURL)
	set(&in.HeaderPhotoURL, u.HeaderPhotoURL)
	set(&in.Role, u.Role)
	set(&in.Locale, u.Locale)
	set(&in.WelcomeMessage, u.WelcomeMessage)
	set(&in.AvailabilityText, u.AvailabilityText)
	if len(u.Custom) > 0 {
		in.Custom = talkjs.Custom(u.Custom)
	}
	return in
}

func (c *conversationLine) input() talkjs.ConversationInput {
	var in talkjs.ConversationInput
	if c.Subject != "" {
		in.Subject = talkjs.Value(c.Subject)
	}
	if c.PhotoURL != "" {
		in.PhotoURL = talkjs.Value(c.PhotoURL)
	}
	if len(c.WelcomeMessages) > 0 {
		in.WelcomeMessages = talkjs.Value(c.WelcomeMessages)
	}
	if len(c.Custom) > 0 {
		in.Custom = talkjs.Custom(c.Custom)
	}
	return in
}

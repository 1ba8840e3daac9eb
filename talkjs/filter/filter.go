// Package filter builds TalkJS conversation filters: the JSON language of the
// JavaScript SDK's ConversationPredicate, which the REST API takes in the
// filter query parameter of its conversation lists.
//
// A [Where] is a simple filter; every field that is set must hold:
//
//	f := filter.Where{
//		Custom: filter.Custom{
//			"category": filter.OneOf("shoes", "sandals"),
//			"seller":   filter.Exists(),
//		},
//		Access:            filter.AccessIsNot(filter.None),
//		HasUnreadMessages: filter.Bool(true),
//		LastMessageTs:     filter.Gte(since.UnixMilli()),
//	}
//
// [Any] joins simple filters with OR:
//
//	either := filter.Any(
//		filter.Where{Subject: filter.Eq("Support")},
//		filter.Where{Custom: filter.Custom{"priority": filter.Eq("high")}},
//	)
//
// Both have the method FilterJSON, which returns the JSON the JavaScript SDK
// sends for the same filter, or the error that makes the filter impossible;
// list options of package talkjs take either as their Filter. The JSON is
// compact and deterministic: fields and custom keys in sorted order, and no
// HTML escaping, so ">" stays ">" (only U+2028 and U+2029 are written as
// escapes, which JSON.stringify does not do; both mean the same). The client
// URL-encodes it once, as url.Values does.
//
// # Fields and operators
//
//	Go                              JSON
//	Custom{"k": Eq("v")}            "custom": {"k": ["==", "v"]}
//	Custom{"k": NotEq("v")}         "custom": {"k": ["!=", "v"]}
//	Custom{"k": OneOf("a", "b")}    "custom": {"k": ["oneOf", ["a", "b"]]}
//	Custom{"k": NotOneOf("a")}      "custom": {"k": ["!oneOf", ["a"]]}
//	Custom{"k": Exists()}           "custom": {"k": "exists"}
//	Custom{"k": NotExists()}        "custom": {"k": "!exists"}
//	Access: AccessIs(ReadWrite)     "access": ["==", "ReadWrite"]
//	Access: AccessIsNot(None)       "access": ["!=", "None"]
//	Access: AccessOneOf(Read, None) "access": ["oneOf", ["Read", "None"]]
//	Access: AccessNotOneOf(Read)    "access": ["!oneOf", ["Read"]]
//	Subject: Eq("s")                "subject": ["==", "s"]   (also NotEq, OneOf, NotOneOf)
//	Subject: NotExists()            "subject": ["==", null]  (no subject)
//	Subject: Exists()               "subject": ["!=", null]  (has a subject)
//	HasUnreadMessages: Bool(true)   "hasUnreadMessages": true
//	LastMessageTs: Gt(ms)           "lastMessageTs": [">", ms]   (also Lt "<", Gte ">=", Lte "<=")
//	LastMessageTs: Between(a, b)    "lastMessageTs": ["between", [a, b]]
//	LastMessageTs: NotBetween(a, b) "lastMessageTs": ["!between", [a, b]]
//	CreatedAt: …                    "createdAt": the same operators as lastMessageTs
//	Any(w1, w2)                     ["any", [w1, w2]]
//
// Timestamps are Unix times in milliseconds, as everywhere in TalkJS
// (time.Time.UnixMilli). between is half-open: from <= time < to, as TalkJS's
// official @talkjs/core package (1.12.0) evaluates it.
//
// The zero Where is the empty filter {}, which matches every conversation.
//
// TalkJS documents that conversations need not have the custom keys a filter
// names, but not how the negated operators treat a missing key. The in-memory
// server of this module (package api/convfilter) reads NotEq and NotOneOf as
// holding on a missing key or subject, Eq and OneOf as not holding, and every
// timestamp comparison, NotBetween included, as not holding on a conversation
// without that timestamp.
//
// # Impossible filters
//
// The types only admit operators that are valid for their field, and Any only
// takes simple filters, because TalkJS does not nest any. What the types
// cannot rule out is reported by FilterJSON as an [*Error] naming the field:
// an Any without branches, an empty or nil custom predicate, an empty custom
// key, an access level other than ReadWrite, Read or None, a string that is
// not valid UTF-8, or a timestamp beyond ±(2^53-1), which a JavaScript number
// cannot hold exactly.
package filter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Filter is a conversation filter: a [Where] or an [AnyFilter]. It satisfies
// the ConversationFilter interface of package talkjs.
type Filter interface {
	// FilterJSON returns the filter's JSON, or the error that makes the
	// filter impossible.
	FilterJSON() ([]byte, error)
	isFilter()
}

// Where is a simple filter: a conversation passes when every field that is set
// holds. Fields left at their zero value do not filter.
type Where struct {
	// Custom filters on the conversation's custom data, one predicate per
	// key; all must hold.
	Custom Custom
	// Access filters on the current user's access to the conversation.
	Access AccessPredicate
	// Subject filters on the conversation's subject.
	Subject SubjectPredicate
	// HasUnreadMessages, when set, selects conversations that have (true)
	// or do not have (false) unread messages for the current user.
	HasUnreadMessages *bool
	// LastMessageTs filters on the time of the last message.
	LastMessageTs NumberPredicate
	// CreatedAt filters on the time the conversation was created.
	CreatedAt NumberPredicate
}

// Custom maps custom-data keys to the predicate their value must satisfy.
type Custom map[string]CustomPredicate

// CustomPredicate is a condition on one custom-data key: a [StringPredicate]
// (Eq, NotEq, OneOf, NotOneOf) or an [ExistsPredicate] (Exists, NotExists).
type CustomPredicate interface {
	customJSON() (any, error)
}

// SubjectPredicate is a condition on the conversation's subject: a
// [StringPredicate] (Eq, NotEq, OneOf, NotOneOf) or an [ExistsPredicate]
// (Exists, NotExists).
type SubjectPredicate interface {
	subjectJSON() (any, error)
}

// Bool returns a pointer to b, for Where.HasUnreadMessages.
func Bool(b bool) *bool { return &b }

// ---------------------------------------------------------------------------
// String predicates: custom values and subjects.

// StringPredicate compares a string with ==, !=, oneOf or !oneOf. Build it
// with [Eq], [NotEq], [OneOf] or [NotOneOf]; the zero value is an error.
type StringPredicate struct {
	op     string
	values []string
}

// Eq holds when the value equals v.
func Eq(v string) StringPredicate { return StringPredicate{op: "==", values: []string{v}} }

// NotEq holds when the value differs from v, or is absent.
func NotEq(v string) StringPredicate { return StringPredicate{op: "!=", values: []string{v}} }

// OneOf holds when the value is one of values; with no values it holds for
// nothing.
func OneOf(values ...string) StringPredicate {
	return StringPredicate{op: "oneOf", values: append([]string{}, values...)}
}

// NotOneOf holds when the value is none of values, or is absent; with no
// values it holds for everything.
func NotOneOf(values ...string) StringPredicate {
	return StringPredicate{op: "!oneOf", values: append([]string{}, values...)}
}

func (p StringPredicate) json() (any, error) {
	switch p.op {
	case "":
		return nil, fmt.Errorf("empty predicate (build it with Eq, NotEq, OneOf or NotOneOf)")
	case "==", "!=":
		if !utf8.ValidString(p.values[0]) {
			return nil, fmt.Errorf("%s value is not valid UTF-8", p.op)
		}
		return []any{p.op, p.values[0]}, nil
	}
	for i, v := range p.values {
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("%s value %d is not valid UTF-8", p.op, i)
		}
	}
	return []any{p.op, p.values}, nil
}

func (p StringPredicate) customJSON() (any, error)  { return p.json() }
func (p StringPredicate) subjectJSON() (any, error) { return p.json() }

// ExistsPredicate tests whether a value is present. Build it with [Exists] or
// [NotExists]; the zero value is an error.
//
// On a custom key it encodes as "exists" or "!exists". On the subject, which
// TalkJS compares with null instead, Exists encodes as ["!=", null] and
// NotExists as ["==", null].
type ExistsPredicate struct {
	op string // "exists" or "!exists"
}

// Exists holds when the custom key, or the subject, is set.
func Exists() ExistsPredicate { return ExistsPredicate{op: "exists"} }

// NotExists holds when the custom key, or the subject, is not set.
func NotExists() ExistsPredicate { return ExistsPredicate{op: "!exists"} }

func (p ExistsPredicate) customJSON() (any, error) {
	if p.op == "" {
		return nil, fmt.Errorf("empty predicate (build it with Exists or NotExists)")
	}
	return p.op, nil
}

func (p ExistsPredicate) subjectJSON() (any, error) {
	switch p.op {
	case "exists":
		return []any{"!=", nil}, nil
	case "!exists":
		return []any{"==", nil}, nil
	}
	return nil, fmt.Errorf("empty predicate (build it with Exists or NotExists)")
}

// ---------------------------------------------------------------------------
// Access.

// AccessLevel is a user's access to a conversation.
type AccessLevel string

// The access levels TalkJS knows. None is the access of a user who was
// removed from the conversation but still sees it in their list.
const (
	ReadWrite AccessLevel = "ReadWrite"
	Read      AccessLevel = "Read"
	None      AccessLevel = "None"
)

func (l AccessLevel) valid() bool { return l == ReadWrite || l == Read || l == None }

// AccessPredicate is a condition on the current user's access. Build it with
// [AccessIs], [AccessIsNot], [AccessOneOf] or [AccessNotOneOf]; the zero value
// does not filter.
type AccessPredicate struct {
	op     string
	levels []AccessLevel
}

// AccessIs holds when the user's access is l.
func AccessIs(l AccessLevel) AccessPredicate {
	return AccessPredicate{op: "==", levels: []AccessLevel{l}}
}

// AccessIsNot holds when the user's access is not l.
func AccessIsNot(l AccessLevel) AccessPredicate {
	return AccessPredicate{op: "!=", levels: []AccessLevel{l}}
}

// AccessOneOf holds when the user's access is one of levels; with no levels
// it holds for nothing.
func AccessOneOf(levels ...AccessLevel) AccessPredicate {
	return AccessPredicate{op: "oneOf", levels: append([]AccessLevel{}, levels...)}
}

// AccessNotOneOf holds when the user's access is none of levels; with no
// levels it holds for everything.
func AccessNotOneOf(levels ...AccessLevel) AccessPredicate {
	return AccessPredicate{op: "!oneOf", levels: append([]AccessLevel{}, levels...)}
}

func (p AccessPredicate) json() (any, error) {
	for _, l := range p.levels {
		if !l.valid() {
			return nil, fmt.Errorf("unknown access level %s (want ReadWrite, Read or None)", quote(string(l)))
		}
	}
	if p.op == "==" || p.op == "!=" {
		return []any{p.op, p.levels[0]}, nil
	}
	// An empty list is legal: oneOf holds for nothing, !oneOf for everything.
	return []any{p.op, append([]AccessLevel{}, p.levels...)}, nil
}

// ---------------------------------------------------------------------------
// Timestamps.

// maxSafe is the largest integer a JavaScript number holds exactly.
const maxSafe = 1<<53 - 1

// NumberPredicate compares a timestamp (Unix milliseconds). Build it with
// [Gt], [Lt], [Gte], [Lte], [Between] or [NotBetween]; the zero value does
// not filter.
type NumberPredicate struct {
	op   string
	a, b int64
}

// Gt holds when the time is after ms: [">", ms].
func Gt(ms int64) NumberPredicate { return NumberPredicate{op: ">", a: ms} }

// Lt holds when the time is before ms: ["<", ms].
func Lt(ms int64) NumberPredicate { return NumberPredicate{op: "<", a: ms} }

// Gte holds when the time is ms or after: [">=", ms].
func Gte(ms int64) NumberPredicate { return NumberPredicate{op: ">=", a: ms} }

// Lte holds when the time is ms or before: ["<=", ms].
func Lte(ms int64) NumberPredicate { return NumberPredicate{op: "<=", a: ms} }

// Between holds when from <= time < to (half-open, as in @talkjs/core); when
// from is not before to it holds for nothing.
func Between(from, to int64) NumberPredicate {
	return NumberPredicate{op: "between", a: from, b: to}
}

// NotBetween holds exactly when Between does not: the time is before from or
// at or after to.
func NotBetween(from, to int64) NumberPredicate {
	return NumberPredicate{op: "!between", a: from, b: to}
}

func (p NumberPredicate) json() (any, error) {
	check := func(what string, n int64) error {
		if n > maxSafe || n < -maxSafe {
			return fmt.Errorf("%s %d is beyond ±(2^53-1), which a JavaScript number cannot hold exactly", what, n)
		}
		return nil
	}
	if p.op != "between" && p.op != "!between" {
		if err := check(p.op+" operand", p.a); err != nil {
			return nil, err
		}
		return []any{p.op, p.a}, nil
	}
	if err := check(p.op+" lower bound", p.a); err != nil {
		return nil, err
	}
	if err := check(p.op+" upper bound", p.b); err != nil {
		return nil, err
	}
	return []any{p.op, []int64{p.a, p.b}}, nil
}

// ---------------------------------------------------------------------------
// Encoding.

// Error is the error of an impossible filter.
type Error struct {
	// Path names the part at fault, for example "custom.category" or
	// "any[1].lastMessageTs"; empty for the filter as a whole.
	Path string
	// Reason says what is wrong with it.
	Reason string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "filter: " + e.Reason
	}
	return "filter: " + e.Path + ": " + e.Reason
}

func join(path, part string) string {
	if path == "" {
		return part
	}
	return path + "." + part
}

// customPath names a custom key readably: custom.category, or
// custom["odd key"] when the key is not a plain word.
func customPath(path, key string) string {
	plain := key != "" && len(key) <= 40
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if plain {
		return join(path, "custom."+key)
	}
	return join(path, "custom["+quote(key)+"]")
}

// quote quotes s for an error message, cut short when long.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		return strconv.Quote(string([]rune(s)[:max])) + "…"
	}
	return strconv.Quote(s)
}

func wrap(path string, err error) error {
	return &Error{Path: path, Reason: err.Error()}
}

// object returns the JSON object of w as a map (encoding/json sorts its keys).
func (w Where) object(path string) (map[string]any, error) {
	m := map[string]any{}
	if len(w.Custom) > 0 {
		keys := make([]string, 0, len(w.Custom))
		for k := range w.Custom {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c := make(map[string]any, len(keys))
		for _, k := range keys {
			p := w.Custom[k]
			kp := customPath(path, k)
			switch {
			case k == "":
				return nil, &Error{Path: join(path, "custom"), Reason: "empty key"}
			case !utf8.ValidString(k):
				return nil, &Error{Path: kp, Reason: "key is not valid UTF-8"}
			case p == nil:
				return nil, &Error{Path: kp, Reason: "nil predicate (build it with Eq, NotEq, OneOf, NotOneOf, Exists or NotExists)"}
			}
			v, err := p.customJSON()
			if err != nil {
				return nil, wrap(kp, err)
			}
			c[k] = v
		}
		m["custom"] = c
	}
	if w.Access.op != "" {
		v, err := w.Access.json()
		if err != nil {
			return nil, wrap(join(path, "access"), err)
		}
		m["access"] = v
	}
	if w.Subject != nil {
		v, err := w.Subject.subjectJSON()
		if err != nil {
			return nil, wrap(join(path, "subject"), err)
		}
		m["subject"] = v
	}
	if w.HasUnreadMessages != nil {
		m["hasUnreadMessages"] = *w.HasUnreadMessages
	}
	for _, f := range []struct {
		name string
		p    NumberPredicate
	}{{"lastMessageTs", w.LastMessageTs}, {"createdAt", w.CreatedAt}} {
		if f.p.op == "" {
			continue
		}
		v, err := f.p.json()
		if err != nil {
			return nil, wrap(join(path, f.name), err)
		}
		m[f.name] = v
	}
	return m, nil
}

// encode writes v as JSON without HTML escaping, so that operators such as
// ">" appear as the JavaScript SDK writes them.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// FilterJSON returns the JSON of the filter, or an [*Error] when the filter
// is impossible.
func (w Where) FilterJSON() ([]byte, error) {
	m, err := w.object("")
	if err != nil {
		return nil, err
	}
	return encode(m)
}

// MarshalJSON implements json.Marshaler with FilterJSON. Note that
// json.Marshal escapes "<" and ">" in its output as \u003c and \u003e; the
// JSON means the same, but FilterJSON gives the SDK's exact bytes.
func (w Where) MarshalJSON() ([]byte, error) { return w.FilterJSON() }

// String returns the filter's JSON, or a description of its error.
func (w Where) String() string { return describe(w.FilterJSON()) }

func (Where) isFilter() {}

// AnyFilter is the OR of simple filters: ["any", [filter, …]]. Build it with
// [Any]; the zero value is an error.
type AnyFilter struct {
	branches []Where
}

// Any returns the filter that holds when at least one of the branches holds.
// It needs at least one branch. TalkJS does not nest any, so the branches
// are simple filters.
func Any(branches ...Where) AnyFilter {
	return AnyFilter{branches: append([]Where{}, branches...)}
}

// FilterJSON returns the JSON of the filter, or an [*Error] when the filter
// is impossible.
func (a AnyFilter) FilterJSON() ([]byte, error) {
	if len(a.branches) == 0 {
		return nil, &Error{Path: "any", Reason: "needs at least one filter"}
	}
	list := make([]any, len(a.branches))
	for i, w := range a.branches {
		m, err := w.object(fmt.Sprintf("any[%d]", i))
		if err != nil {
			return nil, err
		}
		list[i] = m
	}
	return encode([]any{"any", list})
}

// MarshalJSON implements json.Marshaler with FilterJSON (see
// [Where.MarshalJSON] about escaping).
func (a AnyFilter) MarshalJSON() ([]byte, error) { return a.FilterJSON() }

// String returns the filter's JSON, or a description of its error.
func (a AnyFilter) String() string { return describe(a.FilterJSON()) }

func (AnyFilter) isFilter() {}

func describe(b []byte, err error) string {
	if err != nil {
		return "<invalid " + err.Error() + ">"
	}
	return string(b)
}

// Package convfilter parses and evaluates TalkJS conversation filters for the
// in-memory server in package api.
//
// The language is the one of the JavaScript SDK's ConversationPredicate, which
// the REST API accepts, URL-encoded, in the filter query parameter of the
// conversation lists. A filter is either a simple filter, a JSON object whose
// fields must all hold (AND):
//
//	{
//	  "custom":            {"category": ["==", "shoes"], "seller": "exists"},
//	  "access":            ["!=", "None"],
//	  "subject":           ["oneOf", ["Pink shoes", null]],
//	  "hasUnreadMessages": true,
//	  "lastMessageTs":     ["between", [1700000000000, 1800000000000]],
//	  "createdAt":         [">", 1600000000000]
//	}
//
// or a compound filter, ["any", [simple, simple, …]], which holds when at
// least one of its simple filters holds (OR). A compound filter cannot be
// nested in another one, and the empty object {} matches every conversation.
//
// The operators per field are:
//
//	custom.KEY         ["==", s] ["!=", s] ["oneOf", [s…]] ["!oneOf", [s…]] "exists" "!exists"
//	access             ["==", a] ["!=", a] ["oneOf", [a…]] ["!oneOf", [a…]]  (a: ReadWrite, Read, None)
//	subject            ["==", s] ["!=", s] ["oneOf", [s…]] ["!oneOf", [s…]]  (s may be null: no subject)
//	hasUnreadMessages  true or false
//	lastMessageTs      [">", n] ["<", n] [">=", n] ["<=", n] ["between", [a, b]] ["!between", [a, b]]
//	createdAt          the same as lastMessageTs
//
// # Missing values
//
// TalkJS documents that conversations need not have the custom keys a filter
// names, but not how the operators treat a missing value. This package reads
// every negated operator as the exact complement of its positive form, except
// for the number operators:
//
//   - custom: on a missing key, == and oneOf are false, != and !oneOf are true,
//     exists is false and !exists is true.
//   - access: with no user (Subject.Access == ""), == and oneOf are false, !=
//     and !oneOf are true.
//   - subject: a conversation without a subject equals null and nothing else,
//     so ["==", "x"] is false, ["!=", "x"] is true, ["==", null] is true.
//   - lastMessageTs and createdAt: a conversation without the timestamp
//     (no message yet, or unknown) satisfies no comparison at all, neither
//     between nor !between: there is no time to compare.
//
// Where this language and the Data API's of TalkJS's official @talkjs/core
// package (v1.12.0, the one evaluator TalkJS has published as code) share a
// field, this package agrees with it: ["between", [a, b]] holds for
// a ≤ t < b (half-open) and ["!between", [a, b]] is its exact complement; a
// reversed interval is legal (between matches nothing, !between everything);
// ["oneOf", []] matches nothing and ["!oneOf", []] everything.
//
// # Strictness
//
// Parse rejects anything outside the language: unknown fields or operators,
// wrong operand types or arity, an empty any, duplicate
// object keys, empty custom keys, input over MaxSize bytes, and nesting deeper
// than the language needs. Its error is one sentence naming the part at fault,
// for example
//
//	filter: custom.category: unknown operator "=~" (want ==, !=, oneOf, !oneOf, exists or !exists)
//
// fit to be the message of an HTTP 400 answer.
package convfilter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest filter, in bytes of JSON, that Parse accepts.
const MaxSize = 64 << 10

// maxDepth is the deepest nesting of arrays and objects the language needs:
// ["any", [ {"custom": {"k": ["oneOf", ["v"]]}} ]] nests six levels.
const maxDepth = 6

// Subject is what a filter is evaluated against: one conversation as seen by
// one user, or by no user when the app's whole conversation list is filtered.
type Subject struct {
	// Custom is the conversation's custom data.
	Custom map[string]string
	// Subject is the conversation's subject, nil when it has none.
	Subject *string
	// Access is the user's access ("ReadWrite", "Read" or "None"), or ""
	// when there is no user (app-wide lists).
	Access string
	// HasUnreadMessages tells whether the user has unread messages in it
	// (false when there is no user).
	HasUnreadMessages bool
	// LastMessageTs is the Unix time in ms of the last message, nil when
	// the conversation has no message.
	LastMessageTs *int64
	// CreatedAt is the Unix time in ms when the conversation was created,
	// nil when unknown; a createdAt filter matches no conversation whose
	// CreatedAt is nil.
	CreatedAt *int64
}

// Filter is a parsed conversation filter. The nil *Filter matches every
// conversation. A Filter is immutable and safe for concurrent use.
type Filter struct {
	// branches are OR-ed; a simple filter has exactly one.
	branches []*simple
}

// Parse parses the JSON of a filter. Its error is one readable sentence
// naming the part at fault, fit for a 400 answer.
func Parse(data []byte) (*Filter, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("filter: too long (%d bytes; at most %d)", len(data), MaxSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("filter: empty (want a JSON object or [\"any\", [...]])")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	root, err := readValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("filter: invalid JSON: unexpected data after the filter")
	}
	return parseRoot(root)
}

// Match tells whether s passes the filter. A nil s is a conversation with no
// custom data, subject, user or messages.
func (f *Filter) Match(s *Subject) bool {
	if f == nil {
		return true
	}
	if s == nil {
		s = &Subject{}
	}
	for _, b := range f.branches {
		if b.match(s) {
			return true
		}
	}
	return false
}

// Conditions counts the conditions of the filter, over all branches of an
// any: the work of evaluating it against one conversation.
func (f *Filter) Conditions() int {
	if f == nil {
		return 0
	}
	n := 0
	for _, b := range f.branches {
		n += len(b.custom)
		for _, set := range []bool{b.access != nil, b.subject != nil, b.hasUnread != nil, b.lastMessageTs != nil, b.createdAt != nil} {
			if set {
				n++
			}
		}
		if n == 0 {
			n = 1 // {} still costs a call
		}
	}
	return n
}

// ---------------------------------------------------------------------------
// Evaluation

type simple struct {
	custom        []customPred // sorted by key
	access        *stringPred
	subject       *stringPred
	hasUnread     *bool
	lastMessageTs *numberPred
	createdAt     *numberPred
}

func (p *simple) match(s *Subject) bool {
	for i := range p.custom {
		if !p.custom[i].match(s.Custom) {
			return false
		}
	}
	if p.access != nil {
		var v *string
		if s.Access != "" {
			v = &s.Access
		}
		if !p.access.match(v) {
			return false
		}
	}
	if p.subject != nil && !p.subject.match(s.Subject) {
		return false
	}
	if p.hasUnread != nil && *p.hasUnread != s.HasUnreadMessages {
		return false
	}
	if p.lastMessageTs != nil && !p.lastMessageTs.match(s.LastMessageTs) {
		return false
	}
	if p.createdAt != nil && !p.createdAt.match(s.CreatedAt) {
		return false
	}
	return true
}

// stringPred is ==, !=, oneOf or !oneOf over a value that may be absent.
// An absent value is only equal to an absent operand (JSON null).
type stringPred struct {
	negate bool                // != and !oneOf
	values map[string]struct{} // the operand(s) that are strings
	null   bool                // whether null is among the operands
}

func (p *stringPred) match(v *string) bool {
	var in bool
	if v == nil {
		in = p.null
	} else {
		_, in = p.values[*v]
	}
	return in != p.negate
}

type customPred struct {
	key string
	// exists is set for "exists" and "!exists"; then pred is nil.
	exists, notExists bool
	pred              *stringPred
}

func (p *customPred) match(custom map[string]string) bool {
	v, ok := custom[p.key]
	switch {
	case p.exists:
		return ok
	case p.notExists:
		return !ok
	case ok:
		return p.pred.match(&v)
	default:
		return p.pred.match(nil)
	}
}

type numberPred struct {
	op   string // >, <, >=, <=, between, !between
	a, b float64
}

func (p *numberPred) match(v *int64) bool {
	if v == nil {
		return false
	}
	x := float64(*v)
	switch p.op {
	case ">":
		return x > p.a
	case "<":
		return x < p.a
	case ">=":
		return x >= p.a
	case "<=":
		return x <= p.a
	case "between": // half-open, as @talkjs/core 1.12.0 evaluates it
		return p.a <= x && x < p.b
	case "!between":
		return !(p.a <= x && x < p.b)
	}
	return false
}

// ---------------------------------------------------------------------------
// Reading JSON into a small tree that keeps what encoding/json would lose:
// duplicate keys, and the depth, which is checked while reading.

type kind int

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

func (k kind) String() string {
	switch k {
	case kNull:
		return "null"
	case kBool:
		return "a boolean"
	case kNumber:
		return "a number"
	case kString:
		return "a string"
	case kArray:
		return "an array"
	default:
		return "an object"
	}
}

type member struct {
	key string
	val *node
}

type node struct {
	kind    kind
	b       bool
	num     json.Number
	str     string
	arr     []*node
	obj     []member
	dupKey  string // first key seen twice in this object
	hasDupe bool
}

func (n *node) describe() string {
	if n.kind == kArray {
		return fmt.Sprintf("an array of %d elements", len(n.arr))
	}
	return n.kind.String()
}

func readValue(dec *json.Decoder, depth int) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(err)
	}
	switch t := tok.(type) {
	case nil:
		return &node{kind: kNull}, nil
	case bool:
		return &node{kind: kBool, b: t}, nil
	case json.Number:
		return &node{kind: kNumber, num: t}, nil
	case string:
		return &node{kind: kString, str: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, errors.New("filter: nested deeper than the filter language allows")
		}
		if t == '[' {
			n := &node{kind: kArray}
			for dec.More() {
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, jsonError(err)
			}
			return n, nil
		}
		n := &node{kind: kObject}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, jsonError(err)
			}
			key, _ := kt.(string)
			v, err := readValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			if seen[key] && !n.hasDupe {
				n.hasDupe, n.dupKey = true, key
			}
			seen[key] = true
			n.obj = append(n.obj, member{key, v})
		}
		if _, err := dec.Token(); err != nil { // '}'
			return nil, jsonError(err)
		}
		return n, nil
	}
	return nil, errors.New("filter: invalid JSON")
}

func jsonError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("filter: invalid JSON: unexpected end of input")
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return errors.New("filter: invalid JSON: " + oneLine(msg))
}

// ---------------------------------------------------------------------------
// Interpreting the tree.

// errAt builds the one-sentence error for the part at path.
func errAt(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path == "" {
		return errors.New("filter: " + msg)
	}
	return errors.New("filter: " + path + ": " + msg)
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
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if plain && len(key) <= 40 {
		return join(path, "custom."+key)
	}
	return join(path, "custom["+quote(key)+"]")
}

// quote quotes s for an error message, cut short when long.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func parseRoot(n *node) (*Filter, error) {
	switch n.kind {
	case kObject:
		s, err := parseSimple(n, "")
		if err != nil {
			return nil, err
		}
		return &Filter{branches: []*simple{s}}, nil
	case kArray:
		return parseAny(n)
	}
	return nil, errAt("", "want an object or [\"any\", [...]], got %s", n.describe())
}

func parseAny(n *node) (*Filter, error) {
	if len(n.arr) == 0 || n.arr[0].kind != kString {
		return nil, errAt("", "an array filter must be [\"any\", [filter, ...]], got %s", describeHead(n))
	}
	if op := n.arr[0].str; op != "any" {
		return nil, errAt("", "unknown compound operator %s (want any)", quote(op))
	}
	if len(n.arr) != 2 {
		return nil, errAt("any", "want [\"any\", [filter, ...]], got %s", n.describe())
	}
	list := n.arr[1]
	if list.kind != kArray {
		return nil, errAt("any", "want an array of filters, got %s", list.describe())
	}
	if len(list.arr) == 0 {
		return nil, errAt("any", "needs at least one filter")
	}
	f := &Filter{}
	for i, b := range list.arr {
		path := fmt.Sprintf("any[%d]", i)
		if b.kind == kArray && len(b.arr) > 0 && b.arr[0].kind == kString && b.arr[0].str == "any" {
			return nil, errAt(path, "nested any is not allowed (the branches of any must be simple filters)")
		}
		if b.kind != kObject {
			return nil, errAt(path, "want an object, got %s", b.describe())
		}
		s, err := parseSimple(b, path)
		if err != nil {
			return nil, err
		}
		f.branches = append(f.branches, s)
	}
	return f, nil
}

func describeHead(n *node) string {
	if len(n.arr) == 0 {
		return "an empty array"
	}
	return "an array starting with " + n.arr[0].kind.String()
}

const fieldList = "custom, access, subject, hasUnreadMessages, lastMessageTs or createdAt"

func parseSimple(n *node, path string) (*simple, error) {
	if n.hasDupe {
		return nil, errAt(path, "duplicate field %s", quote(n.dupKey))
	}
	s := &simple{}
	var err error
	for _, m := range n.obj {
		p := join(path, m.key)
		switch m.key {
		case "custom":
			s.custom, err = parseCustom(m.val, p)
		case "access":
			s.access, err = parseStringPred(m.val, p, accessOperand)
		case "subject":
			s.subject, err = parseStringPred(m.val, p, subjectOperand)
		case "hasUnreadMessages":
			if m.val.kind != kBool {
				err = errAt(p, "want true or false, got %s", m.val.describe())
			} else {
				b := m.val.b
				s.hasUnread = &b
			}
		case "lastMessageTs":
			s.lastMessageTs, err = parseNumberPred(m.val, p)
		case "createdAt":
			s.createdAt, err = parseNumberPred(m.val, p)
		default:
			err = errAt(path, "unknown field %s (want %s)", quote(m.key), fieldList)
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseCustom(n *node, path string) ([]customPred, error) {
	if n.kind != kObject {
		return nil, errAt(path, "want an object of custom keys, got %s", n.describe())
	}
	base := strings.TrimSuffix(strings.TrimSuffix(path, "custom"), ".")
	if n.hasDupe {
		return nil, errAt(customPath(base, n.dupKey), "duplicate key")
	}
	var out []customPred
	for _, m := range n.obj {
		if m.key == "" {
			return nil, errAt(path, "empty key")
		}
		p, err := parseCustomPred(m.val, customPath(base, m.key), m.key)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

const customOps = "==, !=, oneOf, !oneOf, exists or !exists"

func parseCustomPred(n *node, path, key string) (customPred, error) {
	if n.kind == kString {
		switch n.str {
		case "exists":
			return customPred{key: key, exists: true}, nil
		case "!exists":
			return customPred{key: key, notExists: true}, nil
		case "==", "!=", "oneOf", "!oneOf":
			return customPred{}, errAt(path, "%s needs an operand: write [%s, operand]", n.str, strconv.Quote(n.str))
		}
		return customPred{}, errAt(path, "unknown operator %s (want %s)", quote(n.str), customOps)
	}
	sp, err := parseStringPredOps(n, path, customOperand, customOps)
	if err != nil {
		return customPred{}, err
	}
	return customPred{key: key, pred: sp}, nil
}

// operandCheck validates one operand of a string predicate; it returns
// whether the operand is null, or an error message.
type operandCheck func(v *node) (null bool, msg string)

func customOperand(v *node) (bool, string) {
	if v.kind != kString {
		return false, "want a string, got " + v.describe()
	}
	return false, ""
}

func subjectOperand(v *node) (bool, string) {
	switch v.kind {
	case kString:
		return false, ""
	case kNull:
		return true, ""
	}
	return false, "want a string or null, got " + v.describe()
}

func accessOperand(v *node) (bool, string) {
	if v.kind != kString {
		return false, "want ReadWrite, Read or None, got " + v.describe()
	}
	switch v.str {
	case "ReadWrite", "Read", "None":
		return false, ""
	}
	return false, "unknown access level " + quote(v.str) + " (want ReadWrite, Read or None)"
}

func parseStringPred(n *node, path string, check operandCheck) (*stringPred, error) {
	return parseStringPredOps(n, path, check, "==, !=, oneOf or !oneOf")
}

func parseStringPredOps(n *node, path string, check operandCheck, ops string) (*stringPred, error) {
	if n.kind != kArray {
		return nil, errAt(path, "want [operator, operand], got %s", n.describe())
	}
	if len(n.arr) == 0 || n.arr[0].kind != kString {
		return nil, errAt(path, "want [operator, operand] with the operator a string, got %s", describeHead(n))
	}
	op := n.arr[0].str
	p := &stringPred{values: map[string]struct{}{}}
	switch op {
	case "==", "!=", "oneOf", "!oneOf":
	default:
		return nil, errAt(path, "unknown operator %s (want %s)", quote(op), ops)
	}
	if len(n.arr) != 2 {
		return nil, errAt(path, "want [%s, operand], got %s", strconv.Quote(op), n.describe())
	}
	p.negate = op[0] == '!'
	add := func(v *node, where string) error {
		null, msg := check(v)
		if msg != "" {
			return errAt(path, "%s%s", where, msg)
		}
		if null {
			p.null = true
		} else {
			p.values[v.str] = struct{}{}
		}
		return nil
	}
	operand := n.arr[1]
	if op == "==" || op == "!=" {
		if operand.kind == kArray {
			return nil, errAt(path, "%s takes a single value, got an array (use oneOf for a list)", op)
		}
		return p, add(operand, "")
	}
	if operand.kind != kArray {
		return nil, errAt(path, "%s takes an array of values, got %s", op, operand.describe())
	}
	// An empty list is legal: oneOf matches nothing, !oneOf everything.
	for i, v := range operand.arr {
		if err := add(v, fmt.Sprintf("value %d: ", i)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

const numberOps = ">, <, >=, <=, between or !between"

func parseNumberPred(n *node, path string) (*numberPred, error) {
	if n.kind != kArray {
		return nil, errAt(path, "want [operator, operand], got %s", n.describe())
	}
	if len(n.arr) == 0 || n.arr[0].kind != kString {
		return nil, errAt(path, "want [operator, operand] with the operator a string, got %s", describeHead(n))
	}
	op := n.arr[0].str
	switch op {
	case ">", "<", ">=", "<=", "between", "!between":
	default:
		return nil, errAt(path, "unknown operator %s (want %s)", quote(op), numberOps)
	}
	if len(n.arr) != 2 {
		return nil, errAt(path, "want [%s, operand], got %s", strconv.Quote(op), n.describe())
	}
	operand := n.arr[1]
	p := &numberPred{op: op}
	if op != "between" && op != "!between" {
		x, err := number(operand, path, op+" operand")
		if err != nil {
			return nil, err
		}
		p.a = x
		return p, nil
	}
	if operand.kind != kArray || len(operand.arr) != 2 {
		return nil, errAt(path, "%s takes [from, to], got %s", op, operand.describe())
	}
	var err error
	if p.a, err = number(operand.arr[0], path, op+" lower bound"); err != nil {
		return nil, err
	}
	if p.b, err = number(operand.arr[1], path, op+" upper bound"); err != nil {
		return nil, err
	}
	// A reversed interval is legal: between then matches nothing, !between
	// everything (@talkjs/core 1.12.0).
	return p, nil
}

func number(n *node, path, what string) (float64, error) {
	if n.kind != kNumber {
		return 0, errAt(path, "%s must be a number, got %s", what, n.describe())
	}
	x, err := strconv.ParseFloat(n.num.String(), 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, errAt(path, "%s %s is out of range", what, quote(n.num.String()))
	}
	return x, nil
}

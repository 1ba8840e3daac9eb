package convfilter

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func ptr[T any](v T) *T { return &v }

// subjects used by the match table.
var (
	shoes = &Subject{
		Custom:            map[string]string{"category": "shoes", "seller": "", "color": "red"},
		Subject:           ptr("Pink shoes"),
		Access:            "ReadWrite",
		HasUnreadMessages: true,
		LastMessageTs:     ptr(int64(2000)),
		CreatedAt:         ptr(int64(1000)),
	}
	bare = &Subject{} // no custom data, no subject, no user, no messages
	read = &Subject{
		Custom:        map[string]string{"category": "sandals"},
		Subject:       ptr(""),
		Access:        "Read",
		LastMessageTs: ptr(int64(3000)),
		CreatedAt:     ptr(int64(3000)),
	}
	left = &Subject{Access: "None", LastMessageTs: ptr(int64(-5))}
)

func TestMatch(t *testing.T) {
	tests := []struct {
		filter string
		s      *Subject
		want   bool
	}{
		// The empty filter and nil subjects.
		{`{}`, bare, true},
		{`{}`, nil, true},
		{`{"custom":{}}`, bare, true},

		// custom ==, !=, oneOf, !oneOf, exists, !exists; present and missing keys.
		{`{"custom":{"category":["==","shoes"]}}`, shoes, true},
		{`{"custom":{"category":["==","shoes"]}}`, read, false},
		{`{"custom":{"category":["==","shoes"]}}`, bare, false},
		{`{"custom":{"category":["==","shoes"]}}`, nil, false},
		{`{"custom":{"category":["!=","shoes"]}}`, shoes, false},
		{`{"custom":{"category":["!=","shoes"]}}`, read, true},
		{`{"custom":{"category":["!=","shoes"]}}`, bare, true},
		{`{"custom":{"seller":["==",""]}}`, shoes, true},
		{`{"custom":{"seller":["==",""]}}`, bare, false},
		{`{"custom":{"category":["oneOf",["shoes","boots"]]}}`, shoes, true},
		{`{"custom":{"category":["oneOf",["shoes","boots"]]}}`, read, false},
		{`{"custom":{"category":["oneOf",["shoes","boots"]]}}`, bare, false},
		{`{"custom":{"category":["!oneOf",["shoes","boots"]]}}`, shoes, false},
		{`{"custom":{"category":["!oneOf",["shoes","boots"]]}}`, read, true},
		{`{"custom":{"category":["!oneOf",["shoes","boots"]]}}`, bare, true},
		{`{"custom":{"seller":"exists"}}`, shoes, true},
		{`{"custom":{"seller":"exists"}}`, read, false},
		{`{"custom":{"seller":"exists"}}`, bare, false},
		{`{"custom":{"seller":"!exists"}}`, shoes, false},
		{`{"custom":{"seller":"!exists"}}`, read, true},
		{`{"custom":{"seller":"!exists"}}`, bare, true},
		// Several keys: AND.
		{`{"custom":{"category":["==","shoes"],"color":["==","red"]}}`, shoes, true},
		{`{"custom":{"category":["==","shoes"],"color":["==","blue"]}}`, shoes, false},
		{`{"custom":{"color":["==","blue"],"category":["==","shoes"]}}`, shoes, false},

		// access; "" is no user.
		{`{"access":["==","ReadWrite"]}`, shoes, true},
		{`{"access":["==","ReadWrite"]}`, read, false},
		{`{"access":["==","ReadWrite"]}`, bare, false},
		{`{"access":["!=","ReadWrite"]}`, shoes, false},
		{`{"access":["!=","ReadWrite"]}`, read, true},
		{`{"access":["!=","ReadWrite"]}`, bare, true},
		{`{"access":["==","None"]}`, left, true},
		{`{"access":["!=","None"]}`, left, false},
		{`{"access":["!=","None"]}`, shoes, true},
		{`{"access":["oneOf",["Read","None"]]}`, read, true},
		{`{"access":["oneOf",["Read","None"]]}`, left, true},
		{`{"access":["oneOf",["Read","None"]]}`, shoes, false},
		{`{"access":["oneOf",["Read","None"]]}`, bare, false},
		{`{"access":["!oneOf",["Read","None"]]}`, read, false},
		{`{"access":["!oneOf",["Read","None"]]}`, shoes, true},
		{`{"access":["!oneOf",["Read","None"]]}`, bare, true},

		// subject, with null for "no subject".
		{`{"subject":["==","Pink shoes"]}`, shoes, true},
		{`{"subject":["==","Pink shoes"]}`, read, false},
		{`{"subject":["==","Pink shoes"]}`, bare, false},
		{`{"subject":["!=","Pink shoes"]}`, shoes, false},
		{`{"subject":["!=","Pink shoes"]}`, read, true},
		{`{"subject":["!=","Pink shoes"]}`, bare, true},
		{`{"subject":["==",""]}`, read, true},
		{`{"subject":["==",""]}`, bare, false},
		{`{"subject":["==",null]}`, bare, true},
		{`{"subject":["==",null]}`, read, false},
		{`{"subject":["!=",null]}`, bare, false},
		{`{"subject":["!=",null]}`, read, true},
		{`{"subject":["oneOf",["Pink shoes","x"]]}`, shoes, true},
		{`{"subject":["oneOf",["Pink shoes","x"]]}`, bare, false},
		{`{"subject":["oneOf",["Pink shoes",null]]}`, bare, true},
		{`{"subject":["oneOf",["Pink shoes",null]]}`, read, false},
		{`{"subject":["!oneOf",["Pink shoes","x"]]}`, shoes, false},
		{`{"subject":["!oneOf",["Pink shoes","x"]]}`, read, true},
		{`{"subject":["!oneOf",["Pink shoes","x"]]}`, bare, true},
		{`{"subject":["!oneOf",["x",null]]}`, bare, false},

		// hasUnreadMessages.
		{`{"hasUnreadMessages":true}`, shoes, true},
		{`{"hasUnreadMessages":true}`, read, false},
		{`{"hasUnreadMessages":false}`, shoes, false},
		{`{"hasUnreadMessages":false}`, bare, true},

		// lastMessageTs; nil satisfies nothing.
		{`{"lastMessageTs":[">",1999]}`, shoes, true},
		{`{"lastMessageTs":[">",2000]}`, shoes, false},
		{`{"lastMessageTs":[">",0]}`, bare, false},
		{`{"lastMessageTs":["<",2001]}`, shoes, true},
		{`{"lastMessageTs":["<",2000]}`, shoes, false},
		{`{"lastMessageTs":["<",9e15]}`, bare, false},
		{`{"lastMessageTs":[">=",2000]}`, shoes, true},
		{`{"lastMessageTs":[">=",2001]}`, shoes, false},
		{`{"lastMessageTs":[">=",0]}`, bare, false},
		{`{"lastMessageTs":["<=",2000]}`, shoes, true},
		{`{"lastMessageTs":["<=",1999]}`, shoes, false},
		{`{"lastMessageTs":["<=",0]}`, left, true},
		{`{"lastMessageTs":["<=",0]}`, bare, false},
		{`{"lastMessageTs":[">",1999.5]}`, shoes, true},
		{`{"lastMessageTs":[">",2000.0]}`, shoes, false},
		{`{"lastMessageTs":["between",[2000,3000]]}`, shoes, true},
		// Half-open, as @talkjs/core 1.12.0 evaluates between: the upper
		// bound is out, a reversed or empty interval matches nothing.
		{`{"lastMessageTs":["between",[1000,2000]]}`, shoes, false},
		{`{"lastMessageTs":["between",[1000,2001]]}`, shoes, true},
		{`{"lastMessageTs":["between",[2000,2000]]}`, shoes, false},
		{`{"lastMessageTs":["between",[3000,1000]]}`, shoes, false},
		{`{"lastMessageTs":["!between",[3000,1000]]}`, shoes, true},
		{`{"lastMessageTs":["!between",[2000,2000]]}`, shoes, true},
		{`{"custom":{"category":["oneOf",[]]}}`, shoes, false},
		{`{"custom":{"category":["!oneOf",[]]}}`, shoes, true},
		{`{"access":["oneOf",[]]}`, shoes, false},
		{`{"subject":["!oneOf",[]]}`, shoes, true},
		{`{"lastMessageTs":["between",[2001,3000]]}`, shoes, false},
		{`{"lastMessageTs":["between",[0,1999]]}`, shoes, false},
		{`{"lastMessageTs":["between",[-1e16,1e16]]}`, bare, false},
		{`{"lastMessageTs":["!between",[2000,3000]]}`, shoes, false},
		{`{"lastMessageTs":["!between",[1000,2000]]}`, shoes, true},
		{`{"lastMessageTs":["!between",[2001,3000]]}`, shoes, true},
		{`{"lastMessageTs":["!between",[0,1999]]}`, shoes, true},
		{`{"lastMessageTs":["!between",[0,1]]}`, bare, false},

		// createdAt shares the number operators.
		{`{"createdAt":[">",999]}`, shoes, true},
		{`{"createdAt":["<",1000]}`, shoes, false},
		{`{"createdAt":["between",[1000,3001]]}`, read, true},
		{`{"createdAt":["between",[1000,3000]]}`, read, false},
		{`{"createdAt":["!between",[0,1]]}`, bare, false},

		// Fields combine with AND.
		{`{"custom":{"category":["==","shoes"]},"access":["==","ReadWrite"],"hasUnreadMessages":true,"subject":["!=",null],"lastMessageTs":[">=",2000]}`, shoes, true},
		{`{"custom":{"category":["==","shoes"]},"access":["==","Read"]}`, shoes, false},
		{`{"custom":{"category":["==","shoes"]},"hasUnreadMessages":false}`, shoes, false},
		{`{"access":["==","ReadWrite"],"lastMessageTs":[">",5000]}`, shoes, false},

		// any: OR of its branches.
		{`["any",[{"custom":{"category":["==","shoes"]}},{"access":["==","Read"]}]]`, shoes, true},
		{`["any",[{"custom":{"category":["==","shoes"]}},{"access":["==","Read"]}]]`, read, true},
		{`["any",[{"custom":{"category":["==","shoes"]}},{"access":["==","Read"]}]]`, bare, false},
		{`["any",[{"custom":{"category":["==","shoes"]}},{"access":["==","Read"]}]]`, left, false},
		{`["any",[{"hasUnreadMessages":true}]]`, shoes, true},
		{`["any",[{"hasUnreadMessages":true}]]`, read, false},
		{`["any",[{}]]`, bare, true},
		{`["any",[{"hasUnreadMessages":true},{}]]`, read, true},
	}
	for _, tt := range tests {
		f, err := Parse([]byte(tt.filter))
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.filter, err)
			continue
		}
		if got := f.Match(tt.s); got != tt.want {
			t.Errorf("Parse(%s).Match(%s) = %v, want %v", tt.filter, describe(tt.s), got, tt.want)
		}
	}
}

func describe(s *Subject) string {
	switch s {
	case shoes:
		return "shoes"
	case bare:
		return "bare"
	case read:
		return "read"
	case left:
		return "left"
	case nil:
		return "nil"
	}
	return "?"
}

func TestNilFilterMatchesAll(t *testing.T) {
	var f *Filter
	if !f.Match(shoes) || !f.Match(nil) {
		t.Fatal("nil *Filter must match every conversation")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// Not JSON, or not the right shape.
		{``, `filter: empty (want a JSON object or ["any", [...]])`},
		{`  `, `filter: empty (want a JSON object or ["any", [...]])`},
		{`{`, `filter: invalid JSON: unexpected end of input`},
		{`{"custom":}`, `filter: invalid JSON: invalid character '}' looking for beginning of value`},
		{`{} {}`, `filter: invalid JSON: unexpected data after the filter`},
		{`{}x`, `filter: invalid JSON: unexpected data after the filter`},
		{`"custom"`, `filter: want an object or ["any", [...]], got a string`},
		{`null`, `filter: want an object or ["any", [...]], got null`},
		{`42`, `filter: want an object or ["any", [...]], got a number`},

		// Fields.
		{`{"foo":1}`, `filter: unknown field "foo" (want custom, access, subject, hasUnreadMessages, lastMessageTs or createdAt)`},
		{`{"Custom":{}}`, `filter: unknown field "Custom" (want custom, access, subject, hasUnreadMessages, lastMessageTs or createdAt)`},
		{`{"hasUnreadMessages":true,"hasUnreadMessages":false}`, `filter: duplicate field "hasUnreadMessages"`},
		{`{"hasUnreadMessages":"true"}`, `filter: hasUnreadMessages: want true or false, got a string`},
		{`{"hasUnreadMessages":null}`, `filter: hasUnreadMessages: want true or false, got null`},

		// custom.
		{`{"custom":[]}`, `filter: custom: want an object of custom keys, got an array of 0 elements`},
		{`{"custom":{"":["==","x"]}}`, `filter: custom: empty key`},
		{`{"custom":{"category":["=~","x"]}}`, `filter: custom.category: unknown operator "=~" (want ==, !=, oneOf, !oneOf, exists or !exists)`},
		{`{"custom":{"category":"exist"}}`, `filter: custom.category: unknown operator "exist" (want ==, !=, oneOf, !oneOf, exists or !exists)`},
		{`{"custom":{"category":"=="}}`, `filter: custom.category: == needs an operand: write ["==", operand]`},
		{`{"custom":{"category":"!oneOf"}}`, `filter: custom.category: !oneOf needs an operand: write ["!oneOf", operand]`},
		{`{"custom":{"category":["exists"]}}`, `filter: custom.category: unknown operator "exists" (want ==, !=, oneOf, !oneOf, exists or !exists)`},
		{`{"custom":{"category":["==",1]}}`, `filter: custom.category: want a string, got a number`},
		{`{"custom":{"category":["==",null]}}`, `filter: custom.category: want a string, got null`},
		{`{"custom":{"category":["=="]}}`, `filter: custom.category: want ["==", operand], got an array of 1 elements`},
		{`{"custom":{"category":["==","a","b"]}}`, `filter: custom.category: want ["==", operand], got an array of 3 elements`},
		{`{"custom":{"category":[]}}`, `filter: custom.category: want [operator, operand] with the operator a string, got an empty array`},
		{`{"custom":{"category":[1,"a"]}}`, `filter: custom.category: want [operator, operand] with the operator a string, got an array starting with a number`},
		{`{"custom":{"category":{"==":"a"}}}`, `filter: custom.category: want [operator, operand], got an object`},
		{`{"custom":{"category":["==",["a"]]}}`, `filter: custom.category: == takes a single value, got an array (use oneOf for a list)`},
		{`{"custom":{"category":["oneOf","a"]}}`, `filter: custom.category: oneOf takes an array of values, got a string`},
		{`{"custom":{"category":["oneOf",["a",2]]}}`, `filter: custom.category: value 1: want a string, got a number`},
		{`{"custom":{"a.b":["==",1]}}`, `filter: custom["a.b"]: want a string, got a number`},
		{`{"custom":{"k":"exists","k":"!exists"}}`, `filter: custom.k: duplicate key`},

		// access.
		{`{"access":"ReadWrite"}`, `filter: access: want [operator, operand], got a string`},
		{`{"access":["==","Admin"]}`, `filter: access: unknown access level "Admin" (want ReadWrite, Read or None)`},
		{`{"access":["==","readwrite"]}`, `filter: access: unknown access level "readwrite" (want ReadWrite, Read or None)`},
		{`{"access":["oneOf",["Read","Write"]]}`, `filter: access: value 1: unknown access level "Write" (want ReadWrite, Read or None)`},
		{`{"access":["==",null]}`, `filter: access: want ReadWrite, Read or None, got null`},
		{`{"access":["exists","Read"]}`, `filter: access: unknown operator "exists" (want ==, !=, oneOf or !oneOf)`},

		// subject.
		{`{"subject":"exists"}`, `filter: subject: want [operator, operand], got a string`},
		{`{"subject":["==",1]}`, `filter: subject: want a string or null, got a number`},
		{`{"subject":[">","a"]}`, `filter: subject: unknown operator ">" (want ==, !=, oneOf or !oneOf)`},
		{`{"subject":["oneOf",[true]]}`, `filter: subject: value 0: want a string or null, got a boolean`},

		// lastMessageTs and createdAt.
		{`{"lastMessageTs":5}`, `filter: lastMessageTs: want [operator, operand], got a number`},
		{`{"lastMessageTs":["=",5]}`, `filter: lastMessageTs: unknown operator "=" (want >, <, >=, <=, between or !between)`},
		{`{"lastMessageTs":["==",5]}`, `filter: lastMessageTs: unknown operator "==" (want >, <, >=, <=, between or !between)`},
		{`{"lastMessageTs":[">","5"]}`, `filter: lastMessageTs: > operand must be a number, got a string`},
		{`{"lastMessageTs":[">"]}`, `filter: lastMessageTs: want [">", operand], got an array of 1 elements`},
		{`{"lastMessageTs":[">",1e999]}`, `filter: lastMessageTs: > operand "1e999" is out of range`},
		{`{"lastMessageTs":["between",5]}`, `filter: lastMessageTs: between takes [from, to], got a number`},
		{`{"lastMessageTs":["between",[1,2,3]]}`, `filter: lastMessageTs: between takes [from, to], got an array of 3 elements`},
		{`{"lastMessageTs":["between",[1]]}`, `filter: lastMessageTs: between takes [from, to], got an array of 1 elements`},
		{`{"lastMessageTs":["between",[1,"2"]]}`, `filter: lastMessageTs: between upper bound must be a number, got a string`},
		{`{"lastMessageTs":["between",[null,2]]}`, `filter: lastMessageTs: between lower bound must be a number, got null`},
		{`{"createdAt":["<"]}`, `filter: createdAt: want ["<", operand], got an array of 1 elements`},

		// any.
		{`[]`, `filter: an array filter must be ["any", [filter, ...]], got an empty array`},
		{`[{}]`, `filter: an array filter must be ["any", [filter, ...]], got an array starting with an object`},
		{`["all",[{}]]`, `filter: unknown compound operator "all" (want any)`},
		{`["any"]`, `filter: any: want ["any", [filter, ...]], got an array of 1 elements`},
		{`["any",[{}],[{}]]`, `filter: any: want ["any", [filter, ...]], got an array of 3 elements`},
		{`["any",{}]`, `filter: any: want an array of filters, got an object`},
		{`["any",[]]`, `filter: any: needs at least one filter`},
		{`["any",[{},"x"]]`, `filter: any[1]: want an object, got a string`},
		{`["any",[{},[]]]`, `filter: any[1]: want an object, got an array of 0 elements`},
		{`["any",[["any",[{}]]]]`, `filter: any[0]: nested any is not allowed (the branches of any must be simple filters)`},
		{`["any",[{},{"custom":{"category":["=~","x"]}}]]`, `filter: any[1].custom.category: unknown operator "=~" (want ==, !=, oneOf, !oneOf, exists or !exists)`},
		{`["any",[{"nope":true}]]`, `filter: any[0]: unknown field "nope" (want custom, access, subject, hasUnreadMessages, lastMessageTs or createdAt)`},
		{`["any",[{"access":["==","X"]}]]`, `filter: any[0].access: unknown access level "X" (want ReadWrite, Read or None)`},

		// Bounds.
		{`[[[[[[[]]]]]]]`, `filter: nested deeper than the filter language allows`},
		{`{"custom":{"k":["oneOf",[["deep"]]]}}`, `filter: custom.k: value 0: want a string, got an array of 1 elements`},
		{`{"custom":{"k":["oneOf",[[[["deeper"]]]]]}}`, `filter: nested deeper than the filter language allows`},
		{`["any",[{"custom":{"k":["oneOf",[[]]]}}]]`, `filter: nested deeper than the filter language allows`},
		{`{"subject":["==","` + strings.Repeat("x", MaxSize) + `"]}`, `filter: too long (65557 bytes; at most 65536)`},
		{`{"custom":{"` + strings.Repeat("k", 50) + `":["~","x"]}}`, `filter: custom["` + strings.Repeat("k", 40) + `"…]: unknown operator "~" (want ==, !=, oneOf, !oneOf, exists or !exists)`},
	}
	for _, tt := range tests {
		f, err := Parse([]byte(tt.in))
		if err == nil {
			t.Errorf("Parse(%.80s) = %v, want error %q", tt.in, f, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%.80s)\n got error %q\nwant error %q", tt.in, err, tt.want)
		}
	}
}

// TestParseDeepestValid checks that the depth bound leaves room for the
// deepest filter the language has.
func TestParseDeepestValid(t *testing.T) {
	in := `["any",[{"custom":{"k":["oneOf",["v"]]}}]]`
	f, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(&Subject{Custom: map[string]string{"k": "v"}}) {
		t.Fatal("want a match")
	}
}

func TestParseMaxSize(t *testing.T) {
	prefix, suffix := `{"subject":["==","`, `"]}`
	in := prefix + strings.Repeat("x", MaxSize-len(prefix)-len(suffix)) + suffix
	if len(in) != MaxSize {
		t.Fatalf("len %d", len(in))
	}
	if _, err := Parse([]byte(in)); err != nil {
		t.Fatalf("a filter of exactly MaxSize bytes: %v", err)
	}
	if _, err := Parse([]byte(in + " ")); err == nil {
		t.Fatal("a filter of MaxSize+1 bytes must be rejected")
	}
}

// TestWhitespaceAndOrder checks that formatting and field order do not matter.
func TestWhitespaceAndOrder(t *testing.T) {
	in := "\n{ \"hasUnreadMessages\" : true ,\t\"custom\" : { \"b\" : \"exists\", \"a\" : [ \"==\" , \"x\" ] } }\n"
	f, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(&Subject{HasUnreadMessages: true, Custom: map[string]string{"a": "x", "b": "y"}}) {
		t.Error("want a match")
	}
	if f.Match(&Subject{HasUnreadMessages: true, Custom: map[string]string{"a": "x"}}) {
		t.Error("want no match without b")
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		`{}`,
		`{"custom":{"category":["==","shoes"]}}`,
		`{"custom":{"category":["oneOf",["shoes","sandals"]],"seller":"exists","x":"!exists","y":["!=",""]}}`,
		`{"access":["!oneOf",["Read","None"]],"subject":["oneOf",["a",null]],"hasUnreadMessages":false}`,
		`{"lastMessageTs":["between",[1,2]],"createdAt":["!between",[-1.5,1e3]]}`,
		`["any",[{"access":["==","ReadWrite"]},{"subject":["!=",null]}]]`,
		`["any",[["any",[{}]]]]`,
		`["any",[]]`,
		`{"custom":{"k":["oneOf",[]]}}`,
		`{"lastMessageTs":["between",[3,2]]}`,
		`[[[[[[[[]]]]]]]]`,
		`{"a":1,"a":2}`,
		`{"custom":{"\u00e9\ud83d\ude00":["==","\ud800"]}}`,
		"{\"subject\":[\"==\",\"\xff\"]}",
		`{"lastMessageTs":[">",-0]}`,
		`{"lastMessageTs":[">",1e400]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	subjects := []*Subject{nil, bare, shoes, read, left}
	f.Fuzz(func(t *testing.T, data []byte) {
		flt, err := Parse(data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "filter: ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one sentence starting with \"filter: \": %q", msg)
			}
			if !utf8.ValidString(msg) {
				t.Fatalf("error is not valid UTF-8: %q", msg)
			}
			if flt != nil {
				t.Fatal("non-nil filter with an error")
			}
			return
		}
		for _, s := range subjects {
			flt.Match(s)
		}
	})
}

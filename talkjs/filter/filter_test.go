package filter_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs/filter"
)

// conversationFilter is the interface package talkjs defines; every filter
// this package produces must satisfy it.
type conversationFilter interface {
	FilterJSON() ([]byte, error)
}

var (
	_ conversationFilter = filter.Where{}
	_ conversationFilter = filter.AnyFilter{}
	_ filter.Filter      = filter.Where{}
	_ filter.Filter      = filter.Any()
)

func TestEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    conversationFilter
		want string
	}{
		{"empty", filter.Where{}, `{}`},
		{"empty custom map", filter.Where{Custom: filter.Custom{}}, `{}`},

		{"custom ==", filter.Where{Custom: filter.Custom{"category": filter.Eq("shoes")}},
			`{"custom":{"category":["==","shoes"]}}`},
		{"custom !=", filter.Where{Custom: filter.Custom{"category": filter.NotEq("shoes")}},
			`{"custom":{"category":["!=","shoes"]}}`},
		{"custom == empty string", filter.Where{Custom: filter.Custom{"category": filter.Eq("")}},
			`{"custom":{"category":["==",""]}}`},
		{"custom oneOf", filter.Where{Custom: filter.Custom{"category": filter.OneOf("shoes", "sandals")}},
			`{"custom":{"category":["oneOf",["shoes","sandals"]]}}`},
		{"custom !oneOf", filter.Where{Custom: filter.Custom{"category": filter.NotOneOf("shoes")}},
			`{"custom":{"category":["!oneOf",["shoes"]]}}`},
		{"custom exists", filter.Where{Custom: filter.Custom{"seller": filter.Exists()}},
			`{"custom":{"seller":"exists"}}`},
		{"custom !exists", filter.Where{Custom: filter.Custom{"seller": filter.NotExists()}},
			`{"custom":{"seller":"!exists"}}`},
		{"custom keys sorted", filter.Where{Custom: filter.Custom{
			"visibility": filter.Eq("visible"), "category": filter.Eq("shoes"), "b": filter.Exists()}},
			`{"custom":{"b":"exists","category":["==","shoes"],"visibility":["==","visible"]}}`},
		{"custom odd key and value", filter.Where{Custom: filter.Custom{"a.b \"c\"": filter.Eq("<é&\u2603>")}},
			`{"custom":{"a.b \"c\"":["==","<é&☃>"]}}`},

		{"access ==", filter.Where{Access: filter.AccessIs(filter.ReadWrite)}, `{"access":["==","ReadWrite"]}`},
		{"access !=", filter.Where{Access: filter.AccessIsNot(filter.None)}, `{"access":["!=","None"]}`},
		{"access == Read", filter.Where{Access: filter.AccessIs(filter.Read)}, `{"access":["==","Read"]}`},
		{"access oneOf", filter.Where{Access: filter.AccessOneOf(filter.Read, filter.None)},
			`{"access":["oneOf",["Read","None"]]}`},
		{"access !oneOf", filter.Where{Access: filter.AccessNotOneOf(filter.ReadWrite)},
			`{"access":["!oneOf",["ReadWrite"]]}`},

		{"subject ==", filter.Where{Subject: filter.Eq("cats!")}, `{"subject":["==","cats!"]}`},
		{"subject !=", filter.Where{Subject: filter.NotEq("cats!")}, `{"subject":["!=","cats!"]}`},
		{"subject oneOf", filter.Where{Subject: filter.OneOf("a", "b")}, `{"subject":["oneOf",["a","b"]]}`},
		{"subject !oneOf", filter.Where{Subject: filter.NotOneOf("a", "b")}, `{"subject":["!oneOf",["a","b"]]}`},
		{"subject exists", filter.Where{Subject: filter.Exists()}, `{"subject":["!=",null]}`},
		{"subject !exists", filter.Where{Subject: filter.NotExists()}, `{"subject":["==",null]}`},

		{"hasUnreadMessages true", filter.Where{HasUnreadMessages: filter.Bool(true)}, `{"hasUnreadMessages":true}`},
		{"hasUnreadMessages false", filter.Where{HasUnreadMessages: filter.Bool(false)}, `{"hasUnreadMessages":false}`},

		{"lastMessageTs >", filter.Where{LastMessageTs: filter.Gt(1672531200000)}, `{"lastMessageTs":[">",1672531200000]}`},
		{"lastMessageTs <", filter.Where{LastMessageTs: filter.Lt(1672531200000)}, `{"lastMessageTs":["<",1672531200000]}`},
		{"lastMessageTs >=", filter.Where{LastMessageTs: filter.Gte(0)}, `{"lastMessageTs":[">=",0]}`},
		{"lastMessageTs <=", filter.Where{LastMessageTs: filter.Lte(-5)}, `{"lastMessageTs":["<=",-5]}`},
		{"lastMessageTs between", filter.Where{LastMessageTs: filter.Between(1701700000000, 1702000000000)},
			`{"lastMessageTs":["between",[1701700000000,1702000000000]]}`},
		{"lastMessageTs between one instant", filter.Where{LastMessageTs: filter.Between(7, 7)},
			`{"lastMessageTs":["between",[7,7]]}`},
		{"lastMessageTs !between", filter.Where{LastMessageTs: filter.NotBetween(1, 2)},
			`{"lastMessageTs":["!between",[1,2]]}`},
		{"lastMessageTs largest safe", filter.Where{LastMessageTs: filter.Lte(1<<53 - 1)},
			`{"lastMessageTs":["<=",9007199254740991]}`},
		{"createdAt >", filter.Where{CreatedAt: filter.Gt(5)}, `{"createdAt":[">",5]}`},
		{"createdAt between", filter.Where{CreatedAt: filter.Between(1672531200000, 1685574000000)},
			`{"createdAt":["between",[1672531200000,1685574000000]]}`},

		{"combined", filter.Where{
			Custom:            filter.Custom{"category": filter.OneOf("shoes", "sandals"), "seller": filter.Exists()},
			Access:            filter.AccessIsNot(filter.None),
			Subject:           filter.NotExists(),
			HasUnreadMessages: filter.Bool(false),
			LastMessageTs:     filter.Gt(1679298371586),
			CreatedAt:         filter.Lte(1679298371586),
		}, `{"access":["!=","None"],"createdAt":["<=",1679298371586],"custom":{"category":["oneOf",["shoes","sandals"]],"seller":"exists"},"hasUnreadMessages":false,"lastMessageTs":[">",1679298371586],"subject":["==",null]}`},

		{"any of one", filter.Any(filter.Where{HasUnreadMessages: filter.Bool(true)}),
			`["any",[{"hasUnreadMessages":true}]]`},
		{"any", filter.Any(
			filter.Where{Access: filter.AccessIsNot(filter.None), Custom: filter.Custom{"seller": filter.Exists()}},
			filter.Where{Subject: filter.OneOf("Pink shoes")},
			filter.Where{},
		), `["any",[{"access":["!=","None"],"custom":{"seller":"exists"}},{"subject":["oneOf",["Pink shoes"]]},{}]]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.f.FilterJSON()
			if err != nil {
				t.Fatalf("FilterJSON() error = %v, want nil", err)
			}
			if string(got) != tt.want {
				t.Fatalf("FilterJSON() = %s, want %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Fatalf("FilterJSON() = %s, want valid JSON", got)
			}
			if s := tt.f.(interface{ String() string }).String(); s != tt.want {
				t.Errorf("String() = %s, want %s", s, tt.want)
			}
			// MarshalJSON gives the same JSON up to encoding/json's HTML escaping.
			m, err := json.Marshal(tt.f)
			if err != nil {
				t.Fatalf("json.Marshal(filter) error = %v, want nil", err)
			}
			var a, b any
			if json.Unmarshal(m, &a) != nil || json.Unmarshal(got, &b) != nil {
				t.Fatalf("json.Unmarshal of json.Marshal(filter) = %s or FilterJSON() = %s failed, want both to decode", m, got)
			}
			if ma, _ := json.Marshal(a); string(ma) != string(mustMarshal(t, b)) {
				t.Errorf("json.Marshal(filter) = %s, want the same JSON as FilterJSON() = %s", m, got)
			}
		})
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestConstructorsCopy checks that a filter does not change when the caller
// reuses the slice passed to a variadic constructor.
func TestConstructorsCopy(t *testing.T) {
	t.Parallel()
	vals := []string{"a", "b"}
	levels := []filter.AccessLevel{filter.Read}
	branches := []filter.Where{{Subject: filter.Eq("x")}}
	w := filter.Where{Custom: filter.Custom{"k": filter.OneOf(vals...)}, Access: filter.AccessOneOf(levels...)}
	a := filter.Any(branches...)
	vals[0], levels[0], branches[0] = "z", filter.None, filter.Where{}
	if got, want := w.String(), `{"access":["oneOf",["Read"]],"custom":{"k":["oneOf",["a","b"]]}}`; got != want {
		t.Errorf("Where.String() after the caller reused its slices = %s, want %s", got, want)
	}
	if got, want := a.String(), `["any",[{"subject":["==","x"]}]]`; got != want {
		t.Errorf("Any(branches...).String() after the caller reused branches = %s, want %s", got, want)
	}
}

func TestURLEncodedOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    conversationFilter
		want string
	}{
		{"custom ==", filter.Where{Custom: filter.Custom{"category": filter.Eq("shoes")}},
			`filter=%7B%22custom%22%3A%7B%22category%22%3A%5B%22%3D%3D%22%2C%22shoes%22%5D%7D%7D`},
		{"lastMessageTs >=", filter.Where{LastMessageTs: filter.Gte(5)},
			`filter=%7B%22lastMessageTs%22%3A%5B%22%3E%3D%22%2C5%5D%7D`},
		{"any with space and ampersand", filter.Any(filter.Where{Subject: filter.Eq("a b&c")}),
			`filter=%5B%22any%22%2C%5B%7B%22subject%22%3A%5B%22%3D%3D%22%2C%22a+b%26c%22%5D%7D%5D%5D`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			js, err := tt.f.FilterJSON()
			if err != nil {
				t.Fatal(err)
			}
			q := url.Values{"filter": {string(js)}}.Encode()
			if q != tt.want {
				t.Errorf("url.Values{filter: %s}.Encode() = %s, want %s", js, q, tt.want)
			}
			back, err := url.ParseQuery(q)
			if err != nil || back.Get("filter") != string(js) {
				t.Errorf("url.ParseQuery(%s) filter = %q, %v; want %s, nil", q, back.Get("filter"), err, js)
			}
		})
	}
}

func TestImpossible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    conversationFilter
		path string
		want string
	}{
		{"access unknown level", filter.Where{Access: filter.AccessIs("Admin")},
			"access", `filter: access: unknown access level "Admin" (want ReadWrite, Read or None)`},
		{"access empty level", filter.Where{Access: filter.AccessIsNot("")},
			"access", `filter: access: unknown access level "" (want ReadWrite, Read or None)`},
		{"access unknown level in list", filter.Where{Access: filter.AccessOneOf(filter.Read, "readwrite")},
			"access", `filter: access: unknown access level "readwrite" (want ReadWrite, Read or None)`},
		{"timestamp too large", filter.Where{LastMessageTs: filter.Gt(1 << 53)},
			"lastMessageTs", `filter: lastMessageTs: > operand 9007199254740992 is beyond ±(2^53-1), which a JavaScript number cannot hold exactly`},
		{"timestamp too small", filter.Where{LastMessageTs: filter.Between(-1<<53, 0)},
			"lastMessageTs", `filter: lastMessageTs: between lower bound -9007199254740992 is beyond ±(2^53-1), which a JavaScript number cannot hold exactly`},
		{"upper bound too large", filter.Where{CreatedAt: filter.NotBetween(0, 1<<62)},
			"createdAt", `filter: createdAt: !between upper bound 4611686018427387904 is beyond ±(2^53-1), which a JavaScript number cannot hold exactly`},
		{"any without branches", filter.Any(),
			"any", `filter: any: needs at least one filter`},
		{"zero AnyFilter", filter.AnyFilter{},
			"any", `filter: any: needs at least one filter`},
		{"empty custom key", filter.Where{Custom: filter.Custom{"": filter.Eq("x")}},
			"custom", `filter: custom: empty key`},
		{"nil custom predicate", filter.Where{Custom: filter.Custom{"category": nil}},
			"custom.category", `filter: custom.category: nil predicate (build it with Eq, NotEq, OneOf, NotOneOf, Exists or NotExists)`},
		{"zero string predicate", filter.Where{Custom: filter.Custom{"category": filter.StringPredicate{}}},
			"custom.category", `filter: custom.category: empty predicate (build it with Eq, NotEq, OneOf or NotOneOf)`},
		{"zero exists predicate", filter.Where{Custom: filter.Custom{"category": filter.ExistsPredicate{}}},
			"custom.category", `filter: custom.category: empty predicate (build it with Exists or NotExists)`},
		{"zero subject predicate", filter.Where{Subject: filter.StringPredicate{}},
			"subject", `filter: subject: empty predicate (build it with Eq, NotEq, OneOf or NotOneOf)`},
		{"zero subject exists predicate", filter.Where{Subject: filter.ExistsPredicate{}},
			"subject", `filter: subject: empty predicate (build it with Exists or NotExists)`},
		{"invalid UTF-8 value", filter.Where{Custom: filter.Custom{"k": filter.Eq("a\xffb")}},
			"custom.k", `filter: custom.k: == value is not valid UTF-8`},
		{"invalid UTF-8 in list", filter.Where{Subject: filter.NotOneOf("ok", "\xff")},
			"subject", `filter: subject: !oneOf value 1 is not valid UTF-8`},
		{"invalid UTF-8 key", filter.Where{Custom: filter.Custom{"k\xff": filter.Exists()}},
			`custom["k\xff"]`, `filter: custom["k\xff"]: key is not valid UTF-8`},
		{"odd key named quoted", filter.Where{Custom: filter.Custom{"a b": filter.StringPredicate{}}},
			`custom["a b"]`, `filter: custom["a b"]: empty predicate (build it with Eq, NotEq, OneOf or NotOneOf)`},
		{"long key cut short", filter.Where{Custom: filter.Custom{strings.Repeat("k", 50): filter.StringPredicate{}}},
			`custom["` + strings.Repeat("k", 40) + `"…]`, `filter: custom["` + strings.Repeat("k", 40) + `"…]: empty predicate (build it with Eq, NotEq, OneOf or NotOneOf)`},
		{"error in a branch", filter.Any(filter.Where{}, filter.Where{LastMessageTs: filter.Gt(1 << 53)}),
			"any[1].lastMessageTs", `filter: any[1].lastMessageTs: > operand 9007199254740992 is beyond ±(2^53-1), which a JavaScript number cannot hold exactly`},
		{"custom error in a branch", filter.Any(filter.Where{Custom: filter.Custom{"category": filter.Eq("\xff")}}),
			"any[0].custom.category", `filter: any[0].custom.category: == value is not valid UTF-8`},
		{"empty key in a branch", filter.Any(filter.Where{Custom: filter.Custom{"": filter.Exists()}}),
			"any[0].custom", `filter: any[0].custom: empty key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			js, err := tt.f.FilterJSON()
			if err == nil {
				t.Fatalf("FilterJSON() = %s, nil; want error %q", js, tt.want)
			}
			if js != nil {
				t.Errorf("FilterJSON() = %s, %v; want nil JSON with the error", js, err)
			}
			if err.Error() != tt.want {
				t.Errorf("FilterJSON() error = %q, want %q", err, tt.want)
			}
			var fe *filter.Error
			if !errors.As(err, &fe) || fe.Path != tt.path {
				t.Errorf("FilterJSON() error = %#v, want a *filter.Error with Path %q", err, tt.path)
			}
			if _, err := json.Marshal(tt.f); err == nil {
				t.Error("json.Marshal(impossible filter) error = nil, want an error")
			}
			if s, want := tt.f.(interface{ String() string }).String(), "<invalid "+tt.want+">"; s != want {
				t.Errorf("String() = %q, want %q", s, want)
			}
		})
	}
}

package convfilter_test

// The agreement tests prove that what package talkjs/filter encodes is what the
// in-memory server (this package) reads: filters built here are encoded,
// parsed by convfilter, and matched against sample conversations, and the
// result is compared with an expectation computed independently.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/api/convfilter"
	"github.com/gotalkjs/talkjs-go/talkjs/filter"
)

// conversationFilter is the interface package talkjs defines for filters.
type conversationFilter interface {
	FilterJSON() ([]byte, error)
}

func ptr[T any](v T) *T { return &v }

// samples are the conversations filters are matched against, by name.
var samples = map[string]*convfilter.Subject{
	// no custom data, no subject, no user, no messages
	"bare": {},
	"shoes": {
		Custom:            map[string]string{"category": "shoes", "seller": "", "color": "red"},
		Subject:           ptr("Pink shoes"),
		Access:            "ReadWrite",
		HasUnreadMessages: true,
		LastMessageTs:     ptr(int64(2000)),
		CreatedAt:         ptr(int64(1000)),
	},
	"sandals": {
		Custom:        map[string]string{"category": "sandals"},
		Subject:       ptr(""),
		Access:        "Read",
		LastMessageTs: ptr(int64(3000)),
		CreatedAt:     ptr(int64(3000)),
	},
	"left": {
		Custom:        map[string]string{"color": "blue"},
		Subject:       ptr("x"),
		Access:        "None",
		LastMessageTs: ptr(int64(-5)),
		CreatedAt:     ptr(int64(-5)),
	},
	"unread": {
		Custom:            map[string]string{"seller": "bob", "category": ""},
		Access:            "ReadWrite",
		HasUnreadMessages: true,
		CreatedAt:         ptr(int64(2000)),
	},
}

func sampleNames() []string {
	var names []string
	for n := range samples {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func agree(t *testing.T, f conversationFilter, want func(name string, s *convfilter.Subject) bool) {
	t.Helper()
	js, err := f.FilterJSON()
	if err != nil {
		t.Fatalf("FilterJSON: %v", err)
	}
	parsed, err := convfilter.Parse(js)
	if err != nil {
		t.Fatalf("convfilter.Parse(%s): %v", js, err)
	}
	for _, name := range sampleNames() {
		s := samples[name]
		if got, w := parsed.Match(s), want(name, s); got != w {
			t.Errorf("%s: Match(%s) = %v, want %v", js, name, got, w)
		}
	}
}

func TestAgreementTable(t *testing.T) {
	all := sampleNames()
	tests := []struct {
		f     conversationFilter
		match []string // names of the samples that pass
	}{
		{filter.Where{}, all},
		{filter.Where{Custom: filter.Custom{"category": filter.Eq("shoes")}}, []string{"shoes"}},
		{filter.Where{Custom: filter.Custom{"category": filter.NotEq("shoes")}}, []string{"bare", "left", "sandals", "unread"}},
		{filter.Where{Custom: filter.Custom{"category": filter.Eq("")}}, []string{"unread"}},
		{filter.Where{Custom: filter.Custom{"category": filter.OneOf("shoes", "sandals")}}, []string{"sandals", "shoes"}},
		{filter.Where{Custom: filter.Custom{"category": filter.NotOneOf("shoes", "sandals")}}, []string{"bare", "left", "unread"}},
		{filter.Where{Custom: filter.Custom{"seller": filter.Exists()}}, []string{"shoes", "unread"}},
		{filter.Where{Custom: filter.Custom{"seller": filter.NotExists()}}, []string{"bare", "left", "sandals"}},
		{filter.Where{Custom: filter.Custom{"seller": filter.Exists(), "color": filter.Eq("red")}}, []string{"shoes"}},
		{filter.Where{Access: filter.AccessIs(filter.ReadWrite)}, []string{"shoes", "unread"}},
		{filter.Where{Access: filter.AccessIsNot(filter.None)}, []string{"bare", "sandals", "shoes", "unread"}},
		{filter.Where{Access: filter.AccessOneOf(filter.Read, filter.None)}, []string{"left", "sandals"}},
		{filter.Where{Access: filter.AccessNotOneOf(filter.Read, filter.None)}, []string{"bare", "shoes", "unread"}},
		{filter.Where{Subject: filter.Eq("Pink shoes")}, []string{"shoes"}},
		{filter.Where{Subject: filter.NotEq("Pink shoes")}, []string{"bare", "left", "sandals", "unread"}},
		{filter.Where{Subject: filter.OneOf("", "x")}, []string{"left", "sandals"}},
		{filter.Where{Subject: filter.NotOneOf("", "x")}, []string{"bare", "shoes", "unread"}},
		{filter.Where{Subject: filter.Exists()}, []string{"left", "sandals", "shoes"}},
		{filter.Where{Subject: filter.NotExists()}, []string{"bare", "unread"}},
		{filter.Where{HasUnreadMessages: filter.Bool(true)}, []string{"shoes", "unread"}},
		{filter.Where{HasUnreadMessages: filter.Bool(false)}, []string{"bare", "left", "sandals"}},
		{filter.Where{LastMessageTs: filter.Gt(2000)}, []string{"sandals"}},
		{filter.Where{LastMessageTs: filter.Gte(2000)}, []string{"sandals", "shoes"}},
		{filter.Where{LastMessageTs: filter.Lt(2000)}, []string{"left"}},
		{filter.Where{LastMessageTs: filter.Lte(2000)}, []string{"left", "shoes"}},
		{filter.Where{LastMessageTs: filter.Between(2000, 3000)}, []string{"shoes"}},
		{filter.Where{LastMessageTs: filter.NotBetween(2000, 2999)}, []string{"left", "sandals"}},
		{filter.Where{CreatedAt: filter.Between(1000, 2000)}, []string{"shoes"}},
		{filter.Where{CreatedAt: filter.NotBetween(0, 1000)}, []string{"left", "sandals", "shoes", "unread"}},
		{filter.Where{CreatedAt: filter.Lt(0)}, []string{"left"}},
		{filter.Where{
			Custom:            filter.Custom{"seller": filter.Exists()},
			Access:            filter.AccessIs(filter.ReadWrite),
			HasUnreadMessages: filter.Bool(true),
			Subject:           filter.NotExists(),
		}, []string{"unread"}},
		{filter.Any(
			filter.Where{Access: filter.AccessIs(filter.Read)},
			filter.Where{Subject: filter.Eq("x")},
		), []string{"left", "sandals"}},
		{filter.Any(
			filter.Where{HasUnreadMessages: filter.Bool(true), LastMessageTs: filter.Gt(0)},
			filter.Where{Custom: filter.Custom{"category": filter.Eq("sandals")}},
		), []string{"sandals", "shoes"}},
		{filter.Any(filter.Where{}), all},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			agree(t, tt.f, func(name string, _ *convfilter.Subject) bool {
				return slices.Contains(tt.match, name)
			})
		})
	}
}

// TestAgreementRandom builds random filters together with an independent
// model of what they mean, and checks the server's reading against it.
func TestAgreementRandom(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		f, want, desc := randomBuiltFilter(r)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("built as %s", desc)
				}
			}()
			agree(t, f, func(_ string, s *convfilter.Subject) bool { return want(s) })
		})
	}
}

type model func(*convfilter.Subject) bool

var (
	keys      = []string{"category", "seller", "color", "missing"}
	values    = []string{"shoes", "sandals", "", "red", "bob"}
	subjects  = []string{"Pink shoes", "", "x", "y"}
	levels    = []filter.AccessLevel{filter.ReadWrite, filter.Read, filter.None}
	instants  = []int64{-5, 0, 999, 1000, 1001, 2000, 3000, 4000}
	nilString = (*string)(nil)
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func some[T any](r *rand.Rand, xs []T) []T {
	out := []T{pick(r, xs)}
	for r.IntN(2) == 0 {
		out = append(out, pick(r, xs))
	}
	return out
}

func randomBuiltFilter(r *rand.Rand) (conversationFilter, model, string) {
	if r.IntN(4) > 0 {
		return randomWhere(r)
	}
	var (
		ws    []filter.Where
		ms    []model
		descs []string
	)
	for range 1 + r.IntN(4) {
		w, m, d := randomWhere(r)
		ws, ms, descs = append(ws, w), append(ms, m), append(descs, d)
	}
	return filter.Any(ws...), func(s *convfilter.Subject) bool {
		for _, m := range ms {
			if m(s) {
				return true
			}
		}
		return false
	}, "any(" + strings.Join(descs, " | ") + ")"
}

func randomWhere(r *rand.Rand) (filter.Where, model, string) {
	var (
		w     filter.Where
		ms    []model
		descs []string
	)
	add := func(m model, format string, args ...any) {
		ms = append(ms, m)
		descs = append(descs, fmt.Sprintf(format, args...))
	}
	if r.IntN(2) == 0 {
		// A later predicate on the same key replaces the earlier one, in
		// the filter and in the model alike.
		w.Custom = filter.Custom{}
		cm := map[string]func(*string) bool{}
		cd := map[string]string{}
		for range 1 + r.IntN(3) {
			k := pick(r, keys)
			p, m, d := randomString(r, true)
			w.Custom[k], cm[k], cd[k] = p.(filter.CustomPredicate), m, d
		}
		for k, m := range cm {
			add(func(s *convfilter.Subject) bool {
				var v *string // nil when the key is missing
				if x, ok := s.Custom[k]; ok {
					v = &x
				}
				return m(v)
			}, "custom.%s %s", k, cd[k])
		}
	}
	if r.IntN(3) == 0 {
		op := r.IntN(4)
		ls := some(r, levels)
		var in func(a string) bool
		switch op {
		case 0:
			w.Access = filter.AccessIs(ls[0])
			in = func(a string) bool { return a == string(ls[0]) }
		case 1:
			w.Access = filter.AccessIsNot(ls[0])
			in = func(a string) bool { return a != string(ls[0]) }
		case 2:
			w.Access = filter.AccessOneOf(ls...)
			in = func(a string) bool { return slices.Contains(ls, filter.AccessLevel(a)) }
		case 3:
			w.Access = filter.AccessNotOneOf(ls...)
			in = func(a string) bool { return !slices.Contains(ls, filter.AccessLevel(a)) }
		}
		add(func(s *convfilter.Subject) bool { return in(s.Access) }, "access op%d %v", op, ls)
	}
	if r.IntN(3) == 0 {
		p, m, d := randomString(r, false)
		w.Subject = p.(filter.SubjectPredicate)
		add(func(s *convfilter.Subject) bool { return m(s.Subject) }, "subject %s", d)
	}
	if r.IntN(3) == 0 {
		b := r.IntN(2) == 0
		w.HasUnreadMessages = filter.Bool(b)
		add(func(s *convfilter.Subject) bool { return s.HasUnreadMessages == b }, "unread %v", b)
	}
	if r.IntN(3) == 0 {
		p, m, d := randomNumber(r)
		w.LastMessageTs = p
		add(func(s *convfilter.Subject) bool { return m(s.LastMessageTs) }, "lastMessageTs %s", d)
	}
	if r.IntN(4) == 0 {
		p, m, d := randomNumber(r)
		w.CreatedAt = p
		add(func(s *convfilter.Subject) bool { return m(s.CreatedAt) }, "createdAt %s", d)
	}
	return w, func(s *convfilter.Subject) bool {
		for _, m := range ms {
			if !m(s) {
				return false
			}
		}
		return true
	}, "{" + strings.Join(descs, ", ") + "}"
}

// randomString returns a string or existence predicate and its meaning on a
// value that may be absent (nil). On the subject, Exists and NotExists mean
// "has a subject" and "has none", the same as on a custom key.
func randomString(r *rand.Rand, custom bool) (any, func(*string) bool, string) {
	pool := values
	if !custom {
		pool = subjects
	}
	var (
		p    any
		m    func(*string) bool
		desc string
	)
	switch op := r.IntN(6); op {
	case 0:
		v := pick(r, pool)
		p, desc = filter.Eq(v), fmt.Sprintf("== %q", v)
		m = func(x *string) bool { return x != nil && *x == v }
	case 1:
		v := pick(r, pool)
		p, desc = filter.NotEq(v), fmt.Sprintf("!= %q", v)
		m = func(x *string) bool { return x == nil || *x != v }
	case 2:
		vs := some(r, pool)
		p, desc = filter.OneOf(vs...), fmt.Sprintf("oneOf %q", vs)
		m = func(x *string) bool { return x != nil && slices.Contains(vs, *x) }
	case 3:
		vs := some(r, pool)
		p, desc = filter.NotOneOf(vs...), fmt.Sprintf("!oneOf %q", vs)
		m = func(x *string) bool { return x == nil || !slices.Contains(vs, *x) }
	case 4:
		p, desc = filter.Exists(), "exists"
		m = func(x *string) bool { return x != nilString }
	case 5:
		p, desc = filter.NotExists(), "!exists"
		m = func(x *string) bool { return x == nilString }
	}
	return p, m, desc
}

func randomNumber(r *rand.Rand) (filter.NumberPredicate, func(*int64) bool, string) {
	a, b := pick(r, instants), pick(r, instants)
	if a > b {
		a, b = b, a
	}
	var (
		p  filter.NumberPredicate
		in func(int64) bool
		op string
	)
	switch r.IntN(6) {
	case 0:
		p, op, in = filter.Gt(a), ">", func(x int64) bool { return x > a }
	case 1:
		p, op, in = filter.Lt(a), "<", func(x int64) bool { return x < a }
	case 2:
		p, op, in = filter.Gte(a), ">=", func(x int64) bool { return x >= a }
	case 3:
		p, op, in = filter.Lte(a), "<=", func(x int64) bool { return x <= a }
	case 4:
		// Half-open, as @talkjs/core 1.12.0 evaluates it.
		p, op, in = filter.Between(a, b), "between", func(x int64) bool { return a <= x && x < b }
	case 5:
		p, op, in = filter.NotBetween(a, b), "!between", func(x int64) bool { return x < a || x >= b }
	}
	// A missing timestamp satisfies no comparison.
	return p, func(x *int64) bool { return x != nil && in(*x) }, fmt.Sprintf("%s %d %d", op, a, b)
}

// TestReversedIntervals: a reversed interval is legal on both sides (as in
// @talkjs/core 1.12.0): between matches nothing, !between every conversation
// that has the timestamp.
func TestReversedIntervals(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		a, b := pick(r, instants), pick(r, instants)
		if a < b {
			a, b = b, a
		}
		for _, w := range []filter.Where{{LastMessageTs: filter.Between(a, b)}, {LastMessageTs: filter.NotBetween(a, b)}} {
			js, err := w.FilterJSON()
			if err != nil {
				t.Fatalf("%v: %v", w, err)
			}
			f, err := convfilter.Parse(js)
			if err != nil {
				t.Fatalf("server refused %s: %v", js, err)
			}
			negated := w.LastMessageTs == filter.NotBetween(a, b)
			for _, name := range sampleNames() {
				s := samples[name]
				want := negated && s.LastMessageTs != nil
				if got := f.Match(s); got != want {
					t.Errorf("%s on %s = %v, want %v", js, name, got, want)
				}
			}
		}
	}
}

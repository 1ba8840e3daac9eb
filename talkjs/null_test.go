package talkjs

import (
	"encoding/json"
	"testing"
)

func TestNullableStates(t *testing.T) {
	t.Parallel()
	type in struct {
		A Nullable[string]   `json:"a,omitzero"`
		B Nullable[string]   `json:"b,omitzero"`
		C Nullable[string]   `json:"c,omitzero"`
		D Nullable[[]string] `json:"d,omitzero"`
		E Nullable[int]      `json:"e,omitzero"`
	}
	b, err := json.Marshal(in{A: Value("x"), B: Null[string](), D: Values[string](), E: Value(0)})
	const want = `{"a":"x","b":null,"d":[],"e":0}`
	if err != nil || string(b) != want {
		t.Errorf("json.Marshal(Value(x), Null, Values(), unset, Value(0)) = %s, %v; want %s, nil", b, err, want)
	}
	var back in
	const answer = `{"a":"y","b":null}`
	if err := json.Unmarshal([]byte(answer), &back); err != nil {
		t.Fatalf("json.Unmarshal(%s) = %v, want nil", answer, err)
	}
	if v, ok := back.A.Get(); !ok || v != "y" {
		t.Errorf("a.Get() = %q, %v; want %q, true", v, ok, "y")
	}
	if null, zero := back.B.IsNull(), back.B.IsZero(); !null || zero {
		t.Errorf("b.IsNull(), b.IsZero() = %v, %v; want true, false (an explicit null)", null, zero)
	}
	if null, zero := back.C.IsNull(), back.C.IsZero(); null || !zero {
		t.Errorf("c.IsNull(), c.IsZero() = %v, %v; want false, true (left out)", null, zero)
	}
	if v, ok := back.C.Get(); ok {
		t.Errorf("c.Get() = %q, true; want no value (left out)", v)
	}
}

func TestCustomInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   UserInput
		want string
	}{
		{"Custom", UserInput{Custom: Custom(map[string]string{"plan": "pro"})}, `{"custom":{"plan":"pro"}}`},
		{"removals", UserInput{Custom: Value(CustomInput{"gone": Null[string](), "also": {}}),
			PushTokens: Value(PushTokens{"fcm:abc": Value(true), "apns:x": Null[bool]()})},
			`{"custom":{"also":null,"gone":null},"pushTokens":{"apns:x":null,"fcm:abc":true}}`},
		{"empty", UserInput{}, `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if b, err := json.Marshal(tc.in); err != nil || string(b) != tc.want {
				t.Errorf("json.Marshal(%s UserInput) = %s, %v; want %s, nil", tc.name, b, err, tc.want)
			}
		})
	}
}

func TestNotifyJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		n    Notify
		want string
	}{
		{"NotifyOn", NotifyOn, "true"},
		{"NotifyOff", NotifyOff, "false"},
		{"NotifyMentionsOnly", NotifyMentionsOnly, `"MentionsOnly"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tc.n)
			if err != nil || string(b) != tc.want {
				t.Errorf("json.Marshal(%s) = %s, %v; want %s, nil", tc.name, b, err, tc.want)
			}
			var back Notify
			if err := json.Unmarshal(b, &back); err != nil || back != tc.n {
				t.Errorf("json.Unmarshal(%s) = %v, %v; want %v, nil", b, back, err, tc.n)
			}
		})
	}
	if b, _ := json.Marshal(JoinOptions{}); string(b) != `{}` {
		t.Errorf("json.Marshal(JoinOptions{}) = %s, want {}", b)
	}
	n := NotifyOn
	if err := json.Unmarshal([]byte(`"SomethingNew"`), &n); err != nil || n != NotifyDefault {
		t.Errorf(`json.Unmarshal("SomethingNew") = %v, %v; want NotifyDefault, nil`, n, err)
	}
	if err := json.Unmarshal([]byte(`3`), &n); err == nil {
		t.Errorf("json.Unmarshal(3) = %v, nil error; want an error (not a notify setting)", n)
	}
	if b, err := json.Marshal(Notify(9)); err == nil {
		t.Errorf("json.Marshal(Notify(9)) = %s, nil error; want an error", b)
	}
}

func TestReadMarkerJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		m    ReadMarker
		want string
	}{
		{"ReadUntilSent()", ReadUntilSent(), `"sent"`},
		{"ReadUntil(Time(1700000000123))", ReadUntil(Time(1700000000123)), "1700000000123"},
		{"ReadMarker{}", ReadMarker{}, "0"},
	} {
		if b, err := json.Marshal(tc.m); err != nil || string(b) != tc.want {
			t.Errorf("json.Marshal(%s) = %s, %v; want %s, nil", tc.name, b, err, tc.want)
		}
	}
}

// String returned a Nullable[string] while Bool returned a *bool; now the
// pointer helpers are one family and Value is the Nullable constructor.
func TestHelperFamilies(t *testing.T) {
	t.Parallel()
	var (
		s  *string          = String("x")
		b  *bool            = Bool(true)
		i  *int             = Int(3)
		n  *int64           = Int64(4)
		p  *float64         = Ptr(1.5)
		v  Nullable[string] = Value("x")
		vs Nullable[[]int]  = Values(1, 2)
	)
	if *s != "x" || !*b || *i != 3 || *n != 4 || *p != 1.5 {
		t.Errorf("*String(x), *Bool(true), *Int(3), *Int64(4), *Ptr(1.5) = %q, %v, %d, %d, %v; want x, true, 3, 4, 1.5", *s, *b, *i, *n, *p)
	}
	if got, ok := v.Get(); !ok || got != "x" {
		t.Errorf("Value(x).Get() = %q, %v; want x, true", got, ok)
	}
	for name, tc := range map[string]struct {
		v    any
		want string
	}{
		"Values(1, 2)":     {vs, "[1,2]"},
		"Values[string]()": {Values[string](), "[]"},
		"Null[[]string]()": {Null[[]string](), "null"},
		"Custom":           {Custom(map[string]string{"k": "v"}), `{"k":"v"}`},
	} {
		b, err := json.Marshal(tc.v)
		if err != nil || string(b) != tc.want {
			t.Errorf("json.Marshal(%s) = %s, %v; want %s", name, b, err, tc.want)
		}
	}
}

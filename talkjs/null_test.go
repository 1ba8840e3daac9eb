package talkjs

import (
	"encoding/json"
	"testing"
)

func TestNullableStates(t *testing.T) {
	type in struct {
		A Nullable[string]   `json:"a,omitzero"`
		B Nullable[string]   `json:"b,omitzero"`
		C Nullable[string]   `json:"c,omitzero"`
		D Nullable[[]string] `json:"d,omitzero"`
		E Nullable[int]      `json:"e,omitzero"`
	}
	b, err := json.Marshal(in{A: Value("x"), B: Null[string](), D: Values[string](), E: Value(0)})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"a":"x","b":null,"d":[],"e":0}` {
		t.Errorf("marshalled %s", b)
	}
	var back in
	if err := json.Unmarshal([]byte(`{"a":"y","b":null}`), &back); err != nil {
		t.Fatal(err)
	}
	if v, ok := back.A.Get(); !ok || v != "y" {
		t.Errorf("a = %q, %v", v, ok)
	}
	if !back.B.IsNull() || back.B.IsZero() {
		t.Error("b should be an explicit null")
	}
	if !back.C.IsZero() || back.C.IsNull() {
		t.Error("c should be left out")
	}
	if _, ok := back.C.Get(); ok {
		t.Error("a left-out field has a value")
	}
}

func TestCustomInput(t *testing.T) {
	b, _ := json.Marshal(UserInput{Custom: Custom(map[string]string{"plan": "pro"})})
	if string(b) != `{"custom":{"plan":"pro"}}` {
		t.Errorf("Custom: %s", b)
	}
	b, _ = json.Marshal(UserInput{Custom: Value(CustomInput{"gone": Null[string](), "also": {}}),
		PushTokens: Value(PushTokens{"fcm:abc": Value(true), "apns:x": Null[bool]()})})
	if string(b) != `{"custom":{"also":null,"gone":null},"pushTokens":{"apns:x":null,"fcm:abc":true}}` {
		t.Errorf("removals: %s", b)
	}
	b, _ = json.Marshal(UserInput{})
	if string(b) != `{}` {
		t.Errorf("empty input: %s", b)
	}
}

func TestNotifyJSON(t *testing.T) {
	for n, want := range map[Notify]string{NotifyOn: "true", NotifyOff: "false", NotifyMentionsOnly: `"MentionsOnly"`} {
		b, err := json.Marshal(n)
		if err != nil || string(b) != want {
			t.Errorf("%v: %s %v", n, b, err)
		}
		var back Notify
		if err := json.Unmarshal(b, &back); err != nil || back != n {
			t.Errorf("%s decoded as %v, %v", b, back, err)
		}
	}
	b, _ := json.Marshal(JoinOptions{})
	if string(b) != `{}` {
		t.Errorf("default join options: %s", b)
	}
	n := NotifyOn
	if err := json.Unmarshal([]byte(`"SomethingNew"`), &n); err != nil || n != NotifyDefault {
		t.Errorf("an unknown notify string: %v, %v", n, err)
	}
	if err := json.Unmarshal([]byte(`3`), &n); err == nil {
		t.Error("a number decoded as a notify setting")
	}
	if _, err := json.Marshal(Notify(9)); err == nil {
		t.Error("an invalid Notify encoded")
	}
}

func TestReadMarkerJSON(t *testing.T) {
	for m, want := range map[ReadMarker]string{ReadUntilSent(): `"sent"`, ReadUntil(Time(1700000000123)): "1700000000123", {}: "0"} {
		if b, _ := json.Marshal(m); string(b) != want {
			t.Errorf("%+v: %s, want %s", m, b, want)
		}
	}
}

// String returned a Nullable[string] while Bool returned a *bool; now the
// pointer helpers are one family and Value is the Nullable constructor.
func TestHelperFamilies(t *testing.T) {
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
		t.Errorf("pointer helpers: %q %v %d %d %v", *s, *b, *i, *n, *p)
	}
	if got, ok := v.Get(); !ok || got != "x" {
		t.Errorf("Value(x).Get() = %q, %v", got, ok)
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

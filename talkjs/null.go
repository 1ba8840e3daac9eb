package talkjs

import (
	"bytes"
	"encoding/json"
)

// Nullable is an input field that can be left out, set to null, or set to
// a value. TalkJS updates only the fields a request carries, and clears a
// field sent as null, so all three states matter:
//
//	talkjs.UserInput{
//		PhotoURL: talkjs.Value("https://example.com/alice.png"), // set
//		Role:     talkjs.Null[string](),                          // clear
//		// Locale left out: kept as it is
//	}
//
// The zero Nullable is "left out". Struct fields of this type carry the
// `omitzero` JSON option, so a left-out field is not sent at all. As a map
// value (in [CustomInput] or [PushTokens]) a left-out entry is sent as null.
type Nullable[T any] struct {
	value T
	state nullState
}

type nullState uint8

const (
	unset nullState = iota
	isNull
	isSet
)

// Value returns a Nullable set to v: the constructor for every Nullable
// field, such as PhotoURL: talkjs.Value("https://…"). (String, Bool and the
// other pointer helpers are for the optional fields that are pointers.)
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: isSet} }

// Null returns a Nullable that sends an explicit null, which clears the field.
func Null[T any]() Nullable[T] { return Nullable[T]{state: isNull} }

// Values returns a Nullable list set to items, such as
// Email: talkjs.Values("a@example.com"). No items is an empty list, sent
// as [], not null: talkjs.Values[string]().
func Values[T any](items ...T) Nullable[[]T] {
	if items == nil {
		items = []T{}
	}
	return Value(items)
}

// Custom returns a custom-data update that stores every key of kv. To
// remove a key, put talkjs.Null[string]() under it in a [CustomInput].
func Custom(kv map[string]string) Nullable[CustomInput] {
	in := make(CustomInput, len(kv))
	for k, v := range kv {
		in[k] = Value(v)
	}
	return Value(in)
}

// IsZero reports whether the field is left out; encoding/json's omitzero
// uses it.
func (n Nullable[T]) IsZero() bool { return n.state == unset }

// IsNull reports whether the field is an explicit null.
func (n Nullable[T]) IsNull() bool { return n.state == isNull }

// Get returns the value and true when the field is set to a value.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == isSet }

// MarshalJSON encodes the value, or null when the field is null or left out.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.state != isSet {
		return []byte("null"), nil
	}
	return json.Marshal(n.value)
}

// UnmarshalJSON decodes null as Null and anything else as a value.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Value(v)
	return nil
}

// CustomInput is custom data to merge into what is stored: a key set to a
// value is stored, a key set to null (talkjs.Null[string]()) is removed,
// and keys left out are kept.
type CustomInput map[string]Nullable[string]

// PushTokens registers or unregisters push-notification devices, keyed
// "provider:token" (provider fcm or apns): true registers the device, null
// unregisters it.
type PushTokens map[string]Nullable[bool]

package talkjs

// The pointer helpers, as in stripe-go and go-github: an optional field that
// is a pointer, such as [PresenceQuery].HasFocus, is set with talkjs.Bool(true).
// Fields of type Nullable, which can also be cleared, take talkjs.Value and
// talkjs.Null instead.

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Bool returns a pointer to b.
func Bool(b bool) *bool { return &b }

// String returns a pointer to s.
func String(s string) *string { return &s }

// Int returns a pointer to n.
func Int(n int) *int { return &n }

// Int64 returns a pointer to n.
func Int64(n int64) *int64 { return &n }

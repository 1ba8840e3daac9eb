package talkjs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors for errors.Is. An *Error matches the one that fits its
// status code; an *ArgumentError matches [ErrInvalidArgument].
var (
	ErrBadRequest      = errors.New("talkjs: bad request")
	ErrUnauthorized    = errors.New("talkjs: unauthorized")
	ErrNotFound        = errors.New("talkjs: not found")
	ErrRateLimited     = errors.New("talkjs: rate limited")
	ErrInvalidArgument = errors.New("talkjs: invalid argument")
)

// Error is what every call returns when TalkJS answers with a status other
// than 200, or when the request could not be completed at all (then
// StatusCode is 0 and Err holds the cause). When a call was retried, it
// describes the last attempt.
//
// Error never holds the secret key or a token: TalkJS's message is scrubbed
// of both before it is stored.
type Error struct {
	// StatusCode is the HTTP status of the last answer, or 0 when no answer came.
	StatusCode int
	// Message is TalkJS's description of the problem, read leniently from
	// the body whatever its shape; it may be empty.
	Message string
	// Body is the raw body of the last answer (at most 1 MiB of it).
	Body []byte
	// Method and Path identify the request; Path is the escaped URL path.
	Method, Path string
	// Attempts is how many times the request was sent.
	Attempts int
	// RetryAfter is the wait the server asked for in a Retry-After header, if any.
	RetryAfter time.Duration
	// Err is the underlying transport or context error when StatusCode is 0.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("talkjs: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	if e.StatusCode != 0 {
		b.WriteString(strconv.Itoa(e.StatusCode))
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteByte(' ')
			b.WriteString(t)
		}
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
		if e.Err != nil {
			b.WriteString(": ")
			b.WriteString(e.Err.Error())
		}
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the transport or context error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether the error's status matches one of the sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// ArgumentError is returned, before anything is sent, when an argument
// cannot be right: an empty id, too many messages for a call that cannot
// split them, a message with both text and an attachment, and so on.
// errors.Is(err, [ErrInvalidArgument]) holds for it.
type ArgumentError struct {
	// Arg names the argument, such as "userID" or "messages[3].text".
	Arg string
	// Problem says what is wrong with it.
	Problem string
	// Err is the cause, when there is one (for example an
	// *openapi.ValidationError under validate.Requests, or whatever a
	// [RequestCheck] returned).
	Err error
}

func (e *ArgumentError) Error() string {
	return "talkjs: invalid argument " + e.Arg + ": " + e.Problem
}

// Is makes errors.Is(err, [ErrInvalidArgument]) true.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

// Unwrap returns the cause, if any.
func (e *ArgumentError) Unwrap() error { return e.Err }

func argError(arg, problem string) error { return &ArgumentError{Arg: arg, Problem: problem} }

// checkID rejects ids that would change which endpoint is called: the
// request builders resolve paths like URLs, so "." and ".." would be
// resolved away.
func checkID(arg, id string) error {
	switch id {
	case "":
		return argError(arg, "must not be empty")
	case ".", "..":
		return argError(arg, fmt.Sprintf("must not be %q", id))
	}
	if !utf8.ValidString(id) {
		// The in-memory server refuses it with 400; JSON cannot carry it.
		return argError(arg, "must be valid UTF-8")
	}
	return nil
}

// errorMessage pulls a readable message out of an error body of any shape:
// {"message": …}, {"error": "…"}, {"error": {"message": …}}, a JSON string,
// or plain text.
func errorMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	switch body[0] {
	case '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) == nil {
			for _, k := range []string{"message", "error", "errorMessage", "reason", "detail"} {
				if s := rawMessage(obj[k]); s != "" {
					if k == "error" {
						if m := rawMessage(obj["errors"]); m != "" {
							return s + ": " + m
						}
					}
					return s
				}
			}
			if s := rawMessage(obj["errors"]); s != "" {
				return s
			}
			return ""
		}
	case '"':
		var s string
		if json.Unmarshal(body, &s) == nil {
			return clip(s)
		}
	case '[':
		return ""
	}
	if !json.Valid(body) {
		return clip(string(body))
	}
	return ""
}

// rawMessage renders a JSON value found under a message-like key.
func rawMessage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return clip(s)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		if m := rawMessage(obj["message"]); m != "" {
			return m
		}
		// A map of per-entry problems, such as {"alice": "name is required"}.
		keys := make([]string, 0, len(obj))
		for k, v := range obj {
			var s string
			if json.Unmarshal(v, &s) == nil {
				keys = append(keys, k+": "+s)
			}
		}
		if len(keys) > 0 {
			slices.Sort(keys)
			return clip(strings.Join(keys, "; "))
		}
	}
	return ""
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	const max = 300
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

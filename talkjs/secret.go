package talkjs

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// credentials is what a Client must never print: the secret key and, with
// [WithLegacySecretKeyAuth], the Authorization header that carries it. The
// Client reaches it through a closure, because fmt prints a func as an
// address with every verb and at every depth, while it prints what a pointer
// points to when the verb does not suit the pointer (%s, %q): so
// fmt.Sprintf(verb, *client), on a Client or on any struct that holds one,
// shows no key. Its own Format covers printing it directly.
type credentials struct {
	secret     string
	legacyAuth []string // {"Bearer <secret>"} when legacy auth is on
}

// Format prints a placeholder, whatever the verb.
func (*credentials) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte("[redacted]")) }

// redact replaces in s every occurrence of want, raw or encoded as a server
// may echo it (JSON string escapes, percent-encoding, or a mix), by repl.
// want must not be empty.
func redact(s, want, repl string) string {
	var b strings.Builder
	done := 0
	for i := 0; i < len(s); {
		if end := matchEncoded(s, i, want); end > 0 {
			b.WriteString(s[done:i])
			b.WriteString(repl)
			i, done = end, end
			continue
		}
		i++
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// matchEncoded returns the end of the encoded form of want that starts at
// s[i:], or -1. Each rune of want may be written as itself, as a JSON
// escape (\u00e9, a surrogate pair, \/, \", \\), or as its percent-encoded
// UTF-8 bytes (+ for a space).
func matchEncoded(s string, i int, want string) int {
	for _, r := range want {
		n := matchRune(s[i:], r)
		if n < 0 {
			return -1
		}
		i += n
	}
	return i
}

// matchRune returns how many bytes at the start of s encode r, or -1.
func matchRune(s string, r rune) int {
	if s == "" {
		return -1
	}
	var enc [utf8.UTFMax]byte
	raw := enc[:utf8.EncodeRune(enc[:], r)]
	if strings.HasPrefix(s, string(raw)) {
		return len(raw)
	}
	switch s[0] {
	case '\\':
		if len(s) >= 2 {
			switch {
			case s[1] == '/' && r == '/', s[1] == '"' && r == '"', s[1] == '\\' && r == '\\':
				return 2
			case s[1] == 'u':
				if r < 0x10000 {
					if v, ok := hex4(s[2:]); ok && rune(v) == r {
						return 6
					}
					return -1
				}
				hi, ok1 := hex4(s[2:])
				if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' && ok1 {
					lo, ok2 := hex4(s[8:])
					if ok2 && 0x10000+(rune(hi)-0xD800)<<10+(rune(lo)-0xDC00) == r {
						return 12
					}
				}
			}
		}
	case '+':
		if r == ' ' {
			return 1
		}
	case '%':
		// Every byte of the rune as %XX, or a mix of raw bytes and %XX.
		n := 0
		for _, c := range raw {
			switch {
			case n < len(s) && s[n] == c:
				n++
			case n+3 <= len(s) && s[n] == '%' && hexByte(s[n+1:n+3]) == int(c):
				n += 3
			default:
				return -1
			}
		}
		return n
	}
	return -1
}

func hex4(s string) (uint16, bool) {
	if len(s) < 4 {
		return 0, false
	}
	hi, lo := hexByte(s[:2]), hexByte(s[2:4])
	if hi < 0 || lo < 0 {
		return 0, false
	}
	return uint16(hi)<<8 | uint16(lo), true
}

// hexByte decodes two hex digits of either case, or returns -1.
func hexByte(s string) int {
	if len(s) < 2 {
		return -1
	}
	d := func(c byte) int {
		switch {
		case '0' <= c && c <= '9':
			return int(c - '0')
		case 'a' <= c && c <= 'f':
			return int(c-'a') + 10
		case 'A' <= c && c <= 'F':
			return int(c-'A') + 10
		}
		return -1
	}
	hi, lo := d(s[0]), d(s[1])
	if hi < 0 || lo < 0 {
		return -1
	}
	return hi<<4 | lo
}

package talkjs

import (
	"encoding/json"
	"unicode/utf8"
)

// appendSendBody appends the JSON body of a send: msgs as a JSON array,
// message i with the idempotency key key(i). It writes the bytes that
// json.Marshal writes for the messages with those keys set
// (TestSendBodyMatchesMarshal, FuzzSendBody), for the common messages,
// with text, attachment token and reference only, without reflection;
// messages with content blocks, a location or custom data go through
// json.Marshal.
func appendSendBody(dst []byte, msgs []MessageInput, key func(i int) string) ([]byte, error) {
	dst = append(dst, '[')
	for i := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		m := &msgs[i]
		k := key(i)
		if len(m.Content) > 0 || m.Location != nil || len(m.Custom) > 0 {
			b, err := json.Marshal(keyedInput{m, k})
			if err != nil {
				return nil, err
			}
			dst = append(dst, b...)
			continue
		}
		dst = append(dst, `{"type":`...)
		dst = appendJSONString(dst, string(m.Type))
		dst = appendField(dst, `,"sender":`, m.Sender)
		dst = appendField(dst, `,"text":`, m.Text)
		dst = appendField(dst, `,"attachmentToken":`, m.AttachmentToken)
		dst = appendField(dst, `,"referencedMessageId":`, m.ReferencedMessageID)
		dst = appendField(dst, `,"idempotencyKey":`, k)
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

// sendBodySize is about the size of the body of msgs, for the buffer.
func sendBodySize(msgs []MessageInput) int {
	n := 2
	for i := range msgs {
		m := &msgs[i]
		n += 96 + len(m.Type) + len(m.Sender) + len(m.Text) + len(m.AttachmentToken) + len(m.ReferencedMessageID) + keyLen
	}
	return n
}

// appendField appends name and s as a JSON string, unless s is empty
// (omitempty).
func appendField(dst []byte, name, s string) []byte {
	if s == "" {
		return dst
	}
	return appendJSONString(append(dst, name...), s)
}

// appendJSONString appends s as encoding/json writes a string: quoted,
// with ", \ and control characters escaped, <, > and & escaped for HTML,
// U+2028 and U+2029 escaped, and invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

package talkjs

import (
	"encoding/json"
	"strings"
	"testing"
)

// marshalKeyed is the reference: json.Marshal of copies of msgs with the
// keys set.
func marshalKeyed(t testing.TB, msgs []MessageInput, keys []string) string {
	t.Helper()
	cp := make([]MessageInput, len(msgs))
	copy(cp, msgs)
	for i := range cp {
		cp[i].IdempotencyKey = keys[i]
	}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatalf("json.Marshal(%d messages) = %v, want nil", len(cp), err)
	}
	return string(b)
}

func sendBody(t testing.TB, msgs []MessageInput, keys []string) string {
	t.Helper()
	b, err := appendSendBody(nil, msgs, func(i int) string { return keys[i] })
	if err != nil {
		t.Fatalf("appendSendBody(%d messages) = %v, want nil", len(msgs), err)
	}
	return string(b)
}

var awkwardTexts = []string{
	"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\rcr\bbs\ffeed",
	"\x00\x01\x1f\x7f", "emoji 😀 ü ß", "\u2028 and \u2029", "bad utf8 \xff\xfe end", "trunc \xe2\x82",
	"\U0010ffff", "\ufffd", "end\\", `"`, "ok\nnew line", `quote "this"`,
}

func TestSendBodyMatchesMarshal(t *testing.T) {
	t.Parallel()
	loc := Location{52.37, 4.89}
	var msgs []MessageInput
	var keys []string
	for i, s := range awkwardTexts {
		msgs = append(msgs,
			MessageInput{Type: UserMessageType, Sender: s, Text: s, ReferencedMessageID: s},
			MessageInput{Type: MessageType(s), AttachmentToken: s},
		)
		keys = append(keys, s, strings.Repeat("k", i))
	}
	msgs = append(msgs,
		MessageInput{Type: UserMessageType, Sender: "carol", Content: []ContentBlock{TextBlock(Plain("<&>"), Bold(Plain("b")))}},
		MessageInput{Type: UserMessageType, Sender: "dave", Location: &loc},
		MessageInput{Type: SystemMessageType, Text: "c", Custom: map[string]string{"z": "<1>", "a": "2"}},
	)
	keys = append(keys, "k1", "", "k3")
	for n := 1; n <= len(msgs); n++ {
		if got, want := sendBody(t, msgs[:n], keys), marshalKeyed(t, msgs[:n], keys); got != want {
			t.Fatalf("appendSendBody(%d messages) =\n %s\nwant (json.Marshal)\n %s", n, got, want)
		}
	}
}

func FuzzSendBody(f *testing.F) {
	for _, s := range awkwardTexts {
		f.Add(s, s, "key")
	}
	f.Fuzz(func(t *testing.T, sender, text, key string) {
		msgs := []MessageInput{{Type: UserMessageType, Sender: sender, Text: text}, {Type: MessageType(text), ReferencedMessageID: sender}}
		keys := []string{key, text}
		if got, want := sendBody(t, msgs, keys), marshalKeyed(t, msgs, keys); got != want {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}

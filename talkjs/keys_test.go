package talkjs

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

// TestIdempotencyKeysUnique draws keys from many goroutines, singly and
// in chunks, and wants every one to be 32 hex digits and unique.
func TestIdempotencyKeysUnique(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		wg   sync.WaitGroup
	)
	for g := range 8 {
		wg.Go(func() {
			var mine []string
			for i := range 500 {
				n := 1 + (g+i)%MaxMessagesPerRequest
				keys := newIdempotencyKeys(n)
				if len(keys) != n*keyLen {
					t.Errorf("newIdempotencyKeys(%d) = %d characters, want %d", n, len(keys), n*keyLen)
					return
				}
				for j := range n {
					mine = append(mine, keys[j*keyLen:(j+1)*keyLen])
				}
				mine = append(mine, newIdempotencyKey())
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range mine {
				if !isHex(k) || len(k) != keyLen {
					t.Errorf("idempotency key %q, want %d hex digits", k, keyLen)
				}
				if seen[k] {
					t.Errorf("idempotency key %q drawn twice, want each key once", k)
				}
				seen[k] = true
			}
		})
	}
	wg.Wait()
	if want := 8 * 500 * 2; len(seen) < want {
		t.Errorf("drew %d distinct keys, want at least %d", len(seen), want)
	}
	if got := newIdempotencyKeys(0); got != "" {
		t.Errorf("newIdempotencyKeys(0) = %q, want \"\"", got)
	}
}

func BenchmarkIdempotencyKeys(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(newIdempotencyKeys(n)) != n*keyLen {
					b.Fatal("short")
				}
			}
		})
	}
}

// TestKeyedInputEncoding: a message sent through keyedInput encodes to
// the same bytes as a copy of it with the key set.
func TestKeyedInputEncoding(t *testing.T) {
	t.Parallel()
	loc := Location{52.37, 4.89}
	msgs := []MessageInput{
		UserMessage("alice", "hi <b>&</b> \u2028 😀"),
		SystemMessage("note"),
		AttachmentMessage("bob", "att_tok"),
		{Type: UserMessageType, Sender: "carol", Content: []ContentBlock{TextBlock(Plain("hi"))}},
		{Type: UserMessageType, Sender: "dave", Location: &loc, ReferencedMessageID: "msg_1", Custom: map[string]string{"z": "1", "a": "2"}},
		{Type: UserMessageType, Sender: "erin", Text: "own key", IdempotencyKey: "mine"},
	}
	for i := range msgs {
		for _, key := range []string{"", "k_0123456789abcdef", msgs[i].IdempotencyKey} {
			cp := msgs[i]
			cp.IdempotencyKey = key
			want, err := json.Marshal(cp)
			if err != nil {
				t.Fatalf("json.Marshal(message %d with key %q) = %v, want nil", i, key, err)
			}
			got, err := json.Marshal(keyedInput{&msgs[i], key})
			if err != nil {
				t.Fatalf("json.Marshal(keyedInput{message %d, %q}) = %v, want nil", i, key, err)
			}
			if string(got) != string(want) {
				t.Errorf("json.Marshal(keyedInput{message %d, %q}) =\n %s\nwant (the message with the key set)\n %s", i, key, got, want)
			}
		}
	}
}

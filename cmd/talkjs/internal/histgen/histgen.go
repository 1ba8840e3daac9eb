// Package histgen generates chat histories in the NDJSON format of
// `talkjs import`, for tests and for trying the importer out.
package histgen

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Spec says what to generate.
type Spec struct {
	Users, Conversations, Messages int
	// Seed makes the history reproducible.
	Seed uint64
	// Start is the time of the first message (default 2019-01-01 UTC).
	Start time.Time
}

// Write writes the users, then the conversations, then the messages in an
// order that is not the timestamp order, as an export often is.
func Write(w io.Writer, s Spec) error {
	rng := rand.New(rand.NewPCG(s.Seed, 42))
	if s.Start.IsZero() {
		s.Start = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range s.Users {
		if err := enc.Encode(map[string]any{"kind": "user", "id": UserID(i), "name": fmt.Sprintf("User %d", i),
			"email": []string{fmt.Sprintf("user%d@example.com", i)}, "custom": map[string]string{"n": fmt.Sprint(i)}}); err != nil {
			return err
		}
	}
	parts := make([][]string, s.Conversations)
	for c := range s.Conversations {
		a := rng.IntN(s.Users)
		b := (a + 1 + rng.IntN(s.Users-1)) % s.Users
		parts[c] = []string{UserID(a), UserID(b)}
		if err := enc.Encode(map[string]any{"kind": "conversation", "id": ConversationID(c), "participants": parts[c],
			"subject": fmt.Sprintf("Conversation %d", c), "custom": map[string]string{"shard": fmt.Sprint(c % 7)}}); err != nil {
			return err
		}
	}
	for i := range s.Messages {
		c := i % s.Conversations
		// Within a minute the seconds are random, so the lines of a
		// conversation are not in timestamp order.
		ts := s.Start.Add(time.Duration(i/s.Conversations)*time.Minute + time.Duration(rng.IntN(50))*time.Second).UnixMilli()
		p := parts[c]
		sender := p[rng.IntN(len(p))]
		m := map[string]any{"kind": "message", "conversationId": ConversationID(c), "sender": sender,
			"text": fmt.Sprintf("message %d: %s", i, words[rng.IntN(len(words))]), "timestamp": ts}
		if rng.IntN(3) == 0 {
			m["readBy"] = p
		}
		if rng.IntN(5) == 0 {
			m["custom"] = map[string]string{"source": "legacy"}
		}
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}

// UserID and ConversationID name the generated objects.
func UserID(i int) string         { return fmt.Sprintf("u%03d", i) }
func ConversationID(i int) string { return fmt.Sprintf("c%03d", i) }

var words = []string{"hello", "is this still available?", "yes", "thanks!", "see you at 5", "👍", "could you send a photo?", "done", `quote "this"`, "ok\nnew line"}

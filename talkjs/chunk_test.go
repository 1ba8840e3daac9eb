package talkjs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestSendChunksTenAndKeepsOrder(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		var msgs []MessageInput
		if err := json.NewDecoder(r.Body).Decode(&msgs); err != nil {
			t.Errorf("decode the body of a send = %v, want nil", err)
			writeJSON(w, http.StatusBadRequest, `{}`)
			return
		}
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = fmt.Sprintf(`{"id":"id-%s"}`, m.Text)
		}
		writeJSON(w, http.StatusOK, "["+strings.Join(ids, ",")+"]")
	})
	var msgs []MessageInput
	for i := range 25 {
		msgs = append(msgs, UserMessage("alice", fmt.Sprint(i)))
	}
	msgs[3].IdempotencyKey = "mine"
	ids, err := c.Messages.Send(t.Context(), "c1", msgs...)
	if err != nil {
		t.Fatalf("Messages.Send(c1, 25 messages) = %v, want nil", err)
	}
	reqs := ts.requests()
	if len(reqs) != 3 {
		t.Fatalf("Messages.Send(c1, 25 messages) made %d requests, want 3", len(reqs))
	}
	var sent []MessageInput
	keys := map[string]bool{}
	for i, r := range reqs {
		var chunk []MessageInput
		_ = json.Unmarshal(r.Body, &chunk)
		if want := []int{10, 10, 5}[i]; len(chunk) != want {
			t.Errorf("request %d holds %d messages, want %d", i, len(chunk), want)
		}
		sent = append(sent, chunk...)
	}
	for i, m := range sent {
		if want := fmt.Sprint(i); m.Text != want || ids[i] != "id-"+want {
			t.Errorf("message %d: sent text %q, id %q; want %q, %q", i, m.Text, ids[i], want, "id-"+want)
		}
		if len(m.IdempotencyKey) == 0 || keys[m.IdempotencyKey] {
			t.Errorf("message %d: idempotency key %q, want one of its own", i, m.IdempotencyKey)
		}
		keys[m.IdempotencyKey] = true
	}
	if got := sent[3].IdempotencyKey; got != "mine" {
		t.Errorf("message 3: idempotency key %q, want the caller's %q", got, "mine")
	}
	if got := sent[0].IdempotencyKey; len(got) != 32 {
		t.Errorf("generated idempotency key %q, want 32 hex digits", got)
	}
	if got := msgs[0].IdempotencyKey; got != "" {
		t.Errorf("after Send, the caller's msgs[0].IdempotencyKey = %q, want it left empty", got)
	}
}

func TestSendStopsAtFailedChunk(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		if n.Add(1) == 2 {
			writeJSON(w, http.StatusBadRequest, `{"error":"bad"}`)
			return
		}
		writeJSON(w, http.StatusOK, "["+strings.Repeat(`{"id":"m"},`, 9)+`{"id":"m"}`+"]")
	})
	msgs := make([]MessageInput, 30)
	for i := range msgs {
		msgs[i] = SystemMessage("x")
	}
	ids, err := c.Messages.Send(t.Context(), "c1", msgs...)
	if !errors.Is(err, ErrBadRequest) || len(ids) != 10 || n.Load() != 2 {
		t.Errorf("Messages.Send(c1, 30 messages), second request answered 400 = %d ids, %v, after %d requests; want 10 ids, ErrBadRequest, after 2",
			len(ids), err, n.Load())
	}
}

func TestUpsertManyChunksHundredAndKeepsOrder(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		if n.Add(1) == 3 {
			writeJSON(w, http.StatusBadRequest, `{"errors":{"u250":"name is required"}}`)
			return
		}
		writeJSON(w, http.StatusOK, `{}`)
	})
	users := make([]UserUpsert, 250)
	for i := range users {
		users[i] = UserUpsert{ID: fmt.Sprintf("u%03d", 249-i), User: UserInput{Name: fmt.Sprint(i)}}
	}
	done, err := c.Users.UpsertMany(t.Context(), users)
	if done != 200 || !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "name is required") {
		t.Fatalf("Users.UpsertMany(250 users), third request answered 400 = %d, %v; want 200, the 400 with %q",
			done, err, "name is required")
	}
	reqs := ts.requests()
	if len(reqs) != 3 {
		t.Fatalf("Users.UpsertMany(250 users) made %d requests, want 3", len(reqs))
	}
	i := 0
	for r, req := range reqs {
		// Read the keys in the order they were written.
		dec := json.NewDecoder(strings.NewReader(string(req.Body)))
		_, _ = dec.Token()
		count := 0
		for dec.More() {
			key, _ := dec.Token()
			var u UserInput
			_ = dec.Decode(&u)
			if key != users[i].ID || u.Name != users[i].User.Name {
				t.Fatalf("request %d entry %d = %v (name %q), want %s (name %q)", r, count, key, u.Name, users[i].ID, users[i].User.Name)
			}
			i++
			count++
		}
		if want := []int{100, 100, 50}[r]; count != want {
			t.Errorf("request %d holds %d users, want %d", r, count, want)
		}
	}
}

func TestImportChunksTen(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil) // answers {}
	msgs := make([]ImportMessage, 21)
	for i := range msgs {
		msgs[i] = ImportMessage{Sender: "a", Text: fmt.Sprint(i), Timestamp: int64(1000 + i)}
	}
	ids, err := c.Import.Messages(t.Context(), "c1", msgs)
	if err != nil || len(ids) != 0 {
		t.Fatalf("Import.Messages(c1, 21 messages) answered {} = %v, %v; want no ids, nil", ids, err)
	}
	var got []ImportMessage
	for i, r := range ts.requests() {
		var chunk []ImportMessage
		_ = json.Unmarshal(r.Body, &chunk)
		if len(chunk) > 10 {
			t.Errorf("request %d holds %d messages, want at most 10", i, len(chunk))
		}
		got = append(got, chunk...)
	}
	if len(ts.requests()) != 3 || len(got) != 21 {
		t.Fatalf("Import.Messages(c1, 21 messages) sent %d requests with %d messages, want 3 with 21", len(ts.requests()), len(got))
	}
	for i, m := range got {
		want := ImportMessage{Type: UserMessageType, Sender: "a", Text: fmt.Sprint(i), Timestamp: int64(1000 + i), ReadBy: []string{}}
		if m.Text != want.Text || m.Timestamp != want.Timestamp || m.Type != want.Type {
			t.Errorf("message %d = %+v, want %+v", i, m, want)
		}
	}
}

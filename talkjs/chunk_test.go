package talkjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestSendChunksTenAndKeepsOrder(t *testing.T) {
	var next atomic.Int32
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		var msgs []MessageInput
		if err := json.NewDecoder(r.Body).Decode(&msgs); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = fmt.Sprintf(`{"id":"id-%s"}`, m.Text)
			next.Add(1)
		}
		writeJSON(w, http.StatusOK, "["+strings.Join(ids, ",")+"]")
	})
	var msgs []MessageInput
	for i := range 25 {
		msgs = append(msgs, UserMessage("alice", fmt.Sprint(i)))
	}
	msgs[3].IdempotencyKey = "mine"
	ids, err := c.Messages.Send(context.Background(), "c1", msgs...)
	if err != nil {
		t.Fatal(err)
	}
	reqs := ts.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
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
		if m.Text != fmt.Sprint(i) || ids[i] != "id-"+fmt.Sprint(i) {
			t.Errorf("message %d: sent %q, id %q", i, m.Text, ids[i])
		}
		if len(m.IdempotencyKey) == 0 || keys[m.IdempotencyKey] {
			t.Errorf("message %d: key %q missing or repeated", i, m.IdempotencyKey)
		}
		keys[m.IdempotencyKey] = true
	}
	if sent[3].IdempotencyKey != "mine" {
		t.Errorf("the caller's key was replaced by %q", sent[3].IdempotencyKey)
	}
	if len(sent[0].IdempotencyKey) != 32 {
		t.Errorf("generated key %q is not 32 hex digits", sent[0].IdempotencyKey)
	}
	if msgs[0].IdempotencyKey != "" {
		t.Error("Send changed the caller's slice")
	}
}

func TestSendStopsAtFailedChunk(t *testing.T) {
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
	ids, err := c.Messages.Send(context.Background(), "c1", msgs...)
	if !errors.Is(err, ErrBadRequest) || len(ids) != 10 || n.Load() != 2 {
		t.Errorf("ids %d, err %v, %d requests; want the first 10 ids, a 400, and no third request", len(ids), err, n.Load())
	}
}

func TestUpsertManyChunksHundredAndKeepsOrder(t *testing.T) {
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
	done, err := c.Users.UpsertMany(context.Background(), users)
	if done != 200 || !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "name is required") {
		t.Fatalf("done %d, err %v; want 200 stored and the third chunk's 400", done, err)
	}
	reqs := ts.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
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
				t.Fatalf("request %d entry %d is %v, want %s", r, count, key, users[i].ID)
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
	c, ts := newTestServer(t, nil) // answers {}
	msgs := make([]ImportMessage, 21)
	for i := range msgs {
		msgs[i] = ImportMessage{Sender: "a", Text: fmt.Sprint(i), Timestamp: int64(1000 + i)}
	}
	ids, err := c.Import.Messages(context.Background(), "c1", msgs)
	if err != nil || len(ids) != 0 {
		t.Fatalf("ids %v, err %v", ids, err)
	}
	var got []ImportMessage
	for _, r := range ts.requests() {
		var chunk []ImportMessage
		_ = json.Unmarshal(r.Body, &chunk)
		if len(chunk) > 10 {
			t.Errorf("a request holds %d messages", len(chunk))
		}
		got = append(got, chunk...)
	}
	if len(ts.requests()) != 3 || len(got) != 21 {
		t.Fatalf("%d requests, %d messages", len(ts.requests()), len(got))
	}
	for i, m := range got {
		if m.Text != fmt.Sprint(i) || m.Timestamp != int64(1000+i) || m.Type != UserMessageType {
			t.Errorf("message %d: %+v", i, m)
		}
	}
}

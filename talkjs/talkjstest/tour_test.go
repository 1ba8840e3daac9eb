package talkjstest_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

// TestClientTour drives the idiomatic client through the server's areas;
// the server fails the test on any request or answer outside the spec.
func TestClientTour(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	c := srv.Client
	ctx := t.Context()
	for _, id := range []string{"alice", "bob", "carol"} {
		if err := c.Users.Upsert(ctx, id, talkjs.UserInput{Name: strings.ToUpper(id[:1]) + id[1:]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Conversations.Upsert(ctx, "c1", talkjs.ConversationInput{Participants: []string{"alice", "bob"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Participants.Join(ctx, "c1", "carol", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Participants.Email(ctx, "c1", "carol"); err != nil {
		t.Fatal(err)
	}
	data := []byte("hello file")
	token, err := c.Files.Upload(ctx, "note.txt", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.Messages.Send(ctx, "c1", talkjs.UserMessage("alice", "hi"), talkjs.MessageInput{Type: talkjs.UserMessageType, Sender: "bob", AttachmentToken: token})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Messages.Get(ctx, "c1", ids[1])
	if err != nil || m.Attachment == nil {
		t.Fatalf("Messages.Get(c1, %s) = %+v, %v; want bob's message with an attachment", ids[1], m, err)
	}
	resp, err := http.Get(m.Attachment.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("GET attachment URL = %q, want %q", got, data)
	}
	if _, err := c.Import.Messages(ctx, "c1", []talkjs.ImportMessage{{Sender: "carol", Text: "from the archive", Timestamp: 1_600_000_000_000, ReadBy: []string{"alice"}}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Participants.MarkRead(ctx, "c1", "carol"); err != nil {
		t.Fatal(err)
	}
	if err := c.Participants.MarkUnread(ctx, "c1", "carol"); err != nil {
		t.Fatal(err)
	}
	n := 0
	for msg, err := range c.Messages.All(ctx, "c1", nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		_ = msg
	}
	if n != 3 {
		t.Errorf("Messages.All(c1) gave %d messages, want 3", n)
	}
	ucs, err := c.Users.Conversations(ctx, "carol", nil)
	if err != nil || len(ucs) != 1 {
		t.Fatalf("Users.Conversations(carol) = %v, %v; want 1 conversation", ucs, err)
	}
	if err := c.Participants.Leave(ctx, "c1", "carol"); err != nil {
		t.Fatal(err)
	}
	if err := c.Conversations.Delete(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if n := srv.API.Counts(); n.Conversations != 0 || n.Messages != 0 || n.Users != 3 {
		t.Errorf("API.Counts() after deleting c1 = %+v, want 0 conversations, 0 messages, 3 users", n)
	}
}

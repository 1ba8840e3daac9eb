package talkjstest_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

// Typed content blocks go out and come back: a rich text block, a plain
// text message's derived block, a location block at 0,0.
func TestContentBlocksRoundTrip(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	c, ctx := srv.Client, t.Context()
	if err := c.Users.Upsert(ctx, "a", talkjs.UserInput{Name: "A"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Conversations.Upsert(ctx, "c", talkjs.ConversationInput{Participants: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	rich := talkjs.TextBlock(talkjs.Plain("Hi "), talkjs.Bold(talkjs.Plain("there")), talkjs.Plain(", see "),
		talkjs.Link("https://talkjs.com", talkjs.Plain("TalkJS")))
	ids, err := c.Messages.Send(ctx, "c",
		talkjs.MessageInput{Type: talkjs.UserMessageType, Sender: "a", Content: []talkjs.ContentBlock{rich}},
		talkjs.UserMessage("a", "plain"),
		talkjs.MessageInput{Type: talkjs.UserMessageType, Sender: "a", Content: []talkjs.ContentBlock{talkjs.LocationBlock(0, 0)}},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !regexp.MustCompile(`^msg_[0-9A-Za-z]{22}$`).MatchString(id) {
			t.Errorf("Messages.Send id = %q, want msg_ and 22 letters or digits", id)
		}
	}
	m, err := c.Messages.Get(ctx, "c", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(m.Content)
	want, _ := json.Marshal([]talkjs.ContentBlock{rich})
	if string(got) != string(want) || m.Text != "Hi there, see TalkJS" || talkjs.PlainText(m.Content[0].Children) != m.Text {
		t.Errorf("Messages.Get(rich text message) = content %s, text %q; want %s, %q", got, m.Text, want, "Hi there, see TalkJS")
	}
	if m, _ := c.Messages.Get(ctx, "c", ids[1]); len(m.Content) != 1 || m.Content[0].Type != talkjs.TextBlockType || talkjs.PlainText(m.Content[0].Children) != "plain" {
		t.Errorf("Messages.Get(plain message).Content = %+v, want one text block saying plain", m.Content)
	}
	m, _ = c.Messages.Get(ctx, "c", ids[2])
	if b, want := mustJSON(t, m.Content), `[{"type":"location","latitude":0,"longitude":0}]`; b != want {
		t.Errorf("Messages.Get(location message).Content = %s, want %s", b, want)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

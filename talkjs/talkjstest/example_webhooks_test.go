package talkjstest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

// testBotIsCalled is what a test of a webhook handler looks like; in a real
// test file it is func TestBotIsCalled(t *testing.T). Sending a message
// fires the handler, in process, signed as TalkJS signs it.
func testBotIsCalled(t testing.TB) {
	srv := talkjstest.NewServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	heard := make(chan string, 1)
	srv.HandleWebhooks(webhook.NewHandler(srv.Secret, func(ctx context.Context, ev webhook.Event) error {
		if sent, ok := ev.(*webhook.MessageSent); ok {
			heard <- sent.Data.Message.Text // your bot would answer here
		}
		return nil
	}))

	if err := srv.Client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client.Conversations.Upsert(ctx, "order-42", talkjs.ConversationInput{Participants: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.Messages.SendOne(ctx, "order-42", talkjs.UserMessage("alice", "Where is my parcel?")); err != nil {
		t.Fatal(err)
	}

	ev, err := srv.WaitForEvent(ctx, webhook.TypeMessageSent, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(ev.EventType(), ev.(*webhook.MessageSent).Data.Conversation.ID)
	fmt.Println("the handler heard:", <-heard)
}

func ExampleServer_WaitForEvent() {
	t := &exampleTB{}
	testBotIsCalled(t)
	for _, f := range t.cleanups {
		f()
	}
	// Output:
	// message.sent order-42
	// the handler heard: Where is my parcel?
}

package talkjstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWaitForEvent(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	ctx := waitCtx(t)
	if err := srv.Client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client.Conversations.Upsert(ctx, "c1", talkjs.ConversationInput{Participants: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"one", "two", "three"} {
		if _, err := srv.Client.Messages.SendOne(ctx, "c1", talkjs.UserMessage("alice", text)); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := srv.WaitForEvent(ctx, webhook.TypeMessageSent, func(e webhook.Event) bool {
		return e.(*webhook.MessageSent).Data.Message.Text == "two"
	})
	if err != nil {
		t.Fatalf("WaitForEvent(message.sent two) error = %v, want nil", err)
	}
	if ms := ev.(*webhook.MessageSent); ms.Data.Sender.ID != "alice" || ms.Data.Conversation.ID != "c1" {
		t.Errorf("WaitForEvent(message.sent two) = %+v, want alice's message in c1", ms.Data)
	}
	if _, err := srv.WaitForEvent(ctx, webhook.TypeUserCreated, nil); err != nil {
		t.Errorf("WaitForEvent(user.created) = %v, want nil: an event sent before the call counts", err)
	}

	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := srv.WaitForEvent(short, webhook.TypeConversationDeleted, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitForEvent(nothing coming, cancelled) = %v, want context.Canceled", err)
	}
	if err := srv.API.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range srv.Events() {
		types = append(types, e.EventType())
	}
	if want := "[user.created message.sent message.sent message.sent]"; fmt.Sprint(types) != want {
		t.Errorf("Events() = %v, want %s", types, want)
	}
}

// TestHandleWebhooksRunsABot: the bot under test answers each customer
// message through the API; the test waits for the bot's answer.
func TestHandleWebhooksRunsABot(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	ctx := waitCtx(t)
	calls := 0
	srv.HandleWebhooks(webhook.NewHandler(srv.Secret, func(ctx context.Context, ev webhook.Event) error {
		sent, ok := ev.(*webhook.MessageSent)
		if !ok || sent.Data.Message.SenderID == "bot" {
			return nil
		}
		calls++
		if calls == 1 {
			return errors.New("the first attempt fails") // answered 500: the server retries once
		}
		_, err := srv.Client.Messages.SendOne(ctx, sent.Data.Conversation.ID, talkjs.UserMessage("bot", "Echo: "+sent.Data.Message.Text))
		return err
	}))
	for _, id := range []string{"alice", "bot"} {
		if err := srv.Client.Users.Upsert(ctx, id, talkjs.UserInput{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Client.Conversations.Upsert(ctx, "support", talkjs.ConversationInput{Participants: []string{"alice", "bot"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.Messages.SendOne(ctx, "support", talkjs.UserMessage("alice", "ping")); err != nil {
		t.Fatal(err)
	}
	ev, err := srv.WaitForEvent(ctx, webhook.TypeMessageSent, func(e webhook.Event) bool {
		return e.(*webhook.MessageSent).Data.Message.SenderID == "bot"
	})
	if err != nil {
		t.Fatalf("WaitForEvent(message.sent by bot) = %v, want the bot's answer", err)
	}
	if text := ev.(*webhook.MessageSent).Data.Message.Text; text != "Echo: ping" {
		t.Errorf("the bot's message = %q, want %q", text, "Echo: ping")
	}
	if err := srv.API.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if s := srv.API.WebhookStats(); s.Retried != 1 || s.Failed != 0 {
		t.Errorf("WebhookStats() = %+v, want Retried 1, Failed 0 (the one failure retried)", s)
	}
}

func TestHandleWebhooksAnswerCounts(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	ctx := waitCtx(t)
	attempts := 0
	srv.HandleWebhooks(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts++
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	if err := srv.Client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.API.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if attempts != 2 {
		t.Errorf("the handler got %d requests, want 2 (one retry)", attempts)
	}
	if n := len(srv.Events()); n != 1 {
		t.Errorf("Events() has %d events, want the one event recorded once", n)
	}
}

package examples_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/filter"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
	"github.com/gotalkjs/talkjs-go/talkjs/validate"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

// The functions below appear verbatim in README.md.

func newClient(appID, secret string) (*talkjs.Client, error) {
	return talkjs.NewClient(appID, secret,
		talkjs.WithAPIVersion("2021-07-30"),   // TalkJS-REST-Version on every request
		talkjs.WithTokenLifetime(time.Minute), // each attempt gets a fresh app token
		talkjs.WithLogger(slog.Default()),     // one line per attempt and retry, never a secret
	)
}

// userToken is for the TalkJS UI in a browser: it acts as userID.
func userToken(client *talkjs.Client, userID string) (string, error) {
	return client.UserToken(userID, time.Hour)
}

func describeUser(ctx context.Context, client *talkjs.Client, id string) (string, error) {
	user, err := client.Users.Get(ctx, id)
	var apiErr *talkjs.Error
	switch {
	case errors.Is(err, talkjs.ErrNotFound):
		return id + " does not exist", nil
	case errors.As(err, &apiErr):
		return "", fmt.Errorf("TalkJS answered %d after %d attempts: %s", apiErr.StatusCode, apiErr.Attempts, apiErr.Message)
	case err != nil:
		return "", err // an *ArgumentError (errors.Is(err, talkjs.ErrInvalidArgument)) or a cancelled context
	}
	return user.Name, nil
}

func validatingClient(appID, secretKey string) (*talkjs.Client, error) {
	client, err := talkjs.NewClient(appID, secretKey, validate.Requests())
	return client, err
}

func patientClient(appID, secret string) (*talkjs.Client, error) {
	return talkjs.NewClient(appID, secret, talkjs.WithRetryPolicy(talkjs.RetryPolicy{
		MaxRetries: 6,
		BaseDelay:  500 * time.Millisecond,
		MaxDelay:   10 * time.Second,
	}))
}

func printUnread(ctx context.Context, client *talkjs.Client, userID string) error {
	opts := &talkjs.UserConversationListOptions{UnreadsOnly: true}
	for conv, err := range client.Users.AllConversations(ctx, userID, opts) {
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d unread\n", conv.ID, conv.UnreadMessageCount)
	}
	return nil
}

func footwear(ctx context.Context, client *talkjs.Client) ([]string, error) {
	opts := &talkjs.ConversationListOptions{
		OrderBy:        talkjs.OrderByCreatedAt,
		OrderDirection: talkjs.Ascending,
		Filter: filter.Any(
			filter.Where{Custom: filter.Custom{"category": filter.OneOf("shoes", "sandals")}},
			filter.Where{Subject: filter.Eq("Boots")},
		),
	}
	var ids []string
	for conv, err := range client.Conversations.All(ctx, opts) {
		if err != nil {
			return nil, err
		}
		ids = append(ids, conv.ID)
	}
	return ids, nil
}

func sendReceipt(ctx context.Context, client *talkjs.Client, conversationID, sender, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// Streamed as multipart/form-data; an *os.File can be rewound, so the
	// upload may be retried.
	token, err := client.Files.Upload(ctx, filepath.Base(path), f)
	if err != nil {
		return "", err
	}
	return client.Messages.SendOne(ctx, conversationID, talkjs.AttachmentMessage(sender, token))
}

type oldMessage struct {
	From, Body string
	SentAt     time.Time
}

func importHistory(ctx context.Context, client *talkjs.Client, conversationID string, old []oldMessage) error {
	msgs := make([]talkjs.ImportMessage, len(old))
	for i, m := range old {
		msgs[i] = talkjs.ImportMessage{Sender: m.From, Text: m.Body, Timestamp: talkjs.Millis(m.SentAt)}
	}
	_, err := client.Import.Messages(ctx, conversationID, msgs) // 10 per request, in order
	var ie *talkjs.ImportError
	if errors.As(err, &ie) {
		// The first ie.Imported messages are stored; the failed request's
		// may or may not be. TalkJS does not deduplicate: look before resending.
		return fmt.Errorf("imported %d of %d messages: %w", ie.Imported, len(msgs), err)
	}
	return err
}

func TestWelcome(t *testing.T) {
	srv := talkjstest.NewServer(t) // on 127.0.0.1, closed when the test ends
	ctx := context.Background()
	if err := srv.Client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	// … run the code under test with srv.Client, then look at what it stored:
	if u, ok := srv.User("alice"); !ok || u.Name != "Alice" {
		t.Fatalf("alice was not stored: %+v", u)
	}
}

func TestSurvivesOutages(t *testing.T) {
	srv := talkjstest.NewServer(t, talkjstest.WithServerOptions(
		api.WithFaults(api.Faults{Unavailable: 0.3, Seed: 1}), // 30% of requests answered 503
		api.WithRateLimit(50, 10),                             // 429 with Retry-After beyond 50/s
	))
	ctx := context.Background()
	for i := range 20 {
		if err := srv.Client.Users.Upsert(ctx, fmt.Sprint("user-", i), talkjs.UserInput{Name: "U"}); err != nil {
			t.Fatal(err) // the client retried the 503s and 429s
		}
	}
}

func talkjsEvents(secret string, bot *talkjs.Client) http.Handler {
	return webhook.NewHandler(secret, func(ctx context.Context, ev webhook.Event) error {
		switch ev := ev.(type) {
		case *webhook.MessageSent:
			if from := ev.Data.Message.SenderID; from == "" || from == "bot" {
				return nil // a system message, or the bot's own
			}
			_, err := bot.Messages.SendOne(ctx, ev.Data.Conversation.ID,
				talkjs.UserMessage("bot", "Thanks! Someone will answer within the hour."))
			return err // an error answers 500, and TalkJS sends the event once more
		case *webhook.UserCreated:
			log.Printf("new user %s", ev.Data.User.ID)
		}
		return nil // other types, including ones added after this package
	})
}

func TestBotAnswers(t *testing.T) {
	srv := talkjstest.NewServer(t)
	srv.HandleWebhooks(talkjsEvents(srv.Secret, srv.Client)) // in process, signed as TalkJS signs
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range []string{"alice", "bot"} {
		if err := srv.Client.Users.Upsert(ctx, id, talkjs.UserInput{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	err := srv.Client.Conversations.Upsert(ctx, "support-1", talkjs.ConversationInput{Participants: []string{"alice", "bot"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.Messages.SendOne(ctx, "support-1", talkjs.UserMessage("alice", "Where is my parcel?")); err != nil {
		t.Fatal(err)
	}
	answer, err := srv.WaitForEvent(ctx, webhook.TypeMessageSent, func(ev webhook.Event) bool {
		return ev.(*webhook.MessageSent).Data.Message.SenderID == "bot"
	})
	if err != nil {
		t.Fatalf("the bot did not answer: %v", err)
	}
	t.Log(answer.(*webhook.MessageSent).Data.Message.Text)
}

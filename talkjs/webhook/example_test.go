package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

// A receiver mounted on your server: verified events reach the function,
// typed by their type.
func ExampleNewHandler() {
	secret := "sk_test_example" // the app's secret key, from your configuration
	handler := webhook.NewHandler(secret, func(ctx context.Context, ev webhook.Event) error {
		switch ev := ev.(type) {
		case *webhook.MessageSent:
			fmt.Printf("%s wrote %q in %s\n", ev.Data.Message.SenderID, ev.Data.Message.Text, ev.Data.Conversation.ID)
		case *webhook.UserCreated:
			fmt.Println("new user", ev.Data.User.ID)
		default:
			fmt.Println("ignored", ev.EventType()) // including types added after this package
		}
		return nil // an error answers 500, and TalkJS sends the event once more
	})
	mux := http.NewServeMux()
	mux.Handle("POST /talkjs/events", handler)

	// What TalkJS sends, signed as TalkJS signs it:
	now := time.Now()
	req, _ := webhook.NewRequest(context.Background(), "/talkjs/events", secret, webhook.Sample(webhook.TypeMessageSent, now), now)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	fmt.Println(w.Code)

	// A request someone else made up:
	req, _ = webhook.NewRequest(context.Background(), "/talkjs/events", "not the secret", webhook.Sample(webhook.TypeMessageSent, now), now)
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	fmt.Println(w.Code)
	// Output:
	// alice wrote "Hello, Bob!" in order-42
	// 200
	// 401
}

// Verifying by hand, for a framework that hands you the raw body.
func ExampleVerify() {
	secret := "sk_test_example"
	body := []byte(`{"id":"evt_1","type":"user.created","createdAt":1767225600000,"data":{"user":{"id":"alice"}}}`)
	timestamp := "1767225600000"
	signature := webhook.Sign(secret, timestamp, body) // what TalkJS puts in X-TalkJS-Signature

	err := webhook.Verify(secret, timestamp, signature, body, webhook.WithTolerance(0))
	fmt.Println(err)

	err = webhook.Verify(secret, timestamp, signature, append(body, ' '), webhook.WithTolerance(0))
	fmt.Println(errors.Is(err, webhook.ErrBadSignature))

	// With the default tolerance of 5 minutes, that 2026 timestamp is stale
	// in 2027.
	in2027 := webhook.WithClock(func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) })
	err = webhook.Verify(secret, timestamp, signature, body, in2027)
	fmt.Println(errors.Is(err, webhook.ErrBadTimestamp))
	// Output:
	// <nil>
	// true
	// true
}

func ExampleSign() {
	fmt.Println(webhook.Sign("sk_test_example", "1767225600000", []byte(`{"type":"user.created"}`)))
	// The same as: printf %s '1767225600000.{"type":"user.created"}' | openssl dgst -sha256 -hmac sk_test_example
	// Output: 9E3CDA3FBC4A7F3A191C1B110343B356EB3E891DC6341603CE65DFD0F8BB95F0
}

func ExampleParse() {
	body := []byte(`{"id":"evt_1","type":"message.read","createdAt":1767225600000,"data":{
		"message":{"id":"msg_1","senderId":"alice","text":"Size 44?"},
		"conversation":{"id":"order-42"},
		"recipient":{"id":"bob","name":"Bob"}}}`)
	ev, err := webhook.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	if read, ok := ev.(*webhook.MessageRead); ok {
		fmt.Printf("%s read %s's %q\n", read.Data.Recipient.ID, read.Data.Message.SenderID, read.Data.Message.Text)
	}

	ev, _ = webhook.Parse([]byte(`{"id":"evt_2","type":"conversation.archived","data":{"reason":"idle"}}`))
	fmt.Printf("%T %s\n", ev, ev.(*webhook.Unknown).Data)
	// Output:
	// bob read alice's "Size 44?"
	// *webhook.Unknown {"reason":"idle"}
}

// A test of your own handler, with events signed as TalkJS signs them.
func ExampleSignRequest() {
	secret := "sk_test_example"
	handler := webhook.NewHandler(secret, func(ctx context.Context, ev webhook.Event) error {
		return nil // your handler here
	})
	now := time.Now()
	for _, typ := range []string{webhook.TypeUserCreated, webhook.TypeNotificationTriggered} {
		body := webhook.Sample(typ, now)
		req, _ := webhook.NewRequest(context.Background(), "/talkjs", secret, body, now)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		fmt.Println(typ, w.Code)
	}
	// Output:
	// user.created 200
	// notification.triggered 200
}

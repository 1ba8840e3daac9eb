package talkjstest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

// notifyBuyer is the code under test: it tells a buyer their order shipped.
func notifyBuyer(ctx context.Context, c *talkjs.Client, orderID, buyer string) error {
	if err := c.Conversations.Upsert(ctx, "order-"+orderID, talkjs.ConversationInput{
		Subject:      talkjs.Value("Order " + orderID),
		Participants: []string{buyer},
	}); err != nil {
		return err
	}
	_, err := c.Messages.Send(ctx, "order-"+orderID, talkjs.SystemMessage("Your order has shipped."))
	return err
}

// testNotifyBuyer is what a test of notifyBuyer looks like; in a real test
// file it is func TestNotifyBuyer(t *testing.T).
func testNotifyBuyer(t testing.TB) {
	srv := talkjstest.NewServer(t)
	ctx := context.Background()
	if err := srv.Client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		t.Fatal(err)
	}

	if err := notifyBuyer(ctx, srv.Client, "42", "alice"); err != nil {
		t.Fatal(err)
	}

	conv, ok := srv.Conversation("order-42")
	if !ok {
		t.Fatal("no conversation")
	}
	msgs := srv.Messages("order-42")
	fmt.Println(conv.Subject, len(conv.Participants), "participant")
	fmt.Println(msgs[0].Type, msgs[0].Text)
}

// exampleTB stands in for the *testing.T a test gets, so the example runs.
type exampleTB struct {
	testing.TB
	cleanups []func()
}

func (e *exampleTB) Helper()                      {}
func (e *exampleTB) Cleanup(f func())             { e.cleanups = append(e.cleanups, f) }
func (e *exampleTB) Errorf(f string, args ...any) { fmt.Printf("FAIL: "+f+"\n", args...) }
func (e *exampleTB) Fatal(args ...any)            { panic(fmt.Sprint(args...)) }
func (e *exampleTB) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }

func Example() {
	t := &exampleTB{}
	testNotifyBuyer(t)
	for _, f := range t.cleanups {
		f()
	}
	// Output:
	// Order 42 1 participant
	// SystemMessage Your order has shipped.
}

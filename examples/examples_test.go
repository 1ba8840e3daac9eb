package examples_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// server starts the in-memory TalkJS server and returns a client for it;
// examples have no *testing.T, so they cannot use talkjstest.
func server() (*talkjs.Client, *api.Server, func()) {
	srv := api.NewServer()
	hs := httptest.NewServer(srv)
	c, err := talkjs.NewClient(srv.AppID(), srv.Secret(), talkjs.WithBaseURL(hs.URL))
	if err != nil {
		panic(err)
	}
	return c, srv, hs.Close
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func Example_clientOptions() {
	c, err := newClient("my_app", "sk_test_123")
	must(err)
	fmt.Println(c.AppID())
	_, err = patientClient("my_app", "sk_test_123")
	must(err)
	_, err = validatingClient("my_app", "sk_test_123")
	must(err)
	tok, err := userToken(c, "alice")
	must(err)
	fmt.Println(len(tok) > 0)
	// Output:
	// my_app
	// true
}

func Example_errors() {
	c, _, stop := server()
	defer stop()
	ctx := context.Background()
	must(c.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}))
	for _, id := range []string{"alice", "bob"} {
		s, err := describeUser(ctx, c, id)
		must(err)
		fmt.Println(s)
	}
	_, err := describeUser(ctx, c, "")
	fmt.Println(err)
	// Output:
	// Alice
	// bob does not exist
	// talkjs: invalid argument id: must not be empty
}

func Example_iterators() {
	c, _, stop := server()
	defer stop()
	ctx := context.Background()
	must(c.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}))
	must(c.Users.Upsert(ctx, "bob", talkjs.UserInput{Name: "Bob"}))
	must(c.Conversations.Upsert(ctx, "order-1", talkjs.ConversationInput{Participants: []string{"alice", "bob"}}))
	_, err := c.Messages.Send(ctx, "order-1", talkjs.UserMessage("bob", "Shipped!"), talkjs.UserMessage("bob", "Tracking: 123"))
	must(err)
	must(printUnread(ctx, c, "alice"))
	// Output:
	// order-1: 2 unread
}

func Example_filters() {
	c, _, stop := server()
	defer stop()
	ctx := context.Background()
	must(c.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}))
	for _, conv := range []struct{ id, subject, category string }{
		{"c1", "Running shoes", "shoes"}, {"c2", "Hats", "hats"}, {"c3", "Boots", "winter"}, {"c4", "Flip-flops", "sandals"},
	} {
		must(c.Conversations.Upsert(ctx, conv.id, talkjs.ConversationInput{
			Subject: talkjs.Value(conv.subject), Custom: talkjs.Custom(map[string]string{"category": conv.category}),
			Participants: []string{"alice"},
		}))
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	ids, err := footwear(ctx, c)
	must(err)
	fmt.Println(ids)
	// Output:
	// [c1 c3 c4]
}

func Example_fileUpload() {
	c, srv, stop := server()
	defer stop()
	ctx := context.Background()
	must(c.Users.Upsert(ctx, "bob", talkjs.UserInput{Name: "Bob"}))
	must(c.Conversations.Upsert(ctx, "order-1", talkjs.ConversationInput{Participants: []string{"bob"}}))
	path := filepath.Join(os.TempDir(), "receipt-example.txt")
	must(os.WriteFile(path, []byte("Total: 42 EUR"), 0o644))
	defer os.Remove(path)
	id, err := sendReceipt(ctx, c, "order-1", "bob", path)
	must(err)
	m, err := c.Messages.Get(ctx, "order-1", id)
	must(err)
	fmt.Println(m.Attachment.Filename, m.Attachment.Size, srv.Counts().Files)
	// Output:
	// receipt-example.txt 13 1
}

func Example_import() {
	c, _, stop := server()
	defer stop()
	ctx := context.Background()
	must(c.Users.Upsert(ctx, "ann", talkjs.UserInput{Name: "Ann"}))
	must(c.Conversations.Upsert(ctx, "legacy", talkjs.ConversationInput{Participants: []string{"ann"}}))
	t0 := time.Date(2019, 3, 4, 9, 0, 0, 0, time.UTC)
	var old []oldMessage
	for i := range 12 {
		old = append(old, oldMessage{From: "ann", Body: fmt.Sprint("note ", i), SentAt: t0.Add(time.Duration(i) * time.Hour)})
	}
	must(importHistory(ctx, c, "legacy", old))
	msgs, err := c.Messages.List(ctx, "legacy", &talkjs.ListOptions{Limit: 1})
	must(err)
	fmt.Println(msgs[0].Text, talkjs.Time(msgs[0].CreatedAt).UTC().Format(time.RFC3339), msgs[0].Origin)
	// Output:
	// note 11 2019-03-04T20:00:00Z import
}

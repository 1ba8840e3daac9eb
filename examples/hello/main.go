// Command hello greets a new user in a conversation of their own. Run it
// against `talkjs serve` or a real TalkJS app.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func main() {
	client, err := talkjs.NewClientFromEnv() // TALKJS_APP_ID, TALKJS_SECRET_KEY, TALKJS_BASE_URL
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}); err != nil {
		log.Fatal(err)
	}
	if err := client.Conversations.Upsert(ctx, "welcome-alice", talkjs.ConversationInput{
		Subject:      talkjs.Value("Welcome!"),
		Participants: []string{"alice"},
	}); err != nil {
		log.Fatal(err)
	}
	id, err := client.Messages.SendOne(ctx, "welcome-alice", talkjs.SystemMessage("Hello Alice, welcome aboard."))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent", id)
}

package api_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gotalkjs/talkjs-go/gen"
)

// TestConcurrentUse runs writers and readers at once; under -race it proves
// the store is guarded, and the final counts prove no send was lost.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	const workers, sends = 8, 20
	users := make([]string, workers)
	for i := range users {
		users[i] = fmt.Sprint("u", i)
	}
	e.conv("shared", users...)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			me := users[w]
			for i := 0; i < sends; i++ {
				resp, err := e.c.SendMessagesWithResponse(ctx, "shared", nil, []gen.SendMessageInput{userMsg(me, fmt.Sprint(i))})
				if err != nil || resp.StatusCode() != 200 {
					t.Errorf("SendMessages(shared) as %s = %v %v, want 200", me, resp, err)
					return
				}
				switch i % 4 {
				case 0:
					e.c.GetConversationWithResponse(ctx, "shared", nil)
				case 1:
					e.c.ListMessagesWithResponse(ctx, "shared", &gen.ListMessagesParams{Limit: ptr(5)})
				case 2:
					e.c.MarkConversationReadByUserWithResponse(ctx, "shared", me, nil)
				case 3:
					e.c.ListUserConversationsWithResponse(ctx, me, nil)
				}
			}
		}(w)
	}
	wg.Wait()
	if n := len(e.srv.Messages("shared")); n != workers*sends {
		t.Errorf("%d messages, want %d", n, workers*sends)
	}
}

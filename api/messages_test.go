package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

func TestSendMessagesAndGetThem(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	loc := gen.Location{52.37, 4.89}
	ids := e.send("c1",
		userMsg("alice", "hello"),
		gen.SendMessageInput{Type: gen.MessageTypeSystemMessage, Text: ptr("Order received"), Custom: &gen.Custom{"k": "v"}},
		gen.SendMessageInput{Type: gen.MessageTypeUserMessage, Sender: ptr("bob"), Location: &loc},
		gen.SendMessageInput{Type: gen.MessageTypeUserMessage, Sender: ptr("bob"), Content: &[]gen.ContentBlock{
			{Type: "text", Children: &[]any{map[string]any{"text": "rich "}, map[string]any{"type": "bold", "text": "text"}}}}},
	)
	if len(ids) != 4 || !strings.HasPrefix(ids[0], "msg_") || ids[0] == ids[1] {
		t.Fatalf("send of 4 messages = ids %v, want 4 different msg_ ids", ids)
	}
	m := e.getMsg("c1", ids[0])
	if m.SenderId.MustGet() != "alice" || *m.Type != gen.MessageTypeUserMessage || *m.Origin != gen.MessageOriginRest ||
		m.Text.MustGet() != "hello" || *m.CreatedAt != t0.UnixMilli() || !m.EditedAt.IsNull() || !m.Attachment.IsNull() || *m.ConversationId != "c1" {
		t.Errorf("user message = sender %v type %s origin %s text %v createdAt %d editedAt %v attachment %v conversationId %s, want alice, UserMessage, rest, hello, %d, null, null, c1",
			m.SenderId, *m.Type, *m.Origin, m.Text, *m.CreatedAt, m.EditedAt, m.Attachment, *m.ConversationId, t0.UnixMilli())
	}
	sys := e.getMsg("c1", ids[1])
	if !sys.SenderId.IsNull() || *sys.Type != gen.MessageTypeSystemMessage || (*sys.Custom)["k"] != "v" {
		t.Errorf("system message = sender %v type %s custom %v, want null, SystemMessage, {k: v}", sys.SenderId, *sys.Type, *sys.Custom)
	}
	if l := e.getMsg("c1", ids[2]).Location.MustGet(); l[0] != 52.37 || l[1] != 4.89 {
		t.Errorf("location = %v, want [52.37 4.89]", l)
	}
	if txt := e.getMsg("c1", ids[3]).Text.MustGet(); txt != "rich text" {
		t.Errorf("text of a message sent with content = %q, want \"rich text\"", txt)
	}
	resp, err := e.c.GetMessageWithResponse(ctx, "c1", "msg_ghost", nil)
	check(t, resp, err, 404)
	resp, err = e.c.GetMessageWithResponse(ctx, "ghost", ids[0], nil)
	check(t, resp, err, 404)
	sr, err := e.c.SendMessagesWithResponse(ctx, "ghost", nil, []gen.SendMessageInput{systemMsg("x")})
	check(t, sr, err, 404)
}

func TestSendRulesAndAtomicity(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "reader")
	e.user("outsider")
	must(t, e.raw("PATCH", "/conversations/c1/participants/reader", `{"access":"Read"}`), 200)
	good := `{"type":"SystemMessage","text":"ok"}`
	cases := []struct{ name, bad, want string }{
		// The spec says these two (since issue 9), so validation answers them.
		{"user message without sender", `{"type":"UserMessage","text":"hi"}`, `"[2].sender": property "sender" is missing`},
		{"system message with sender", `{"type":"SystemMessage","sender":"alice","text":"hi"}`, `"[2].type": must be one of UserMessage`},
		{"sender not a participant", `{"type":"UserMessage","sender":"outsider","text":"hi"}`, "not a participant"},
		{"sender not a user", `{"type":"UserMessage","sender":"ghost","text":"hi"}`, "not a participant"},
		{"sender with Read access", `{"type":"UserMessage","sender":"reader","text":"hi"}`, "needs ReadWrite"},
		{"no content", `{"type":"UserMessage","sender":"alice"}`, "exactly one of"},
		{"text and attachment", `{"type":"UserMessage","sender":"alice","text":"a","attachmentToken":"t"}`, "exactly one of"},
		{"unknown attachment token", `{"type":"UserMessage","sender":"alice","attachmentToken":"nope"}`, "attachmentToken"},
		{"system message with location", `{"type":"SystemMessage","location":[1,2]}`, "location"},
		{"reference to a missing message", `{"type":"UserMessage","sender":"alice","text":"re","referencedMessageId":"msg_nope"}`, "referencedMessageId"},
	}
	e.allowViolations = true
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The bad message comes last: the good ones before it must not be stored.
			r := must(t, e.in(t).raw("POST", "/conversations/c1/messages", "["+good+","+good+","+c.bad+"]"), 400)
			if msg := r.message(t); !strings.Contains(msg, c.want) || !strings.Contains(msg, "[2]") {
				t.Errorf("POST …/messages [good, good, %s]: message = %q, want it to contain %q and name [2]", c.bad, msg, c.want)
			}
		})
	}
	if n := e.srv.Counts().Messages; n != 0 {
		t.Fatalf("Counts().Messages after rejected sends = %d, want 0 (a send is stored whole or not at all)", n)
	}
}

func TestSendMoreThanTenIs400AndStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.allowViolations = true
	e.conv("c1", "alice")
	msgs := make([]gen.SendMessageInput, 11)
	for i := range msgs {
		msgs[i] = userMsg("alice", fmt.Sprint(i))
	}
	resp, err := e.c.SendMessagesWithResponse(ctx, "c1", nil, msgs)
	check(t, resp, err, 400)
	if !strings.Contains(string(resp.Body), "at most 10") {
		t.Errorf("SendMessages with 11 messages = %s, want a message saying at most 10", resp.Body)
	}
	if n := e.srv.Counts().Messages; n != 0 {
		t.Errorf("Counts().Messages after a refused send of 11 = %d, want 0", n)
	}
	if ids := e.send("c1", msgs[:10]...); len(ids) != 10 {
		t.Errorf("SendMessages with 10 messages = %d ids, want 10", len(ids))
	}
}

func TestIdempotencyKeyIsExactlyOncePerConversationFor24h(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	e.conv("c2", "alice")
	withKey := func(text, key string) gen.SendMessageInput {
		m := userMsg("alice", text)
		m.IdempotencyKey = &key
		return m
	}
	first := e.send("c1", withKey("one", "k1"), withKey("two", "k2"))
	again := e.send("c1", withKey("one", "k1"), withKey("two", "k2"))
	if !eq(again, first...) {
		t.Errorf("retry answered %v, want %v", again, first)
	}
	if n := len(e.srv.Messages("c1")); n != 2 {
		t.Errorf("len(Messages(c1)) after a retry with the same keys = %d, want 2", n)
	}
	// Within one request, a repeated key is the same message.
	dup := e.send("c1", withKey("three", "k3"), withKey("three", "k3"))
	if dup[0] != dup[1] {
		t.Errorf("send of two messages with key k3 in one request = %v, want the same id twice", dup)
	}
	// The key is per conversation.
	other := e.send("c2", withKey("one", "k1"))
	if other[0] == first[0] {
		t.Errorf("send with key k1 to c2 = %s (c1's message), want a new message: keys are per conversation", other[0])
	}
	// Still deduplicated just before 24 hours, not after.
	e.clock.Advance(24*time.Hour - time.Millisecond)
	if again := e.send("c1", withKey("one", "k1")); again[0] != first[0] {
		t.Errorf("send with key k1 24h-1ms later = %s, want %s (the first message)", again[0], first[0])
	}
	e.clock.Advance(2 * time.Hour) // also lets the server drop expired keys
	if later := e.send("c1", withKey("one", "k1")); later[0] == first[0] {
		t.Errorf("send with key k1 26h later = %s (the first message), want a new message", later[0])
	}
	if n := len(e.srv.Messages("c1")); n != 4 {
		t.Errorf("len(Messages(c1)) = %d, want 4", n)
	}
}

func TestListMessagesNewestFirstWithCursor(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	var ids []string
	for i := 0; i < 25; i++ {
		ids = append(ids, e.send("c1", userMsg("alice", fmt.Sprint(i)))...)
		if i%4 == 0 {
			e.clock.Advance(time.Millisecond)
		}
	}
	var got []string
	var after *string
	for pages := 0; pages < 10; pages++ {
		resp, err := e.c.ListMessagesWithResponse(ctx, "c1", &gen.ListMessagesParams{Limit: ptr(7), StartingAfter: after})
		check(t, resp, err, 200)
		data := *resp.JSON200.Data
		for _, m := range data {
			got = append(got, *m.Id)
		}
		if len(data) < 7 {
			break
		}
		after = data[len(data)-1].Id
	}
	if len(got) != 25 {
		t.Fatalf("ListMessages pages of 7 list %d messages, want 25", len(got))
	}
	for i := range got {
		if got[i] != ids[24-i] {
			t.Fatalf("ListMessages over all pages [%d] = %s, want %s (newest first)", i, got[i], ids[24-i])
		}
	}
	resp, err := e.c.ListMessagesWithResponse(ctx, "c1", nil)
	check(t, resp, err, 200)
	if n := len(*resp.JSON200.Data); n != 10 {
		t.Errorf("ListMessages without limit = %d messages, want 10", n)
	}
	resp, err = e.c.ListMessagesWithResponse(ctx, "c1", &gen.ListMessagesParams{StartingAfter: ptr("msg_nope")})
	check(t, resp, err, 400)
}

func TestEditMessage(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	id := e.send("c1", gen.SendMessageInput{Type: gen.MessageTypeUserMessage, Sender: ptr("alice"), Text: ptr("helo"), Custom: &gen.Custom{"a": "1", "b": "2"}})[0]
	e.clock.Advance(time.Minute)
	must(t, e.raw("PUT", "/conversations/c1/messages/"+id, `{"text":"hello","custom":{"a":null,"c":"3"}}`), 200)
	m := e.getMsg("c1", id)
	if m.Text.MustGet() != "hello" || !m.EditedAt.IsNull() {
		t.Errorf("after PUT text hello: text %v editedAt %v, want hello, null (markEdited not given)", m.Text, m.EditedAt)
	}
	if c := *m.Custom; len(c) != 2 || c["b"] != "2" || c["c"] != "3" {
		t.Errorf("after PUT custom {a: null, c: 3}: custom = %v, want {b: 2, c: 3}", c)
	}
	ok200(t)(e.c.EditMessageWithResponse(ctx, "c1", id, nil, gen.EditMessageInput{Text: ptr("hello!"), MarkEdited: ptr(true)}))
	if m := e.getMsg("c1", id); m.EditedAt.MustGet() != t0.Add(time.Minute).UnixMilli() || *m.CreatedAt != t0.UnixMilli() || m.Text.MustGet() != "hello!" {
		t.Errorf("after EditMessage(hello!, markEdited) = editedAt %v createdAt %d text %v, want %d, %d, hello!", m.EditedAt, *m.CreatedAt, m.Text, t0.Add(time.Minute).UnixMilli(), t0.UnixMilli())
	}
	// custom null clears the custom data.
	must(t, e.raw("PUT", "/conversations/c1/messages/"+id, `{"custom":null}`), 200)
	if m := e.getMsg("c1", id); len(*m.Custom) != 0 {
		t.Errorf("after PUT custom null: custom = %v, want {}", *m.Custom)
	}
	must(t, e.raw("PUT", "/conversations/c1/messages/msg_nope", `{"text":"x"}`), 404)
}

func TestDeleteMessageAndAll(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	ids := e.send("c1", userMsg("alice", "1"), userMsg("alice", "2"), userMsg("alice", "3"))
	resp, err := e.c.DeleteMessageWithResponse(ctx, "c1", ids[2], nil)
	check(t, resp, err, 200)
	if lm := e.getConv("c1").LastMessage.MustGet(); *lm.Id != ids[1] {
		t.Errorf("lastMessage after deleting the last = %s, want %s (the one before)", *lm.Id, ids[1])
	}
	resp, err = e.c.DeleteMessageWithResponse(ctx, "c1", ids[2], nil)
	check(t, resp, err, 404)
	all, err := e.c.DeleteAllMessagesWithResponse(ctx, "c1", nil)
	check(t, all, err, 200)
	if n := e.srv.Counts().Messages; n != 0 {
		t.Errorf("Counts().Messages after DeleteAllMessages = %d, want 0", n)
	}
	c := e.getConv("c1")
	if !c.LastMessage.IsNull() || len(*c.Participants) != 1 {
		t.Errorf("c1 after DeleteAllMessages = lastMessage %v, %d participants; want null, 1", c.LastMessage, len(*c.Participants))
	}
	all, err = e.c.DeleteAllMessagesWithResponse(ctx, "ghost", nil)
	check(t, all, err, 404)
}

func TestReactions(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	e.user("outsider")
	id := e.send("c1", userMsg("alice", "hi"))[0]
	for _, u := range []string{"bob", "alice", "bob"} { // twice is once
		ok200(t)(e.c.AddReactionWithResponse(ctx, "c1", id, "👍", u, nil))
	}
	ok200(t)(e.c.AddReactionWithResponse(ctx, "c1", id, "❤️", "bob", nil))
	r := *e.getMsg("c1", id).Reactions
	if !eq(r["👍"], "alice", "bob") || !eq(r["❤️"], "bob") {
		t.Errorf("reactions = %v, want 👍: [alice bob], ❤️: [bob]", r)
	}
	ok200(t)(e.c.RemoveReactionWithResponse(ctx, "c1", id, "❤️", "bob", nil))
	if r := *e.getMsg("c1", id).Reactions; len(r) != 1 {
		t.Errorf("reactions after removing bob's ❤️ = %v, want only 👍", r)
	}
	rr, err := e.c.RemoveReactionWithResponse(ctx, "c1", id, "❤️", "bob", nil)
	check(t, rr, err, 404)
	ar, err := e.c.AddReactionWithResponse(ctx, "c1", id, "👍", "outsider", nil)
	check(t, ar, err, 400)
	ar, err = e.c.AddReactionWithResponse(ctx, "c1", id, "👍", "ghost", nil)
	check(t, ar, err, 404)
	ar, err = e.c.AddReactionWithResponse(ctx, "c1", "msg_nope", "👍", "bob", nil)
	check(t, ar, err, 404)
}

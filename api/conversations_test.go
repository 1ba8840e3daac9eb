package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

func TestConversationPutMergesAndOnlyAddsParticipants(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	e.user("bob")
	e.user("carol")
	must(t, e.raw("PUT", "/conversations/c1", `{"subject":"Order 1","photoUrl":"https://p/1.png","welcomeMessages":["hi"],"custom":{"a":"1","b":"2"},"participants":["alice","bob"]}`), 200)
	e.clock.Advance(time.Minute)
	must(t, e.raw("PATCH", "/users/alice/conversations/c1", `{"readUntil":5}`), 200)
	must(t, e.raw("PATCH", "/conversations/c1/participants/alice", `{"access":"Read"}`), 200)
	must(t, e.raw("PUT", "/conversations/c1", `{"photoUrl":null,"custom":{"a":null,"c":"3"},"participants":["alice","carol"]}`), 200)
	c := e.getConv("c1")
	if c.Subject.MustGet() != "Order 1" || !c.PhotoUrl.IsNull() || c.WelcomeMessages.MustGet()[0] != "hi" {
		t.Errorf("after PUT photoUrl null: subject %v photoUrl %v welcomeMessages %v, want Order 1, null, [hi]", c.Subject, c.PhotoUrl, c.WelcomeMessages)
	}
	if cu := *c.Custom; len(cu) != 2 || cu["b"] != "2" || cu["c"] != "3" {
		t.Errorf("after PUT custom {a: null, c: 3}: custom = %v, want {b: 2, c: 3}", cu)
	}
	ps := *c.Participants
	if len(ps) != 3 {
		t.Fatalf("after PUT participants [alice carol]: participants = %v, want alice, bob and carol (a PUT only adds)", ps)
	}
	if *ps["alice"].Access != gen.AccessRead || ps["alice"].ReadUntil.MustGet() != 5 {
		t.Errorf("alice after being listed again = access %s readUntil %v, want Read and 5 (kept)", *ps["alice"].Access, ps["alice"].ReadUntil)
	}
	if *ps["carol"].Access != gen.AccessReadWrite || string(mustJSON(t, ps["carol"].Notify)) != "true" {
		t.Errorf("carol after joining by PUT = access %s notify %s, want ReadWrite, true", *ps["carol"].Access, mustJSON(t, ps["carol"].Notify))
	}
	if *ps["carol"].JoinedAt != t0.Add(time.Minute).UnixMilli() || *ps["bob"].JoinedAt != t0.UnixMilli() {
		t.Errorf("joinedAt carol %d bob %d, want %d and %d", *ps["carol"].JoinedAt, *ps["bob"].JoinedAt, t0.Add(time.Minute).UnixMilli(), t0.UnixMilli())
	}
	if *c.CreatedAt != t0.UnixMilli() || !c.LastMessage.IsNull() {
		t.Errorf("createdAt %d lastMessage %v, want %d and null", *c.CreatedAt, c.LastMessage, t0.UnixMilli())
	}
	// custom null clears it.
	must(t, e.raw("PUT", "/conversations/c1", `{"custom":null}`), 200)
	if c := e.getConv("c1"); len(*c.Custom) != 0 {
		t.Errorf("after PUT custom null: custom = %v, want {}", *c.Custom)
	}
}

func TestConversationWithUnknownParticipantIs400(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	r := must(t, e.raw("PUT", "/conversations/c1", `{"participants":["alice","ghost"]}`), 400)
	if msg := r.message(t); !strings.Contains(msg, `"ghost"`) {
		t.Errorf("PUT /conversations/c1 with participant ghost: message = %q, want it to name \"ghost\"", msg)
	}
	if _, ok := e.srv.Conversation("c1"); ok {
		t.Error("Conversation(c1) after a refused PUT = found, want not created")
	}
}

func TestGetConversationShowsParticipantStateAndLastMessage(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	ids := e.send("c1", userMsg("alice", "one"))
	e.clock.Advance(time.Second)
	ids = append(ids, e.send("c1", userMsg("alice", "two"))...)
	c := e.getConv("c1")
	lm := c.LastMessage.MustGet()
	if *lm.Id != ids[1] || lm.Text.MustGet() != "two" || *lm.ConversationId != "c1" {
		t.Errorf("lastMessage = id %s text %v conversationId %s, want %s, two, c1", *lm.Id, lm.Text, *lm.ConversationId, ids[1])
	}
	ps := *c.Participants
	if !*ps["bob"].IsUnread || *ps["alice"].IsUnread {
		t.Errorf("isUnread alice %v bob %v, want false (she sent) and true", *ps["alice"].IsUnread, *ps["bob"].IsUnread)
	}
	if ps["alice"].ReadUntil.MustGet() != t0.Add(time.Second).UnixMilli() || !ps["bob"].ReadUntil.IsNull() {
		t.Errorf("readUntil alice %v bob %v, want %d (her last send) and null", ps["alice"].ReadUntil, ps["bob"].ReadUntil, t0.Add(time.Second).UnixMilli())
	}
	if !c.EveryoneReadUntil.IsNull() {
		t.Errorf("everyoneReadUntil = %v, want null while bob read nothing", c.EveryoneReadUntil)
	}
	resp, err := e.c.MarkConversationReadByUserWithResponse(ctx, "c1", "bob", nil)
	check(t, resp, err, 200)
	c = e.getConv("c1")
	if *(*c.Participants)["bob"].IsUnread || c.EveryoneReadUntil.MustGet() != t0.Add(time.Second).UnixMilli() {
		t.Errorf("after MarkConversationReadByUser(c1, bob): bob isUnread %v, everyoneReadUntil %v; want false, %d", *(*c.Participants)["bob"].IsUnread, c.EveryoneReadUntil, t0.Add(time.Second).UnixMilli())
	}
	r, err := e.c.GetConversationWithResponse(ctx, "ghost", nil)
	check(t, r, err, 404)
}

func TestDeleteConversationKeepsUsers(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	e.conv("c2", "alice")
	e.send("c1", userMsg("alice", "one"), systemMsg("two"))
	resp, err := e.c.DeleteConversationWithResponse(ctx, "c1", nil)
	check(t, resp, err, 200)
	if _, ok := e.srv.Conversation("c1"); ok {
		t.Error("Conversation(c1) after DELETE = found, want gone")
	}
	if n := e.srv.Counts(); n.Messages != 0 || n.Users != 2 || n.Conversations != 1 {
		t.Errorf("Counts() after deleting c1 = %+v, want 0 messages, 2 users, 1 conversation", n)
	}
	if msgs := e.srv.Messages("c1"); msgs != nil {
		t.Errorf("Messages(c1) after DELETE = %v, want nil", msgs)
	}
	lr, err := e.c.ListUserConversationsWithResponse(ctx, "bob", nil)
	check(t, lr, err, 200)
	if n := len(*lr.JSON200.Data); n != 0 {
		t.Errorf("ListUserConversations(bob) after deleting c1 = %d conversations, want 0", n)
	}
	lm, err := e.c.ListMessagesWithResponse(ctx, "c1", nil)
	check(t, lm, err, 404)
	resp, err = e.c.DeleteConversationWithResponse(ctx, "c1", nil)
	check(t, resp, err, 404)
	// The id can be used again, fresh.
	e.conv("c1", "bob")
	if c := e.getConv("c1"); len(*c.Participants) != 1 || !c.LastMessage.IsNull() {
		t.Errorf("c1 created again = %d participants, lastMessage %v; want 1, null (fresh)", len(*c.Participants), c.LastMessage)
	}
}

// listIDs lists conversation ids with a raw query.
func (e *env) listIDs(path string) []string {
	e.t.Helper()
	r := must(e.t, e.raw("GET", path, ""), 200)
	var l struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	r.json(e.t, &l)
	ids := []string{}
	for _, c := range l.Data {
		ids = append(ids, c.ID)
	}
	return ids
}

func eq(a []string, b ...string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// seedOrdering creates c1..c4 a minute apart, then gives c1 and c3 messages
// later on (c1 last), so creation order and activity order differ.
func seedOrdering(e *env) {
	for i := 1; i <= 4; i++ {
		e.conv(fmt.Sprintf("c%d", i), "alice", "bob")
		e.clock.Advance(time.Minute)
	}
	e.send("c3", userMsg("alice", "x")) // t0+4m
	e.clock.Advance(time.Minute)
	e.send("c1", userMsg("bob", "y")) // t0+5m
	e.clock.Advance(time.Minute)
}

func TestListConversationsOrdering(t *testing.T) {
	e := newEnv(t)
	seedOrdering(e)
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"c1", "c3", "c4", "c2"}},
		{"?orderBy=lastActivity&orderDirection=ASC", []string{"c2", "c4", "c3", "c1"}},
		{"?orderBy=createdAt", []string{"c4", "c3", "c2", "c1"}},
		{"?orderBy=createdAt&orderDirection=ASC", []string{"c1", "c2", "c3", "c4"}},
		{"?limit=2", []string{"c1", "c3"}},
		{"?limit=2&startingAfter=c3", []string{"c4", "c2"}},
		{"?orderBy=createdAt&orderDirection=ASC&startingAfter=c2", []string{"c3", "c4"}},
		{"?startingAfter=c2", []string{}},
		// offsetTs: after the timestamp in the current order.
		{fmt.Sprintf("?offsetTs=%d", t0.Add(4*time.Minute).UnixMilli()), []string{"c4", "c2"}},
		{fmt.Sprintf("?orderBy=createdAt&orderDirection=ASC&offsetTs=%d", t0.Add(time.Minute).UnixMilli()), []string{"c3", "c4"}},
		// last message time filters drop conversations without messages.
		{fmt.Sprintf("?lastMessageBefore=%d", t0.Add(5*time.Minute).UnixMilli()), []string{"c3"}},
		{fmt.Sprintf("?lastMessageAfter=%d", t0.Add(4*time.Minute).UnixMilli()), []string{"c1"}},
		{fmt.Sprintf("?lastMessageAfter=%d", t0.UnixMilli()), []string{"c1", "c3"}},
	}
	for _, c := range cases {
		t.Run("query="+c.query, func(t *testing.T) {
			if got := e.in(t).listIDs("/conversations" + c.query); !eq(got, c.want...) {
				t.Errorf("GET /conversations%s = %v, want %v", c.query, got, c.want)
			}
		})
	}
	// Before API version 2021-02-09 the order is createdAt DESC whatever is asked.
	r := must(t, e.rawWith("GET", "/v1/"+testApp+"/conversations?orderBy=lastActivity&orderDirection=ASC", "", map[string]string{
		"Authorization": "Bearer " + testSecret, "TalkJS-REST-Version": "2021-01-01"}), 200)
	var l gen.ConversationList
	r.json(t, &l)
	if d := *l.Data; *d[0].Id != "c4" || *d[3].Id != "c1" {
		t.Errorf("GET /conversations?orderBy=lastActivity&orderDirection=ASC at version 2021-01-01 = %s … %s, want c4 … c1 (createdAt DESC)", *d[0].Id, *d[3].Id)
	}
	// An unknown cursor is 400.
	must(t, e.raw("GET", "/conversations?startingAfter=ghost", ""), 400)
}

func TestListConversationsPagesThroughAll(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	for i := 0; i < 23; i++ {
		e.conv(fmt.Sprintf("c%02d", i), "alice")
		if i%3 == 0 {
			e.clock.Advance(time.Millisecond) // ties in time are ordered too
		}
	}
	seen := map[string]bool{}
	var after *string
	for pages := 0; pages < 10; pages++ {
		resp, err := e.c.ListConversationsWithResponse(ctx, &gen.ListConversationsParams{Limit: ptr(5), StartingAfter: after})
		check(t, resp, err, 200)
		data := *resp.JSON200.Data
		for _, c := range data {
			if seen[*c.Id] {
				t.Fatalf("ListConversations page %d lists %s, want each conversation once (seen before)", pages+1, *c.Id)
			}
			seen[*c.Id] = true
		}
		if len(data) < 5 {
			break
		}
		after = data[len(data)-1].Id
	}
	if len(seen) != 23 {
		t.Errorf("ListConversations pages of 5 list %d conversations, want 23", len(seen))
	}
}

func TestListUserConversations(t *testing.T) {
	e := newEnv(t)
	seedOrdering(e)
	e.conv("other", "carol")
	if got := e.listIDs("/users/alice/conversations"); !eq(got, "c1", "c3", "c4", "c2") {
		t.Errorf("GET /users/alice/conversations = %v, want [c1 c3 c4 c2]", got)
	}
	// alice sent in c3, bob in c1: alice has c1 unread, bob c3.
	if got := e.listIDs("/users/alice/conversations?unreadsOnly=true"); !eq(got, "c1") {
		t.Errorf("GET /users/alice/conversations?unreadsOnly=true = %v, want [c1]", got)
	}
	if got := e.listIDs("/users/bob/conversations?unreadsOnly=true"); !eq(got, "c3") {
		t.Errorf("GET /users/bob/conversations?unreadsOnly=true = %v, want [c3]", got)
	}
	r := must(t, e.raw("GET", "/users/alice/conversations?limit=1", ""), 200)
	var l gen.UserConversationList
	r.json(t, &l)
	uc := (*l.Data)[0]
	if !*uc.IsUnread || *uc.UnreadMessageCount != 1 || !uc.ReadUntil.IsNull() {
		t.Errorf("GET /users/alice/conversations?limit=1 = unread %v count %d readUntil %v, want true, 1, null", *uc.IsUnread, *uc.UnreadMessageCount, uc.ReadUntil)
	}
	// Leaving removes the conversation from the list.
	must(t, e.raw("DELETE", "/conversations/c1/participants/alice", ""), 200)
	if got := e.listIDs("/users/alice/conversations"); !eq(got, "c3", "c4", "c2") {
		t.Errorf("GET /users/alice/conversations after she left c1 = %v, want [c3 c4 c2]", got)
	}
	// A user who does not exist: 404, or an empty list before 2024-01-01.
	must(t, e.raw("GET", "/users/ghost/conversations", ""), 404)
	r = must(t, e.rawWith("GET", "/v1/"+testApp+"/users/ghost/conversations", "", map[string]string{
		"Authorization": "Bearer " + testSecret, "TalkJS-REST-Version": "2023-06-01"}), 200)
	if string(r.body) != `{"data":[]}` {
		t.Errorf("GET /users/ghost/conversations at version 2023-06-01 = %s, want {\"data\":[]}", r.body)
	}
}

func TestConversationFilters(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	e.user("bob")
	must(t, e.raw("PUT", "/conversations/shoes", `{"subject":"Shoes","custom":{"category":"shoes","seller":"s1"},"participants":["alice","bob"]}`), 200)
	must(t, e.raw("PUT", "/conversations/hats", `{"subject":"Hats","custom":{"category":"hats"},"participants":["alice"]}`), 200)
	must(t, e.raw("PUT", "/conversations/plain", `{"participants":["alice","bob"]}`), 200)
	must(t, e.raw("PATCH", "/conversations/hats/participants/alice", `{"access":"Read"}`), 200)
	e.clock.Advance(time.Minute)
	e.send("shoes", userMsg("bob", "new shoes"))
	q := func(f string) string { return "?filter=" + url.QueryEscape(f) }
	cases := []struct {
		name string
		path string
		want []string
	}{
		{"custom ==", "/conversations" + q(`{"custom":{"category":["==","shoes"]}}`), []string{"shoes"}},
		{"custom !=", "/conversations" + q(`{"custom":{"category":["!=","shoes"]}}`), []string{"plain", "hats"}},
		{"custom exists", "/conversations" + q(`{"custom":{"seller":"exists"}}`), []string{"shoes"}},
		{"custom oneOf", "/conversations" + q(`{"custom":{"category":["oneOf",["shoes","hats"]]}}`), []string{"shoes", "hats"}},
		{"subject ==", "/conversations" + q(`{"subject":["==","Hats"]}`), []string{"hats"}},
		{"lastMessageTs >", "/conversations" + q(`{"lastMessageTs":[">",0]}`), []string{"shoes"}},
		{"createdAt <=", "/conversations" + q(`{"createdAt":["<=",`+i64(t0.UnixMilli())+`]}`), []string{"shoes", "plain", "hats"}},
		{"createdAt >", "/conversations" + q(`{"createdAt":[">",`+i64(t0.UnixMilli())+`]}`), []string{}},
		{"any", "/conversations" + q(`["any",[{"custom":{"category":["==","hats"]}},{"subject":["==","Shoes"]}]]`), []string{"shoes", "hats"}},
		{"user's access ==", "/users/alice/conversations" + q(`{"access":["==","Read"]}`), []string{"hats"}},
		{"user's hasUnreadMessages", "/users/alice/conversations" + q(`{"hasUnreadMessages":true}`), []string{"shoes"}},
		{"sender's hasUnreadMessages", "/users/bob/conversations" + q(`{"hasUnreadMessages":true}`), []string{}},
		{"with limit and order", "/conversations?limit=1&orderBy=createdAt&orderDirection=ASC" + strings.Replace(q(`{"custom":{"category":"exists"}}`), "?", "&", 1), []string{"shoes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := e.in(t).listIDs(c.path); !eq(got, c.want...) {
				path, _ := url.PathUnescape(c.path)
				t.Errorf("GET %s = %v, want %v", path, got, c.want)
			}
		})
	}
	r := must(t, e.raw("GET", "/conversations"+q(`{"custom":{"category":["~=","x"]}}`), ""), 400)
	if msg := r.message(t); !strings.HasPrefix(msg, `query parameter "filter": `) {
		t.Errorf("GET /conversations with filter operator ~=: message = %q, want it to start with %q", msg, `query parameter "filter": `)
	}
	must(t, e.raw("GET", "/conversations?filter=not-json", ""), 400)
}

func mustJSON(t *testing.T, v interface{ MarshalJSON() ([]byte, error) }) []byte {
	t.Helper()
	b, err := v.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

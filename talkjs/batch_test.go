package talkjs

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestBatchTypedOperations(t *testing.T) {
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		// Answer out of order, as TalkJS may.
		writeJSON(w, http.StatusOK, `[[6,200,[{"id":"m1"}]],[5,200,{}],[4,200,{}],[3,200,{}],[2,200,{"id":"c/1","subject":"S"}],[1,200,{}],[0,200,{"id":"a b","name":"A"}]]`)
	})
	ops := []BatchOperation{
		BatchGetUser("a b"),
		BatchUpsertUser("a b", UserInput{Name: "A", Role: Null[string]()}),
		BatchGetConversation("c/1"),
		BatchUpsertConversation("c/1", ConversationInput{Subject: Value("S")}),
		BatchJoin("c/1", "a b", JoinOptions{Notify: NotifyOff}),
		BatchLeave("c/1", "a b"),
		BatchSendMessages("c/1", SystemMessage("hello")),
	}
	res, err := c.Batch.Do(context.Background(), ops...)
	if err != nil {
		t.Fatal(err)
	}
	var body []json.RawMessage
	if err := json.Unmarshal(ts.requests()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`[0,"GET","/users/a%20b"]`,
		`[1,"PUT","/users/a%20b",{"name":"A","role":null}]`,
		`[2,"GET","/conversations/c%2F1"]`,
		`[3,"PUT","/conversations/c%2F1",{"subject":"S"}]`,
		`[4,"PUT","/conversations/c%2F1/participants/a%20b",{"notify":false}]`,
		`[5,"DELETE","/conversations/c%2F1/participants/a%20b"]`,
	}
	for i, w := range want {
		if string(body[i]) != w {
			t.Errorf("operation %d sent as %s, want %s", i, body[i], w)
		}
	}
	if !strings.HasPrefix(string(body[6]), `[6,"POST","/conversations/c%2F1/messages",[{"type":"SystemMessage","text":"hello","idempotencyKey":"`) {
		t.Errorf("send operation %s", body[6])
	}
	for i, r := range res {
		if r.SequenceNumber != i || !r.OK() {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	var u User
	if err := res[0].Decode(&u); err != nil || u.ID != "a b" || u.Name != "A" {
		t.Errorf("decoded %+v, %v", u, err)
	}
	var conv Conversation
	if err := res[2].Decode(&conv); err != nil || conv.ID != "c/1" {
		t.Errorf("decoded %+v, %v", conv, err)
	}
}

func TestBatchBadAnswers(t *testing.T) {
	for _, answer := range []string{`[[0,200,{}],[0,200,{}]]`, `[[5,200,{}]]`, `[[0]]`, `[]`, `{}`} {
		c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
			writeJSON(w, http.StatusOK, answer)
		})
		if _, err := c.Batch.Do(context.Background(), BatchGetUser("a"), BatchGetUser("b")); err == nil {
			t.Errorf("answer %s accepted", answer)
		}
	}
}

func TestBatchArguments(t *testing.T) {
	c, ts := newTestServer(t, nil)
	for _, op := range []BatchOperation{
		{Method: "HEAD", Path: "/users"},
		{Method: "GET", Path: "users"},
		{Method: "GET", Path: "/users/../batch"},
		{Method: "GET", Path: "/users//x"},
		{Method: "GET", Path: "/users", APIVersion: "latest"},
		BatchLeave("", "a"),
	} {
		if _, err := c.Batch.Do(context.Background(), op); !isArgErr(err) {
			t.Errorf("%+v: err = %v", op, err)
		}
	}
	if _, err := c.Batch.Do(context.Background()); !isArgErr(err) {
		t.Errorf("no operations: %v", err)
	}
	if len(ts.requests()) != 0 {
		t.Error("a bad batch was sent")
	}
}

func isArgErr(err error) bool {
	_, ok := err.(*ArgumentError)
	return ok
}

func TestMarkUnread(t *testing.T) {
	c, ts := newTestServer(t, nil)
	if err := c.Participants.MarkUnread(context.Background(), "c1", "bob"); err != nil {
		t.Fatal(err)
	}
	r := ts.requests()[0]
	if r.Op != "markConversationRead" || string(r.Body) != `{"readUntil":0}` {
		t.Errorf("%s %s", r.Op, r.Body)
	}
}

// TalkJS's Batch reference types operation_response as a string (a JSON
// text); an embedded JSON value is read too, and a string that is not JSON
// is kept as the JSON string it is.
func TestBatchResponseStringOrEmbedded(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusOK, `[[0,200,"{\"id\":\"a\",\"name\":\"A\"}"],[1,200,{"id":"b","name":"B"}],[2,404,"not found"],[3,200," "]]`)
	})
	res, err := c.Batch.Do(context.Background(), BatchGetUser("a"), BatchGetUser("b"), BatchGetUser("c"), BatchGetUser("d"))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"A", "B"} {
		var u User
		if err := res[i].Decode(&u); err != nil || u.Name != want {
			t.Errorf("result %d (%s): %+v %v", i, res[i].Response, u, err)
		}
	}
	if got := string(res[2].Response); got != `"not found"` {
		t.Errorf("plain string kept as %s", got)
	}
	if got := string(res[3].Response); got != `" "` {
		t.Errorf("blank string kept as %s", got)
	}
}

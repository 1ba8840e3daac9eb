package talkjs

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestBatchTypedOperations(t *testing.T) {
	t.Parallel()
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
	res, err := c.Batch.Do(t.Context(), ops...)
	if err != nil {
		t.Fatalf("Batch.Do(%d operations) = %v, want no error", len(ops), err)
	}
	var body []json.RawMessage
	if err := json.Unmarshal(ts.requests()[0].Body, &body); err != nil {
		t.Fatalf("json.Unmarshal(batch body %s) = %v, want nil", ts.requests()[0].Body, err)
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
		t.Errorf("operation 6 sent as %s, want a send to /conversations/c%%2F1/messages with an idempotency key", body[6])
	}
	for i, r := range res {
		if r.SequenceNumber != i || !r.OK() {
			t.Errorf("result %d = %+v, want SequenceNumber %d and OK", i, r, i)
		}
	}
	var u User
	if err := res[0].Decode(&u); err != nil || u.ID != "a b" || u.Name != "A" {
		t.Errorf("res[0].Decode(&u) = %v, u = %+v; want nil, user \"a b\" named A", err, u)
	}
	var conv Conversation
	if err := res[2].Decode(&conv); err != nil || conv.ID != "c/1" {
		t.Errorf("res[2].Decode(&conv) = %v, conv = %+v; want nil, conversation c/1", err, conv)
	}
}

func TestBatchBadAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, answer string }{
		{"repeated sequence number", `[[0,200,{}],[0,200,{}]]`},
		{"unknown sequence number", `[[5,200,{}]]`},
		{"result without status", `[[0]]`},
		{"no results", `[]`},
		{"object", `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
				writeJSON(w, http.StatusOK, tc.answer)
			})
			if res, err := c.Batch.Do(t.Context(), BatchGetUser("a"), BatchGetUser("b")); err == nil {
				t.Errorf("Batch.Do(get a, get b) answered %s = %+v, nil; want an error", tc.answer, res)
			}
		})
	}
}

func TestBatchArguments(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil)
	for _, tc := range []struct {
		name string
		op   BatchOperation
	}{
		{"HEAD", BatchOperation{Method: "HEAD", Path: "/users"}},
		{"relative path", BatchOperation{Method: "GET", Path: "users"}},
		{"dot segments", BatchOperation{Method: "GET", Path: "/users/../batch"}},
		{"empty segment", BatchOperation{Method: "GET", Path: "/users//x"}},
		{"bad API version", BatchOperation{Method: "GET", Path: "/users", APIVersion: "latest"}},
		{"empty conversation id", BatchLeave("", "a")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Batch.Do(t.Context(), tc.op); !isArgErr(err) {
				t.Errorf("Batch.Do(%+v) = %v, want an *ArgumentError", tc.op, err)
			}
		})
	}
	if _, err := c.Batch.Do(t.Context()); !isArgErr(err) {
		t.Errorf("Batch.Do() = %v, want an *ArgumentError", err)
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("%d requests sent for bad batches, want 0", n)
	}
}

func isArgErr(err error) bool {
	_, ok := err.(*ArgumentError)
	return ok
}

func TestMarkUnread(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil)
	if err := c.Participants.MarkUnread(t.Context(), "c1", "bob"); err != nil {
		t.Fatalf("Participants.MarkUnread(c1, bob) = %v, want nil", err)
	}
	r := ts.requests()[0]
	if r.Op != "markConversationRead" || string(r.Body) != `{"readUntil":0}` {
		t.Errorf("Participants.MarkUnread(c1, bob) sent %s %s, want markConversationRead {\"readUntil\":0}", r.Op, r.Body)
	}
}

// TalkJS's Batch reference types operation_response as a string (a JSON
// text); an embedded JSON value is read too, and a string that is not JSON
// is kept as the JSON string it is.
func TestBatchResponseStringOrEmbedded(t *testing.T) {
	t.Parallel()
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusOK, `[[0,200,"{\"id\":\"a\",\"name\":\"A\"}"],[1,200,{"id":"b","name":"B"}],[2,404,"not found"],[3,200," "]]`)
	})
	res, err := c.Batch.Do(t.Context(), BatchGetUser("a"), BatchGetUser("b"), BatchGetUser("c"), BatchGetUser("d"))
	if err != nil {
		t.Fatalf("Batch.Do(get a, b, c, d) = %v, want no error", err)
	}
	for i, want := range []string{"A", "B"} {
		var u User
		if err := res[i].Decode(&u); err != nil || u.Name != want {
			t.Errorf("res[%d].Decode(&u) of %s = %v, u = %+v; want nil, name %s", i, res[i].Response, err, u, want)
		}
	}
	if got := string(res[2].Response); got != `"not found"` {
		t.Errorf("res[2].Response = %s, want %s", got, `"not found"`)
	}
	if got := string(res[3].Response); got != `" "` {
		t.Errorf("res[3].Response = %s, want %s", got, `" "`)
	}
}

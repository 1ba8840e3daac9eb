package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/gen"
)

func TestBatchRunsOperationsThroughTheHandlers(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	r := must(t, e.raw("POST", "/batch", `[
		[1, "PUT", "/users/bob", {"name":"Bob"}],
		[2, "PUT", "/conversations/c1/participants/bob"],
		[3, "POST", "/conversations/c1/messages", [{"type":"UserMessage","sender":"bob","text":"hi"}]],
		[4, "GET", "/users/bob"],
		[5, "GET", "/conversations", {"limit":"1","orderBy":"createdAt"}, {"api_version":"2021-02-09"}],
		[6, "GET", "/users/ghost"],
		[7, "PUT", "/users/carol", {"name":42}],
		[8, "get", "/users/a%2Fb"]
	]`), 200)
	var out []struct {
		Seq    int
		Status int
		Body   json.RawMessage
	}
	var raw [][]json.RawMessage
	r.json(t, &raw)
	for _, op := range raw {
		var o struct {
			Seq    int
			Status int
			Body   json.RawMessage
		}
		json.Unmarshal(op[0], &o.Seq)
		json.Unmarshal(op[1], &o.Status)
		// TalkJS's Batch reference: operation_response is a string (a JSON text).
		var text string
		if err := json.Unmarshal(op[2], &text); err != nil || !json.Valid([]byte(text)) {
			t.Fatalf("POST /batch: operation_response = %s, want a string holding JSON (TalkJS's Batch reference)", op[2])
		}
		o.Body = json.RawMessage(text)
		out = append(out, o)
	}
	want := []int{200, 200, 200, 200, 200, 404, 400, 404}
	if len(out) != len(want) {
		t.Fatalf("POST /batch with %d operations = %s, want %d answers", len(want), r.body, len(want))
	}
	for i, o := range out {
		if o.Seq != i+1 || o.Status != want[i] {
			t.Errorf("POST /batch answer %d = [%d, %d, %s], want [%d, %d, …]", i+1, o.Seq, o.Status, o.Body, i+1, want[i])
		}
	}
	var u gen.User
	json.Unmarshal(out[3].Body, &u)
	if *u.Name != "Bob" {
		t.Errorf("batch GET /users/bob = %s, want Bob", out[3].Body)
	}
	var ids []gen.MessageRef
	json.Unmarshal(out[2].Body, &ids)
	if len(ids) != 1 || len(e.srv.Messages("c1")) != 1 {
		t.Errorf("batch POST …/messages = %s, %d messages stored; want one id, one message", out[2].Body, len(e.srv.Messages("c1")))
	}
	var l gen.ConversationList
	json.Unmarshal(out[4].Body, &l)
	if len(*l.Data) != 1 {
		t.Errorf("batch GET /conversations {limit: 1} = %s, want one conversation", out[4].Body)
	}
	if !strings.Contains(string(out[6].Body), `field \"name\": must be a string`) {
		t.Errorf("batch PUT /users/carol {name: 42} = %s, want a message with field \"name\": must be a string", out[6].Body)
	}
	// The spec violation inside the batch is recorded like any other.
	if v := e.srv.Violations(); len(v) != 1 {
		t.Errorf("Violations() after the batch = %v, want exactly the invalid PUT /users/carol", v)
	}
	e.allowViolations = true
}

func TestMalformedBatchRunsNothing(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ name, body, want string }{
		{"sequence number not a number", `[[1,"PUT","/users/a",{"name":"A"}],["x","GET","/users/a"]]`, "sequence number"},
		{"unknown method", `[[1,"PUT","/users/a",{"name":"A"}],[2,"TRACE","/users/a"]]`, "method"},
		{"relative path", `[[1,"PUT","/users/a",{"name":"A"}],[2,"GET","users/a"]]`, `starting with "/"`},
		{"nested batch", `[[1,"PUT","/users/a",{"name":"A"}],[2,"POST","/batch",[]]]`, "batch"},
		{"query payload not an object", `[[1,"PUT","/users/a",{"name":"A"}],[2,"GET","/users/a","notanobject"]]`, "query parameters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := must(t, e.in(t).raw("POST", "/batch", c.body), 400)
			if msg := r.message(t); !strings.Contains(msg, c.want) {
				t.Errorf("POST /batch %s: message = %q, want it to contain %q", c.body, msg, c.want)
			}
		})
	}
	if n := e.srv.Counts().Users; n != 0 {
		t.Errorf("Counts().Users after rejected batches = %d, want 0 (nothing runs)", n)
	}
	e.allowViolations = true
	must(t, e.raw("POST", "/batch", `[[1,"GET"]]`), 400) // the spec wants 3 to 5 items
}

func TestBatchWithGeneratedClient(t *testing.T) {
	e := newEnv(t)
	resp, err := e.c.BatchRequestsWithResponse(ctx, nil, gen.BatchInput{{1, "PUT", "/users/x", map[string]any{"name": "X"}}})
	check(t, resp, err, 200)
	if res := *resp.JSON200; len(res) != 1 || res[0][1].(float64) != 200 {
		t.Errorf("BatchRequests(PUT /users/x) = %v, want one answer with status 200", res)
	}
}

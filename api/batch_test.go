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
			t.Fatalf("operation_response %s is not a string holding JSON", op[2])
		}
		o.Body = json.RawMessage(text)
		out = append(out, o)
	}
	want := []int{200, 200, 200, 200, 200, 404, 400, 404}
	if len(out) != len(want) {
		t.Fatalf("answer %s", r.body)
	}
	for i, o := range out {
		if o.Seq != i+1 || o.Status != want[i] {
			t.Errorf("op %d: seq %d status %d body %s", i+1, o.Seq, o.Status, o.Body)
		}
	}
	var u gen.User
	json.Unmarshal(out[3].Body, &u)
	if *u.Name != "Bob" {
		t.Errorf("GET in batch: %s", out[3].Body)
	}
	var ids []gen.MessageRef
	json.Unmarshal(out[2].Body, &ids)
	if len(ids) != 1 || len(e.srv.Messages("c1")) != 1 {
		t.Errorf("send in batch: %s", out[2].Body)
	}
	var l gen.ConversationList
	json.Unmarshal(out[4].Body, &l)
	if len(*l.Data) != 1 {
		t.Errorf("GET with query payload: %s", out[4].Body)
	}
	if !strings.Contains(string(out[6].Body), `field \"name\": must be a string`) {
		t.Errorf("invalid op: %s", out[6].Body)
	}
	// The spec violation inside the batch is recorded like any other.
	if v := e.srv.Violations(); len(v) != 1 {
		t.Errorf("violations %v", v)
	}
	e.allowViolations = true
}

func TestMalformedBatchRunsNothing(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ body, want string }{
		{`[[1,"PUT","/users/a",{"name":"A"}],["x","GET","/users/a"]]`, "sequence number"},
		{`[[1,"PUT","/users/a",{"name":"A"}],[2,"TRACE","/users/a"]]`, "method"},
		{`[[1,"PUT","/users/a",{"name":"A"}],[2,"GET","users/a"]]`, `starting with "/"`},
		{`[[1,"PUT","/users/a",{"name":"A"}],[2,"POST","/batch",[]]]`, "batch"},
		{`[[1,"PUT","/users/a",{"name":"A"}],[2,"GET","/users/a","notanobject"]]`, "query parameters"},
	}
	for _, c := range cases {
		r := must(t, e.raw("POST", "/batch", c.body), 400)
		if msg := r.message(t); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q", c.body, msg)
		}
	}
	if n := e.srv.Counts().Users; n != 0 {
		t.Errorf("%d users created by rejected batches", n)
	}
	e.allowViolations = true
	must(t, e.raw("POST", "/batch", `[[1,"GET"]]`), 400) // the spec wants 3 to 5 items
}

func TestBatchWithGeneratedClient(t *testing.T) {
	e := newEnv(t)
	resp, err := e.c.BatchRequestsWithResponse(ctx, nil, gen.BatchInput{{1, "PUT", "/users/x", map[string]any{"name": "X"}}})
	check(t, resp, err, 200)
	if res := *resp.JSON200; len(res) != 1 || res[0][1].(float64) != 200 {
		t.Errorf("result %v", res)
	}
}

package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// HEAD answers every GET path like GET without a body (RFC 9110), and a
// method the path does not have is 405 with an Allow header.
func TestHeadAndMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	get := must(t, e.raw(http.MethodGet, "/conversations/c1", ""), 200)
	head := must(t, e.raw(http.MethodHead, "/conversations/c1", ""), 200)
	if len(head.body) != 0 {
		t.Errorf("HEAD /conversations/c1 = body %q, want none", head.body)
	}
	if head.header.Get("Content-Length") != get.header.Get("Content-Length") || head.header.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD /conversations/c1 = headers %v, want GET's Content-Length and Content-Type (%v)", head.header, get.header)
	}
	must(t, e.raw(http.MethodHead, "/users/nobody", ""), 404)
	must(t, e.raw(http.MethodHead, "/conversations?limit=2", ""), 200)

	e.allowViolations = true
	r := must(t, e.raw(http.MethodPost, "/conversations/c1", "{}"), 405)
	if got, want := r.header.Get("Allow"), "GET, HEAD, PUT, DELETE"; got != want {
		t.Errorf("Allow = %q, want %q", got, want)
	}
	r.message(t)
	r = must(t, e.raw(http.MethodDelete, "/users", ""), 405)
	if got, want := r.header.Get("Allow"), "GET, HEAD, PUT"; got != want {
		t.Errorf("Allow = %q, want %q", got, want)
	}
}

// A "." or ".." segment, raw or escaped, is refused and never redirected to
// another resource; nothing changes.
func TestDotSegmentsNeverRedirect(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	for _, p := range []string{
		"/conversations/c1/participants/..",
		"/conversations/c1/participants/%2E%2E",
		"/conversations/c1/participants/.",
		"/conversations/c1/participants/%2e",
		"/conversations/c1/./participants/bob",
		"/conversations//c1",
		"/users/alice/../../conversations/c1",
	} {
		t.Run(strings.ReplaceAll(p, "/", " "), func(t *testing.T) { // a name without "/", which would nest
			r := e.in(t).raw(http.MethodDelete, p, "")
			if r.status != http.StatusBadRequest {
				t.Fatalf("DELETE %s = %d %s, want 400", p, r.status, r.body)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("DELETE %s: Location = %s, want none (no redirect)", p, loc)
			}
			r.message(t)
		})
	}
	c := e.getConv("c1")
	if len(*c.Participants) != 2 {
		t.Errorf("c1's participants after the refused DELETEs = %v, want alice and bob (unchanged)", *c.Participants)
	}
}

// Ids that are not UTF-8 once unescaped are refused with 400 at creation.
func TestNonUTF8IDRefused(t *testing.T) {
	e := newEnv(t)
	r := must(t, e.raw(http.MethodPut, "/users/a%FFb", `{"name":"X"}`), 400)
	if msg := r.message(t); !strings.Contains(msg, "UTF-8") {
		t.Errorf("PUT /users/a%%FFb: message = %q, want it to say the id is not UTF-8", msg)
	}
	must(t, e.raw(http.MethodGet, "/users/a%C3%A9", ""), 404)
}

// TalkJS's team-chat tutorial makes sure a conversation exists with
// PUT /conversations/{id}/ (trailing slash), Content-Type JSON and no body.
func TestTutorialEmptyPutWithTrailingSlash(t *testing.T) {
	e := newEnv(t)
	must(t, e.rawWith(http.MethodPut, "/v1/"+testApp+"/conversations/team-chat/", "", map[string]string{
		"Authorization": "Bearer " + testSecret, "Content-Type": "application/json"}), 200)
	must(t, e.rawWith(http.MethodPut, "/v1/"+testApp+"/conversations/team-chat", "", map[string]string{
		"Authorization": "Bearer " + testSecret, "Content-Type": "application/json"}), 200)
	c := e.getConv("team-chat")
	if *c.Id != "team-chat" {
		t.Errorf("GET /conversations/team-chat = id %q, want team-chat", *c.Id)
	}
	// GET and DELETE with Content-Type but no body, as TalkJS's examples send them.
	hdr := map[string]string{"Authorization": "Bearer " + testSecret, "Content-Type": "application/json"}
	must(t, e.rawWith(http.MethodGet, "/v1/"+testApp+"/conversations/team-chat/", "", hdr), 200)
	must(t, e.rawWith(http.MethodDelete, "/v1/"+testApp+"/conversations/team-chat", "", hdr), 200)
}

// The rejections the server adds are in the spec where OpenAPI can say them:
// they are refused by validation (so recorded as violations), not by a handler.
func TestServerRejectionsAreInTheSpec(t *testing.T) {
	e := newEnv(t)
	e.allowViolations = true
	e.conv("c1", "alice")
	for _, c := range []struct{ name, method, path, body, where string }{
		{"empty startingAfter", "GET", "/users?startingAfter=", "", "startingAfter"},
		{"empty filter", "GET", "/conversations?filter=", "", "filter"},
		{"user message without sender", "POST", "/conversations/c1/messages", `[{"type":"UserMessage","text":"x"}]`, "sender"},
		{"system message with sender", "POST", "/conversations/c1/messages", `[{"type":"SystemMessage","sender":"alice","text":"x"}]`, "type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(e.srv.Violations())
			must(t, e.in(t).raw(c.method, c.path, c.body), 400)
			v := e.srv.Violations()
			if len(v) != before+1 || !strings.Contains(v[len(v)-1].Error(), c.where) {
				t.Errorf("%s %s %s: new violations = %v, want one naming %q (refused by the spec, not a handler)", c.method, c.path, c.body, v[before:], c.where)
			}
		})
	}
}

// Participation calls are idempotent: "All calls on this page are idempotent
// operations and can be called multiple times in a row" (TalkJS's REST
// reference, Participation). A repeat answers as the first did.
func TestParticipationIdempotent(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	e.user("bob")
	for i := 0; i < 2; i++ {
		must(t, e.raw("PUT", "/conversations/c1/participants/bob", `{"access":"Read","notify":false}`), 200)
	}
	for i := 0; i < 2; i++ {
		must(t, e.raw("PATCH", "/conversations/c1/participants/bob", `{"access":"ReadWrite"}`), 200)
	}
	if p := (*e.getConv("c1").Participants)["bob"]; *p.Access != "ReadWrite" {
		t.Errorf("bob's access after PATCH ReadWrite twice = %s, want ReadWrite", *p.Access)
	}
	for i := 0; i < 2; i++ {
		must(t, e.raw("DELETE", "/conversations/c1/participants/bob", ""), 200)
	}
	if _, in := (*e.getConv("c1").Participants)["bob"]; in {
		t.Error("c1's participants after bob left twice include bob, want him gone")
	}
	must(t, e.raw("DELETE", "/conversations/ghost/participants/bob", ""), 404)
}

// TalkJS's examples send the id inside PUT bodies too, and anonymise a user
// with an explicit null for every field.
func TestExampleBodies(t *testing.T) {
	e := newEnv(t)
	must(t, e.raw("PUT", "/users/u1", `{"id":"u1","name":"Ann","email":["ann@example.com"],"phone":["+1"],"photoUrl":"https://x/p.png","custom":{"k":"v"},"role":"buyer","locale":"en-US","welcomeMessage":"hi"}`), 200)
	must(t, e.raw("PUT", "/conversations/c1", `{"id":"c1","participants":["u1"],"subject":"S"}`), 200)
	must(t, e.raw("PUT", "/users/u1", `{"name":"Deleted user","email":null,"phone":null,"photoUrl":null,"headerPhotoUrl":null,"custom":null,"role":null,"locale":null,"welcomeMessage":null,"availabilityText":null,"pushTokens":null}`), 200)
	var u map[string]any
	must(t, e.raw("GET", "/users/u1", ""), 200).json(t, &u)
	for _, f := range []string{"email", "phone", "photoUrl", "role", "locale", "welcomeMessage"} {
		if u[f] != nil {
			t.Errorf("%s = %v after anonymising, want null", f, u[f])
		}
	}
	if c, _ := u["custom"].(map[string]any); len(c) != 0 {
		t.Errorf("custom = %v after anonymising, want {}", u["custom"])
	}
}

// API versions are chosen per request by TalkJS-REST-Version and per batch
// operation by options.api_version (TalkJS's API changelog): before
// 2021-02-09 lists are createdAt DESC only; before 2021-07-30 leaving keeps
// the conversation in the user's list (and access None does not exist);
// from 2024-01-01 listing a missing user's conversations is 404.
func TestAPIVersions(t *testing.T) {
	e := newEnv(t)
	e.conv("old", "alice", "bob")
	e.clock.Advance(time.Second)
	e.conv("new", "alice", "bob")
	e.clock.Advance(time.Second)
	e.send("old", userMsg("alice", "activity makes old the most recent"))
	ids := func(r reply) string {
		var l struct{ Data []struct{ ID string } }
		r.json(t, &l)
		var out []string
		for _, c := range l.Data {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	v := func(version string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + testSecret, "TalkJS-REST-Version": version}
	}
	if got := ids(must(t, e.rawWith("GET", "/v1/"+testApp+"/conversations?orderBy=lastActivity", "", v("2021-02-09")), 200)); got != "old,new" {
		t.Errorf("GET /conversations?orderBy=lastActivity at 2021-02-09 = %s, want old,new", got)
	}
	if got := ids(must(t, e.rawWith("GET", "/v1/"+testApp+"/conversations?orderBy=lastActivity", "", v("2021-01-01")), 200)); got != "new,old" {
		t.Errorf("GET /conversations?orderBy=lastActivity at 2021-01-01 = %s, want new,old (createdAt DESC only)", got)
	}
	// 2024-01-01: a missing user's list is 404; before, an empty list.
	must(t, e.rawWith("GET", "/v1/"+testApp+"/users/ghost/conversations", "", v("2024-01-01")), 404)
	must(t, e.rawWith("GET", "/v1/"+testApp+"/users/ghost/conversations", "", v("2021-07-30")), 200)
	// Per batch operation.
	var res [][]json.RawMessage
	must(t, e.raw("POST", "/batch", `[[1,"GET","/users/ghost/conversations",{},{"api_version":"2021-07-30"}],[2,"GET","/users/ghost/conversations",{},{"api_version":"2024-01-01"}]]`), 200).json(t, &res)
	if string(res[0][1]) != "200" || string(res[1][1]) != "404" {
		t.Errorf("batch GET /users/ghost/conversations at 2021-07-30, 2024-01-01 = %s, %s; want 200, 404", res[0][1], res[1][1])
	}
	// Before 2021-07-30 leaving keeps the conversation in bob's list, as a
	// participant without access; from it, leaving removes it.
	must(t, e.rawWith("DELETE", "/v1/"+testApp+"/conversations/old/participants/bob", "", v("2021-02-09")), 200)
	if got := ids(must(t, e.raw("GET", "/users/bob/conversations", ""), 200)); !strings.Contains(got, "old") {
		t.Errorf("GET /users/bob/conversations after leaving old at 2021-02-09 = %s, want old still listed", got)
	}
	if p := (*e.getConv("old").Participants)["bob"]; *p.Access != "None" {
		t.Errorf("bob's access in old after leaving at 2021-02-09 = %s, want None", *p.Access)
	}
	e.allowViolations = true
	r := must(t, e.rawWith("PATCH", "/v1/"+testApp+"/conversations/new/participants/bob", `{"access":"None"}`, map[string]string{
		"Authorization": "Bearer " + testSecret, "TalkJS-REST-Version": "2021-02-09", "Content-Type": "application/json"}), 400)
	r.message(t)
	must(t, e.raw("DELETE", "/conversations/old/participants/bob", ""), 200)
	if got := ids(must(t, e.raw("GET", "/users/bob/conversations", ""), 200)); strings.Contains(got, "old") {
		t.Errorf("GET /users/bob/conversations after leaving old at the newest version = %s, want old gone", got)
	}
}

// A batch operation may give null for "no payload" before its options: the
// server has always read it so, and the spec says so.
func TestBatchNullPayload(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	var res [][]json.RawMessage
	must(t, e.raw("POST", "/batch", `[[1,"GET","/users/alice",null,{"api_version":"2024-01-01"}]]`), 200).json(t, &res)
	if string(res[0][1]) != "200" {
		t.Errorf("batch [1, GET, /users/alice, null, {api_version}] = %s, want status 200", res)
	}
}

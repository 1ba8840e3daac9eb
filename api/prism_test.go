package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/internal/prism"
)

// TestPrismProxy runs a scenario that calls every operation of the spec
// (successes and the errors a client meets) through Prism, an OpenAPI
// validator independent of kin-openapi, in `proxy --errors` mode in front of
// the server. Prism answers 422 or 500 with a problem+json body when a
// request or an answer breaks the spec; the test fails on any. Run it with
// `make validate-prism`, which installs a pinned Prism with npm and sets
// TALKJS_PRISM to its executable.
//
// HEAD is not sent through Prism: Prism 5.14.2 parses the upstream's HEAD
// answer as JSON because its Content-Type says so, and fails on the empty
// body (RFC 9110 has HEAD send GET's headers). TestHeadAndMethodNotAllowed
// checks HEAD with kin-openapi instead.
func TestPrismProxy(t *testing.T) {
	srv := api.NewServer(api.WithAppID(testApp), api.WithSecret(testSecret), api.WithMaxBodyBytes(8<<10))
	up := httptest.NewServer(srv)
	defer up.Close()
	base := prism.Start(t, "validate-prism", "proxy", "--errors", prism.Spec(t), up.URL+"/v1/"+testApp)

	p := &prismRun{t: t, base: base}
	p.scenario()
	if p.violations > 0 {
		t.Errorf("%d answers broke the spec according to Prism", p.violations)
	} else {
		t.Logf("%d requests through Prism, no violation", p.requests)
	}
}

type prismRun struct {
	t          *testing.T
	base       string
	requests   int
	violations int
}

// do sends one request and checks the status; a Prism problem answer or an
// sl-violations header counts as a violation.
func (p *prismRun) do(method, path, contentType string, body []byte, want int) []byte {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testSecret)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p.requests++
	if v := resp.Header.Get("sl-violations"); v != "" || strings.Contains(resp.Header.Get("Content-Type"), "problem+json") {
		p.violations++
		p.t.Errorf("%s %s: Prism reports a violation (%d): %s %s", method, path, resp.StatusCode, v, b)
		return b
	}
	if resp.StatusCode != want {
		p.t.Errorf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return b
}

func (p *prismRun) json(method, path, body string, want int) []byte {
	p.t.Helper()
	if body == "" {
		return p.do(method, path, "", nil, want)
	}
	return p.do(method, path, "application/json", []byte(body), want)
}

func (p *prismRun) scenario() {
	t := p.t
	J := p.json
	// users
	J("PUT", "/users/alice", `{"name":"Alice","email":["alice@example.com"],"custom":{"plan":"pro"},"role":"buyer"}`, 200)
	J("PUT", "/users/bob", `{"name":"Bob","photoUrl":null,"pushTokens":{"fcm:abc":true}}`, 200)
	J("PUT", "/users", `{"carol":{"name":"Carol"},"dave":{"name":"Dave","locale":"nl-NL"}}`, 200)
	J("PUT", "/users/nameless", `{"email":["x@example.com"]}`, 400)
	J("GET", "/users/alice", "", 200)
	J("GET", "/users/nobody", "", 404)
	J("GET", "/users?limit=2", "", 200)
	J("GET", "/users?limit=2&startingAfter=alice", "", 200)
	// anonymising, as TalkJS's examples do: explicit nulls
	J("PUT", "/users/dave", `{"name":"Anonymous","email":null,"phone":null,"photoUrl":null,"welcomeMessage":null,"custom":null,"role":null,"locale":null}`, 200)
	// conversations
	J("PUT", "/conversations/c1", `{"subject":"Shoes","participants":["alice","bob"],"custom":{"category":"shoes"}}`, 200)
	J("PUT", "/conversations/empty", `{"participants":["carol"]}`, 200)
	J("GET", "/conversations/empty", "", 200) // lastMessage null
	J("PUT", "/conversations/c1", `{"participants":["ghost"]}`, 400)
	J("GET", "/conversations/nope", "", 404)
	J("GET", "/conversations?limit=5&orderBy=createdAt&orderDirection=ASC", "", 200)
	J("GET", "/conversations?filter="+urlq(`{"custom":{"category":["==","shoes"]}}`), "", 200)
	J("GET", "/users/alice/conversations?unreadsOnly=true", "", 200)
	// participants
	J("PUT", "/conversations/c1/participants/carol", `{"access":"Read","notify":"MentionsOnly"}`, 200)
	J("PATCH", "/conversations/c1/participants/carol", `{"access":"None","notify":false}`, 200)
	J("GET", "/conversations/c1/participants/alice/email", "", 200)
	J("DELETE", "/conversations/c1/participants/carol", "", 200)
	// messages
	ids := J("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"hi","custom":{"k":"v"}},{"type":"SystemMessage","text":"welcome"}]`, 200)
	var refs []struct{ ID string }
	if err := json.Unmarshal(ids, &refs); err != nil || len(refs) != 2 {
		t.Fatalf("send answer %s: %v", ids, err)
	}
	m := refs[0].ID
	J("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","location":[52.37,4.89]}]`, 200)
	J("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"ghost","text":"x"}]`, 400)
	J("GET", "/conversations/c1/messages?limit=10", "", 200)
	J("GET", "/conversations/c1/messages/"+m, "", 200)
	J("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","content":[{"type":"text","children":["a ",{"type":"bold","children":["b"]}]}]}]`, 200)
	J("PUT", "/conversations/c1/messages/"+m, `{"text":"hi!","markEdited":true}`, 200)
	J("PUT", "/conversations/c1/messages/"+m+"/reactions/%F0%9F%91%8D/bob", "", 200)
	J("DELETE", "/conversations/c1/messages/"+m+"/reactions/%F0%9F%91%8D/bob", "", 200)
	J("GET", "/conversations/c1", "", 200)
	// read state
	J("POST", "/conversations/c1/readBy/bob", "", 200)
	J("PATCH", "/users/bob/conversations/c1", `{"readUntil":0}`, 200)
	J("GET", "/users/bob/conversations", "", 200)
	// the app, notifications, legacy sessions
	J("GET", "/", "", 200)
	J("PUT", "/", `{"custom":{"tier":"gold"},"defaultLocale":"en-US"}`, 200)
	J("POST", "/conversations/c1/notifications", `{"channels":["email","sms"],"recipients":["alice"]}`, 200)
	J("POST", "/conversations/c1/notifications", `{"channels":["email"],"recipients":["nobody"]}`, 400)
	J("GET", "/users/alice/sessions", "", 200)
	// presence
	J("PUT", "/users/alice/presence", `{"visible":true,"availability":"online"}`, 200)
	J("GET", "/users/alice/presence", "", 200)
	J("POST", "/presences", `{"includeBackgroundSessions":true}`, 200)
	// files
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "hello.txt")
	_, _ = fw.Write([]byte("hello"))
	_ = mw.WriteField("filename", "hello.txt")
	_ = mw.Close()
	var tok struct{ AttachmentToken string }
	if err := json.Unmarshal(p.do("POST", "/files", mw.FormDataContentType(), mp.Bytes(), 200), &tok); err != nil {
		t.Fatal(err)
	}
	J("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"bob","attachmentToken":"`+tok.AttachmentToken+`"}]`, 200)
	J("GET", "/conversations/c1/messages", "", 200)
	// import
	J("POST", "/import/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"old","timestamp":1500000000000,"readBy":["bob"]}]`, 200)
	// batch
	J("POST", "/batch", `[[1,"GET","/users/alice"],[2,"PUT","/users/erin",{"name":"Erin"}],[3,"GET","/users/nobody"]]`, 200)
	// limits
	J("PUT", "/users/big", `{"name":"`+strings.Repeat("x", 9<<10)+`"}`, 413)
	// deleting
	J("DELETE", "/conversations/c1/messages/"+m, "", 200)
	J("DELETE", "/conversations/c1/messages", "", 200)
	J("DELETE", "/conversations/c1", "", 200)
	J("DELETE", "/conversations/c1", "", 404)
}

func urlq(s string) string {
	return strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D", "[", "%5B", "]", "%5D", "\"", "%22", " ", "%20", ":", "%3A", ",", "%2C", "=", "%3D").Replace(s)
}

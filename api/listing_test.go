package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/gen"
)

// A cursor naming a conversation deleted since the previous page continues
// after the place it had, in every order; so does one naming a deleted
// message. An id never seen stays 400.
func TestCursorOnDeletedItemContinues(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	for i := 0; i < 6; i++ {
		e.conv(fmt.Sprintf("c%d", i), "alice")
		e.clock.Advance(time.Minute)
	}
	for _, q := range []string{"", "?orderBy=createdAt&orderDirection=ASC", "?orderBy=lastActivity&orderDirection=ASC"} {
		sep := "?"
		if q != "" {
			sep = "&"
		}
		for _, path := range []string{"/conversations", "/users/alice/conversations"} {
			// The name has no "/", which would nest.
			t.Run(strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", " ")+q, func(t *testing.T) {
				e := e.in(t)
				full := e.listIDs(path + q)
				if len(full) < 4 {
					t.Fatalf("GET %s%s = %v, want at least 4 conversations", path, q, full)
				}
				first := e.listIDs(path + q + sep + "limit=2")
				// Delete the cursor conversation, then ask for the next page.
				must(t, e.raw("DELETE", "/conversations/"+first[1], ""), 200)
				next := e.listIDs(path + q + sep + "limit=2&startingAfter=" + first[1])
				if !eq(next, full[2:4]...) {
					t.Errorf("GET %s%s%slimit=2&startingAfter=%s (deleted) = %v, want %v", path, q, sep, first[1], next, full[2:4])
				}
				e.conv(first[1], "alice") // back, for the next round (a new conversation)
			})
		}
	}
	must(t, e.raw("GET", "/conversations?startingAfter=never", ""), 400)

	e.conv("m", "alice")
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, e.send("m", userMsg("alice", fmt.Sprint(i)))...)
		e.clock.Advance(time.Second)
	}
	resp, err := e.c.DeleteMessageWithResponse(ctx, "m", ids[3], nil)
	check(t, resp, err, 200)
	r := must(t, e.raw("GET", "/conversations/m/messages?limit=2&startingAfter="+ids[3], ""), 200)
	var l struct{ Data []struct{ ID string } }
	r.json(t, &l)
	if len(l.Data) != 2 || l.Data[0].ID != ids[2] || l.Data[1].ID != ids[1] {
		t.Errorf("GET …/messages?limit=2&startingAfter=%s (deleted) = %+v, want %s, %s", ids[3], l.Data, ids[2], ids[1])
	}
	must(t, e.raw("GET", "/conversations/m/messages?startingAfter=msg_never", ""), 400)
}

// A filter beyond the server's bounds is a clear 400.
func TestFilterBounds(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	b.WriteString(`["any",[`)
	for i := 0; i < 101; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"custom":{"k%d":"exists"}}`, i)
	}
	b.WriteString(`]]`)
	r := must(t, e.raw("GET", "/conversations?filter="+url.QueryEscape(b.String()), ""), 400)
	if msg := r.message(t); !strings.Contains(msg, "too many conditions") {
		t.Errorf("GET /conversations with a filter of 101 conditions: message = %q, want it to say too many conditions", msg)
	}
	long := `{"custom":{"k":["oneOf",["` + strings.Repeat("x", 20<<10) + `"]]}}`
	r = must(t, e.raw("GET", "/conversations?filter="+url.QueryEscape(long), ""), 400)
	if msg := r.message(t); !strings.Contains(msg, "too long") {
		t.Errorf("GET /conversations with a filter of %d bytes: message = %q, want it to say too long", len(long), msg)
	}
}

// Text is sent as it is: < > & are not escaped to six bytes each.
func TestAnswersDoNotEscapeHTML(t *testing.T) {
	e := newEnv(t)
	e.conv("c", "alice")
	text := strings.Repeat("<", 10000)
	e.send("c", userMsg("alice", text))
	r := must(t, e.raw("GET", "/conversations/c/messages", ""), 200)
	// The text is there twice: as text and in the content block derived
	// from it (TalkJS sends both).
	if len(r.body) > 2*len(text)+1000 {
		t.Errorf("GET …/messages holding %d bytes of text = %d bytes, want at most %d (no HTML escaping)", len(text), len(r.body), 2*len(text)+1000)
	}
	var l gen.MessageList
	if err := json.Unmarshal(r.body, &l); err != nil || (*l.Data)[0].Text.MustGet() != text {
		t.Errorf("GET …/messages: text is not the %d '<' sent (decoding error: %v), want it whole", len(text), err)
	}
}

// Without response validation and faults the server writes answers as they
// are made (lists stream item by item); statuses, headers and bodies are
// the same as when they are recorded whole.
func TestDirectAnswers(t *testing.T) {
	srv := api.NewServer(api.WithAppID(testApp), api.WithSecret(testSecret), api.WithMaxBodyBytes(1<<10), api.WithRateLimit(0.001, 40))
	hs := httptest.NewServer(srv)
	defer hs.Close()
	do := func(method, path, body string, hdr ...string) (int, http.Header, []byte) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, hs.URL+"/v1/"+testApp+path, rd)
		req.Header.Set("Authorization", "Bearer "+testSecret)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	do("PUT", "/users/alice", `{"name":"Alice"}`)
	for i := 0; i < 3; i++ {
		do("PUT", fmt.Sprintf("/conversations/c%d", i), `{"participants":["alice"]}`)
		do("POST", fmt.Sprintf("/conversations/c%d/messages", i), `[{"type":"UserMessage","sender":"alice","text":"<hi>"}]`)
	}
	for _, path := range []string{"/conversations", "/users/alice/conversations", "/conversations/c1/messages"} {
		code, h, b := do("GET", path, "")
		var l struct{ Data []json.RawMessage }
		if code != 200 || h.Get("Content-Type") != "application/json" || json.Unmarshal(b, &l) != nil || len(l.Data) == 0 {
			t.Errorf("GET %s = %d %q %s, want 200 application/json with a non-empty data list", path, code, h.Get("Content-Type"), b)
		}
	}
	if code, _, b := do("GET", "/conversations/nope", ""); code != 404 || !strings.Contains(string(b), "not_found") {
		t.Errorf("GET /conversations/nope = %d %s, want 404 not_found", code, b)
	}
	if code, _, _ := do("GET", "/users", "", "Authorization", "Bearer wrong"); code != 401 {
		t.Errorf("GET /users with a wrong token = %d, want 401", code)
	}
	if code, h, _ := do("DELETE", "/users", ""); code != 405 || h.Get("Allow") == "" {
		t.Errorf("DELETE /users = %d Allow %q, want 405 with an Allow header", code, h.Get("Allow"))
	}
	addr := strings.TrimPrefix(hs.URL, "http://")
	if status, err := sendWholeThenRead(addr, "/v1/"+testApp+"/users/alice", "application/json", 8<<20, true); err != nil || status != 413 {
		t.Errorf("chunked PUT /users/alice of 8 MiB = %d, %v; want 413", status, err)
	}
	for {
		code, h, _ := do("GET", "/users", "")
		if code == 429 {
			if h.Get("Retry-After") == "" {
				t.Error("GET /users past the rate limit = 429 without Retry-After, want the header")
			}
			break
		}
		if code != 200 {
			t.Fatalf("GET /users until rate limited = %d, want 200 until 429", code)
		}
	}
}

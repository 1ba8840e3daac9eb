package talkjs

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"mime"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// opCase calls one operation against a canned answer and checks what was
// sent and what came back.
type opCase struct {
	op     string // operationId the server must see
	answer string // JSON body of the 200 answer
	call   func(ctx context.Context, c *Client) (any, error)
	// method and path the server must see (path below /v1/tApp42)
	method, path string
	query        url.Values // expected query, when not nil
	body         string     // expected JSON body, compared as JSON, when not ""
	want         any        // expected result, when not nil
}

func jsonEqual(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %s is not JSON: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: want %s is not JSON: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

func TestEveryOperation(t *testing.T) {
	cases := []opCase{
		{op: "createOrUpdateUser", method: "PUT", path: "/users/alice",
			body: `{"name":"Alice","email":["a@example.com"],"photoUrl":null,"custom":{"plan":"pro","old":null}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Users.Upsert(ctx, "alice", UserInput{
					Name: "Alice", Email: Values("a@example.com"), PhotoURL: Null[string](),
					Custom: Value(CustomInput{"plan": Value("pro"), "old": Null[string]()}),
				})
			}},
		{op: "getUser", method: "GET", path: "/users/alice",
			answer: `{"id":"alice","name":"Alice","email":["a@example.com"],"photoUrl":null,"custom":{"k":"v"},"createdAt":1700000000000}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Users.Get(ctx, "alice") },
			want:   &User{ID: "alice", Name: "Alice", Email: []string{"a@example.com"}, Custom: map[string]string{"k": "v"}, CreatedAt: 1700000000000}},
		{op: "listUsers", method: "GET", path: "/users", query: url.Values{"limit": {"5"}, "startingAfter": {"bob"}},
			answer: `{"data":[{"id":"carol","name":"Carol"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.List(ctx, &ListOptions{Limit: 5, StartingAfter: "bob"})
			},
			want: []User{{ID: "carol", Name: "Carol"}}},
		{op: "batchUpdateUsers", method: "PUT", path: "/users",
			body: `{"a":{"name":"A"},"b":{"role":null}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.UpsertMany(ctx, []UserUpsert{{ID: "a", User: UserInput{Name: "A"}}, {ID: "b", User: UserInput{Role: Null[string]()}}})
			},
			want: 2},
		{op: "listUserConversations", method: "GET", path: "/users/alice/conversations",
			query:  url.Values{"unreadsOnly": {"true"}, "orderBy": {"createdAt"}, "orderDirection": {"ASC"}, "limit": {"3"}, "lastMessageAfter": {"5"}, "filter": {`{"custom":{"a":["==","b c&d"]}}`}},
			answer: `{"data":[{"id":"c1","subject":"S","isUnread":true,"unreadMessageCount":2,"readUntil":7,"participants":{"alice":{"access":"ReadWrite","notify":"MentionsOnly"}}}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Users.Conversations(ctx, "alice", &UserConversationListOptions{UnreadsOnly: true,
					ListOptions: ListOptions{Limit: 3}, OrderBy: OrderByCreatedAt, OrderDirection: Ascending,
					LastMessageAfter: 5, Filter: RawFilter(`{"custom":{"a":["==","b c&d"]}}`)})
			},
			want: []UserConversation{{Conversation: Conversation{ID: "c1", Subject: "S",
				Participants: map[string]Participant{"alice": {Access: AccessReadWrite, Notify: NotifyMentionsOnly}}},
				IsUnread: true, UnreadMessageCount: 2, ReadUntil: 7}}},
		{op: "getUserPresence", method: "GET", path: "/users/alice/presence",
			answer: `{"visible":true,"availability":"online","lastChanged":3}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Presence.Get(ctx, "alice") },
			want:   &Presence{Visible: true, Availability: "online", LastChanged: 3}},
		{op: "setUserPresence", method: "PUT", path: "/users/alice/presence", body: `{"visible":true,"availability":"offline"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Presence.Set(ctx, "alice", Presence{Visible: true, Availability: "offline"})
			}},
		{op: "listPresences", method: "POST", path: "/presences", body: `{"userIds":["alice"],"hasFocus":true,"selectedConversationId":null}`,
			answer: `{"data":{"alice":{"status":"online","widgets":[{"sessionId":"s1","hasFocus":true}]}}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Presence.List(ctx, &PresenceQuery{UserIDs: []string{"alice"}, HasFocus: Bool(true), SelectedConversationID: Null[string]()})
			},
			want: map[string]UserPresence{"alice": {Status: "online", Widgets: []PresenceSession{{SessionID: "s1", HasFocus: true}}}}},
		{op: "listConversations", method: "GET", path: "/conversations",
			query:  url.Values{"offsetTs": {"1700000000000"}, "lastMessageBefore": {"9"}},
			answer: `{"data":[{"id":"c1","lastMessage":{"id":"m1","text":"hi","senderId":null}}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Conversations.List(ctx, &ConversationListOptions{OffsetTs: 1700000000000, LastMessageBefore: 9})
			},
			want: []Conversation{{ID: "c1", LastMessage: &Message{ID: "m1", Text: "hi"}}}},
		{op: "getConversation", method: "GET", path: "/conversations/c1",
			answer: `{"id":"c1","subject":null,"custom":{},"participants":{"a":{"access":"Read","notify":false,"joinedAt":1}},"everyoneReadUntil":null}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Conversations.Get(ctx, "c1") },
			want:   &Conversation{ID: "c1", Custom: map[string]string{}, Participants: map[string]Participant{"a": {Access: AccessRead, Notify: NotifyOff, JoinedAt: 1}}}},
		{op: "createOrUpdateConversation", method: "PUT", path: "/conversations/c1",
			body: `{"subject":null,"photoUrl":"p.png","welcomeMessages":["hi"],"custom":null,"participants":["a","b"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Conversations.Upsert(ctx, "c1", ConversationInput{Subject: Null[string](), PhotoURL: Value("p.png"),
					WelcomeMessages: Values("hi"), Custom: Null[CustomInput](), Participants: []string{"a", "b"}})
			}},
		{op: "deleteConversation", method: "DELETE", path: "/conversations/c1",
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Conversations.Delete(ctx, "c1") }},
		{op: "joinConversation", method: "PUT", path: "/conversations/c1/participants/bob", body: `{"access":"Read","notify":"MentionsOnly"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Participants.Join(ctx, "c1", "bob", &JoinOptions{Access: AccessRead, Notify: NotifyMentionsOnly})
			}},
		{op: "updateParticipant", method: "PATCH", path: "/conversations/c1/participants/bob", body: `{"access":"None","notify":false}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Participants.Update(ctx, "c1", "bob", ParticipantUpdate{Access: AccessNone, Notify: NotifyOff})
			}},
		{op: "leaveConversation", method: "DELETE", path: "/conversations/c1/participants/bob",
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Participants.Leave(ctx, "c1", "bob") }},
		{op: "getApp", method: "GET", path: "",
			answer: `{"id":"tApp42","custom":{"tier":"gold"},"defaultLocale":"nl-NL"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.App.Get(ctx) },
			want:   &App{ID: "tApp42", Custom: map[string]string{"tier": "gold"}, DefaultLocale: "nl-NL"}},
		{op: "updateApp", method: "PUT", path: "", body: `{"custom":{"tier":"gold","old":null},"defaultLocale":null}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.App.Update(ctx, AppInput{Custom: Value(CustomInput{"tier": Value("gold"), "old": Null[string]()}), DefaultLocale: Null[string]()})
			}},
		{op: "sendNotification", method: "POST", path: "/conversations/c1/notifications", body: `{"channels":["email","sms"],"recipients":["bob"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Conversations.Notify(ctx, "c1", Notification{Channels: []NotificationChannel{EmailChannel, SMSChannel}, Recipients: []string{"bob"}})
			}},
		{op: "listUserSessions", method: "GET", path: "/users/alice/sessions",
			answer: `[{"isTyping":true,"currentConversationId":"c1"},{"isTyping":false,"currentConversationId":null}]`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Users.Sessions(ctx, "alice") },
			want:   []Session{{IsTyping: true, CurrentConversationID: "c1"}, {}}},
		{op: "getParticipantEmail", method: "GET", path: "/conversations/c1/participants/bob/email",
			answer: `{"emailAddress":"reply+x@talkjs.example"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Participants.Email(ctx, "c1", "bob") },
			want:   "reply+x@talkjs.example"},
		{op: "markConversationReadByUser", method: "POST", path: "/conversations/c1/readBy/bob",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Participants.MarkRead(ctx, "c1", "bob")
			}},
		{op: "markConversationRead", method: "PATCH", path: "/users/bob/conversations/c1", body: `{"readUntil":"sent"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Participants.SetReadMarker(ctx, "c1", "bob", ReadUntilSent())
			}},
		{op: "listMessages", method: "GET", path: "/conversations/c1/messages", query: url.Values{"limit": {"2"}},
			answer: `{"data":[{"id":"m2","type":"UserMessage","senderId":"a","text":"x","reactions":{"👍":["b"]}},{"id":"m1","type":"SystemMessage","attachment":{"url":"u","size":3,"filename":"f","dimensions":{"width":1,"height":2}}}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Messages.List(ctx, "c1", &ListOptions{Limit: 2})
			},
			want: []Message{{ID: "m2", Type: UserMessageType, SenderID: "a", Text: "x", Reactions: map[string][]string{"👍": {"b"}}},
				{ID: "m1", Type: SystemMessageType, Attachment: &Attachment{URL: "u", Size: 3, Filename: "f", Dimensions: &Dimensions{1, 2}}}}},
		{op: "sendMessages", method: "POST", path: "/conversations/c1/messages",
			body:   `[{"type":"UserMessage","sender":"a","text":"hi","idempotencyKey":"k1"},{"type":"SystemMessage","text":"note","idempotencyKey":"k2"}]`,
			answer: `[{"id":"m1"},{"id":"m2"}]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				u, s := UserMessage("a", "hi"), SystemMessage("note")
				u.IdempotencyKey, s.IdempotencyKey = "k1", "k2"
				return c.Messages.Send(ctx, "c1", u, s)
			},
			want: []string{"m1", "m2"}},
		{op: "deleteAllMessages", method: "DELETE", path: "/conversations/c1/messages",
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Messages.DeleteAll(ctx, "c1") }},
		{op: "getMessage", method: "GET", path: "/conversations/c1/messages/m1",
			answer: `{"id":"m1","location":[52.1,4.3],"editedAt":5}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Messages.Get(ctx, "c1", "m1") },
			want:   &Message{ID: "m1", Location: []float64{52.1, 4.3}, EditedAt: 5}},
		{op: "editMessage", method: "PUT", path: "/conversations/c1/messages/m1", body: `{"text":"fixed","markEdited":true}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Messages.Edit(ctx, "c1", "m1", MessageEdit{Text: "fixed", MarkEdited: true})
			}},
		{op: "deleteMessage", method: "DELETE", path: "/conversations/c1/messages/m1",
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Messages.Delete(ctx, "c1", "m1") }},
		{op: "addReaction", method: "PUT", path: "/conversations/c1/messages/m1/reactions/%F0%9F%91%8D/bob",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Messages.AddReaction(ctx, "c1", "m1", "👍", "bob")
			}},
		{op: "removeReaction", method: "DELETE", path: "/conversations/c1/messages/m1/reactions/%F0%9F%91%8D/bob",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Messages.RemoveReaction(ctx, "c1", "m1", "👍", "bob")
			}},
		{op: "uploadFile", method: "POST", path: "/files", answer: `{"attachmentToken":"tok_1"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Files.Upload(ctx, "hello.txt", strings.NewReader("hello"))
			},
			want: "tok_1"},
		{op: "importMessages", method: "POST", path: "/import/conversations/c1/messages",
			body:   `[{"type":"UserMessage","sender":"a","text":"old","timestamp":1500000000000,"readBy":["b"]}]`,
			answer: `[{"id":"m9"}]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Import.Messages(ctx, "c1", []ImportMessage{{Sender: "a", Text: "old", Timestamp: 1500000000000, ReadBy: []string{"b"}}})
			},
			want: []string{"m9"}},
		{op: "batchRequests", method: "POST", path: "/batch",
			body:   `[[0,"GET","/users/a%2Fb"],[1,"DELETE","/conversations/c1",{},{"api_version":"2021-02-09"}]]`,
			answer: `[[1,200,{}],[0,404,{"error":"not found"}]]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				del := BatchDeleteConversation("c1")
				del.APIVersion = "2021-02-09"
				return c.Batch.Do(ctx, BatchGetUser("a/b"), del)
			},
			want: []BatchResult{{SequenceNumber: 0, Status: 404, Response: json.RawMessage(`{"error":"not found"}`)},
				{SequenceNumber: 1, Status: 200, Response: json.RawMessage(`{}`)}}},
	}

	covered := map[string]bool{}
	var recorded []recordedRequest
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
				if op != tc.op {
					t.Errorf("server saw %s, want %s", op, tc.op)
				}
				answer := tc.answer
				if answer == "" {
					answer = "{}"
				}
				writeJSON(w, http.StatusOK, answer)
			})
			got, err := tc.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			reqs := ts.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			covered[r.Op] = true
			recorded = append(recorded, record(r))
			if r.Method != tc.method || r.Path != "/v1/"+testAppID+tc.path {
				t.Errorf("sent %s %s, want %s /v1/%s%s", r.Method, r.Path, tc.method, testAppID, tc.path)
			}
			if tc.query != nil {
				q, _ := url.ParseQuery(r.Query)
				if !reflect.DeepEqual(q, tc.query) {
					t.Errorf("query %v, want %v", q, tc.query)
				}
			}
			if tc.body != "" {
				jsonEqual(t, "body", r.Body, tc.body)
			}
			if tc.want != nil && !reflect.DeepEqual(deref(got), deref(tc.want)) {
				t.Errorf("got %#v\nwant %#v", deref(got), deref(tc.want))
			}
		})
	}
	var missing []string
	for _, rt := range routes() {
		if !covered[rt.op] {
			missing = append(missing, rt.op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations never called: %v", missing)
	}
	if len(routes()) != len(cases) {
		t.Errorf("gen has %d operations, the table %d", len(routes()), len(cases))
	}
	checkRecordedRequests(t, recorded)
}

// recordedRequest is one request of TestEveryOperation, as
// testdata/operations.json keeps it for the tests of talkjs/validate, which
// validate every one against the spec.
type recordedRequest struct {
	Op          string          `json:"op"`
	Method      string          `json:"method"`
	Path        string          `json:"path"` // escaped, from /v1/{appId} on
	Query       string          `json:"query,omitempty"`
	ContentType string          `json:"contentType,omitempty"`
	Body        json.RawMessage `json:"body,omitempty"`    // a JSON body
	RawBody     string          `json:"rawBody,omitempty"` // any other body
}

var update = flag.Bool("update", false, "rewrite testdata/operations.json from what TestEveryOperation sends")

func record(r seenRequest) recordedRequest {
	rec := recordedRequest{Op: r.Op, Method: r.Method, Path: r.Path, Query: r.Query, ContentType: r.Header.Get("Content-Type")}
	// A multipart boundary is random: name it the same in every run.
	if _, params, err := mime.ParseMediaType(rec.ContentType); err == nil && params["boundary"] != "" {
		rec.ContentType = strings.ReplaceAll(rec.ContentType, params["boundary"], "BOUNDARY")
		r.Body = bytes.ReplaceAll(r.Body, []byte(params["boundary"]), []byte("BOUNDARY"))
	}
	switch {
	case len(r.Body) == 0:
	case json.Valid(r.Body):
		var buf bytes.Buffer
		_ = json.Compact(&buf, r.Body)
		rec.Body = buf.Bytes()
	default:
		rec.RawBody = string(r.Body)
	}
	return rec
}

// checkRecordedRequests compares the requests with testdata/operations.json
// (or rewrites it with -update): a change in what the client sends must be
// recorded there, where the tests of talkjs/validate check it against the
// spec.
func checkRecordedRequests(t *testing.T, got []recordedRequest) {
	t.Helper()
	sort.Slice(got, func(i, j int) bool { return got[i].Op < got[j].Op })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	const file = "testdata/operations.json"
	if *update {
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run TestEveryOperation -update ./talkjs/ to write it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("the requests differ from %s: run go test -run TestEveryOperation -update ./talkjs/ and commit (go test ./talkjs/validate/ then checks them against the spec)\ngot:\n%s", file, out)
	}
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return v
}

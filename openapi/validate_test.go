package openapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/openapi"
)

func newValidator(t *testing.T) *openapi.Validator {
	t.Helper()
	v, err := openapi.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func request(method, target, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer x")
	return r
}

func TestValidRequestsPass(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	ok := []struct{ method, target, body, op string }{
		{"GET", "/v1/app/users/alice", "", "getUser"},
		{"GET", "/v1/app/users/a%2Fb%20c", "", "getUser"},
		{"GET", "/v1/app/users/alice/conversations", "", "listUserConversations"},
		{"PUT", "/v1/app/users/alice", `{"email":null,"custom":{"k":null}}`, "createOrUpdateUser"},
		{"GET", "/v1/app/conversations?limit=100&orderBy=createdAt&orderDirection=ASC&offsetTs=5&filter=%7B%7D", "", "listConversations"},
		{"POST", "/v1/app/conversations/c1/messages", `[{"type":"SystemMessage","text":"hi"}]`, "sendMessages"},
		{"PATCH", "/v1/app/conversations/c1/participants/u1", `{"access":"None","notify":"MentionsOnly"}`, "updateParticipant"},
		{"PATCH", "/v1/app/users/u1/conversations/c1", `{"readUntil":"sent"}`, "markConversationRead"},
		{"PATCH", "/v1/app/users/u1/conversations/c1", `{"readUntil":1700000000000}`, "markConversationRead"},
		{"POST", "/v1/app/conversations/c1/readBy/u1", "", "markConversationReadByUser"},
		{"POST", "/v1/app/batch", `[[1,"GET","/users/a"],[2,"PUT","/users/b",{"name":"B"},{"api_version":"2021-02-09"}]]`, "batchRequests"},
	}
	for _, c := range ok {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			r := request(c.method, c.target, c.body)
			route, err := v.ValidateRequest(r, false)
			if err != nil {
				t.Fatalf("ValidateRequest(%s %s %s) = %v, want nil", c.method, c.target, c.body, err)
			}
			if route.OperationID != c.op {
				t.Errorf("ValidateRequest(%s %s) matched %s, want %s", c.method, c.target, route.OperationID, c.op)
			}
			if c.body != "" {
				got, _ := io.ReadAll(r.Body)
				if string(got) != c.body {
					t.Errorf("body after ValidateRequest(%s %s) = %q, want %q", c.method, c.target, got, c.body)
				}
			}
		})
	}
}

func TestInvalidRequestsAreExplained(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	bad := []struct {
		method, target, body string
		status               int
		want                 string
	}{
		{"GET", "/v1/app/nothing", "", 404, "no operation has the path"},
		{"POST", "/v1/app/users/alice", "", 405, "POST is not allowed"},
		{"GET", "/v1/app/conversations?limit=500", "", 400, `query parameter "limit": must be at most 100`},
		{"GET", "/v1/app/conversations?orderBy=name", "", 400, `query parameter "orderBy": must be one of lastActivity, createdAt`},
		{"GET", "/v1/app/conversations?offsetTs=yesterday", "", 400, `query parameter "offsetTs"`},
		{"POST", "/v1/app/conversations/c1/messages", `[{"type":"Shout","text":"hi"}]`, 400, `request body: field "[0].type": must be one of UserMessage, SystemMessage`},
		{"POST", "/v1/app/conversations/c1/messages", `[]`, 400, "must have at least 1 item"},
		{"POST", "/v1/app/conversations/c1/messages", "[" + strings.Repeat(`{"type":"SystemMessage","text":"x"},`, 10) + `{"type":"SystemMessage","text":"x"}]`, 400, "must have at most 10 items"},
		{"POST", "/v1/app/conversations/c1/messages", `[{"text":"hi"}]`, 400, `property "type" is missing`},
		{"PUT", "/v1/app/users/alice", `{"name":42}`, 400, `field "name": must be a string`},
		{"PUT", "/v1/app/users/alice", `{"custom":{"k":1}}`, 400, `field "custom.k": must be a string or null`},
		{"PUT", "/v1/app/conversations/c1/participants/u1", `{"access":"None"}`, 400, `field "access": must be one of ReadWrite, Read`},
		{"PUT", "/v1/app/users/alice", `{"name":`, 400, "request body"},
		{"GET", "/v1/app/users/alice", "", 400, `header parameter "TalkJS-REST-Version": must match`},
	}
	for _, c := range bad {
		t.Run(c.want, func(t *testing.T) {
			r := request(c.method, c.target, c.body)
			if strings.Contains(c.want, "TalkJS-REST-Version") {
				r.Header.Set("TalkJS-REST-Version", "latest")
			}
			_, err := v.ValidateRequest(r, false)
			ve, ok := err.(*openapi.ValidationError)
			if !ok {
				t.Fatalf("ValidateRequest(%s %s %.40s) = %v, want a *ValidationError", c.method, c.target, c.body, err)
			}
			t.Logf("%d %s", ve.Status, ve.Error())
			if ve.Status != c.status || !strings.Contains(ve.Error(), c.want) {
				t.Errorf("ValidateRequest(%s %s %.40s) = %d %q, want %d containing %q", c.method, c.target, c.body, ve.Status, ve.Error(), c.status, c.want)
			}
			if strings.Contains(ve.Error(), "\n") || strings.Contains(ve.Error(), "Schema:") {
				t.Errorf("ValidateRequest(%s %s) error = %q, want one readable sentence", c.method, c.target, ve.Error())
			}
		})
	}
}

func TestResponseValidation(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	r := request("GET", "/v1/app/users/alice", "")
	route, err := v.ValidateRequest(r, false)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": []string{"application/json"}}
	if err := v.ValidateResponse(r, route, 200, h, []byte(`{"id":"alice","name":"Alice","createdAt":1}`)); err != nil {
		t.Errorf("ValidateResponse(200, valid user) = %v, want nil", err)
	}
	if err := v.ValidateResponse(r, route, 200, h, []byte(`{"id":"alice","createdAt":"yesterday"}`)); err == nil || !strings.Contains(err.Error(), "createdAt") {
		t.Errorf("ValidateResponse(200, createdAt yesterday) = %v, want an error naming createdAt", err)
	}
	if err := v.ValidateResponse(r, route, 418, h, []byte(`{}`)); err == nil {
		t.Error("ValidateResponse(418, {}) = nil, want an error (undocumented status)")
	}
}

func TestOperationIDsComplete(t *testing.T) {
	t.Parallel()
	ids, err := openapi.OperationIDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 44 {
		t.Errorf("OperationIDs() = %d ids %v, want 44", len(ids), ids)
	}
}

// failingBody fails the test if anything reads it.
type failingBody struct{ t *testing.T }

func (b failingBody) Read([]byte) (int, error) {
	b.t.Error("ValidateRequest(upload, skipBody true) read the body, want it unread")
	return 0, io.ErrUnexpectedEOF
}
func (failingBody) Close() error { return nil }

func TestSkipBodyLeavesUploadUnread(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	r := httptest.NewRequest("POST", "/v1/app/files", nil)
	r.Header.Set("Authorization", "Bearer x")
	r.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
	r.Body = failingBody{t}
	r.ContentLength = 100 << 20
	route, err := v.ValidateRequest(r, true)
	if err != nil {
		t.Fatal(err)
	}
	if route.OperationID != "uploadFile" {
		t.Errorf("ValidateRequest(POST /v1/app/files, skipBody) matched %s, want uploadFile", route.OperationID)
	}
	if _, ok := r.Body.(failingBody); !ok {
		t.Errorf("request body after ValidateRequest(upload, skipBody) = %T, want the caller's body", r.Body)
	}
}

// TestGetBodyIsWhatIsPutBack: a request whose GetBody gives its body (as
// the server sets it, to read the body once) is validated all the same, and
// its body is readable, whole, afterwards, for a valid and an invalid body
// and for an operation that has no body.
func TestGetBodyIsWhatIsPutBack(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	cases := []struct {
		name, method, target, body string
		valid                      bool
	}{
		{"valid body", "POST", "/v1/app/conversations/c1/messages", `[{"type":"UserMessage","sender":"a","text":"hi"}]`, true},
		{"invalid body", "POST", "/v1/app/conversations/c1/messages", `[{"type":"NoSuchType","text":"hi"}]`, false},
		{"operation without a body", "POST", "/v1/app/conversations/c1/readBy/u1", `{"ignored":true}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := request(c.method, c.target, c.body)
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(c.body)), nil }
			r.Body, _ = r.GetBody()
			_, err := v.ValidateRequest(r, false)
			if (err == nil) != c.valid {
				want := "nil"
				if !c.valid {
					want = "an error"
				}
				t.Errorf("ValidateRequest(%s %s %s) = %v, want %s", c.method, c.target, c.body, err, want)
			}
			if got, _ := io.ReadAll(r.Body); string(got) != c.body {
				t.Errorf("body after ValidateRequest(%s %s) = %q, want %q", c.method, c.target, got, c.body)
			}
		})
	}
}

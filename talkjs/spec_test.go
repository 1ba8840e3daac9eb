package talkjs

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gotalkjs/talkjs-go/gen"
	"github.com/gotalkjs/talkjs-go/openapi"
)

// jsonFields lists the JSON names of t's fields, following embedded structs.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// schemaProps lists a schema's properties, through allOf, and which are deprecated.
func schemaProps(s *openapi3.Schema, into map[string]bool) {
	for name, p := range s.Properties {
		into[name] = p.Value != nil && p.Value.Deprecated
	}
	for _, part := range s.AllOf {
		schemaProps(part.Value, into)
	}
}

// TestTypesMatchSpec keeps the model and input types in step with the
// spec: no field the spec lacks, no property the type lacks (other than
// deprecated ones).
func TestTypesMatchSpec(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	pairs := map[string]any{
		"User": User{}, "UserInput": UserInput{}, "UserList": struct {
			Data []User `json:"data"`
		}{},
		"Conversation": Conversation{}, "UserConversation": UserConversation{}, "ConversationInput": ConversationInput{},
		"Participant": Participant{}, "ParticipationInput": JoinOptions{}, "ParticipationUpdate": ParticipantUpdate{},
		"ParticipantEmail": struct {
			EmailAddress string `json:"emailAddress"`
		}{},
		"App": App{}, "AppInput": AppInput{}, "NotificationInput": Notification{}, "UserSession": Session{},
		"Message": Message{}, "Attachment": Attachment{}, "Dimensions": Dimensions{}, "ContentBlock": ContentBlock{},
		"SendMessageInput": MessageInput{}, "ImportMessageInput": ImportMessage{}, "EditMessageInput": MessageEdit{},
		"PresenceQuery": PresenceQuery{}, "UserPresence": UserPresence{}, "PresenceSession": PresenceSession{}, "Presence": Presence{},
		"MessageRef": struct {
			ID string `json:"id"`
		}{},
		"AttachmentToken": struct {
			AttachmentToken string `json:"attachmentToken"`
		}{},
		"ReadMarkerInput": struct {
			ReadUntil ReadMarker `json:"readUntil"`
		}{},
	}
	for schema, v := range pairs {
		ref := doc.Components.Schemas[schema]
		if ref == nil || ref.Value == nil {
			t.Errorf("the spec has no schema %s", schema)
			continue
		}
		props := map[string]bool{}
		schemaProps(ref.Value, props)
		fields := jsonFields(reflect.TypeOf(v))
		have := map[string]bool{}
		for _, f := range fields {
			have[f] = true
			if _, ok := props[f]; !ok {
				t.Errorf("%T has field %q, which schema %s lacks", v, f, schema)
			}
		}
		var missing []string
		for p, deprecated := range props {
			if !have[p] && !deprecated {
				missing = append(missing, p)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%T lacks %v of schema %s", v, missing, schema)
		}
	}
	// Enums too.
	enums := map[string][]string{
		"Access":              {string(AccessReadWrite), string(AccessRead), string(AccessNone)},
		"MessageType":         {string(UserMessageType), string(SystemMessageType)},
		"ConversationOrderBy": {string(OrderByLastActivity), string(OrderByCreatedAt)},
		"OrderDirection":      {string(Descending), string(Ascending)},
	}
	for schema, values := range enums {
		var spec []string
		for _, v := range doc.Components.Schemas[schema].Value.Enum {
			spec = append(spec, v.(string))
		}
		sort.Strings(spec)
		sort.Strings(values)
		if strings.Join(spec, ",") != strings.Join(values, ",") {
			t.Errorf("enum %s: spec %v, talkjs %v", schema, spec, values)
		}
	}
}

func TestRequestValidationOption(t *testing.T) {
	c, ts := newTestServer(t, nil, withSpecCheck())
	// A body no public call would build: an empty message list.
	cl, err := newJSONCall(t.Context(), []MessageInput{}, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewSendMessagesRequestWithBody(c.server, "c1", nil, ct, body)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = c.do(cl)
	var ae *ArgumentError
	var ve *openapi.ValidationError
	if !errors.As(err, &ae) || ae.Arg != "request" || !errors.As(err, &ve) || !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("err = %v, want an *ArgumentError wrapping an *openapi.ValidationError", err)
	}
	if !strings.Contains(err.Error(), "at least 1 item") {
		t.Errorf("err %q does not say what is wrong", err)
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
	// A valid call still goes through, uploads included.
	if _, err := c.Files.Upload(context.Background(), "a.txt", strings.NewReader("x")); err == nil {
		t.Error("the canned {} answer has no token: want an error") // but the request was sent:
	}
	if n := len(ts.requests()); n != 1 {
		t.Errorf("%d requests, want the upload", n)
	}
}

func TestServerCatchesSpecViolations(t *testing.T) {
	// A middleware corrupts the request after the client built it: the
	// validating test server must notice.
	tamper := func(next http.RoundTripper) http.RoundTripper {
		return RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			q := r.URL.Query()
			q.Set("limit", "500")
			r.URL.RawQuery = q.Encode()
			return next.RoundTrip(r)
		})
	}
	c, ts := newTestServer(t, nil, WithMiddleware(tamper), WithMaxRetries(0))
	ts.allowInvalid = true
	_, err := c.Users.List(context.Background(), nil)
	if !errors.Is(err, ErrBadRequest) {
		t.Errorf("err = %v, want the server's 400", err)
	}
	if len(ts.violations) != 1 || !strings.Contains(ts.violations[0], `"limit"`) {
		t.Errorf("violations %v", ts.violations)
	}
}

// A base URL with a path prefix (a proxy) keeps working with validation on:
// the spec's paths start at /v1/{appId}, and the prefix is not part of them.
func TestRequestValidationBehindAPathPrefix(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.EscapedPath())
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"a/b","name":"A"}`)
	}))
	defer srv.Close()
	for _, prefix := range []string{"/proxy/talkjs", "/v1/odd prefix"} {
		got = nil
		c, err := NewClient("app1", "sk_test_prefix", WithBaseURL(srv.URL+(&url.URL{Path: prefix}).EscapedPath()), withSpecCheck())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Users.Get(context.Background(), "a/b"); err != nil {
			t.Fatalf("prefix %q: %v", prefix, err)
		}
		want := (&url.URL{Path: prefix}).EscapedPath() + "/v1/app1/users/a%2Fb"
		if len(got) != 1 || got[0] != want {
			t.Errorf("prefix %q: server saw %v, want %s", prefix, got, want)
		}
		// Validation still rejects what breaks the spec behind the prefix.
		cl, err := newJSONCall(t.Context(), []MessageInput{}, func(ct string, body io.Reader) (*http.Request, error) {
			return gen.NewSendMessagesRequestWithBody(c.server, "c1", nil, ct, body)
		})
		if err != nil {
			t.Fatal(err)
		}
		var ve *openapi.ValidationError
		if err := c.do(cl); !errors.As(err, &ve) || ve.Status != http.StatusBadRequest {
			t.Errorf("prefix %q: an empty send gave %v, want a 400 validation error", prefix, err)
		}
		if len(got) != 1 {
			t.Errorf("prefix %q: the invalid request was sent", prefix)
		}
	}
}

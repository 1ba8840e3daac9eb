package validate_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gotalkjs/talkjs-go/openapi"
	"github.com/gotalkjs/talkjs-go/talkjs"
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
	t.Parallel()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	pairs := map[string]any{
		"User": talkjs.User{}, "UserInput": talkjs.UserInput{}, "UserList": struct {
			Data []talkjs.User `json:"data"`
		}{},
		"Conversation": talkjs.Conversation{}, "UserConversation": talkjs.UserConversation{}, "ConversationInput": talkjs.ConversationInput{},
		"Participant": talkjs.Participant{}, "ParticipationInput": talkjs.JoinOptions{}, "ParticipationUpdate": talkjs.ParticipantUpdate{},
		"ParticipantEmail": struct {
			EmailAddress string `json:"emailAddress"`
		}{},
		"App": talkjs.App{}, "AppInput": talkjs.AppInput{}, "NotificationInput": talkjs.Notification{}, "UserSession": talkjs.Session{},
		"Message": talkjs.Message{}, "Attachment": talkjs.Attachment{}, "Dimensions": talkjs.Dimensions{}, "ContentBlock": talkjs.ContentBlock{},
		"SendMessageInput": talkjs.MessageInput{}, "ImportMessageInput": talkjs.ImportMessage{}, "EditMessageInput": talkjs.MessageEdit{},
		"PresenceQuery": talkjs.PresenceQuery{}, "UserPresence": talkjs.UserPresence{}, "PresenceSession": talkjs.PresenceSession{}, "Presence": talkjs.Presence{},
		"MessageRef": struct {
			ID string `json:"id"`
		}{},
		"AttachmentToken": struct {
			AttachmentToken string `json:"attachmentToken"`
		}{},
		"ReadMarkerInput": struct {
			ReadUntil talkjs.ReadMarker `json:"readUntil"`
		}{},
	}
	for schema, v := range pairs {
		t.Run(schema, func(t *testing.T) {
			ref := doc.Components.Schemas[schema]
			if ref == nil || ref.Value == nil {
				t.Fatalf("components.schemas.%s = nil, want the schema in the spec", schema)
			}
			props := map[string]bool{}
			schemaProps(ref.Value, props)
			fields := jsonFields(reflect.TypeOf(v))
			have := map[string]bool{}
			for _, f := range fields {
				have[f] = true
				if _, ok := props[f]; !ok {
					t.Errorf("%T has field %q, want only properties of schema %s", v, f, schema)
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
				t.Errorf("%T lacks %v, want every property of schema %s but the deprecated ones", v, missing, schema)
			}
		})
	}
	// Enums too.
	enums := map[string][]string{
		"Access":              {string(talkjs.AccessReadWrite), string(talkjs.AccessRead), string(talkjs.AccessNone)},
		"MessageType":         {string(talkjs.UserMessageType), string(talkjs.SystemMessageType)},
		"ConversationOrderBy": {string(talkjs.OrderByLastActivity), string(talkjs.OrderByCreatedAt)},
		"OrderDirection":      {string(talkjs.Descending), string(talkjs.Ascending)},
	}
	for schema, values := range enums {
		var spec []string
		for _, v := range doc.Components.Schemas[schema].Value.Enum {
			spec = append(spec, v.(string))
		}
		sort.Strings(spec)
		sort.Strings(values)
		if strings.Join(spec, ",") != strings.Join(values, ",") {
			t.Errorf("talkjs constants of enum %s = %v, want %v as in the spec", schema, values, spec)
		}
	}
}

// TestRecordedRequestsFollowTheSpec replays, through the spec's validator,
// the request the client sent for each operation in talkjs's
// TestEveryOperation (recorded in talkjs/testdata/operations.json, which
// that test holds to what the client sends): the client's own tests do not
// link a validator, so that no program importing talkjs has one in its
// module graph.
func TestRecordedRequestsFollowTheSpec(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../testdata/operations.json")
	if err != nil {
		t.Fatal(err)
	}
	var recorded []struct {
		Op, Method, Path, Query, ContentType string
		Body                                 json.RawMessage
		RawBody                              string
	}
	if err := json.Unmarshal(data, &recorded); err != nil {
		t.Fatal(err)
	}
	v, err := openapi.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, rec := range recorded {
		t.Run(rec.Op, func(t *testing.T) {
			body := []byte(rec.RawBody)
			if len(rec.Body) > 0 {
				body = rec.Body
			}
			target := rec.Path
			if rec.Query != "" {
				target += "?" + rec.Query
			}
			r := httptest.NewRequest(rec.Method, target, bytes.NewReader(body))
			if rec.ContentType != "" {
				r.Header.Set("Content-Type", rec.ContentType)
			}
			r.Header.Set("Authorization", "Bearer x")
			route, err := v.ValidateRequest(r, false)
			if err != nil {
				t.Fatalf("ValidateRequest(%s %s) = %v, want nil", rec.Method, target, err)
			}
			if route.OperationID != rec.Op {
				t.Errorf("ValidateRequest(%s %s) matched %s, want %s (talkjs's tests name operations after gen's handlers)", rec.Method, target, route.OperationID, rec.Op)
			}
			seen[route.OperationID] = true
		})
	}
	ids, err := openapi.OperationIDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !seen[id] && !strings.HasSuffix(id, "Head") {
			t.Errorf("operation %s: no recorded request, want one (HEAD aside, the client calls every operation)", id)
		}
	}
}

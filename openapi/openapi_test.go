package openapi_test

import (
	"bytes"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gotalkjs/talkjs-go/openapi"
)

func mustParse(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi.Parse()
	if err != nil {
		t.Fatalf("openapi.Parse() of the embedded spec = %v, want nil", err)
	}
	return doc
}

// op returns the operation at method and path, failing the test if absent.
func op(t *testing.T, doc *openapi3.T, method, path string) *openapi3.Operation {
	t.Helper()
	item := doc.Paths.Find(path)
	if item == nil {
		t.Fatalf("spec path %s = nil, want the path", path)
	}
	o := item.GetOperation(method)
	if o == nil {
		t.Fatalf("spec operation %s %s = nil, want the operation", method, path)
	}
	return o
}

// param finds a parameter of an operation or its path item by name.
func param(doc *openapi3.T, method, path, name string) *openapi3.Parameter {
	item := doc.Paths.Find(path)
	for _, refs := range []openapi3.Parameters{item.Parameters, item.GetOperation(method).Parameters} {
		for _, p := range refs {
			if p.Value != nil && p.Value.Name == name {
				return p.Value
			}
		}
	}
	return nil
}

func TestEverySeedOperationKept(t *testing.T) {
	t.Parallel()
	seedData, err := os.ReadFile("../testdata/seed/talkjs-openapi.seed.yml")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := openapi3.NewLoader().LoadFromData(seedData)
	if err != nil {
		t.Fatalf("LoadFromData(seed spec) = %v, want nil", err)
	}
	doc := mustParse(t)
	n := 0
	for path, item := range seed.Paths.Map() {
		for method, seedOp := range item.Operations() {
			n++
			got := op(t, doc, method, path)
			if got.OperationID != seedOp.OperationID {
				t.Errorf("%s %s operationId = %q, want the seed's %q", method, path, got.OperationID, seedOp.OperationID)
			}
		}
	}
	if n != 23 {
		t.Errorf("the seed has %d operations, want 23: did the seed file change?", n)
	}
}

func TestAdditionsPresent(t *testing.T) {
	t.Parallel()
	doc := mustParse(t)
	t.Run("list parameters", func(t *testing.T) {
		listParams := []string{"limit", "startingAfter", "orderBy", "orderDirection", "offsetTs", "lastMessageBefore", "lastMessageAfter", "filter"}
		for _, name := range listParams {
			if param(doc, http.MethodGet, "/conversations", name) == nil {
				t.Errorf("GET /conversations parameter %s = nil, want it declared", name)
			}
			if param(doc, http.MethodGet, "/users/{userId}/conversations", name) == nil {
				t.Errorf("GET /users/{userId}/conversations parameter %s = nil, want it declared", name)
			}
		}
		if param(doc, http.MethodGet, "/users/{userId}/conversations", "unreadsOnly") == nil {
			t.Error("GET /users/{userId}/conversations parameter unreadsOnly = nil, want it declared")
		}
		orderBy := param(doc, http.MethodGet, "/conversations", "orderBy").Schema.Value
		if want := []string{"lastActivity", "createdAt"}; !sameEnum(orderBy.Enum, want...) {
			t.Errorf("orderBy enum = %v, want %v", orderBy.Enum, want)
		}
		dir := param(doc, http.MethodGet, "/conversations", "orderDirection").Schema.Value
		if want := []string{"DESC", "ASC"}; !sameEnum(dir.Enum, want...) {
			t.Errorf("orderDirection enum = %v, want %v", dir.Enum, want)
		}
	})

	t.Run("added operations", func(t *testing.T) {
		added := []struct{ method, path, id string }{
			{"POST", "/conversations/{conversationId}/readBy/{userId}", "markConversationReadByUser"},
			{"PATCH", "/conversations/{conversationId}/participants/{userId}", "updateParticipant"},
			{"DELETE", "/conversations/{conversationId}/messages", "deleteAllMessages"},
			{"POST", "/files", "uploadFile"},
			{"POST", "/presences", "listPresences"},
			{"GET", "/conversations/{conversationId}/participants/{userId}/email", "getParticipantEmail"},
		}
		for _, a := range added {
			if got := op(t, doc, a.method, a.path).OperationID; got != a.id {
				t.Errorf("%s %s operationId = %q, want %q", a.method, a.path, got, a.id)
			}
		}
		if rb := op(t, doc, "POST", "/conversations/{conversationId}/readBy/{userId}").RequestBody; rb != nil {
			t.Errorf("POST .../readBy/{userId} requestBody = %+v, want none", rb)
		}
	})

	schemas := doc.Components.Schemas
	t.Run("access", func(t *testing.T) {
		if want := []string{"ReadWrite", "Read", "None"}; !sameEnum(schemas["Access"].Value.Enum, want...) {
			t.Errorf("Access enum = %v, want %v", schemas["Access"].Value.Enum, want)
		}
		if ref, want := schemas["ParticipationUpdate"].Value.Properties["access"].Ref, "#/components/schemas/Access"; ref != want {
			t.Errorf("ParticipationUpdate.access $ref = %q, want %q", ref, want)
		}
	})
	t.Run("message edit", func(t *testing.T) {
		if schemas["EditMessageInput"].Value.Properties["markEdited"] == nil {
			t.Error("EditMessageInput.markEdited = nil, want the property")
		}
	})
	t.Run("files", func(t *testing.T) {
		upload := op(t, doc, "POST", "/files").RequestBody.Value.Content.Get("multipart/form-data")
		if upload == nil {
			t.Fatal("POST /files requestBody multipart/form-data = nil, want it declared")
		}
		if p := upload.Schema.Value.Properties; p["file"] == nil || p["filename"] == nil {
			t.Errorf("POST /files form properties = %v, want file and filename", keys(p))
		}
		tok := op(t, doc, "POST", "/files").Responses.Status(200).Value.Content.Get("application/json").Schema.Value
		if tok.Properties["attachmentToken"] == nil {
			t.Errorf("POST /files 200 properties = %v, want attachmentToken", keys(tok.Properties))
		}
		for _, s := range []string{"SendMessageInput", "ImportMessageInput"} {
			if schemas[s].Value.Properties["attachmentToken"] == nil {
				t.Errorf("%s.attachmentToken = nil, want the property", s)
			}
		}
	})
	t.Run("import", func(t *testing.T) {
		imp := schemas["ImportMessageInput"].Value
		if imp.Properties["timestamp"] == nil {
			t.Error("ImportMessageInput.timestamp = nil, want the property")
		}
		if c := imp.Properties["createdAt"]; c == nil || !c.Value.Deprecated {
			t.Error("ImportMessageInput.createdAt is gone or not deprecated, want the seed's property kept, deprecated")
		}
	})
	t.Run("limits", func(t *testing.T) {
		for _, s := range []string{"SendMessagesInput", "ImportMessagesInput", "BatchInput"} {
			if mx := schemas[s].Value.MaxItems; mx == nil || *mx != 10 {
				t.Errorf("%s maxItems = %v, want 10", s, orNone(mx))
			}
		}
		if mx := schemas["BatchUserInput"].Value.MaxProps; mx == nil || *mx != 100 {
			t.Errorf("BatchUserInput maxProperties = %v, want 100", orNone(mx))
		}
		batchOp := schemas["BatchOperation"].Value
		if batchOp.Type.Is("array") == false || batchOp.MinItems != 3 || *batchOp.MaxItems != 5 {
			t.Errorf("BatchOperation = type %v, minItems %d, maxItems %v; want an array of 3..5", batchOp.Type, batchOp.MinItems, orNone(batchOp.MaxItems))
		}
	})
	t.Run("version header, 429 and 400", func(t *testing.T) {
		for _, path := range []string{"/users/{userId}", "/conversations", "/batch", "/files"} {
			for method := range doc.Paths.Find(path).Operations() {
				if param(doc, method, path, "TalkJS-REST-Version") == nil {
					t.Errorf("%s %s parameter TalkJS-REST-Version = nil, want the header declared", method, path)
				}
			}
		}
		// Every 429 answer documents Retry-After; every input-taking operation can answer 400.
		for path, item := range doc.Paths.Map() {
			for method, o := range item.Operations() {
				if r := o.Responses.Status(429); r == nil || r.Value.Headers["Retry-After"] == nil {
					t.Errorf("%s %s 429 has no Retry-After header, want one", method, path)
				}
				if o.RequestBody != nil && o.Responses.Status(400) == nil {
					t.Errorf("%s %s takes a body and documents no 400, want a 400", method, path)
				}
				if r := o.Responses.Status(400); method != http.MethodHead && r != nil && r.Value.Content.Get("application/json") == nil {
					t.Errorf("%s %s 400 has no application/json body, want one", method, path)
				}
			}
		}
	})
	t.Run("named unions", func(t *testing.T) {
		// notify and readUntil are named, so each has one Go type.
		for _, s := range []string{"ParticipationInput", "ParticipationUpdate", "Participant"} {
			if ref, want := schemas[s].Value.Properties["notify"].Ref, "#/components/schemas/Notify"; ref != want {
				t.Errorf("%s.notify $ref = %q, want %q", s, ref, want)
			}
		}
		if ref, want := schemas["ReadMarkerInput"].Value.Properties["readUntil"].Ref, "#/components/schemas/ReadUntil"; ref != want {
			t.Errorf("ReadMarkerInput.readUntil $ref = %q, want %q", ref, want)
		}
	})
	t.Run("user input", func(t *testing.T) {
		// A user's name is needed only on creation: the schema must not require it.
		if req := schemas["UserInput"].Value.Required; len(req) != 0 {
			t.Errorf("UserInput required = %v, want none: an update without name must be valid", req)
		}
	})
}

// orNone is a schema limit as a failure message shows it.
func orNone(limit *uint64) any {
	if limit == nil {
		return "none"
	}
	return *limit
}

// keys lists a schema's property names, sorted, for failure messages.
func keys(props openapi3.Schemas) []string {
	var out []string
	for k := range props {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sameEnum(enum []any, want ...string) bool {
	if len(enum) != len(want) {
		return false
	}
	for i := range want {
		if enum[i] != want[i] {
			return false
		}
	}
	return true
}

// TestBrokenSpecRejected proves the validation above can fail: each broken
// copy of the spec must be refused.
func TestBrokenSpecRejected(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, old, new string }{
		{"dangling ref", "$ref: '#/components/schemas/UserList'", "$ref: '#/components/schemas/NoSuchSchema'"},
		{"bad type", "        visible:\n          type: boolean", "        visible:\n          type: boolish"},
		{"path param not declared", "/users/{userId}/presence:", "/users/{userIdent}/presence:"},
		{"not yaml", "openapi: 3.0.3", "openapi: [3.0.3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !bytes.Contains(openapi.Spec, []byte(c.old)) {
				t.Fatalf("the spec no longer contains %q, want it there (update the test)", c.old)
			}
			broken := bytes.Replace(openapi.Spec, []byte(c.old), []byte(c.new), 1)
			if _, err := openapi.ParseBytes(broken); err == nil {
				t.Fatalf("ParseBytes(spec with %q replaced by %q) = nil error, want an error", c.old, c.new)
			}
		})
	}
}

func TestLoadRewritesServer(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/v1/{appId}" {
		t.Fatalf("Load().Servers = %+v, want the one server /v1/{appId}", doc.Servers)
	}
	if again := openapi.MustLoad(); again != doc {
		t.Errorf("MustLoad() = %p, want Load()'s %p (the spec parsed once)", again, doc)
	}
	if raw := mustParse(t); !strings.HasPrefix(raw.Servers[0].URL, "https://api.talkjs.com/") {
		t.Errorf("Parse().Servers[0].URL = %q, want the file's https://api.talkjs.com/…", raw.Servers[0].URL)
	}
}

func TestServerURL(t *testing.T) {
	t.Parallel()
	good := []struct{ root, app, want string }{
		{"https://api.talkjs.com", "tAbC123", "https://api.talkjs.com/v1/tAbC123/"},
		{"https://api.talkjs.com/", "tAbC123", "https://api.talkjs.com/v1/tAbC123/"},
		{"http://127.0.0.1:8080/proxy/", "a b/c", "http://127.0.0.1:8080/proxy/v1/a%20b%2Fc/"},
	}
	for _, g := range good {
		got, err := openapi.ServerURL(g.root, g.app)
		if err != nil || got != g.want {
			t.Errorf("ServerURL(%q, %q) = %q, %v; want %q", g.root, g.app, got, err, g.want)
		}
	}
	bad := [][2]string{{"https://api.talkjs.com", ""}, {"api.talkjs.com", "x"}, {"ftp://h", "x"}, {"https://h/?q=1", "x"}, {"https://u:p@h", "x"}, {"://", "x"}}
	for _, b := range bad {
		if got, err := openapi.ServerURL(b[0], b[1]); err == nil {
			t.Errorf("ServerURL(%q, %q) = %q, want an error", b[0], b[1], got)
		}
	}
}

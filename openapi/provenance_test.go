package openapi_test

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/openapi"
)

var update = flag.Bool("update", false, "rewrite README.md's provenance table from the spec")

// source is an operation's or field's x-talkjs-source.
type source struct{ kind, where string }

func sourceOf(ext map[string]any) (source, bool) {
	m, ok := ext["x-talkjs-source"].(map[string]any)
	if !ok {
		return source{}, false
	}
	k, _ := m["kind"].(string)
	w, _ := m["where"].(string)
	return source{k, strings.TrimSpace(w)}, k != "" && w != ""
}

// confidence says how sure a mark is that the real TalkJS does this.
var confidence = map[string]string{
	"docs":      "high",
	"community": "medium",
	"seed":      "low (may 404)",
}

// TestEveryOperationHasASource: every operation says where it comes from;
// "ours" is only for HEAD, which RFC 9110 gives every GET.
func TestEveryOperationHasASource(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Parse()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			s, ok := sourceOf(op.Extensions)
			switch {
			case !ok:
				t.Errorf("%s %s (%s) x-talkjs-source = none, want one with kind and where", method, path, op.OperationID)
			case method == http.MethodHead && s.kind != "ours":
				t.Errorf("HEAD %s x-talkjs-source kind = %q, want ours", path, s.kind)
			case method != http.MethodHead && confidence[s.kind] == "":
				t.Errorf("%s %s x-talkjs-source kind = %q, want docs, community or seed", method, path, s.kind)
			case s.kind == "docs" && !strings.Contains(s.where, "talkjs.com/docs/"):
				t.Errorf("%s %s x-talkjs-source where = %q, want the talkjs.com/docs/ page", method, path, s.where)
			}
		}
	}
}

// provenanceTable renders README's table of operations from the spec.
func provenanceTable(t *testing.T) string {
	doc, err := openapi.Parse()
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if method == http.MethodHead {
				continue
			}
			s, _ := sourceOf(op.Extensions)
			rows = append(rows, fmt.Sprintf("| `%s %s` | %s | %s | %s |", method, path, s.kind, confidence[s.kind], s.where))
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		pi, pj := strings.TrimSuffix(strings.Fields(rows[i])[2], "`"), strings.TrimSuffix(strings.Fields(rows[j])[2], "`")
		if pi != pj {
			return pi < pj
		}
		return rows[i] < rows[j]
	})
	return "| operation | source | confidence | where |\n| --- | --- | --- | --- |\n" + strings.Join(rows, "\n") + "\n"
}

const (
	tableStart = "<!-- provenance table: generated from x-talkjs-source by `go test ./openapi -run TestReadmeProvenance -update` -->\n"
	tableEnd   = "<!-- end of provenance table -->"
)

// TestReadmeProvenance keeps README's table equal to the spec's marks.
func TestReadmeProvenance(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(readme, []byte(tableStart))
	j := bytes.Index(readme, []byte(tableEnd))
	if i < 0 || j < i {
		t.Fatalf("README.md has no provenance table markers %q … %q, want both in that order", tableStart, tableEnd)
	}
	want := provenanceTable(t)
	got := string(readme[i+len(tableStart) : j])
	if got == want {
		return
	}
	if *update {
		out := append(append(append([]byte{}, readme[:i+len(tableStart)]...), want...), readme[j:]...)
		if err := os.WriteFile("../README.md", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's provenance table =\n%s\nwant the spec's\n%s\n(run `go test ./openapi -run TestReadmeProvenance -update`)", got, want)
}

// TestOurFieldsAreMarked: the fields that are this project's own, not
// TalkJS's, say so.
func TestOurFieldsAreMarked(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Parse()
	if err != nil {
		t.Fatal(err)
	}
	for schema, fields := range map[string][]string{
		"Participant":  {"joinedAt", "readUntil"},
		"Message":      {"reactions"},
		"Conversation": {"everyoneReadUntil"},
		"Attachment":   {"filename"},
	} {
		for _, f := range fields {
			p := doc.Components.Schemas[schema].Value.Properties[f]
			if s, ok := sourceOf(p.Value.Extensions); !ok || s.kind != "ours" {
				t.Errorf("%s.%s x-talkjs-source = %+v, want kind ours", schema, f, s)
			}
		}
	}
	uc := doc.Components.Schemas["UserConversation"].Value.AllOf[1].Value
	for _, f := range []string{"readUntil", "unreadMessageCount"} {
		if s, ok := sourceOf(uc.Properties[f].Value.Extensions); !ok || s.kind != "ours" {
			t.Errorf("UserConversation.%s x-talkjs-source = %+v, want kind ours", f, s)
		}
	}
}

// TestDeclaresWhatTheServerAnswers: every operation can answer 404 (an
// unknown app id), every one with a body 413, and every GET path has HEAD.
func TestDeclaresWhatTheServerAnswers(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Parse()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		if item.Get != nil && item.Head == nil {
			t.Errorf("HEAD %s = nil, want HEAD beside GET", path)
		}
		for method, op := range item.Operations() {
			if op.Responses.Status(404) == nil {
				t.Errorf("%s %s declares no 404, want one (unknown app id)", method, path)
			}
			if op.RequestBody != nil && op.Responses.Status(413) == nil {
				t.Errorf("%s %s takes a body and declares no 413, want one", method, path)
			}
		}
	}
}

package validate_test

import (
	"go/ast"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/openapi"
)

// endpointLine is the line a method's doc comment gives for each TalkJS
// operation it calls: "TalkJS: PUT /v1/{appId}/users/{userId} (docs)".
var endpointLine = regexp.MustCompile(`^TalkJS: ([A-Z]+) /v1/\{appId\}(\S*) \(([a-z]+)\)$`)

// TestMethodsNameTheirEndpoint walks the exported methods of the services
// (the types named ...Service) and checks that each names, in its doc
// comment, the TalkJS operations it calls, as they are in the spec: the
// method, the path and the x-talkjs-source kind. An endpoint line anywhere
// else in the package must match the spec too, a method that calls a
// generated request builder must name that builder's operation, and every
// operation of the spec but the HEAD ones is named by some method.
func TestMethodsNameTheirEndpoint(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Parse()
	if err != nil {
		t.Fatal(err)
	}
	type operation struct{ id, kind string }
	ops := map[string]operation{} // "PUT /users/{userId}"
	byID := map[string]string{}   // operationId -> "PUT /users/{userId}"
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			ops[key] = operation{op.OperationID, sourceKind(op)}
			byID[op.OperationID] = key
		}
	}
	if len(ops) < 40 {
		t.Fatalf("openapi.Parse() gives %d operations, want at least 40 (reading the spec is broken)", len(ops))
	}

	named := map[string]bool{}
	methods := 0
	for _, fd := range libraryFuncs(t) {
		name := fd.Name.Name
		service := false
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			recv := fd.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				name = id.Name + "." + name
				service = strings.HasSuffix(id.Name, "Service") && ast.IsExported(id.Name)
			}
		}
		var lines []string
		for _, l := range strings.Split(fd.Doc.Text(), "\n") {
			if strings.HasPrefix(l, "TalkJS:") {
				lines = append(lines, l)
			}
		}
		if service {
			methods++
			if len(lines) == 0 {
				t.Errorf("%s doc comment has no endpoint line, want one like %q", name, "TalkJS: METHOD /v1/{appId}/path (source)")
			}
		}
		var here []string
		for _, l := range lines {
			m := endpointLine.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("%s: %q, want the form %q", name, l, "TalkJS: PUT /v1/{appId}/users/{userId} (docs)")
				continue
			}
			key := m[1] + " " + m[2]
			if m[2] == "" {
				key += "/"
			}
			op, ok := ops[key]
			switch {
			case !ok:
				t.Errorf("%s doc line %q names no operation of openapi/talkjs-openapi.yml, want one of the spec's", name, l)
			case op.kind != m[3]:
				t.Errorf("%s: %q says (%s), want (%s), the x-talkjs-source kind of %s", name, l, m[3], op.kind, op.id)
			}
			named[key] = true
			here = append(here, key)
		}
		// A generated builder called directly names its operation.
		for _, call := range builderCalls(fd) {
			key, ok := byID[call.op]
			if ok && !slices.Contains(here, key) {
				t.Errorf("%s calls gen.%s; its doc comment names %q, want %s among them", name, call.builder, here, key)
			}
		}
	}
	if methods < 35 {
		t.Errorf("found %d service methods, want at least 35 (the walk is broken)", methods)
	}
	for key, op := range ops {
		if !strings.HasPrefix(key, "HEAD ") && !named[key] {
			t.Errorf("no method's doc comment names %s (%s), want one that does", key, op.id)
		}
	}
}

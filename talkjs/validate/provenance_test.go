package validate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/gotalkjs/talkjs-go/openapi"
)

// TestUnlistedOperationsSaySo: every method that calls an operation whose
// x-talkjs-source is community or seed says in its doc comment that TalkJS's
// public reference does not list it and that the real service may answer 404.
func TestUnlistedOperationsSaySo(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Parse()
	if err != nil {
		t.Fatal(err)
	}
	kind := map[string]string{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if m, ok := op.Extensions["x-talkjs-source"].(map[string]any); ok {
				kind[op.OperationID], _ = m["kind"].(string)
			}
		}
	}
	files, _ := filepath.Glob("../*.go")
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !fd.Name.IsExported() {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "gen" {
					return true
				}
				name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(sel.Sel.Name, "New"), "WithBody"), "Request")
				if name == sel.Sel.Name || name == "" {
					return true
				}
				op := string(unicode.ToLower(rune(name[0]))) + name[1:]
				if k := kind[op]; k == "community" || k == "seed" {
					checked++
					text := fd.Doc.Text()
					if !strings.Contains(text, "public REST reference does not list") || !strings.Contains(text, "404") {
						t.Errorf("%s calls %s (%s); its doc comment is %q, want it to say that TalkJS's public REST reference does not list it and the real service may answer 404", fd.Name.Name, op, k, text)
					}
				}
				return true
			})
		}
	}
	if checked < 6 {
		t.Errorf("found %d calls of community/seed operations, want at least 6 (the scan is broken)", checked)
	}
}

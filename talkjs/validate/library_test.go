package validate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

// libraryFuncs parses the source of package talkjs (the parent folder,
// tests aside) and returns its exported functions and methods.
func libraryFuncs(t *testing.T) []*ast.FuncDecl {
	t.Helper()
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var funcs []*ast.FuncDecl
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.IsExported() {
				funcs = append(funcs, fd)
			}
		}
	}
	return funcs
}

// builderCall is a generated request builder that a function calls.
type builderCall struct {
	builder string // NewGetUserRequest
	op      string // getUser, the operationId it builds
}

// builderCalls lists the generated request builders fd calls directly:
// gen.NewGetUserRequest builds getUser, gen.NewSendMessagesRequestWithBody
// sendMessages.
func builderCalls(fd *ast.FuncDecl) []builderCall {
	if fd.Body == nil {
		return nil
	}
	var calls []builderCall
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "gen" {
			return true
		}
		b := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(sel.Sel.Name, "New"), "WithBody"), "Request")
		if b != sel.Sel.Name && b != "" {
			calls = append(calls, builderCall{sel.Sel.Name, string(unicode.ToLower(rune(b[0]))) + b[1:]})
		}
		return true
	})
	return calls
}

// sourceKind is the kind of op's x-talkjs-source (docs, community, seed,
// ours), or "" when it has none.
func sourceKind(op *openapi3.Operation) string {
	m, _ := op.Extensions["x-talkjs-source"].(map[string]any)
	kind, _ := m["kind"].(string)
	return kind
}

package gen_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// Every generated file used to open with "Package gen provides primitives
// to interact with the openapi HTTP API.", which go doc showed three times
// above the real package comment. Only doc.go may have a package comment.
func TestOnePackageComment(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var withDoc []string
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc != nil {
			withDoc = append(withDoc, name)
		}
	}
	if len(withDoc) != 1 || withDoc[0] != "doc.go" {
		t.Errorf("files with a package comment: %q, want only doc.go", withDoc)
	}
}

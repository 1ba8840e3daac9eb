package talkjs

import (
	"os/exec"
	"strings"
	"testing"
)

// A program that only calls TalkJS through this package must not link the
// specification, its validator or the server: they are for tests and CI.
func TestDependenciesStayLean(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	forbidden := []string{
		"github.com/getkin/kin-openapi",
		"github.com/gorilla/mux",
		"github.com/gotalkjs/talkjs-go/openapi",
		"github.com/gotalkjs/talkjs-go/api",
		"github.com/gotalkjs/talkjs-go/talkjs/validate",
	}
	for _, pkg := range []string{".", "./filter"} {
		out, err := exec.Command(goTool, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("go list -deps %s lists %s, want none of %v", pkg, dep, forbidden)
				}
			}
		}
	}
}

package talkjs

import (
	"os"
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

// A program that imports talkjs gets this repository's go.mod requirements
// in its module graph (go list -m all): they must be what talkjs links and
// what those modules require, nothing the validator, the server, the CLI or
// the tests need (those are modules of their own, joined by go.work).
func TestModuleGraphStaysLean(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command(goTool, "list", "-m", "-f", "{{.Path}}", "all")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -m all: %v\n%s", err, out)
	}
	// The library's own requirements, and what their go.mod files require.
	allowed := map[string]bool{
		"github.com/gotalkjs/talkjs-go": true,
		"github.com/golang-jwt/jwt/v5":  true, "github.com/oapi-codegen/runtime": true,
		"github.com/oapi-codegen/nullable": true, "github.com/google/uuid": true,
		"github.com/apapsch/go-jsonmerge/v2": true,
		// oapi-codegen/runtime's go.mod requirements (its tests and tools).
		"github.com/RaveNoX/go-jsoncommentstrip": true, "github.com/bmatcuk/doublestar": true,
		"github.com/juju/gnuflag": true, "github.com/spkg/bom": true, "github.com/stretchr/testify": true,
		"github.com/stretchr/objx": true, "github.com/davecgh/go-spew": true,
		"github.com/pmezard/go-difflib": true, "go.yaml.in/yaml/v3": true,
	}
	mods := strings.Fields(string(out))
	for _, m := range mods {
		if !allowed[m] {
			t.Errorf("go list -m all (GOWORK=off) lists %s, want only what talkjs links and its requirements need", m)
		}
	}
	if len(mods) < 5 {
		t.Errorf("go list -m all = %v, want at least the library and its four requirements", mods)
	}
}

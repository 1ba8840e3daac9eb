package examples_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeSnippetsAreKeptHere checks that every Go block of README.md
// appears verbatim in this directory: a whole program as a main.go under
// it, anything else inside one of the test files, where it compiles and an
// example or test runs it.
func TestReadmeSnippetsAreKeptHere(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 8 {
		t.Fatalf("README.md has %d Go blocks, want at least 8 (is the regexp right?)", len(blocks))
	}
	var tests strings.Builder
	files, _ := filepath.Glob("*_test.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests.Write(b)
	}
	programs := map[string]bool{}
	mains, _ := filepath.Glob("*/main.go")
	for _, f := range mains {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		programs[string(b)] = true
	}
	for i, b := range blocks {
		code := b[1]
		if strings.HasPrefix(code, "package main") || strings.Contains(code, "\npackage main\n") {
			if !programs[code] {
				t.Errorf("README Go block %d is a program found in none of %v, want it there byte for byte:\n%s", i+1, mains, code)
			}
			continue
		}
		if !strings.Contains(tests.String(), code) {
			t.Errorf("README Go block %d is in no examples/*_test.go, want it there verbatim:\n%s", i+1, code)
		}
	}
}

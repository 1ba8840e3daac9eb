package validate_test

import (
	"strings"
	"testing"

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
			kind[op.OperationID] = sourceKind(op)
		}
	}
	checked := 0
	for _, fd := range libraryFuncs(t) {
		for _, call := range builderCalls(fd) {
			if k := kind[call.op]; k == "community" || k == "seed" {
				checked++
				text := fd.Doc.Text()
				if !strings.Contains(text, "public REST reference does not list") || !strings.Contains(text, "404") {
					t.Errorf("%s calls %s (%s); its doc comment is %q, want it to say that TalkJS's public REST reference does not list it and the real service may answer 404", fd.Name.Name, call.op, k, text)
				}
			}
		}
	}
	if checked < 6 {
		t.Errorf("found %d calls of community/seed operations, want at least 6 (the scan is broken)", checked)
	}
}

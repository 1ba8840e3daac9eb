package main

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/conformance"
	"github.com/gotalkjs/talkjs-go/internal/prism"
)

// prismShapeChecks are the checks that look only at the shape of an answer,
// which a mock answering the spec's examples can pass.
var prismShapeChecks = map[string]bool{
	"users: a call without data answers {}":                   true,
	"users: GET /users answers a page of at most limit users": true,
	"participants: GET …/email answers the reply-to address":  true,
	"files: POST /files answers {attachmentToken}":            true,
	"presence: POST /presences answers {data: {userId: …}}":   true,
}

var statusOnly = regexp.MustCompile(`^[0-9]{3}$`)

// TestConformanceAgainstPrismMock runs `talkjs conformance --api-root`
// against Prism's mock of the spec (`prism mock`, which serves the paths at
// / and keeps no state) and prints the table. Only checks of a status or a
// shape may pass there; every check of a behaviour must fail or be skipped,
// which proves the scenario tells a stateless imitation from a service.
// Skipped unless TALKJS_PRISM names Prism: run `make conformance-prism`.
func TestConformanceAgainstPrismMock(t *testing.T) {
	root := prism.Start(t, "conformance-prism", "mock", prism.Spec(t))
	vars := map[string]string{"TALKJS_APP_ID": "prism_app", "TALKJS_SECRET_KEY": "sk_prism"}
	table := runWith(t, vars, "", "conformance", "--api-root", root)
	t.Logf("talkjs conformance --api-root %s (Prism's mock):\n%s", root, table.out)
	r := runWith(t, vars, "", "conformance", "--api-root", root, "--json")
	var rep conformance.Report
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("talkjs conformance --api-root %s --json = exit %d, output not a JSON report (%v); want a report\n%s", root, r.code, err, r.streams())
	}
	if r.code != exitFailure || table.code != exitFailure {
		t.Errorf("talkjs conformance --api-root %s = exit %d, with --json exit %d; want 1 for both (checks fail)", root, table.code, r.code)
	}
	for _, c := range rep.Checks {
		if c.Verdict == conformance.Pass && !statusOnly.MatchString(c.Expected) && !prismShapeChecks[c.Name] {
			t.Errorf("check %q on Prism's stateless mock = Pass (expected %s, observed %s), want Fail or Skip: it checks a behaviour", c.Name, c.Expected, c.Observed)
		}
	}
}

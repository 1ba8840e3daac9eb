package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/conformance"
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
	bin := os.Getenv("TALKJS_PRISM")
	if bin == "" {
		t.Skip("TALKJS_PRISM is not set: `make conformance-prism` installs Prism (npm) and runs this test")
	}
	spec, err := filepath.Abs("../../openapi/talkjs-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log syncBuffer
	cmd := exec.CommandContext(ctx, bin, "mock", "-h", "127.0.0.1", "-p", port, spec)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Prism: %v", err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prism did not start:\n%s", log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	vars := map[string]string{"TALKJS_APP_ID": "prism_app", "TALKJS_SECRET_KEY": "sk_prism"}
	root := "http://127.0.0.1:" + port
	table := runWith(t, vars, "", "conformance", "--api-root", root)
	t.Logf("talkjs conformance --api-root %s (Prism's mock):\n%s", root, table.out)
	r := runWith(t, vars, "", "conformance", "--api-root", root, "--json")
	var rep conformance.Report
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s\n%s", err, r.out, r.err)
	}
	if r.code != exitFailure || table.code != exitFailure {
		t.Errorf("exit %d and %d, want 1 (checks fail)", table.code, r.code)
	}
	for _, c := range rep.Checks {
		if c.Verdict == conformance.Pass && !statusOnly.MatchString(c.Expected) && !prismShapeChecks[c.Name] {
			t.Errorf("a check of a behaviour passes on a stateless mock: %q (expected %s, observed %s)", c.Name, c.Expected, c.Observed)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/conformance"
)

// TestConformanceThroughPrism runs the conformance scenario (every
// operation of the spec) through Prism in `proxy --errors` mode in front of
// the in-memory server, and requires that Prism finds no answer of the
// server that breaks the spec (a problem+json answer of type VIOLATIONS).
// Requests the scenario sends invalid on purpose are refused by Prism with
// 422 and counted apart; HEAD is not checked by Prism (it parses the empty
// body of a HEAD answer as JSON). Skipped unless TALKJS_PRISM names Prism:
// run `make validate-prism`.
func TestConformanceThroughPrism(t *testing.T) {
	bin := os.Getenv("TALKJS_PRISM")
	if bin == "" {
		t.Skip("TALKJS_PRISM is not set: `make validate-prism` installs Prism (npm) and runs this test")
	}
	spec, err := filepath.Abs("../../openapi/talkjs-openapi.yml")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(api.WithAppID("prism_app"), api.WithSecret("sk_prism"))
	up := httptest.NewServer(srv)
	defer up.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log syncBuffer
	cmd := exec.CommandContext(ctx, bin, "proxy", "--errors", "-h", "127.0.0.1", "-p", port, spec, up.URL+"/v1/prism_app")
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
	var violations, refused int
	rep, err := conformance.Run(ctx, conformance.Config{
		APIRoot: "http://127.0.0.1:" + port, AppID: "prism_app", Secret: "sk_prism",
		Observe: func(x conformance.Exchange) {
			body, _ := x.Response.Body.(map[string]any)
			typ, _ := body["type"].(string)
			switch {
			case strings.HasSuffix(typ, "errors#VIOLATIONS"):
				violations++
				t.Errorf("%s %s %s: Prism: the server's answer breaks the spec: %v", x.Step, x.Request.Method, x.Request.Path, body["validation"])
			case strings.HasSuffix(typ, "errors#UNPROCESSABLE_ENTITY"):
				refused++
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests through Prism: %d answers break the spec, %d invalid-on-purpose requests refused by Prism", rep.Requests, violations, refused)
	if rep.Requests < 50 {
		t.Errorf("only %d requests: the scenario did not run", rep.Requests)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

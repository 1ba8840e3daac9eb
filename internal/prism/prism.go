// Package prism starts Prism (Stoplight's OpenAPI mock and validating
// proxy, an implementation of OpenAPI independent of kin-openapi) for the
// tests that check this module against it. `make validate-prism` and
// `make conformance-prism` install a pinned Prism with npm and set
// TALKJS_PRISM to its executable; without it the tests skip.
package prism

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// EnvVar names Prism's executable.
const EnvVar = "TALKJS_PRISM"

// Spec returns the absolute path of openapi/talkjs-openapi.yml.
func Spec(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("prism: cannot tell where the repository is")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "openapi", "talkjs-openapi.yml")
}

// Start runs `prism MODE -h 127.0.0.1 -p PORT ARGS...` on a free loopback
// port, waits until it listens (loading the spec takes seconds) and returns
// its base URL, http://127.0.0.1:PORT. Prism is stopped when the test ends.
// The test is skipped when EnvVar is not set, with a message naming the
// make target that sets it.
func Start(t testing.TB, target, mode string, args ...string) string {
	t.Helper()
	bin := os.Getenv(EnvVar)
	if bin == "" {
		t.Skip(EnvVar + " is not set: `make " + target + "` installs Prism (npm) and runs this test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var log syncBuffer
	cmd := exec.CommandContext(ctx, bin, append([]string{mode, "-h", "127.0.0.1", "-p", port}, args...)...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start Prism: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	for deadline := time.Now().Add(2 * time.Minute); ; {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return fmt.Sprintf("http://%s", addr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prism did not listen on %s within 2 minutes:\n%s", addr, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// syncBuffer collects Prism's output, written from two pipes at once.
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

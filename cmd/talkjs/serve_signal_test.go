package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeProcess is not a test: TestServeStopsOnSignal runs the test binary
// again with TALKJS_SERVE_PROCESS set, and then this runs main() as the real
// command would.
func TestServeProcess(t *testing.T) {
	args := os.Getenv("TALKJS_SERVE_PROCESS")
	if args == "" {
		t.Skip("helper process for TestServeStopsOnSignal")
	}
	os.Args = append([]string{"talkjs"}, strings.Fields(args)...)
	main()
}

func TestServeStopsOnSignal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT/SIGTERM to send on Windows")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestServeProcess$")
			cmd.Env = append(os.Environ(), "TALKJS_SERVE_PROCESS=serve --addr 127.0.0.1:0 --secret sk_sig")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := bufio.NewScanner(stdout)
			var base string
			var out strings.Builder
			for base == "" && lines.Scan() {
				out.WriteString(lines.Text() + "\n")
				if m := serveURL.FindStringSubmatch(lines.Text()); m != nil {
					base = m[1]
				}
			}
			if base == "" {
				t.Fatalf("talkjs serve printed no URL, want \"listening on http://127.0.0.1:PORT\"\n%s", out.String())
			}
			if code, _ := serveGet(t, base+"/v1/test_app/users", "sk_sig"); code != 200 {
				t.Fatalf("GET /v1/test_app/users = %d, want 200", code)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for lines.Scan() {
				out.WriteString(lines.Text() + "\n")
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("talkjs serve, sent %s = %v, want exit 0\n%s", sig, err, out.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("did not stop")
			}
			if !strings.Contains(out.String(), "Server stopped.") {
				t.Errorf("talkjs serve, sent %s, printed\n%s\nwant \"Server stopped.\"", sig, out.String())
			}
		})
	}
}

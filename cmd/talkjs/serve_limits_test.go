package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServeProcess runs `talkjs serve args` as a process of its own (the
// test binary again, see TestServeProcess) and answers its host:port; the
// process is killed when the test ends.
func startServeProcess(t *testing.T, args string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeProcess$")
	cmd.Env = append(os.Environ(), "TALKJS_SERVE_PROCESS=serve --addr 127.0.0.1:0 --secret sk_lim "+args)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := serveURL.FindStringSubmatch(lines.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return strings.TrimPrefix(m[1], "http://")
		}
	}
	t.Fatal("the server printed no URL")
	return ""
}

// closedWithin reports whether the server closes conn (a read ends) before
// the generous deadline; it answers what was read.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) (bool, string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false, string(b)
	}
	return true, string(b)
}

// httpAnswer is an HTTP answer as a failure message shows it: its status, or
// the error that came instead.
func httpAnswer(resp *http.Response, err error) string {
	if err != nil {
		return "error " + err.Error()
	}
	return resp.Status
}

// A client that sends its body slowly is cut off by --read-timeout, and an
// idle keep-alive connection by --idle-timeout. The deadlines of the test
// are many times the server's, so a loaded machine cannot fail it.
func TestServeCutsSlowBodiesAndIdleConnections(t *testing.T) {
	addr := startServeProcess(t, "--read-timeout 1s --idle-timeout 1s")
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "PUT /v1/test_app/users/u HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_lim\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":")
	if closed, got := closedWithin(t, slow, 30*time.Second); !closed || strings.Contains(got, "200 OK") {
		t.Errorf("a PUT whose body never finishes, under --read-timeout 1s: connection closed %v, answer %q; want it closed with no 200", closed, got)
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /v1/test_app/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_lim\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/test_app/users on a new connection = %s, want 200 OK", httpAnswer(resp, err))
	}
	resp.Body.Close()
	if closed, _ := closedWithin(t, idle, 30*time.Second); !closed {
		t.Error("an idle keep-alive connection is kept open")
	}
}

// Headers beyond --max-header-bytes are answered 431.
func TestServeBoundsHeaders(t *testing.T) {
	addr := startServeProcess(t, "--max-header-bytes 4096")
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/test_app/users", nil)
	req.Header.Set("Authorization", "Bearer sk_lim")
	req.Header.Set("X-Big", strings.Repeat("x", 64<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("GET with a 64 KiB header under --max-header-bytes 4096 = %d, want 431", resp.StatusCode)
	}
}

// With --max-conns 2, a third connection is served only once one of the two
// closes.
func TestServeLimitsConnections(t *testing.T) {
	addr := startServeProcess(t, "--max-conns 2 --read-header-timeout 60s")
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// Prove the server accepted it: one request answered, connection kept.
		fmt.Fprintf(c, "GET /v1/test_app/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_lim\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		held = append(held, c)
	}
	third, err := net.Dial("tcp", addr) // the kernel completes the handshake; the server does not accept yet
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	fmt.Fprintf(third, "GET /v1/test_app/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_lim\r\n\r\n")
	br := bufio.NewReader(third)
	_ = third.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := br.Peek(1); err == nil {
		t.Fatal("a third connection was served while two were open")
	}
	held[0].Close()
	_ = third.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET on the third connection, once one of the two closed = %s, want 200 OK", httpAnswer(resp, err))
	}
	resp.Body.Close()
}

// --state keeps the data across a stop by SIGTERM and a start.
func TestServeStateSurvivesRestart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows")
	}
	path := filepath.Join(t.TempDir(), "state.json")
	run := func(do func(base string)) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestServeProcess$")
		cmd.Env = append(os.Environ(), "TALKJS_SERVE_PROCESS=serve --addr 127.0.0.1:0 --secret sk_st --state "+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		lines := bufio.NewScanner(stdout)
		var out strings.Builder
		base := ""
		for base == "" && lines.Scan() {
			out.WriteString(lines.Text() + "\n")
			if m := serveURL.FindStringSubmatch(lines.Text()); m != nil {
				base = m[1]
			}
		}
		if base == "" {
			t.Fatalf("talkjs serve --state STATE printed no URL, want \"listening on http://127.0.0.1:PORT\"\n%s", out.String())
		}
		do(base)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		for lines.Scan() {
			out.WriteString(lines.Text() + "\n")
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("talkjs serve --state STATE, sent SIGTERM = %v, want exit 0\n%s", err, out.String())
		}
		return out.String()
	}
	out := run(func(base string) {
		req, _ := http.NewRequest("PUT", base+"/v1/test_app/users/alice", strings.NewReader(`{"name":"Alice"}`))
		req.Header.Set("Authorization", "Bearer sk_st")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("PUT /v1/test_app/users/alice = %s, want 200 OK", httpAnswer(resp, err))
		}
		resp.Body.Close()
	})
	if !strings.Contains(out, "starting empty") || !strings.Contains(out, "State saved to "+path) {
		t.Errorf("talkjs serve --state STATE, first run, printed\n%s\nwant \"starting empty\" and \"State saved to %s\"", out, path)
	}
	out = run(func(base string) {
		if code, body := serveGet(t, base+"/v1/test_app/users/alice", "sk_st"); code != 200 || !strings.Contains(body, `"Alice"`) {
			t.Errorf("GET /v1/test_app/users/alice after a restart = %d %s, want 200 with Alice", code, body)
		}
	})
	if !strings.Contains(out, "Loaded 1 users") {
		t.Errorf("talkjs serve --state STATE, second run, printed\n%s\nwant \"Loaded 1 users\"", out)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), `"format":"talkjs-go/state","version":1`) || strings.Contains(string(b), "sk_st") {
		t.Errorf("the state file (%v) begins\n%.300s\nwant format talkjs-go/state version 1 and no secret key", err, b)
	}
}

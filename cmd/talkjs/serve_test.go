package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
)

// serveBuf is an output buffer safe to read while the command writes.
type serveBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *serveBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *serveBuf) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

var serveURL = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startServe runs `talkjs serve args…` in-process and answers its base URL,
// its output, and a stop function that cancels it and answers the exit code.
func startServe(t *testing.T, args ...string) (string, *serveBuf, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out, errOut := &serveBuf{}, &serveBuf{}
	done := make(chan int, 1)
	go func() {
		// A free port unless the test names one: the default 8080 may be
		// taken (by another test binary running at the same time, say).
		done <- run(ctx, &stdio{In: strings.NewReader(""), Out: out, Err: errOut, Getenv: func(string) string { return "" }}, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	}()
	deadline := time.Now().Add(30 * time.Second) // a guard against a hang, not a speed check
	for {
		if m := serveURL.FindStringSubmatch(out.String()); m != nil {
			stopped := false
			stop := func() int {
				if stopped {
					return 0
				}
				stopped = true
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(10 * time.Second):
					t.Fatal("serve did not stop")
					return -1
				}
			}
			t.Cleanup(func() { stop() })
			return m[1], out, stop
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("talkjs serve %s = exit %d before it printed its URL, want it serving\n%s",
				strings.Join(args, " "), code, result{code, out.String(), errOut.String()}.streams())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("talkjs serve %s printed no URL in 30s, want \"listening on http://127.0.0.1:PORT\"\nstdout:\n%s", strings.Join(args, " "), out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func serveGet(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeRunsAndStops(t *testing.T) {
	base, out, stop := startServe(t, "--addr", "127.0.0.1:0", "--app-id", "myapp", "--secret", "sk_test_cli")
	for _, want := range []string{"app id:  myapp", "secret:  sk_test_cli", "TALKJS_BASE_URL=" + base} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("talkjs serve --app-id myapp --secret sk_test_cli printed\n%s\nwant %q", out.String(), want)
		}
	}
	if code, body := serveGet(t, base+"/v1/myapp/users", "sk_test_cli"); code != 200 || body != `{"data":[]}` {
		t.Errorf(`GET /v1/myapp/users = %d %s, want 200 {"data":[]}`, code, body)
	}
	if code, _ := serveGet(t, base+"/v1/myapp/users", "wrong"); code != 401 {
		t.Errorf("GET /v1/myapp/users with a wrong secret = %d, want 401", code)
	}
	if code, _ := serveGet(t, base+"/v1/other/users", "sk_test_cli"); code != 404 {
		t.Errorf("GET /v1/other/users (another app) = %d, want 404", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("talkjs serve, stopped = exit %d, want 0", code)
	}
	if !strings.Contains(out.String(), "Server stopped.") {
		t.Errorf("talkjs serve, stopped, printed\n%s\nwant \"Server stopped.\"", out.String())
	}
	if _, err := http.Get(base + "/v1/myapp/users"); err == nil {
		t.Error("still serving after stop")
	}
}

func TestServeGeneratesASecret(t *testing.T) {
	_, out, _ := startServe(t, "--addr", "127.0.0.1:0")
	m := regexp.MustCompile(`secret:  (sk_test_\w+)`).FindStringSubmatch(out.String())
	if m == nil || len(m[1]) < 24 || !strings.Contains(out.String(), "app id:  "+api.DefaultAppID) {
		t.Fatalf("talkjs serve (no --secret) printed\n%s\nwant a generated secret sk_test_… of 24 characters or more and the app id %s", out.String(), api.DefaultAppID)
	}
}

func TestServeRateLimitAndFaults(t *testing.T) {
	base, out, _ := startServe(t, "--addr", "127.0.0.1:0", "--secret", "k", "--rate-limit", "0.001:2")
	users := base + "/v1/" + api.DefaultAppID + "/users"
	for i := 0; i < 2; i++ {
		if code, _ := serveGet(t, users, "k"); code != 200 {
			t.Fatalf("GET users, request %d of a burst of 2 = %d, want 200", i+1, code)
		}
	}
	if code, _ := serveGet(t, users, "k"); code != 429 {
		t.Errorf("GET users beyond the burst of 2 = %d, want 429", code)
	}
	if !strings.Contains(out.String(), "rate limit: 0.001 requests/s, bursts of 2") {
		t.Errorf("talkjs serve --rate-limit 0.001:2 printed\n%s\nwant \"rate limit: 0.001 requests/s, bursts of 2\"", out.String())
	}
	base, out, _ = startServe(t, "--addr", "127.0.0.1:0", "--secret", "k", "--faults", "503=1,seed=7")
	if code, _ := serveGet(t, base+"/v1/"+api.DefaultAppID+"/users", "k"); code != 503 {
		t.Errorf("GET users with --faults 503=1,seed=7 = %d, want 503", code)
	}
	if !strings.Contains(out.String(), "faults: 503=1,502=0,cut=0,seed=7") {
		t.Errorf("talkjs serve --faults 503=1,seed=7 printed\n%s\nwant \"faults: 503=1,502=0,cut=0,seed=7\"", out.String())
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit", "fast"},
		{"--rate-limit", "5:0"},
		{"--faults", "503=2"},
		{"--faults", "503=0.6,502=0.6"},
		{"--faults", "404=0.1"},
		{"--faults", "seed=x"},
		{"--app-id", "a/b"},
		{"--read-timeout", "-1s"},
		{"--max-header-bytes", "10"},
		{"--max-conns", "-1"},
		{"--upload-expiry", "0s"},
		{"extra"},
		{"--nope"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			errOut := &serveBuf{}
			args := append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
			code := run(t.Context(), &stdio{In: strings.NewReader(""), Out: io.Discard, Err: errOut, Getenv: func(string) string { return "" }}, args)
			if code != 2 || errOut.String() == "" {
				t.Errorf("%s = exit %d, stderr %q; want 2 and a message", commandLine(args...), code, errOut.String())
			}
		})
	}
	// A taken address is an error, not a usage problem.
	base, _, _ := startServe(t, "--addr", "127.0.0.1:0")
	errOut := &serveBuf{}
	args := []string{"serve", "--addr", strings.TrimPrefix(base, "http://")}
	code := run(t.Context(), &stdio{In: strings.NewReader(""), Out: io.Discard, Err: errOut, Getenv: func(string) string { return "" }}, args)
	if code != 1 || !strings.Contains(errOut.String(), "listen") {
		t.Errorf("%s (a taken address) = exit %d, stderr %q; want 1 and a listen error", commandLine(args...), code, errOut.String())
	}
}

func TestParseFaultsDrawsASeed(t *testing.T) {
	t.Parallel()
	a, err := parseFaults("cut=0.5")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := parseFaults("cut=0.5")
	if a.Cut != 0.5 || a.Seed == b.Seed {
		t.Errorf("parseFaults(cut=0.5) twice = %+v and %+v, want Cut 0.5 and two different seeds", a, b)
	}
}

package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/gen"
)

// Rejected requests are kept only as the latest few, each shortened, unless
// the test asks for every one.
func TestViolationsAreBounded(t *testing.T) {
	var mu sync.Mutex
	reported := 0
	e := newEnv(t, api.WithViolationReport(func(error) { mu.Lock(); reported++; mu.Unlock() }))
	e.allowViolations = true
	long := "/users/" + strings.Repeat("x", 20<<10) + "/nothing"
	const n = 300
	for i := 0; i < n; i++ {
		must(t, e.raw("GET", long, ""), 404)
	}
	v := e.srv.Violations()
	if len(v) == 0 || len(v) > 64 {
		t.Fatalf("%d violations kept, want 1 to 64", len(v))
	}
	for _, err := range v {
		if len(err.Error()) > 2048 {
			t.Fatalf("a kept violation is %d bytes long, want at most 2048", len(err.Error()))
		}
		if !strings.HasPrefix(err.Error(), "GET /v1/"+testApp+"/users/xxx") {
			t.Fatalf("violation = %.100q, want it to start with the request (GET /v1/%s/users/xxx…)", err.Error(), testApp)
		}
	}
	if reported != n {
		t.Errorf("WithViolationReport saw %d violations, want %d", reported, n)
	}
}

// An upload no message carries expires after the upload expiry of the
// server's clock; one a message carries stays.
func TestUnclaimedUploadsExpire(t *testing.T) {
	e := newEnv(t, api.WithUploadExpiry(time.Hour))
	e.allowViolations = true
	e.conv("c1", "alice")
	kept := e.upload([]byte("kept"), "kept.txt")
	e.send("c1", gen.SendMessageInput{Type: gen.MessageTypeUserMessage, Sender: ptr("alice"), AttachmentToken: &kept})
	lost := e.upload([]byte("lost"), "lost.txt")
	e.clock.Advance(time.Hour - time.Millisecond)
	must(t, e.rawWith("GET", "/files/"+lost+"/lost.txt", "", nil), 200)
	e.clock.Advance(time.Millisecond)
	must(t, e.rawWith("GET", "/files/"+lost+"/lost.txt", "", nil), 404)
	r := must(t, e.raw("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","attachmentToken":"`+lost+`"}]`), 400)
	if msg := r.message(t); !strings.Contains(msg, "expired") {
		t.Errorf("sending an expired attachment token: message = %q, want it to say \"expired\"", msg)
	}
	e.upload([]byte("new"), "new.txt") // sweeps
	if n := e.srv.Counts().Files; n != 2 {
		t.Errorf("Counts().Files = %d, want 2 (the kept one and the new one)", n)
	}
	must(t, e.rawWith("GET", "/files/"+kept+"/kept.txt", "", nil), 200)
}

// The file store has a total cap, answered 413 with a message that says so;
// expired uploads make room again.
func TestFileStoreCap(t *testing.T) {
	e := newEnv(t, api.WithMaxStoredFileBytes(2500), api.WithUploadExpiry(time.Hour))
	e.upload(bytes.Repeat([]byte("a"), 1000), "a.bin")
	e.upload(bytes.Repeat([]byte("b"), 1000), "b.bin")
	ct, body := multipartBody(t, bytes.Repeat([]byte("c"), 1000), "c.bin", "c.bin", true)
	r := must(t, e.rawWith("POST", "/v1/"+testApp+"/files", string(body), map[string]string{"Authorization": "Bearer " + testSecret, "Content-Type": ct}), 413)
	if msg := r.message(t); !strings.Contains(msg, "file store is full") || !strings.Contains(msg, "2500") {
		t.Errorf("uploading past the store's 2500 bytes: message = %q, want it to say the file store is full and name 2500", msg)
	}
	e.clock.Advance(time.Hour)
	e.upload(bytes.Repeat([]byte("c"), 1000), "c.bin")
	if n := e.srv.Counts().Files; n != 1 {
		t.Errorf("Counts().Files after the others expired and one upload = %d, want 1", n)
	}
}

// An idempotency key goes with its message: after the message is deleted,
// the same key sends a new message.
func TestIdempotencyKeyGoesWithItsMessage(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	m := userMsg("alice", "hi")
	m.IdempotencyKey = ptr("k1")
	first := e.send("c1", m)
	resp, err := e.c.DeleteMessageWithResponse(ctx, "c1", first[0], nil)
	check(t, resp, err, 200)
	again := e.send("c1", m)
	if again[0] == first[0] {
		t.Fatalf("send with key k1 after deleting its message = %s (the deleted one), want a new message", again[0])
	}
	if n := len(e.srv.Messages("c1")); n != 1 {
		t.Errorf("len(Messages(c1)) = %d, want 1", n)
	}
	// Deleting all messages forgets their keys too.
	r2, err := e.c.DeleteAllMessagesWithResponse(ctx, "c1", nil)
	check(t, r2, err, 200)
	if third := e.send("c1", m); third[0] == again[0] {
		t.Errorf("send with key k1 after deleting all messages = %s (deleted), want a new message", third[0])
	}
}

// Requests with a bad token are answered 401 and take nothing from the rate
// limit of the client whose token is good.
func TestRateLimitCountsOnlyAuthenticatedRequests(t *testing.T) {
	e := newEnv(t, api.WithRateLimit(1, 2))
	for i := 0; i < 20; i++ {
		must(t, e.rawWith("GET", "/v1/"+testApp+"/users", "", map[string]string{"Authorization": "Bearer wrong"}), 401)
	}
	must(t, e.raw("GET", "/users", ""), 200)
	must(t, e.raw("GET", "/users", ""), 200)
	must(t, e.raw("GET", "/users", ""), 429)
	// A bad token is 401 even when the bucket is empty.
	must(t, e.rawWith("GET", "/v1/"+testApp+"/users", "", map[string]string{"Authorization": "Bearer wrong"}), 401)
}

// sendWholeThenRead writes a whole request, as many simple clients do, and
// only then reads the answer; a body of n bytes is sent chunked or with a
// Content-Length. It answers the status, or the error that lost it.
func sendWholeThenRead(addr, target, contentType string, n int, chunked bool) (int, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	bw := bufio.NewWriterSize(conn, 64<<10)
	fmt.Fprintf(bw, "PUT %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n", target, addr, testSecret, contentType)
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	if chunked {
		fmt.Fprintf(bw, "Transfer-Encoding: chunked\r\n\r\n")
		for sent := 0; sent < n; sent += len(chunk) {
			fmt.Fprintf(bw, "%x\r\n", len(chunk))
			bw.Write(chunk)
			bw.WriteString("\r\n")
		}
		bw.WriteString("0\r\n\r\n")
	} else {
		fmt.Fprintf(bw, "Content-Length: %d\r\n\r\n", n)
		for sent := 0; sent < n; sent += len(chunk) {
			bw.Write(chunk)
		}
	}
	_ = bw.Flush() // a write error is what the test looks at only through the read
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// An oversized body is answered 413 whether it is chunked or not, also to a
// client that sends its whole request before it reads: the server reads
// what is still coming instead of resetting the connection under it.
func TestOversizedBodyIs413NotAReset(t *testing.T) {
	e := newEnv(t, api.WithMaxBodyBytes(1<<10))
	e.user("alice")
	addr := strings.TrimPrefix(e.hs.URL, "http://")
	for _, chunked := range []bool{true, false} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			for i := 0; i < 10; i++ {
				status, err := sendWholeThenRead(addr, "/v1/"+testApp+"/users/alice", "application/json", 32<<20, chunked)
				if err != nil || status != 413 {
					t.Fatalf("PUT /users/alice with 32 MiB (try %d) = %d, %v; want 413", i, status, err)
				}
			}
		})
	}
}

// Downloads cannot run in the API's origin: nosniff, a sandboxing CSP, and
// anything but a raster image is an attachment.
func TestDownloadsAreInert(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ name, disposition string }{
		{"page.html", "attachment"},
		{"logo.svg", "attachment"},
		{"notes.txt", "attachment"},
		{"blob", "attachment"},
		{"photo.png", "inline"},
		{"photo.jpg", "inline"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.in(t)
			token := e.upload([]byte("<html><script>alert(1)</script></html>"), c.name)
			r := must(t, e.rawWith("GET", "/files/"+token+"/"+c.name, "", nil), 200)
			if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", c.name, got)
			}
			if got := r.header.Get("Content-Security-Policy"); !strings.Contains(got, "sandbox") || !strings.Contains(got, "default-src 'none'") {
				t.Errorf("GET %s: Content-Security-Policy = %q, want sandbox and default-src 'none'", c.name, got)
			}
			if got := r.header.Get("Content-Disposition"); !strings.HasPrefix(got, c.disposition+";") {
				t.Errorf("GET %s: Content-Disposition = %q, want %s; …", c.name, got, c.disposition)
			}
		})
	}
}

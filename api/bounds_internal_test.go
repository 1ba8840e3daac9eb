package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// An uploaded file is stored without the spare capacity of the buffer it
// was read into.
func TestUploadKeepsNoSpareCapacity(t *testing.T) {
	s := NewServer(WithSecret("sk_test_x"))
	for _, size := range []int{1, 1000, 70 << 10, 3 << 20} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "a.bin")
		fw.Write(bytes.Repeat([]byte("x"), size))
		mw.WriteField("filename", "a.bin")
		mw.Close()
		req := httptest.NewRequest("POST", "/v1/"+DefaultAppID+"/files", &buf)
		req.Header.Set("Authorization", "Bearer sk_test_x")
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.st.files {
		if cap(f.data) != len(f.data) {
			t.Errorf("a file of %d bytes keeps %d bytes of capacity", len(f.data), cap(f.data))
		}
	}
}

// Idempotency keys expire 24 hours after they were given, on the server's
// clock, in every conversation, whether or not that conversation sees
// another send.
func TestIdempotencyKeysExpireEverywhere(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewServer(WithSecret("sk_test_x"), WithClock(func() time.Time { return now }))
	do := func(method, path, body string) {
		t.Helper()
		req := httptest.NewRequest(method, "/v1/"+DefaultAppID+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer sk_test_x")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
	}
	do("PUT", "/users/alice", `{"name":"Alice"}`)
	do("PUT", "/conversations/c1", `{"participants":["alice"]}`)
	do("PUT", "/conversations/c2", `{"participants":["alice"]}`)
	for i := 0; i < 5; i++ {
		do("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"hi","idempotencyKey":"k`+string(rune('0'+i))+`"}]`)
	}
	now = now.Add(24 * time.Hour)
	do("POST", "/conversations/c2/messages", `[{"type":"UserMessage","sender":"alice","text":"hi"}]`)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if n := len(s.st.convs["c1"].idem); n != 0 {
		t.Errorf("idempotency keys of c1 after 24 hours = %d, want 0", n)
	}
	if n := len(s.st.idemQueue); n != 0 {
		t.Errorf("idempotency keys queued after 24 hours = %d, want 0", n)
	}
}

// A verified token is remembered until its expiry, no longer, and the cache
// holds at most maxCachedTokens.
func TestTokenCache(t *testing.T) {
	var c tokenCache
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c.put("a", now.Add(time.Second))
	c.put("forever", time.Time{})
	if !c.valid("a", now) || !c.valid("forever", now.Add(1000*time.Hour)) {
		t.Fatal("valid(a, before its expiry) or valid(forever) = false, want true")
	}
	if c.valid("a", now.Add(time.Second)) {
		t.Error("valid(a, at its expiry) = true, want false")
	}
	if c.valid("b", now) {
		t.Error("valid(b, never put) = true, want false")
	}
	for i := 0; i < 3*maxCachedTokens; i++ {
		c.put(string(rune(i)), time.Time{})
	}
	if len(c.m) > maxCachedTokens {
		t.Errorf("after %d puts the cache holds %d tokens, want at most %d", 3*maxCachedTokens, len(c.m), maxCachedTokens)
	}
}

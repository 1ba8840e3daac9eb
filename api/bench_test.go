package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/api"
)

// benchServer is a server on loopback without response validation, as a
// user's test or `talkjs serve` would run it, with one conversation of two
// participants.
func benchServer(b *testing.B) (*httptest.Server, *http.Client) {
	b.Helper()
	srv := api.NewServer(api.WithAppID(testApp), api.WithSecret(testSecret))
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	b.Cleanup(client.CloseIdleConnections)
	for _, r := range []struct{ method, path, body string }{
		{"PUT", "/users/alice", `{"name":"Alice"}`},
		{"PUT", "/users/bob", `{"name":"Bob"}`},
		{"PUT", "/conversations/c1", `{"subject":"Bench","participants":["alice","bob"]}`},
		{"POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"hello"}]`},
	} {
		if status := benchDo(client, hs.URL, r.method, r.path, r.body); status != 200 {
			b.Fatalf("%s %s: %d", r.method, r.path, status)
		}
	}
	return hs, client
}

func benchDo(c *http.Client, base, method, path, body string) int {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, base+"/v1/"+testApp+path, rd)
	req.Header.Set("Authorization", "Bearer "+testSecret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func benchClients(b *testing.B, method, path, body string) {
	for _, clients := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			hs, c := benchServer(b)
			b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			if clients == 1 {
				b.SetParallelism(1)
			}
			b.ReportAllocs()
			b.ResetTimer()
			run := func() {
				if s := benchDo(c, hs.URL, method, path, body); s != 200 {
					b.Errorf("status %d", s)
				}
			}
			if clients == 1 {
				for i := 0; i < b.N; i++ {
					run()
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						run()
					}
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

func BenchmarkGetConversation(b *testing.B) {
	benchClients(b, "GET", "/conversations/c1", "")
}

func BenchmarkSendMessage(b *testing.B) {
	benchClients(b, "POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","text":"hello, how are you doing today?"}]`)
}

// BenchmarkMemoryPer100kMessages stores 100,000 short messages in one
// conversation through the handler (no network) and reports the heap they
// take.
func BenchmarkMemoryPer100kMessages(b *testing.B) {
	for i := 0; i < b.N; i++ {
		srv := api.NewServer(api.WithAppID(testApp), api.WithSecret(testSecret))
		do := func(method, path, body string) {
			req := httptest.NewRequest(method, "/v1/"+testApp+path, bytes.NewReader([]byte(body)))
			req.Header.Set("Authorization", "Bearer "+testSecret)
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
			}
		}
		do("PUT", "/users/alice", `{"name":"Alice"}`)
		do("PUT", "/conversations/c1", `{"participants":["alice"]}`)
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		const n = 100_000
		batch := `[` + strings.TrimSuffix(strings.Repeat(`{"type":"UserMessage","sender":"alice","text":"a short chat message"},`, 10), ",") + `]`
		for j := 0; j < n/10; j++ {
			do("POST", "/conversations/c1/messages", batch)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if c := srv.Counts().Messages; c != n {
			b.Fatalf("%d messages", c)
		}
		b.ReportMetric(float64(ms.HeapAlloc-before)/(1<<20), "MiB/100k-msgs")
		runtime.KeepAlive(srv)
	}
}

// BenchmarkSendMessageHandler sends one message straight to the server's
// handler (no socket, no client), so that ns/op and allocs/op are the
// server's own per-request cost: authentication, validation against the
// spec, decoding, storing and rendering.
func BenchmarkSendMessageHandler(b *testing.B) {
	srv := api.NewServer(api.WithAppID(testApp), api.WithSecret(testSecret))
	serve := func(method, path, body string) int {
		req := httptest.NewRequest(method, "/v1/"+testApp+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testSecret)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, r := range []struct{ method, path, body string }{
		{"PUT", "/users/alice", `{"name":"Alice"}`},
		{"PUT", "/users/bob", `{"name":"Bob"}`},
		{"PUT", "/conversations/c1", `{"subject":"Bench","participants":["alice","bob"]}`},
	} {
		if status := serve(r.method, r.path, r.body); status != 200 {
			b.Fatalf("%s %s: %d", r.method, r.path, status)
		}
	}
	body := `[{"type":"UserMessage","sender":"alice","text":"hello, how are you doing today?","custom":{"order":"491731"}}]`
	b.ReportAllocs()
	for b.Loop() {
		if status := serve("POST", "/conversations/c1/messages", body); status != 200 {
			b.Fatalf("status %d", status)
		}
	}
}

package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
)

// BenchmarkWebhookReceiver sends messages, one client after the other,
// with no webhook endpoint, with a receiver that answers 200 at once, and
// with one that never answers (it holds each request until the benchmark
// ends, so every delivery waits out the 5-second timeout and the queue
// fills and drops). It reports the p50 and p99 latency of the sends: a
// stuck receiver must not move them.
//
//	go test -run '^$' -bench '^BenchmarkWebhookReceiver$' -benchtime 20000x -count 5 ./api/
func BenchmarkWebhookReceiver(b *testing.B) {
	for _, tc := range []struct {
		name    string
		handler func(release chan struct{}) http.Handler
	}{
		{"receiver=none", nil},
		{"receiver=ok", func(chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) })
		}},
		{"receiver=stuck", func(release chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var opts []api.Option
			release := make(chan struct{})
			if tc.handler != nil {
				rs := httptest.NewServer(tc.handler(release))
				b.Cleanup(rs.Close)
				b.Cleanup(func() { close(release) }) // runs before rs.Close
				opts = append(opts, api.WithWebhook(api.Webhook{URL: rs.URL}))
			}
			srv := api.NewServer(append([]api.Option{api.WithAppID(testApp), api.WithSecret(testSecret)}, opts...)...)
			b.Cleanup(srv.CloseWebhooks)
			hs := httptest.NewServer(srv)
			b.Cleanup(hs.Close)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			b.Cleanup(client.CloseIdleConnections)
			for _, r := range []struct{ method, path, body string }{
				{"PUT", "/users/alice", `{"name":"Alice"}`},
				{"PUT", "/users/bob", `{"name":"Bob"}`},
				{"PUT", "/conversations/c1", `{"subject":"Bench","participants":["alice","bob"]}`},
			} {
				if status := benchDo(client, hs.URL, r.method, r.path, r.body); status != 200 {
					b.Fatalf("%s %s: %d", r.method, r.path, status)
				}
			}
			const body = `[{"type":"UserMessage","sender":"alice","text":"hello, how are you doing today?"}]`
			lat := make([]time.Duration, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				if s := benchDo(client, hs.URL, "POST", "/conversations/c1/messages", body); s != 200 {
					b.Fatalf("status %d", s)
				}
				lat[i] = time.Since(start)
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			st := srv.WebhookStats()
			b.ReportMetric(float64(st.Dropped)/float64(b.N), "dropped/op")
		})
	}
}

package bench_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/bench"
)

// apiEnv is the in-memory server with one conversation of 10 participants.
type apiEnv struct {
	srv  *httptest.Server
	api  *api.Server
	base string
	hc   *http.Client
}

func newAPIEnv(tb testing.TB) *apiEnv {
	tb.Helper()
	s := api.NewServer(api.WithAppID(bench.AppID), api.WithSecret(bench.Secret))
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	e := &apiEnv{srv: srv, api: s, base: srv.URL + "/v1/" + bench.AppID,
		hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}}
	users := map[string]any{}
	participants := []string{}
	for i := range 10 {
		id := "user_" + strconv.Itoa(i)
		users[id] = map[string]any{"name": "User " + strconv.Itoa(i), "email": []string{id + "@example.com"}}
		participants = append(participants, id)
	}
	e.must(tb, "PUT", "/users", users)
	e.must(tb, "PUT", "/conversations/"+bench.ConversationID, map[string]any{
		"subject": "Order #491731", "participants": participants, "custom": map[string]string{"category": "support"},
	})
	e.must(tb, "POST", "/conversations/"+bench.ConversationID+"/messages", []map[string]string{
		{"type": "UserMessage", "sender": "user_1", "text": "Where is my parcel?"},
	})
	return e
}

func (e *apiEnv) do(method, path string, body []byte) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+bench.Secret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode, nil
}

func (e *apiEnv) must(tb testing.TB, method, path string, v any) {
	tb.Helper()
	body, err := jsonMarshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	if code, err := e.do(method, path, body); err != nil || code != 200 {
		tb.Fatalf("%s %s = %d, %v; want 200, nil", method, path, code, err)
	}
}

// load runs b.N requests spread over clients goroutines and reports
// requests per second and the p50/p99 latency.
func load(b *testing.B, clients int, req func(i int) (int, error)) {
	b.Helper()
	lat := make([][]time.Duration, clients)
	var next, failed sync.Mutex
	i := 0
	var errs []error
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				n := i
				i++
				next.Unlock()
				if n >= b.N {
					return
				}
				t0 := time.Now()
				code, err := req(n)
				lat[c] = append(lat[c], time.Since(t0))
				if err == nil && code != 200 {
					err = fmt.Errorf("status %d", code)
				}
				if err != nil {
					failed.Lock()
					errs = append(errs, err)
					failed.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if len(errs) > 0 {
		b.Fatalf("%d requests failed (the first: %v), want none", len(errs), errs[0])
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkServer measures the in-memory server's throughput on loopback,
// client and server sharing the machine's cores.
func BenchmarkServer(b *testing.B) {
	for _, clients := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("op=get-conversation/clients=%d", clients), func(b *testing.B) {
			e := newAPIEnv(b)
			load(b, clients, func(int) (int, error) { return e.do("GET", "/conversations/"+bench.ConversationID, nil) })
		})
		b.Run(fmt.Sprintf("op=send-message/clients=%d", clients), func(b *testing.B) {
			e := newAPIEnv(b)
			load(b, clients, func(i int) (int, error) {
				body := []byte(`[{"type":"UserMessage","sender":"user_` + strconv.Itoa(i%10) + `","text":"Your parcel is on its way and should arrive on Thursday.","idempotencyKey":"k` + strconv.Itoa(i) + `"}]`)
				return e.do("POST", "/conversations/"+bench.ConversationID+"/messages", body)
			})
		})
	}
}

// BenchmarkServerMemory stores 100,000 messages (in requests of 10) and
// reports the heap they take. It does that once per invocation whatever
// b.N is (the figure is a size, not a time), so run it with -benchtime=1x.
func BenchmarkServerMemory(b *testing.B) {
	const total = 100_000
	e := newAPIEnv(b)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	batch := make([]map[string]string, 10)
	for i := 0; i < total; i += 10 {
		for j := range batch {
			batch[j] = map[string]string{"type": "UserMessage", "sender": "user_" + strconv.Itoa(j), "text": "Your parcel is on its way and should arrive on Thursday.", "idempotencyKey": "k" + strconv.Itoa(i+j)}
		}
		e.must(b, "POST", "/conversations/"+bench.ConversationID+"/messages", batch)
	}
	e.hc.CloseIdleConnections()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if got := e.api.Counts().Messages; got < total {
		b.Fatalf("server holds %d messages, want at least %d", got, total)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB/100k-msgs")
	runtime.KeepAlive(e.api)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

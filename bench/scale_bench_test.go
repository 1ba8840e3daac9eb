package bench_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/bench"
)

// scaleEnv is the in-memory server holding n conversations, each with the
// user "owner" (who takes part in all of them) and one of 100 other users,
// custom category i%10, and one message: from the other user in every tenth
// conversation (unread for owner), from owner otherwise.
type scaleEnv struct {
	n    int
	srv  *httptest.Server
	api  *api.Server
	base string
	hc   *http.Client
	mid  string // the conversation in the middle of the default order
}

var scaleEnvs = map[int]*scaleEnv{}

// direct sends a request straight to the handler (no network), to fill the
// store quickly.
func direct(tb testing.TB, s *api.Server, method, path, body string) {
	req := httptest.NewRequest(method, "/v1/"+bench.AppID+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+bench.Secret)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		tb.Fatalf("%s %s = %d %s, want 200", method, path, rec.Code, rec.Body)
	}
}

func scaleFixture(tb testing.TB, n int) *scaleEnv {
	if e := scaleEnvs[n]; e != nil {
		return e
	}
	var before runtime.MemStats
	if n == 100_000 {
		runtime.GC()
		runtime.ReadMemStats(&before)
	}
	var clock atomic.Int64
	clock.Store(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	now := func() time.Time { return time.UnixMilli(clock.Add(1)) }
	s := api.NewServer(api.WithAppID(bench.AppID), api.WithSecret(bench.Secret), api.WithClock(now))
	direct(tb, s, "PUT", "/users/owner", `{"name":"Owner"}`)
	for i := range 100 {
		direct(tb, s, "PUT", "/users/u"+strconv.Itoa(i), `{"name":"User"}`)
	}
	for i := range n {
		id := "conv_" + strconv.Itoa(i)
		other := "u" + strconv.Itoa(i%100)
		direct(tb, s, "PUT", "/conversations/"+id, `{"subject":"Order `+strconv.Itoa(i)+`","participants":["owner","`+other+`"],"custom":{"category":"`+strconv.Itoa(i%10)+`"}}`)
		sender := "owner"
		if i%10 == 0 {
			sender = other
		}
		direct(tb, s, "POST", "/conversations/"+id+"/messages", `[{"type":"UserMessage","sender":"`+sender+`","text":"Your parcel is on its way."}]`)
	}
	srv := httptest.NewServer(s)
	e := &scaleEnv{n: n, srv: srv, api: s, base: srv.URL + "/v1/" + bench.AppID,
		hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}, mid: "conv_" + strconv.Itoa(n/2)}
	scaleEnvs[n] = e
	if n == 100_000 {
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		scaleHeapMB = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	}
	return e
}

func (e *scaleEnv) get(path string) (int, int, error) {
	req, _ := http.NewRequest("GET", e.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+bench.Secret)
	res, err := e.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, _ := io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode, int(n), nil
}

// percentile answers the p-th percentile (0..100) of d.
func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// BenchmarkScale measures conversation lists as the store grows: one page
// of 30 (p50 over b.N pages) at 1,000, 10,000 and 100,000 conversations for
// the app-wide list, a filter one in ten passes, a user in all of them with
// unreadsOnly (one in ten unread), and a cursor in the middle; then a walk of
// all 100,000 in pages of 100 (once, walk-ms), a mixed load at 8 clients
// with and without 5% list requests (b.N × 100 requests), and the heap the
// 100,000 conversations take. Run it with -benchtime=30x.
func BenchmarkScale(b *testing.B) {
	filter := url.QueryEscape(`{"custom":{"category":["==","3"]}}`)
	for _, n := range []int{1_000, 10_000, 100_000} {
		e := scaleFixture(b, n)
		queries := []struct{ name, path string }{
			{"global", "/conversations?limit=30"},
			{"filtered", "/conversations?limit=30&filter=" + filter},
			{"user-unreadsOnly", "/users/owner/conversations?limit=30&unreadsOnly=true"},
			{"deep-cursor", "/conversations?limit=30&startingAfter=" + e.mid},
		}
		for _, q := range queries {
			b.Run(fmt.Sprintf("query=%s/n=%d", q.name, n), func(b *testing.B) {
				var lat []time.Duration
				for b.Loop() {
					t0 := time.Now()
					code, _, err := e.get(q.path)
					lat = append(lat, time.Since(t0))
					if err != nil || code != 200 {
						b.Fatalf("GET %s = %d, %v; want 200, nil", q.path, code, err)
					}
				}
				b.ReportMetric(float64(percentile(lat, 50).Microseconds()), "p50-µs")
			})
		}
	}
	e := scaleFixture(b, 100_000)
	b.Run("walk/n=100000", func(b *testing.B) {
		// One full walk, reported as walk-ms; each iteration then reads
		// one page of 100 at a cursor spread over the list.
		t0 := time.Now()
		if seen := walkAll(b, e); seen != 100_000 {
			b.Fatalf("walkAll() saw %d conversations, want 100000", seen)
		}
		walk := time.Since(t0)
		i := 0
		for b.Loop() {
			i++
			path := "/conversations?limit=100&startingAfter=conv_" + strconv.Itoa(i*7919%e.n)
			if code, _, err := e.get(path); err != nil || code != 200 {
				b.Fatalf("GET %s = %d, %v; want 200, nil", path, code, err)
			}
		}
		b.ReportMetric(float64(walk.Milliseconds()), "walk-ms")
	})
	// The smaller stores go before the mixed load, so that the heap the
	// collector walks is the 100,000 conversations' only.
	for _, n := range []int{1_000, 10_000} {
		if small := scaleEnvs[n]; small != nil {
			small.srv.Close()
			delete(scaleEnvs, n)
		}
	}
	runtime.GC()
	for _, lists := range []int{0, 5} {
		b.Run(fmt.Sprintf("mixed/lists=%dpct/clients=8/n=100000", lists), func(b *testing.B) {
			mixedLoad(b, e, 8, lists)
		})
	}
	b.Run("memory/n=100000", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(scaleHeapMB, "MB/100k-convs")
	})
}

// walkAll lists every conversation in pages of 100 and answers how many.
func walkAll(b *testing.B, e *scaleEnv) int {
	seen, after := 0, ""
	for {
		path := "/conversations?limit=100"
		if after != "" {
			path += "&startingAfter=" + after
		}
		req, _ := http.NewRequest("GET", e.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+bench.Secret)
		res, err := e.hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page struct{ Data []struct{ ID string } }
		err = jsonDecode(res.Body, &page)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		seen += len(page.Data)
		if len(page.Data) < 100 {
			return seen
		}
		after = page.Data[len(page.Data)-1].ID
	}
}

// mixedLoad runs 100 requests per b.N over clients goroutines: half gets
// of a random conversation, half sends to one, and lists percent of them
// app-wide list pages instead. It reports the p99 of the gets.
func mixedLoad(b *testing.B, e *scaleEnv, clients, lists int) {
	var mu sync.Mutex
	var gets []time.Duration
	for b.Loop() {
		var next atomic.Int64
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(c), 1))
				var mine []time.Duration
				for next.Add(1) <= 100 {
					conv := "conv_" + strconv.Itoa(rng.IntN(e.n))
					switch r := rng.IntN(100); {
					case r < lists:
						if code, _, err := e.get("/conversations?limit=30"); err != nil || code != 200 {
							b.Errorf("GET /conversations?limit=30 = %d, %v; want 200, nil", code, err)
							return
						}
					case r%2 == 0:
						t0 := time.Now()
						code, _, err := e.get("/conversations/" + conv)
						mine = append(mine, time.Since(t0))
						if err != nil || code != 200 {
							b.Errorf("GET /conversations/%s = %d, %v; want 200, nil", conv, code, err)
							return
						}
					default:
						req, _ := http.NewRequest("POST", e.base+"/conversations/"+conv+"/messages",
							bytes.NewReader([]byte(`[{"type":"UserMessage","sender":"owner","text":"On its way."}]`)))
						req.Header.Set("Authorization", "Bearer "+bench.Secret)
						req.Header.Set("Content-Type", "application/json")
						res, err := e.hc.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, res.Body)
						_ = res.Body.Close()
					}
				}
				mu.Lock()
				gets = append(gets, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(percentile(gets, 99).Microseconds()), "get-p99-µs")
	b.ReportMetric(float64(percentile(gets, 50).Microseconds()), "get-p50-µs")
}

// scaleHeapMB is the heap growth, in MB, of building the 100,000-conversation
// fixture (after a GC before and after).
var scaleHeapMB float64

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// BenchmarkBigAnswers lists, from 4 clients at once, a page of 50 messages
// of 1,000,000 '<' each, and reports the peak heap while they run (an
// escaped '<' is 6 bytes of JSON; whole answers are built in memory).
func BenchmarkBigAnswers(b *testing.B) {
	s := api.NewServer(api.WithAppID(bench.AppID), api.WithSecret(bench.Secret))
	direct(b, s, "PUT", "/users/owner", `{"name":"Owner"}`)
	direct(b, s, "PUT", "/conversations/big", `{"participants":["owner"]}`)
	body := `[{"type":"UserMessage","sender":"owner","text":"` + strings.Repeat("<", 1_000_000) + `"}]`
	for range 50 {
		direct(b, s, "POST", "/conversations/big/messages", body)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	var peak uint64
	for b.Loop() {
		runtime.GC()
		h := bench.StartHeapPeak(time.Millisecond)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", srv.URL+"/v1/"+bench.AppID+"/conversations/big/messages?limit=50", nil)
				req.Header.Set("Authorization", "Bearer "+bench.Secret)
				res, err := hc.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
			}()
		}
		wg.Wait()
		p, _ := h.Stop()
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

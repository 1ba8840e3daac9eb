package importer

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/histgen"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// statusCounter counts the answers the server gives: all of them, and the
// 429s among them; and notes when the first request came and the last
// answer went.
type statusCounter struct {
	h              http.Handler
	total, limited atomic.Int64
	mu             sync.Mutex
	first, last    time.Time
}

func (s *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.first.IsZero() {
		s.first = time.Now()
	}
	s.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.h.ServeHTTP(rec, r)
	s.total.Add(1)
	if rec.status == http.StatusTooManyRequests {
		s.limited.Add(1)
	}
	s.mu.Lock()
	s.last = time.Now()
	s.mu.Unlock()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// importRun is the outcome of one import into a fresh server.
type importRun struct {
	elapsed          time.Duration // the whole import
	talking          time.Duration // from the first request to the last answer
	messages         int
	accepted, limits int64 // requests answered other than 429, and 429s
	syncs            int   // fsyncs of the checkpoint
}

// runImport imports data into a fresh in-memory server (the one `talkjs
// serve` runs) limited to rate requests a second with bursts of burst (no
// limit when rate is 0), through a client with the default retry policy,
// as `talkjs import` does.
func runImport(tb testing.TB, data []byte, rate float64, burst, concurrency int, pace bool) importRun {
	tb.Helper()
	var opts []api.Option
	if rate > 0 {
		opts = append(opts, api.WithRateLimit(rate, burst))
	}
	srv := api.NewServer(opts...)
	counter := &statusCounter{h: srv}
	hs := httptest.NewServer(counter)
	defer hs.Close()
	copts := []talkjs.Option{talkjs.WithBaseURL(hs.URL)}
	if pace {
		copts = append(copts, talkjs.WithMiddleware(Pace()))
	}
	c, err := talkjs.NewClient(srv.AppID(), srv.Secret(), copts...)
	if err != nil {
		tb.Fatal(err)
	}
	im := New(c, Options{Checkpoint: filepath.Join(tb.TempDir(), "h.checkpoint"), Concurrency: concurrency})
	sum, err := im.Run(tb.Context(), bytes.NewReader(data))
	if err != nil || !sum.OK() || sum.Imported != sum.Messages {
		tb.Fatalf("Run() = %+v, %v; want OK with every message imported", sum, err)
	}
	if n := srv.Counts().Messages; n != sum.Messages {
		tb.Fatalf("server holds %d messages, want %d", n, sum.Messages)
	}
	limited := counter.limited.Load()
	return importRun{elapsed: sum.Elapsed, messages: sum.Messages, accepted: counter.total.Load() - limited, limits: limited, syncs: im.cp.syncs,
		talking: counter.last.Sub(counter.first)}
}

// BenchmarkImport measures `talkjs import` (the importer, 4 conversations
// at once, default client) against the in-memory server, with no limit
// and with rate limits. Besides messages/s and requests/s it reports, under
// a limit, the share of what the limit allows that the import used
// (accepted requests over burst + rate × the time from the first request
// to the last answer, in %; %-of-limit-whole-run counts from the start,
// reading the input included) and the 429
// answers it drew. Each iteration is a whole import; run it with
// -benchtime=1x. Without the pacer a limit whose burst is below its rate
// is not worth measuring: at 100:10 the import ran at 10% of the limit
// with 40 conversations and, with these 80, gave up on a conversation
// upsert still answered 429 after the client's four attempts.
func BenchmarkImport(b *testing.B) {
	// About 880 requests: 8,000 messages in 80 conversations, 10 a
	// request, 80 conversation upserts and a users batch; about 9 s at
	// 100 requests a second.
	var hist bytes.Buffer
	if err := histgen.Write(&hist, histgen.Spec{Users: 40, Conversations: 80, Messages: 8000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := hist.Bytes()
	for _, l := range []struct {
		rate  float64
		burst int
		pace  bool
	}{{0, 0, true}, {100, 100, true}, {100, 10, true}, {100, 100, false}} {
		name := "limit=none"
		if l.rate > 0 {
			name = fmt.Sprintf("limit=%g:%d", l.rate, l.burst)
		}
		name += "/pace=" + map[bool]string{true: "on", false: "off"}[l.pace]
		b.Run(name, func(b *testing.B) {
			var r importRun
			for b.Loop() {
				r = runImport(b, data, l.rate, l.burst, 4, l.pace)
			}
			secs := r.elapsed.Seconds()
			b.ReportMetric(float64(r.messages)/secs, "msgs/s")
			b.ReportMetric(float64(r.accepted)/secs, "req/s")
			b.ReportMetric(float64(r.limits), "429s")
			b.ReportMetric(float64(r.syncs), "fsyncs")
			if l.rate > 0 {
				// Over the time the import talked to the server: reading
				// and checking the input before the first request is not
				// the pacer's to use.
				b.ReportMetric(100*float64(r.accepted)/(float64(l.burst)+l.rate*r.talking.Seconds()), "%-of-limit")
				b.ReportMetric(100*float64(r.accepted)/(float64(l.burst)+l.rate*secs), "%-of-limit-whole-run")
			}
		})
	}
}

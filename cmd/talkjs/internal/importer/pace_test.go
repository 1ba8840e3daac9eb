package importer

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/histgen"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

func TestPaceLearnsTheRate(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	p := &pacer{now: func() time.Time { return clock }}
	at := func(d time.Duration) { clock = clock.Add(d) }

	for range 100 {
		if d := p.turn(); d != 0 {
			t.Fatalf("turn() before any 429 = %v, want 0", d)
		}
		p.answered(http.StatusOK)
		at(8 * time.Millisecond) // 125 a second, unpaced
	}
	clock = clock.Truncate(time.Second).Add(time.Second) // a fresh window
	for range 40 {
		p.answered(http.StatusOK)
		at(20 * time.Millisecond)
	}
	p.answered(http.StatusTooManyRequests) // 40 accepted over the last second
	for i, want := range []time.Duration{0, 25 * time.Millisecond, 50 * time.Millisecond} {
		if d := p.turn(); d != want {
			t.Errorf("turn() %d after the first 429 = %v, want %v (40 a second)", i, d, want)
		}
	}
	p.answered(http.StatusTooManyRequests) // the same crowding: no new estimate
	if p.rate != 40 {
		t.Errorf("rate after a second 429 at once = %v, want 40 (the same crowding, no new estimate)", p.rate)
	}

	at(time.Second) // a second in which the client sent nothing: no raise
	p.turn()
	if p.rate != 40 {
		t.Errorf("rate after an idle second = %v, want 40 still: the client did not use it", p.rate)
	}
	for range 40 { // quiet at 40 a second: while climbing from the first estimate, double
		at(25 * time.Millisecond)
		p.answered(http.StatusOK)
	}
	p.turn()
	if p.rate != 80 {
		t.Errorf("rate after a quiet second at the pace = %v, want 80", p.rate)
	}
	for range 45 { // 90 a second for half a second, then a 429
		at(time.Second / 90)
		p.answered(http.StatusOK)
	}
	p.answered(http.StatusTooManyRequests)
	if p.rate < 40 || p.rate > 95 || p.slowStart {
		t.Errorf("rate, slow start after the climb's 429 = %v, %t; want 40..95 (about what went through), false", p.rate, p.slowStart)
	}
	r := p.rate
	for range int(r*paceQuiet.Seconds()) + 1 {
		at(time.Duration(float64(time.Second) / r))
		p.answered(http.StatusOK)
	}
	p.turn()
	if got := p.rate / r; got < 1.09 || got > 1.11 {
		t.Errorf("rate after a quiet half second = %.2f times the rate before, want 1.1", got)
	}
}

// fakeServer answers 429 to the first n attempts, then 200, and keeps
// the bodies it was sent.
type fakeServer struct {
	limited int
	bodies  []string
}

func (f *fakeServer) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	f.bodies = append(f.bodies, string(b))
	status := http.StatusOK
	if len(f.bodies) <= f.limited {
		status = http.StatusTooManyRequests
	}
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

func TestPaceResendsA429(t *testing.T) {
	for _, tc := range []struct {
		name       string
		limited    int
		rewindable bool
		attempts   int
		status     int
	}{
		{"two 429s, then 200", 2, true, 3, 200},
		{"429s beyond the resends", 2 * paceRetries, true, 1 + paceRetries, 429},
		{"body not rewindable", 2, false, 1, 429},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var slept []time.Duration
			p := &pacer{now: time.Now, sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
			f := &fakeServer{limited: tc.limited}
			const body = `[{"text":"hi"}]`
			req, err := http.NewRequest(http.MethodPost, "http://x/import", bytes.NewReader([]byte(body)))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.rewindable {
				req.GetBody = nil
			}
			res, err := p.roundTrip(f, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status || len(f.bodies) != tc.attempts {
				t.Errorf("roundTrip() = status %d after %d attempts, want %d after %d", res.StatusCode, len(f.bodies), tc.status, tc.attempts)
			}
			for i, b := range f.bodies {
				if b != body {
					t.Errorf("roundTrip() attempt %d sent %q, want %q", i+1, b, body)
				}
			}
			if len(slept) != len(f.bodies) {
				t.Errorf("roundTrip() took %d turns for %d attempts, want one turn per attempt", len(slept), len(f.bodies))
			}
		})
	}
}

// scripted429 answers 429 to the import requests whose number (counting
// from 1) is listed, without passing them on, whatever the pace: the limit
// is driven by the server's script, not by how fast the machine is.
type scripted429 struct {
	h       http.Handler
	mu      sync.Mutex
	imports int
	limit   map[int]bool
	limited int
}

func (s *scripted429) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/import/") {
		s.mu.Lock()
		s.imports++
		refuse := s.limit[s.imports]
		if refuse {
			s.limited++
		}
		s.mu.Unlock()
		if refuse {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"errorCode":"RATE_LIMITED","reasons":["too many requests"]}`, http.StatusTooManyRequests)
			return
		}
	}
	s.h.ServeHTTP(w, r)
}

// TestPacedImportIsExactlyOnce imports through the pacer into a server
// that answers 429 now and then, including several times in a row: every
// message is stored once.
func TestPacedImportIsExactlyOnce(t *testing.T) {
	var hist bytes.Buffer
	if err := histgen.Write(&hist, histgen.Spec{Users: 10, Conversations: 10, Messages: 600, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	data := hist.Bytes()
	srv := api.NewServer()
	limit := map[int]bool{}
	for _, n := range []int{3, 4, 5, 6, 7, 20, 21, 40, 41, 42, 43, 44, 45, 46, 47} {
		limit[n] = true
	}
	s := &scripted429{h: srv, limit: limit}
	hs := httptest.NewServer(s)
	defer hs.Close()
	c, err := talkjs.NewClient(srv.AppID(), srv.Secret(), talkjs.WithBaseURL(hs.URL), talkjs.WithMiddleware(Pace()),
		talkjs.WithRetryPolicy(talkjs.RetryPolicy{MaxRetries: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 10 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := New(c, Options{Checkpoint: filepath.Join(t.TempDir(), "cp"), Concurrency: 4}).Run(t.Context(), bytes.NewReader(data))
	if err != nil || !sum.OK() || sum.Imported != sum.Messages {
		t.Fatalf("Run(against scripted 429s) = %+v, %v; want OK with every message imported", sum, err)
	}
	if s.limited != len(limit) {
		t.Errorf("the server answered 429 %d times, want %d: the test shows less than it says", s.limited, len(limit))
	}
	checkStored(t, srv, expected(t, data))
}

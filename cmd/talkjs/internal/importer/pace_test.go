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
			t.Fatalf("before any 429 a request waited %v", d)
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
			t.Errorf("request %d after the first 429 waits %v, want %v (40 a second)", i, d, want)
		}
	}
	p.answered(http.StatusTooManyRequests) // the same crowding: no new estimate
	if p.rate != 40 {
		t.Errorf("a second 429 at once changed the rate to %v", p.rate)
	}

	at(time.Second) // a second in which the client sent nothing: no raise
	p.turn()
	if p.rate != 40 {
		t.Errorf("after an idle second the rate is %v, want 40 still: the client did not use it", p.rate)
	}
	for range 40 { // quiet at 40 a second: while climbing from the first estimate, double
		at(25 * time.Millisecond)
		p.answered(http.StatusOK)
	}
	p.turn()
	if p.rate != 80 {
		t.Errorf("after a quiet second at the pace the rate is %v, want 80", p.rate)
	}
	for range 45 { // 90 a second for half a second, then a 429
		at(time.Second / 90)
		p.answered(http.StatusOK)
	}
	p.answered(http.StatusTooManyRequests)
	if p.rate < 40 || p.rate > 95 || p.slowStart {
		t.Errorf("after the climb's 429 the rate is %v (slow start %t), want about what went through", p.rate, p.slowStart)
	}
	r := p.rate
	for range int(r*paceQuiet.Seconds()) + 1 {
		at(time.Duration(float64(time.Second) / r))
		p.answered(http.StatusOK)
	}
	p.turn()
	if got := p.rate / r; got < 1.09 || got > 1.11 {
		t.Errorf("a quiet half second raised the rate %.2f times, want 1.1", got)
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
		limited    int
		rewindable bool
		attempts   int
		status     int
	}{
		{2, true, 3, 200},
		{2 * paceRetries, true, 1 + paceRetries, 429},
		{2, false, 1, 429},
	} {
		var slept []time.Duration
		p := &pacer{now: time.Now, sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
		f := &fakeServer{limited: tc.limited}
		req, err := http.NewRequest(http.MethodPost, "http://x/import", bytes.NewReader([]byte(`[{"text":"hi"}]`)))
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
			t.Errorf("%+v: status %d after %d attempts, want %d after %d", tc, res.StatusCode, len(f.bodies), tc.status, tc.attempts)
		}
		for i, b := range f.bodies {
			if b != `[{"text":"hi"}]` {
				t.Errorf("%+v: attempt %d sent %q", tc, i+1, b)
			}
		}
		if len(slept) != len(f.bodies) {
			t.Errorf("%+v: %d turns for %d attempts", tc, len(slept), len(f.bodies))
		}
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
	sum, err := New(c, Options{Checkpoint: filepath.Join(t.TempDir(), "cp"), Concurrency: 4}).Run(context.Background(), bytes.NewReader(data))
	if err != nil || !sum.OK() || sum.Imported != sum.Messages {
		t.Fatalf("import: %v, summary %+v", err, sum)
	}
	if s.limited != len(limit) {
		t.Errorf("the server answered 429 %d times, want %d: the test shows less than it says", s.limited, len(limit))
	}
	checkStored(t, srv, expected(t, data))
}

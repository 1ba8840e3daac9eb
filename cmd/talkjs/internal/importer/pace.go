package importer

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/sleep"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// Pace returns client middleware that keeps an import at the pace a
// server's rate limit allows, so that it neither idles nor draws a storm
// of 429 answers. Give each import its own.
//
// Honouring Retry-After alone is not enough: the header counts whole
// seconds, so each 429 stops a worker for at least a second even when the
// server would take the next request 10 ms later, and while all workers
// are stopped the server's token bucket saves up no more than its burst.
// A server allowing 100 requests a second in bursts of 10 then lets 10 a
// second through (BenchmarkImport). The pacer learns the rate instead:
//
//   - It sends freely until the first 429; without a rate limit it never
//     waits.
//   - At a 429 the server's bucket is empty, so what it accepted since the
//     last 429 is what it allows: requests are spaced at that rate from
//     then on. At the first 429, and when the last was more than a second
//     ago, what it accepted over the last second counts too (or since the
//     first answer, when that is sooner: a first 429 milliseconds into an
//     import would make the first estimate the burst alone). A 429 within
//     half a second of the last estimate undoes any raise since; the third
//     such 429 (after at least 50 ms) shows the estimate too high, and what
//     went through since it, the bucket being empty, is a new one.
//   - After half a second without a 429 it tries a faster pace, 10% more,
//     if the client used the pace it has (half of it, at least): a client
//     idle between an import's phases learns nothing from the quiet;
//     while it climbs away from the first estimate, which is too low when
//     the burst is small, it doubles the pace every quarter second, and
//     when a doubling draws a 429 the limit lies between the two paces: it
//     takes the middle (above the limit costs a few 429s and measures it;
//     below it, the server's bucket fills and the allowance is lost).
//   - A request answered 429 was not acted on, so the pacer sends it
//     again in its paced turn, up to 10 times, before it hands the 429 to
//     the client, whose own retries wait as long as Retry-After says (a
//     second, during which an import's phase may wait for that request).
//
// Requests go out at the pace learnt from the server, so 429s come mostly
// from the probing, about one every half second at a steady limit.
func Pace() talkjs.Middleware {
	p := &pacer{now: time.Now, sleep: sleep.For}
	return func(next http.RoundTripper) http.RoundTripper {
		return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			return p.roundTrip(next, r)
		})
	}
}

const (
	paceSlot    = 100 * time.Millisecond
	paceSlots   = 10 // the window of the first estimate: one second
	paceQuiet   = 500 * time.Millisecond
	paceMinRate = 1.0
	// paceRetries is how often the pacer resends a request answered 429
	// before it hands the 429 to the client.
	paceRetries = 10
)

type pacer struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu         sync.Mutex
	rate       float64   // requests a second; 0 until the first 429
	next       time.Time // when the next request may start
	estimated  time.Time // the 429 that last set the rate
	estRate    float64   // the rate it set
	raised     time.Time // the last increase
	slowStart  bool      // raises double until the next estimate
	begun      time.Time // the first answer
	since      int       // answers other than 429 since the last estimate
	storm      int       // 429s too soon after the last estimate
	sinceRaise int       // answers other than 429 since the last raise or estimate
	// accepted counts the answers other than 429 in each slot of the
	// last second; slot says which slot a count belongs to.
	slot     [paceSlots]int64
	accepted [paceSlots]int
}

func (p *pacer) roundTrip(next http.RoundTripper, r *http.Request) (*http.Response, error) {
	rewindable := r.Body == nil || r.Body == http.NoBody || r.GetBody != nil
	for try := 0; ; try++ {
		if err := p.sleep(r.Context(), p.turn()); err != nil {
			return nil, err
		}
		res, err := next.RoundTrip(r)
		if err != nil {
			return res, err
		}
		p.answered(res.StatusCode)
		if res.StatusCode != http.StatusTooManyRequests || try == paceRetries || !rewindable {
			return res, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		_ = res.Body.Close()
		again := r.Clone(r.Context())
		if r.GetBody != nil {
			if again.Body, err = r.GetBody(); err != nil {
				return nil, err
			}
		}
		r = again
	}
}

// turn books the next request's start and says how long to wait for it.
func (p *pacer) turn() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rate == 0 {
		return 0
	}
	now := p.now()
	last := p.estimated
	if p.raised.After(last) {
		last = p.raised
	}
	quiet := paceQuiet
	if p.slowStart {
		quiet /= 2
	}
	// Raise only a pace the client used: after a quiet spell in which it
	// sent little (waiting out a Retry-After, between an import's phases)
	// the quiet says nothing about the server.
	if now.Sub(last) >= quiet && float64(p.sinceRaise) >= p.rate*quiet.Seconds()/2 {
		if p.slowStart {
			p.rate *= 2
		} else {
			p.rate *= 1.1
		}
		p.raised, p.sinceRaise = now, 0
	}
	at := now
	if p.next.After(now) {
		at = p.next
	}
	p.next = at.Add(time.Duration(float64(time.Second) / p.rate))
	return at.Sub(now)
}

// answered learns from an answer's status.
func (p *pacer) answered(status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.begun.IsZero() {
		p.begun = now
	}
	cur := now.UnixNano() / int64(paceSlot)
	if status != http.StatusTooManyRequests {
		i := cur % paceSlots
		if p.slot[i] != cur {
			p.slot[i], p.accepted[i] = cur, 0
		}
		p.accepted[i]++
		p.since++
		p.sinceRaise++
		return
	}
	if !p.estimated.IsZero() && now.Sub(p.estimated) < paceQuiet {
		p.storm++
		if span := now.Sub(p.estimated); p.storm >= 3 && span >= paceSlot/2 {
			// 429s keep coming: the estimate was too high. The bucket
			// has been empty since it was made, and the client has been
			// sending faster than the server allows, so what went
			// through in between is the limit.
			p.rate = max(float64(p.since)/span.Seconds(), paceMinRate)
			p.estRate, p.slowStart = p.rate, false
			p.estimated, p.since, p.storm = now, 0, 0
			return
		}
		// Too soon for a new estimate: undo any raise since the last.
		p.rate = min(p.rate, p.estRate)
		return
	}
	// What the server accepted over the last second; it also spent its
	// saved-up burst then, if that second reaches back past the last 429.
	n := 0
	for i := range paceSlots {
		if p.slot[i] > cur-paceSlots {
			n += p.accepted[i]
		}
	}
	// Over the last second, or since the first answer when that is
	// sooner (at least a slot): a first 429 a few milliseconds into an
	// import would otherwise make the first estimate the burst alone.
	window := float64(n) / min(paceSlot*paceSlots, max(now.Sub(p.begun), paceSlot)).Seconds()
	rate := window
	if p.estimated.IsZero() {
		p.slowStart = true
	} else {
		span := now.Sub(p.estimated)
		rate = float64(p.since) / span.Seconds()
		if span >= paceSlot*paceSlots {
			rate = max(rate, window)
		}
		if p.slowStart && p.raised.After(p.estimated) {
			// The pace before the last doubling held for a while and
			// this one did not: the limit lies between the two. Take the
			// middle. Above the limit, the next 429 comes soon and, the
			// bucket being empty since this one, what went through in
			// between measures the limit; below it, the bucket would
			// save up only its burst while the pace climbs back.
			rate = max(rate, p.rate*3/4)
		}
		p.slowStart = false
	}
	p.rate = max(rate, paceMinRate)
	p.estRate = p.rate
	p.estimated, p.since, p.storm, p.sinceRaise = now, 0, 0, 0
	if p.next.Before(now) {
		p.next = now
	}
}

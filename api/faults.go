package api

import (
	"math/rand/v2"
	"sync"
)

// Faults sets how often the server misbehaves on purpose, to test a client's
// retries. Each share is a probability between 0 and 1; their sum must not
// exceed 1. The draws come from a generator seeded with Seed, so a run that
// sends the same requests in the same order meets the same faults.
type Faults struct {
	// Unavailable is the share of requests answered 503 before anything is
	// processed: retrying them is always safe.
	Unavailable float64
	// BadGateway is the share of requests that are processed (their effect
	// is stored) and then answered 502, as when a proxy loses the answer.
	BadGateway float64
	// Cut is the share of requests that are processed and then have their
	// connection closed without an answer.
	Cut float64
	// Seed seeds the generator.
	Seed uint64
}

type faultKind uint8

const (
	faultNone faultKind = iota
	faultUnavailable
	faultBadGateway
	faultCut
)

type faultInjector struct {
	mu  sync.Mutex
	cfg Faults
	rng *rand.Rand
}

func newFaultInjector(cfg Faults) *faultInjector {
	return &faultInjector{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
}

// draw decides the fate of one request.
func (f *faultInjector) draw() faultKind {
	f.mu.Lock()
	x := f.rng.Float64()
	f.mu.Unlock()
	switch {
	case x < f.cfg.Unavailable:
		return faultUnavailable
	case x < f.cfg.Unavailable+f.cfg.BadGateway:
		return faultBadGateway
	case x < f.cfg.Unavailable+f.cfg.BadGateway+f.cfg.Cut:
		return faultCut
	}
	return faultNone
}

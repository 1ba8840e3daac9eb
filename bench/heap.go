package bench

import (
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// HeapPeak samples the heap every interval until Stop, and reports the peaks
// above the levels at Start: of the heap objects (live and garbage not yet
// collected), and of the live heap as the last garbage collection measured
// it. It measures what a piece of code holds while it runs, which
// testing.AllocsPerRun (a count of allocations) cannot.
type HeapPeak struct {
	base, baseLive uint64
	peak, peakLive uint64
	stop           chan struct{}
	done           sync.WaitGroup
	sample         []metrics.Sample
}

const (
	heapObjects = "/memory/classes/heap/objects:bytes"
	heapLive    = "/gc/heap/live:bytes"
)

// StartHeapPeak collects garbage, records the baseline and starts sampling.
func StartHeapPeak(interval time.Duration) *HeapPeak {
	runtime.GC()
	h := &HeapPeak{stop: make(chan struct{}), sample: []metrics.Sample{{Name: heapObjects}, {Name: heapLive}}}
	h.base, h.baseLive = h.read()
	h.peak, h.peakLive = h.base, h.baseLive
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.observe()
			}
		}
	}()
	return h
}

func (h *HeapPeak) read() (objects, live uint64) {
	metrics.Read(h.sample)
	return h.sample[0].Value.Uint64(), h.sample[1].Value.Uint64()
}

func (h *HeapPeak) observe() {
	objects, live := h.read()
	h.peak = max(h.peak, objects)
	h.peakLive = max(h.peakLive, live)
}

// Stop ends sampling and returns the peak growth over the baseline in bytes:
// of all heap objects, and of the live heap.
func (h *HeapPeak) Stop() (objects, live uint64) {
	close(h.stop)
	h.done.Wait()
	h.observe()
	return h.peak - h.base, h.peakLive - min(h.baseLive, h.peakLive)
}

// Zeros is an io.Reader of n bytes that allocates nothing: a file of any size
// without holding it in memory.
type Zeros struct{ N int64 }

func (z *Zeros) Read(p []byte) (int, error) {
	if z.N <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.N {
		p = p[:z.N]
	}
	for i := range p {
		p[i] = byte(i)
	}
	z.N -= int64(len(p))
	return len(p), nil
}

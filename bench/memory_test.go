package bench_test

import (
	"bytes"
	"io"
	"runtime/debug"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/bench"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// These are the short, asserted versions of the memory bounds that
// BenchmarkIterateMessages and BenchmarkUpload measure at full size. Each
// has a control that breaks the bound on purpose, so the measurement is
// shown able to fail.

func frequentGC(t *testing.T) {
	old := debug.SetGCPercent(10)
	t.Cleanup(func() { debug.SetGCPercent(old) })
}

const (
	iterTestTotal = 20_000
	iterLiveBound = 4 << 20 // a few pages of decoded messages, not 20,000 messages
)

func TestIteratorHoldsFewPages(t *testing.T) {
	frequentGC(t)
	e := newEnv(t, iterTestTotal)
	ctx := t.Context()

	h := bench.StartHeapPeak(time.Millisecond)
	n, err := talkjsWalk(ctx, e.tj)
	_, live := h.Stop()
	if err != nil || n != iterTestTotal {
		t.Fatalf("Messages.All walked %d messages, %v; want %d, nil", n, err, iterTestTotal)
	}
	t.Logf("iterator over %d messages: peak live heap +%.2f MB", n, float64(live)/(1<<20))
	if live > iterLiveBound {
		t.Errorf("Messages.All peak live heap = +%.1f MB, want at most %.1f MB", float64(live)/(1<<20), float64(iterLiveBound)/(1<<20))
	}

	// Control: keeping every message breaks the bound.
	h = bench.StartHeapPeak(time.Millisecond)
	var kept []talkjs.Message
	for m, err := range e.tj.Messages.All(ctx, bench.ConversationID, nil) {
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, m)
	}
	_, live = h.Stop()
	if len(kept) != iterTestTotal || live <= iterLiveBound {
		t.Errorf("control: keeping %d messages raised the live heap +%.2f MB, want all %d kept and above %.1f MB (else the measurement cannot tell)", len(kept), float64(live)/(1<<20), iterTestTotal, float64(iterLiveBound)/(1<<20))
	}
}

const (
	uploadTestSize  = 20 << 20
	uploadHeapBound = 8 << 20
)

func TestUploadStreams(t *testing.T) {
	frequentGC(t)
	e := newEnv(t, 0)
	ctx := t.Context()

	h := bench.StartHeapPeak(time.Millisecond)
	tok, err := e.tj.Files.Upload(ctx, "big.bin", &bench.Zeros{N: uploadTestSize})
	peak, _ := h.Stop()
	if err != nil || tok == "" {
		t.Fatal(err)
	}
	if e.fixed.UploadedBytes < uploadTestSize {
		t.Fatalf("Files.Upload(big.bin): the server received %d bytes, want %d", e.fixed.UploadedBytes, uploadTestSize)
	}
	t.Logf("upload of %d MB: peak heap +%.2f MB", uploadTestSize>>20, float64(peak)/(1<<20))
	if peak > uploadHeapBound {
		t.Errorf("Files.Upload(%d MB) raised the heap by %.1f MB, want at most %.1f MB", uploadTestSize>>20, float64(peak)/(1<<20), float64(uploadHeapBound)/(1<<20))
	}

	// Control: buffering the file first breaks the bound.
	h = bench.StartHeapPeak(time.Millisecond)
	var buf bytes.Buffer
	_, _ = io.Copy(&buf, &bench.Zeros{N: uploadTestSize})
	_, err = e.tj.Files.Upload(ctx, "big.bin", &buf)
	peak, _ = h.Stop()
	if err != nil || peak <= uploadHeapBound {
		t.Errorf("control: Files.Upload(%d MB buffered) raised the heap %.2f MB, %v; want above %.1f MB, nil (else the measurement cannot tell)", uploadTestSize>>20, float64(peak)/(1<<20), err, float64(uploadHeapBound)/(1<<20))
	}
}

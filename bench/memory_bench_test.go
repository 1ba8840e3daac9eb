package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/bench"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// floorWalk is the hand-written paging loop the iterator is measured against.
func floorWalk(ctx context.Context, f *bench.Floor) (int, error) {
	n, after := 0, ""
	for {
		page, err := f.ListMessages(ctx, bench.ConversationID, after, bench.PageSize)
		if err != nil {
			return n, err
		}
		n += len(page)
		if len(page) < bench.PageSize {
			return n, nil
		}
		after = page[len(page)-1].ID
	}
}

func talkjsWalk(ctx context.Context, c *talkjs.Client) (int, error) {
	n := 0
	for _, err := range c.Messages.All(ctx, bench.ConversationID, nil) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

const iterTotal = 100_000

// BenchmarkIterateMessages walks 100,000 messages (1,000 pages) and reports
// the peak heap growth while walking.
func BenchmarkIterateMessages(b *testing.B) {
	e := newEnv(b, iterTotal)
	ctx := context.Background()
	walks := []struct {
		way  string
		walk func() (int, error)
	}{
		{"floor", func() (int, error) { return floorWalk(ctx, e.floor) }},
		{"talkjs", func() (int, error) { return talkjsWalk(ctx, e.tj) }},
	}
	for _, w := range walks {
		b.Run("n=100000/way="+w.way, func(b *testing.B) {
			b.ReportAllocs()
			var peak, live uint64
			for b.Loop() {
				h := bench.StartHeapPeak(time.Millisecond)
				n, err := w.walk()
				p, l := h.Stop()
				peak, live = max(peak, p), max(live, l)
				if err != nil || n != iterTotal {
					b.Fatalf("walk = %d messages, %v; want %d, nil", n, err, iterTotal)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(live)/(1<<20), "peak-live-MB")
		})
	}
}

const uploadSize = 100 << 20

// BenchmarkUpload streams a 100 MB file and reports the peak heap growth.
func BenchmarkUpload(b *testing.B) {
	e := newEnv(b, 0)
	ctx := context.Background()
	uploads := []struct {
		way    string
		upload func() (string, error)
	}{
		{"floor", func() (string, error) { return e.floor.Upload(ctx, "big.bin", &bench.Zeros{N: uploadSize}) }},
		{"talkjs", func() (string, error) { return e.tj.Files.Upload(ctx, "big.bin", &bench.Zeros{N: uploadSize}) }},
	}
	for _, u := range uploads {
		b.Run("size=100MB/way="+u.way, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(uploadSize)
			var peak uint64
			for b.Loop() {
				h := bench.StartHeapPeak(time.Millisecond)
				tok, err := u.upload()
				p, _ := h.Stop()
				peak = max(peak, p)
				if err != nil || tok == "" {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRatios(t *testing.T) {
	t.Parallel()
	in := `goos: linux
BenchmarkGet/way=floor-2   1000   100 ns/op   50 B/op   5 allocs/op
BenchmarkGet/way=floor-2   1000   300 ns/op   50 B/op   5 allocs/op
BenchmarkGet/way=talkjs-2  1000   220 ns/op   100 B/op  6 allocs/op
BenchmarkSend/n=1/way=floor-2  10  1000 ns/op  10 B/op  1 allocs/op
BenchmarkSend/n=1/way=gen-2    10  1500 ns/op  30 B/op  3 allocs/op
BenchmarkMint-2  100  50 ns/op
PASS
`
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, in) {
		t.Errorf("run(input) =\n%s\nwant it to begin with the input\n%s", got, in)
	}
	for _, want := range []string{"Get  talkjs  220  1.10  100  2.00  6  1.20", "Send/n=1  gen  1500  1.50  30  3.00  3  3.00"} {
		if !strings.Contains(strings.Join(strings.Fields(got), "  "), want) {
			t.Errorf("run(input) =\n%s\nwant a row %q", got, want)
		}
	}
	if strings.Contains(got, "Mint  ") {
		t.Errorf("run(input) =\n%s\nwant no row for Mint, a benchmark without ways", got)
	}
}

// TestPairedRatios: with as many runs of a way as of the floor, the ratio
// is the median of the runs' ratios, not the ratio of the medians.
func TestPairedRatios(t *testing.T) {
	t.Parallel()
	in := `BenchmarkGet/way=floor-2   1000   100 ns/op
BenchmarkGet/way=floor-2   1000   300 ns/op
BenchmarkGet/way=floor-2   1000   310 ns/op
BenchmarkGet/way=talkjs-2  1000   100 ns/op
BenchmarkGet/way=talkjs-2  1000   110 ns/op
BenchmarkGet/way=talkjs-2  1000   310 ns/op
`
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	// Medians 300 and 110 would give 0.37; the runs' ratios are 1.00,
	// 0.37 and 1.00.
	if got := strings.Join(strings.Fields(out.String()), " "); !strings.Contains(got, "Get talkjs 110 1.00") {
		t.Errorf("run(input) =\n%s\nwant a row %q (the median of the runs' ratios)", out.String(), "Get talkjs 110 1.00")
	}
}

func TestScalingTable(t *testing.T) {
	t.Parallel()
	in := `BenchmarkScale/query=global/n=1000-2   30  1 ns/op  200.0 p50-µs
BenchmarkScale/query=global/n=100000-2   30  1 ns/op  500.0 p50-µs
BenchmarkScale/walk/n=100000-2   30  1 ns/op  4500 walk-ms
BenchmarkScale/mixed/lists=0pct/clients=8/n=100000-2   30  1 ns/op  1000 get-p99-µs
BenchmarkScale/mixed/lists=5pct/clients=8/n=100000-2   30  1 ns/op  1500 get-p99-µs
`
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"global 200 500 2.50", "walk of 100,000 conversations in pages of 100: 4.5 s", "1.0 ms without lists, 1.5 ms with 5% lists (1.50×)"} {
		if !strings.Contains(got, want) {
			t.Errorf("run(input) =\n%s\nwant it to contain %q", out.String(), want)
		}
	}
}

func TestPrismRatio(t *testing.T) {
	t.Parallel()
	in := `BenchmarkPrism/op=get+send/clients=8/target=server-2   1000  1 ns/op  10 p50-µs  20 p99-µs  4000 req/s
BenchmarkPrism/op=get+send/clients=8/target=prism-2    1000  1 ns/op  10 p50-µs  20 p99-µs  320 req/s
`
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	if want := "op=get+send/clients=8 4000 320 12.5"; !strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
		t.Errorf("run(input) =\n%s\nwant a row %q", out.String(), want)
	}
	out.Reset()
	if err := run(strings.NewReader("--- SKIP: BenchmarkPrism\n"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "make bench-prism") {
		t.Errorf("run(--- SKIP: BenchmarkPrism) =\n%s\nwant it to say how to run it (make bench-prism)", out.String())
	}
}

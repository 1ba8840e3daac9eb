// Command benchtable reads `go test -bench` output on standard input, passes
// it through unchanged, and then prints a table comparing every "way=X"
// sub-benchmark with the "way=floor" one of the same benchmark: time,
// bytes and allocations per operation as ratios to the floor. With several
// runs of each (-count, or rounds of the whole set as make bench does) the
// figures are medians, and a ratio is the median of the runs' ratios when
// both sides ran equally often: run i of a way against run i of the floor,
// which ran next to it, so that a slow spell of the machine is compared
// with itself.
//
//	go test -run '^$' -bench . ./bench/ | go run ./bench/benchtable
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

type sample struct {
	ns, bytes, allocs, pace []float64
	metrics                 map[string][]float64 // any other unit, such as p50-µs
}

var line = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	samples := map[string]*sample{}
	var order []string
	prismSkipped := false
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		text := sc.Text()
		fmt.Fprintln(out, text)
		if strings.Contains(text, "--- SKIP: BenchmarkPrism") {
			prismSkipped = true
		}
		m := line.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		name := m[1]
		s := samples[name]
		if s == nil {
			s = &sample{}
			samples[name] = s
			order = append(order, name)
		}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "B/op":
				s.bytes = append(s.bytes, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			case "%-of-limit":
				s.pace = append(s.pace, v)
			default:
				if s.metrics == nil {
					s.metrics = map[string][]float64{}
				}
				s.metrics[fields[i+1]] = append(s.metrics[fields[i+1]], v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := false
	for _, name := range order {
		base, way, ok := splitWay(name)
		if !ok || way == "floor" {
			continue
		}
		floor := samples[base+"way=floor"]
		if floor == nil {
			continue
		}
		if !header {
			fmt.Fprintln(out, "\nRatios to the hand-written floor (1.00 = as fast/lean as net/http + encoding/json by hand):")
			fmt.Fprintln(tw, "benchmark\tway\tns/op\t× floor\tB/op\t× floor\tallocs/op\t× floor\t")
			header = true
		}
		s := samples[name]
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%.0f\t%s\t%.0f\t%s\t\n",
			strings.TrimSuffix(strings.TrimPrefix(base, "Benchmark"), "/"), way,
			median(s.ns), ratio(s.ns, floor.ns), median(s.bytes), ratio(s.bytes, floor.bytes),
			median(s.allocs), ratio(s.allocs, floor.allocs))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	header = false
	for _, name := range order {
		s := samples[name]
		if len(s.pace) == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(out, "\nShare of a rate limit the import used (%s):\n", "%-of-limit")
			fmt.Fprintln(tw, "benchmark\truns\tmin\tmedian\tmax\t")
			header = true
		}
		lo, hi := s.pace[0], s.pace[0]
		for _, v := range s.pace {
			lo, hi = min(lo, v), max(hi, v)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\t%.1f%%\t%.1f%%\t\n", strings.TrimPrefix(name, "Benchmark"), len(s.pace), lo, median(s.pace), hi)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := scaling(out, samples); err != nil {
		return err
	}
	return prismRatio(out, samples, prismSkipped)
}

var scaleQuery = regexp.MustCompile(`^BenchmarkScale/query=([^/]+)/n=(\d+)$`)

// scaling prints the table of BenchmarkScale: a list page's p50 at each
// store size and the largest size's p50 over the smallest's; the walk, the
// mixed load with and without lists, and the heap.
func scaling(out io.Writer, samples map[string]*sample) error {
	type row struct {
		p50 map[int]float64
	}
	rows := map[string]*row{}
	var queries []string
	sizes := map[int]bool{}
	for name, s := range samples {
		m := scaleQuery.FindStringSubmatch(name)
		if m == nil || len(s.metrics["p50-µs"]) == 0 {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		r := rows[m[1]]
		if r == nil {
			r = &row{p50: map[int]float64{}}
			rows[m[1]] = r
			queries = append(queries, m[1])
		}
		r.p50[n] = median(s.metrics["p50-µs"])
		sizes[n] = true
	}
	if len(rows) == 0 {
		return nil
	}
	sort.Strings(queries)
	var ns []int
	for n := range sizes {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	fmt.Fprintln(out, "\nConversation list page (limit 30), p50 in µs by number of conversations, and the largest ÷ the smallest:")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "query\t")
	for _, n := range ns {
		fmt.Fprintf(tw, "n=%d\t", n)
	}
	fmt.Fprintf(tw, "n=%d ÷ n=%d\t\n", ns[len(ns)-1], ns[0])
	for _, q := range queries {
		r := rows[q]
		fmt.Fprintf(tw, "%s\t", q)
		for _, n := range ns {
			fmt.Fprintf(tw, "%.0f\t", r.p50[n])
		}
		ratio := "-"
		if lo := r.p50[ns[0]]; lo > 0 {
			ratio = strconv.FormatFloat(r.p50[ns[len(ns)-1]]/lo, 'f', 2, 64)
		}
		fmt.Fprintf(tw, "%s\t\n", ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	metric := func(name, unit string) (float64, bool) {
		s := samples[name]
		if s == nil || len(s.metrics[unit]) == 0 {
			return 0, false
		}
		return median(s.metrics[unit]), true
	}
	if v, ok := metric("BenchmarkScale/walk/n=100000", "walk-ms"); ok {
		fmt.Fprintf(out, "full walk of 100,000 conversations in pages of 100: %.1f s\n", v/1000)
	}
	p0, ok0 := metric("BenchmarkScale/mixed/lists=0pct/clients=8/n=100000", "get-p99-µs")
	p5, ok5 := metric("BenchmarkScale/mixed/lists=5pct/clients=8/n=100000", "get-p99-µs")
	if ok0 && ok5 && p0 > 0 {
		fmt.Fprintf(out, "mixed get+send at 8 clients, get p99: %.1f ms without lists, %.1f ms with 5%% lists (%.2f×)\n", p0/1000, p5/1000, p5/p0)
	}
	if v, ok := metric("BenchmarkScale/memory/n=100000", "MB/100k-convs"); ok {
		fmt.Fprintf(out, "heap of 100,000 conversations with one message each: %.0f MB\n", v)
	}
	return nil
}

var prismTarget = regexp.MustCompile(`^BenchmarkPrism/(.+)/target=server$`)

// prismRatio prints the server's throughput over Prism's mock's for each
// request mix and client count of BenchmarkPrism, or says how to measure it
// when the benchmark was skipped (no Prism installed).
func prismRatio(out io.Writer, samples map[string]*sample, skipped bool) error {
	metric := func(name, unit string) (float64, bool) {
		s := samples[name]
		if s == nil || len(s.metrics[unit]) == 0 {
			return 0, false
		}
		return median(s.metrics[unit]), true
	}
	var cases []string
	for name := range samples {
		if m := prismTarget.FindStringSubmatch(name); m != nil {
			cases = append(cases, m[1])
		}
	}
	if len(cases) == 0 {
		if skipped {
			fmt.Fprintln(out, "server ÷ Prism mock throughput: not measured (`make bench-prism` installs Prism with npm and measures it)")
		}
		return nil
	}
	sort.Strings(cases)
	fmt.Fprintln(out, "\nserver ÷ Prism mock throughput, talkjs client with app JWTs, the same requests:")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case	server req/s	Prism req/s	server ÷ Prism	")
	for _, c := range cases {
		s, ok := metric("BenchmarkPrism/"+c+"/target=server", "req/s")
		p, okp := metric("BenchmarkPrism/"+c+"/target=prism", "req/s")
		if !ok || !okp || p == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.1f\t\n", c, s, p, s/p)
	}
	return tw.Flush()
}

// splitWay splits "BenchmarkX/n=1/way=gen" into "BenchmarkX/n=1/" and "gen".
func splitWay(name string) (base, way string, ok bool) {
	i := strings.LastIndex(name, "way=")
	if i < 0 {
		return "", "", false
	}
	way = name[i+len("way="):]
	if j := strings.IndexByte(way, '/'); j >= 0 {
		return "", "", false
	}
	return name[:i], way, true
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ratio(v, floor []float64) string {
	f := median(floor)
	if len(v) == 0 || f == 0 {
		return "-"
	}
	r := median(v) / f
	if len(v) == len(floor) && len(v) > 1 {
		pairs := make([]float64, 0, len(v))
		for i := range v {
			if floor[i] == 0 {
				return strconv.FormatFloat(r, 'f', 2, 64)
			}
			pairs = append(pairs, v[i]/floor[i])
		}
		r = median(pairs)
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

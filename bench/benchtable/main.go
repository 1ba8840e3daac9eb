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

type sample struct{ ns, bytes, allocs, pace []float64 }

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
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		text := sc.Text()
		fmt.Fprintln(out, text)
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

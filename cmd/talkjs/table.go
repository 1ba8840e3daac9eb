package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"golang.org/x/term"
	"golang.org/x/text/width"
)

// terminal is an output that is a terminal of a known width; tables and the
// progress bar fit into it. Other outputs (files, pipes) get everything.
type terminal struct {
	io.Writer
	columns int
}

// Columns returns the terminal's width in cells.
func (t terminal) Columns() int { return t.columns }

// asTerminal returns f wrapped with its width when it is a terminal.
func asTerminal(f *os.File) io.Writer {
	if !term.IsTerminal(int(f.Fd())) {
		return f
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil || cols <= 0 {
		return f
	}
	return terminal{f, cols}
}

// columns returns the width of w when it is a terminal, else 0.
func columns(w io.Writer) int {
	if t, ok := w.(interface{ Columns() int }); ok {
		return t.Columns()
	}
	return 0
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	if columns(w) > 0 {
		return true
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// cellWidth returns how many terminal cells r takes: 2 for East Asian wide
// and full-width characters (CJK, most emoji), 0 for combining marks and
// other zero-width characters, else 1.
func cellWidth(r rune) int {
	switch {
	case r == 0x200d || r == 0xfe0f || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// displayWidth returns how many cells s takes on a terminal.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += cellWidth(r)
	}
	return n
}

// clip shortens s to at most n cells, ending it with "…" when cut.
func clip(s string, n int) string {
	if displayWidth(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		w := cellWidth(r)
		if used+w > n-1 {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return b.String() + "…"
}

// table prints aligned columns, measured in terminal cells so that wide
// characters line up. On a terminal the widest columns are clipped until
// each line fits its width.
type table struct {
	w    io.Writer
	rows [][]string
}

func newTable(w io.Writer, headers ...string) *table {
	t := &table{w: w}
	if len(headers) > 0 {
		t.row(anys(headers)...)
	}
	return t
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (t *table) row(cells ...any) {
	r := make([]string, len(cells))
	for i, c := range cells {
		s := strings.NewReplacer("\n", " ", "\t", " ", "\r", " ").Replace(fmt.Sprint(c))
		if s == "" {
			s = "-"
		}
		r[i] = s
	}
	t.rows = append(t.rows, r)
}

// tableGap is the space between columns.
const tableGap = 2

// minColumn is the narrowest a column is clipped to.
const minColumn = 8

func (t *table) flush() error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	fit(widths, columns(t.w))
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			c = clip(c, widths[i])
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+tableGap))
			}
		}
		b.WriteByte('\n')
	}
	t.rows = nil
	_, err := io.WriteString(t.w, b.String())
	return err
}

// fit narrows the widest columns until a line is shorter than limit cells
// (a line as wide as the terminal would wrap on some terminals); limit 0
// means no limit.
func fit(widths []int, limit int) {
	if limit <= 0 || len(widths) == 0 {
		return
	}
	total := tableGap * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	for total > limit-1 {
		widest := 0
		for i, w := range widths {
			if w > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= minColumn {
			return // as narrow as it goes; the terminal wraps
		}
		cut := min(total-(limit-1), widths[widest]-minColumn)
		// Narrow the widest column down to the next widest first, so that
		// several wide columns share the cut.
		next := 0
		for i, w := range widths {
			if i != widest && w > next {
				next = w
			}
		}
		if next >= minColumn && widths[widest]-next > 0 {
			cut = min(cut, widths[widest]-next)
			if cut == 0 {
				cut = 1
			}
		}
		widths[widest] -= cut
		total -= cut
	}
}

package conformance

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// ShortSource is a check's source for a table: "docs/Users" for a page of
// TalkJS's REST reference, "docs/filters" for the filter language, else the
// source itself.
func ShortSource(source string) string {
	switch {
	case source == srcFilterLanguage:
		return "docs/filters"
	case strings.HasPrefix(source, docsREST):
		return "docs/" + strings.Trim(strings.TrimPrefix(source, docsREST), "/")
	case source == srcCore:
		return "@talkjs/core"
	}
	return source
}

// WriteTable prints the checks as a table (check, source, expected,
// observed, verdict) and a summary line.
func WriteTable(w io.Writer, rep *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSOURCE\tEXPECTED\tOBSERVED\tVERDICT")
	for _, c := range rep.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(c.Name, 90), cell(ShortSource(c.Source), 30),
			cell(c.Expected, 50), cell(c.Observed, 60), c.Verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, Summary(rep))
	return err
}

// Summary is one line: the counts by verdict, the requests sent, and the
// cleanup's outcome.
func Summary(rep *Report) string {
	n := rep.Counts()
	s := fmt.Sprintf("%d checks: %d pass, %d FAIL, %d info, %d skip; %d requests", len(rep.Checks),
		n[Pass], n[Fail], n[Info], n[Skip], rep.Requests)
	if rep.Capped {
		s += " (stopped at the request cap)"
	}
	if len(rep.Cleanup) > 0 {
		s += fmt.Sprintf("; cleanup left %d problems: %s", len(rep.Cleanup), strings.Join(rep.Cleanup, "; "))
	} else {
		s += fmt.Sprintf("; cleaned up %d conversations and %d users", len(rep.Created.Conversations), len(rep.Created.Users))
	}
	return s
}

func cell(s string, n int) string {
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	if s == "" {
		return "-"
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// WriteDifferences prints the differences of a comparison, one a line, and
// a summary line.
func WriteDifferences(w io.Writer, diffs []Difference) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(diffs) > 0 {
		fmt.Fprintln(tw, "STEP\tKIND\tFIELD\tRECORDED\tLOCAL")
		for _, d := range diffs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Step, d.Kind, cell(d.Field, 60), d.Recorded, d.Local)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d differences between the recording and the local server\n", len(diffs))
	return err
}

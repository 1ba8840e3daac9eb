package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// add records a check with its verdict from ok and the source.
func (r *runner) add(name, source, expected, observed string, ok bool) {
	v := Pass
	if !ok {
		v = Info
		if IsDocumented(source) {
			v = Fail
		}
	}
	r.checks = append(r.checks, Check{Name: name, Source: source, Expected: expected, Observed: observed, Verdict: v})
}

func (r *runner) skip(name, source, expected, why string) {
	r.checks = append(r.checks, Check{Name: name, Source: source, Expected: expected, Observed: why, Verdict: Skip})
}

// unsent reports a check as skipped when rs was never sent.
func (r *runner) unsent(name, source, expected string, rs *response) bool {
	if rs.sent {
		return false
	}
	why := "not sent"
	if rs.err != nil {
		why = rs.err.Error()
		if errors.Is(rs.err, errCapped) {
			why = errCapped.Error()
		}
	}
	r.skip(name, source, expected, why)
	return true
}

// status checks the status of an answer.
func (r *runner) status(name, source string, rs *response, want int) {
	expected := fmt.Sprint(want)
	if r.unsent(name, source, expected, rs) {
		return
	}
	r.add(name, source, expected, observedStatus(rs), rs.err == nil && rs.status == want)
}

// that checks a property of a 200 answer: fn sees the answer only when it is
// one, and says what it observed and whether it holds.
func (r *runner) that(name, source, expected string, rs *response, fn func() (observed string, ok bool)) {
	if r.unsent(name, source, expected, rs) {
		return
	}
	if !rs.ok() {
		r.add(name, source, expected, observedStatus(rs), false)
		return
	}
	obs, ok := fn()
	r.add(name, source, expected, obs, ok)
}

// observedStatus describes an answer that is not the expected 200.
func observedStatus(rs *response) string {
	if rs.err != nil {
		return "error: " + rs.err.Error()
	}
	s := fmt.Sprint(rs.status)
	if len(rs.body) > 0 && (rs.status < 200 || rs.status > 299) {
		s += " " + brief(rs.v, rs.body)
	}
	return s
}

// brief is a short one-line form of a JSON value for a table cell.
func brief(v any, raw []byte) string {
	var s string
	if v != nil {
		b, err := json.Marshal(v)
		if err == nil {
			s = string(b)
		}
	} else {
		s = strings.Join(strings.Fields(string(raw)), " ")
	}
	const max = 70
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// show is brief for a decoded value.
func show(v any) string {
	if v == nil {
		return "absent or null"
	}
	return brief(v, nil)
}

// ids are the "id" fields of a list answer's data, in order.
func ids(rs *response) []string {
	data, _ := rs.get("data").([]any)
	out := make([]string, 0, len(data))
	for _, e := range data {
		if id, ok := walk(e, "id").(string); ok {
			out = append(out, id)
		}
	}
	return out
}

// find returns the element of a list answer's data with the given id.
func find(rs *response, id string) map[string]any {
	data, _ := rs.get("data").([]any)
	for _, e := range data {
		if m, ok := e.(map[string]any); ok && m["id"] == id {
			return m
		}
	}
	return nil
}

// only keeps the ids of list that are in want, in list's order.
func only(list []string, want ...string) []string {
	out := []string{}
	for _, id := range list {
		if slices.Contains(want, id) {
			out = append(out, id)
		}
	}
	return out
}

// ms reads a JSON number as Unix milliseconds.
func ms(v any) (int64, bool) {
	f, ok := v.(float64)
	return int64(f), ok
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// list formats ids without the run's prefix, for the table.
func (r *runner) list(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.TrimPrefix(id, r.prefix)
	}
	return "[" + strings.Join(out, " ") + "]"
}

type obj = map[string]any

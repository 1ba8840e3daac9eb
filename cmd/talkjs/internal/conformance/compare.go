package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// Difference kinds.
const (
	DiffStatus   = "status"   // the two services answered different statuses
	DiffMissing  = "missing"  // the recording has a field the local answer lacks
	DiffExtra    = "extra"    // the local answer has a field the recording lacks
	DiffRenamed  = "renamed"  // one field is missing and one extra, with the same kind of value
	DiffType     = "type"     // the same field holds another kind of value
	DiffExchange = "exchange" // a step is in one run only
)

// Difference is one way a recorded answer differs from the local one.
type Difference struct {
	Step     string `json:"step"`
	Kind     string `json:"kind"`
	Field    string `json:"field,omitempty"` // a path such as data[0].participants.{prefix}bob.access
	Recorded string `json:"recorded"`
	Local    string `json:"local"`
}

func (d Difference) String() string {
	where := d.Step
	if d.Field != "" {
		where += " " + d.Field
	}
	return fmt.Sprintf("%s: %s (recorded %s, local %s)", where, d.Kind, d.Recorded, d.Local)
}

// Compare diffs a recording against a run of the same scenario elsewhere,
// step by step: statuses, and for answers of 2xx both sides, the shape of the
// JSON body (missing, extra and renamed fields, kinds of values). Values
// themselves (ids, times, texts) are not compared: they differ between any
// two runs; nor are objects the scenario did not create (recorded as
// "[not ours]"). Error bodies are not compared either, since TalkJS documents no
// schema for them. Array elements are compared pairwise up to the shorter
// array.
func Compare(recorded, local []Exchange) []Difference {
	byStep := make(map[string]Exchange, len(local))
	for _, ex := range local {
		byStep[ex.Step] = ex
	}
	seen := map[string]bool{}
	var out []Difference
	for _, rec := range recorded {
		seen[rec.Step] = true
		loc, ok := byStep[rec.Step]
		if !ok {
			out = append(out, Difference{Step: rec.Step, Kind: DiffExchange, Recorded: "sent", Local: "not sent"})
			continue
		}
		out = append(out, compareExchange(rec, loc)...)
	}
	for _, loc := range local {
		if !seen[loc.Step] {
			out = append(out, Difference{Step: loc.Step, Kind: DiffExchange, Recorded: "not sent", Local: "sent"})
		}
	}
	return out
}

func compareExchange(rec, loc Exchange) []Difference {
	if rec.Response.Error != "" || loc.Response.Error != "" {
		if (rec.Response.Error == "") != (loc.Response.Error == "") {
			return []Difference{{Step: rec.Step, Kind: DiffStatus, Recorded: statusText(rec), Local: statusText(loc)}}
		}
		return nil
	}
	if rec.Response.Status != loc.Response.Status {
		return []Difference{{Step: rec.Step, Kind: DiffStatus, Recorded: statusText(rec), Local: statusText(loc)}}
	}
	if rec.Response.Status < 200 || rec.Response.Status > 299 {
		return nil
	}
	var out []Difference
	diffShape(rec.Step, "", rec.Response.Body, loc.Response.Body, &out)
	return out
}

func statusText(ex Exchange) string {
	if ex.Response.Error != "" {
		return "no answer"
	}
	return fmt.Sprint(ex.Response.Status)
}

// kind names the JSON kind of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func diffShape(step, path string, rec, loc any, out *[]Difference) {
	kr, kl := kind(rec), kind(loc)
	if kr != kl {
		*out = append(*out, Difference{Step: step, Kind: DiffType, Field: fieldName(path), Recorded: kr, Local: kl})
		return
	}
	switch r := rec.(type) {
	case []any:
		l := loc.([]any)
		for i := 0; i < len(r) && i < len(l); i++ {
			diffShape(step, fmt.Sprintf("%s[%d]", path, i), r[i], l[i], out)
		}
	case map[string]any:
		l := loc.(map[string]any)
		if r["id"] == notOurs || l["id"] == notOurs {
			return // data of the app, not of the scenario: not comparable
		}
		var missing, extra []string
		for k := range r {
			if _, ok := l[k]; !ok {
				missing = append(missing, k)
			}
		}
		for k := range l {
			if _, ok := r[k]; !ok {
				extra = append(extra, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) == 1 && len(extra) == 1 && kind(r[missing[0]]) == kind(l[extra[0]]) {
			*out = append(*out, Difference{Step: step, Kind: DiffRenamed, Field: fieldName(join(path, extra[0])),
				Recorded: missing[0], Local: extra[0]})
			missing, extra = nil, nil
		}
		for _, k := range missing {
			*out = append(*out, Difference{Step: step, Kind: DiffMissing, Field: fieldName(join(path, k)), Recorded: kind(r[k]), Local: "absent"})
		}
		for _, k := range extra {
			*out = append(*out, Difference{Step: step, Kind: DiffExtra, Field: fieldName(join(path, k)), Recorded: "absent", Local: kind(l[k])})
		}
		keys := make([]string, 0, len(r))
		for k := range r {
			if _, ok := l[k]; ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			diffShape(step, join(path, k), r[k], l[k], out)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldName(path string) string {
	if path == "" {
		return "(body)"
	}
	return strings.TrimPrefix(path, ".")
}

package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Placeholders of a recording.
const (
	prefixPlaceholder = "{prefix}"
	appIDPlaceholder  = "{appId}"
	redacted          = "[redacted]"
)

var messageIDPattern = regexp.MustCompile(`msg_[A-Za-z0-9_-]+`)

// exchange turns a request and its answer into a recorded, normalised
// exchange: the secret key and tokens are redacted, the prefix and app id
// replaced, message ids and attachment tokens numbered in order of first
// appearance (so that two runs of the scenario line up).
func (r *runner) exchange(step string, req request, rs *response, secrets []string) Exchange {
	if r.norm == nil {
		r.norm = map[string]string{}
	}
	// Learn the attachment token first: the answer introduces it.
	if tok, ok := rs.get("attachmentToken").(string); ok && tok != "" {
		if _, known := r.norm[tok]; !known {
			r.files++
			r.norm[tok] = fmt.Sprintf("{file%d}", r.files)
		}
	}
	n := normaliser{r: r, secrets: secrets}
	ex := Exchange{Step: step}
	ex.Request.Method = req.method
	ex.Request.Path = n.str(req.path)
	if len(req.query) > 0 {
		ex.Request.Query = n.str(req.query.Encode())
		if q, err := url.QueryUnescape(ex.Request.Query); err == nil {
			ex.Request.Query = q
		}
	}
	ex.Request.Auth = req.auth
	if ex.Request.Auth == "" {
		ex.Request.Auth = authApp
	}
	switch req.version {
	case "-":
	case "":
		ex.Request.Headers = map[string]string{"TalkJS-REST-Version": r.version}
	default:
		ex.Request.Headers = map[string]string{"TalkJS-REST-Version": req.version}
	}
	switch {
	case req.raw != nil:
		mt, _, _ := mime.ParseMediaType(req.contentType)
		if mt == "application/json" {
			ex.Request.Body = n.str(string(req.raw))
		} else {
			ex.Request.Body = fmt.Sprintf("[%s, %d bytes]", mt, len(req.raw))
		}
	case req.body != nil:
		var v any
		b, _ := json.Marshal(req.body)
		_ = json.Unmarshal(b, &v)
		ex.Request.Body = n.value(v)
	}
	ex.Response.Status = rs.status
	switch {
	case rs.err != nil:
		ex.Response.Error = n.str(rs.err.Error())
	case rs.isJSON:
		ex.Response.Body = n.value(rs.v)
	case len(rs.body) > 0:
		ex.Response.Text = n.str(string(rs.body))
	}
	return ex
}

// normaliser rewrites the values of one exchange.
type normaliser struct {
	r       *runner
	secrets []string
}

func (n normaliser) value(v any) any { return n.walk(v, false) }

// walk normalises v. An object with an id that is not the scenario's (a
// user of the app listed by GET /users, say) is foreign: its strings,
// and the keys of the objects within it, are replaced, so that a
// recording never holds the app's own data, while the shape, which is all
// Compare looks at, stays.
func (n normaliser) walk(v any, foreign bool) any {
	switch x := v.(type) {
	case string:
		if foreign {
			return notOurs
		}
		if x == n.r.cfg.AppID {
			return appIDPlaceholder
		}
		return n.str(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.walk(e, foreign)
		}
		return out
	case map[string]any:
		if id, ok := x["id"].(string); ok && !n.ours(id) {
			foreign = true
		}
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			nk := n.str(k)
			if foreign && !plainKey.MatchString(k) {
				nk = fmt.Sprintf("%s %d", notOurs, i+1)
			}
			out[nk] = n.walk(x[k], foreign)
		}
		return out
	}
	return v
}

// notOurs replaces the strings of objects the scenario did not create.
const notOurs = "[not ours]"

// plainKey matches keys such as TalkJS's field names; other keys of a
// foreign object (ids, emails, anything with digits or punctuation) are
// replaced.
var plainKey = regexp.MustCompile(`^[a-z][A-Za-z]{0,30}$`)

// ours reports whether id belongs to the scenario: under its prefix, a
// message id, or the app's id.
func (n normaliser) ours(id string) bool {
	return strings.Contains(id, n.r.prefix) || messageIDPattern.MatchString(id) || id == n.r.cfg.AppID
}

func (n normaliser) str(s string) string {
	for _, sec := range n.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	for tok, ph := range n.r.norm {
		if !strings.HasPrefix(tok, "msg_") {
			s = strings.ReplaceAll(s, tok, ph)
		}
	}
	s = strings.ReplaceAll(s, n.r.prefix, prefixPlaceholder)
	if app := n.r.cfg.AppID; app != "" {
		s = strings.ReplaceAll(s, "/v1/"+app, "/v1/"+appIDPlaceholder)
	}
	return messageIDPattern.ReplaceAllStringFunc(s, func(id string) string {
		if ph, ok := n.r.norm[id]; ok {
			return ph
		}
		n.r.msgs++
		ph := fmt.Sprintf("{msg%d}", n.r.msgs)
		n.r.norm[id] = ph
		return ph
	})
}

// Recording is a run written by [Record].
type Recording struct {
	Report    *Report    `json:"report"`
	Exchanges []Exchange `json:"-"`
}

// recordingFile is the summary file of a recording directory; the
// exchanges are one file each under exchanges/.
const (
	recordingFile = "report.json"
	exchangesDir  = "exchanges"
)

// Record writes rep into dir: report.json (the checks, with the prefix
// replaced) and exchanges/NNN-step.json, one file per exchange. Stale
// exchange files of an earlier recording are removed.
func Record(dir string, rep *Report) error {
	exdir := filepath.Join(dir, exchangesDir)
	if err := os.MkdirAll(exdir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(exdir, "*.json"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for i, ex := range rep.Exchanges {
		name := fmt.Sprintf("%03d-%s.json", i+1, fileSafe(ex.Step))
		if err := writeJSONFile(filepath.Join(exdir, name), ex); err != nil {
			return err
		}
	}
	summary := *rep
	summary.Prefix = prefixPlaceholder
	summary.Target = redactTarget(rep.Target)
	summary.Checks = make([]Check, len(rep.Checks))
	for i, c := range rep.Checks {
		c.Observed = strings.ReplaceAll(c.Observed, rep.Prefix, prefixPlaceholder)
		c.Expected = strings.ReplaceAll(c.Expected, rep.Prefix, prefixPlaceholder)
		summary.Checks[i] = c
	}
	summary.Created = Created{}
	for _, id := range rep.Created.Users {
		summary.Created.Users = append(summary.Created.Users, strings.ReplaceAll(id, rep.Prefix, prefixPlaceholder))
	}
	for _, id := range rep.Created.Conversations {
		summary.Created.Conversations = append(summary.Created.Conversations, strings.ReplaceAll(id, rep.Prefix, prefixPlaceholder))
	}
	return writeJSONFile(filepath.Join(dir, recordingFile), summary)
}

// redactTarget keeps the scheme and host of the API root and hides the app
// id in its path.
func redactTarget(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	if i := strings.Index(u.Path, "/v1/"); i >= 0 {
		u.Path = u.Path[:i] + "/v1/" + appIDPlaceholder
		u.RawPath = ""
	}
	u.User = nil
	return u.String()
}

func fileSafe(step string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, step)
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadRecording reads the exchanges of a recording written by [Record]
// (report.json is optional: a user may send only the exchanges).
func ReadRecording(dir string) ([]Exchange, error) {
	files, err := filepath.Glob(filepath.Join(dir, exchangesDir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("conformance: %s holds no recording (no %s/*.json)", dir, exchangesDir)
	}
	sort.Strings(files)
	out := make([]Exchange, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var ex Exchange
		if err := json.Unmarshal(b, &ex); err != nil {
			return nil, fmt.Errorf("conformance: %s: %w", f, err)
		}
		if ex.Step == "" {
			return nil, fmt.Errorf("conformance: %s: %w", f, errors.New(`no "step"`))
		}
		out = append(out, ex)
	}
	return out, nil
}

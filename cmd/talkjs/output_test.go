package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// --json prints what TalkJS answered: a field the API has as null stays
// null rather than becoming Go's "" or 0.
func TestJSONIsTheAPIsOwnRepresentation(t *testing.T) {
	e := newEnv(t)
	e.ok("users", "upsert", "alice", "--name", "Alice")
	e.ok("users", "upsert", "bob", "--name", "Bob")
	e.ok("conversations", "upsert", "c1", "--participant", "alice,bob")
	e.ok("messages", "send", "c1", "--sender", "alice", "--text", "hi")
	for _, tc := range []struct {
		args  []string
		nulls []string // fields that must be null
	}{
		{[]string{"users", "get", "alice"}, []string{"photoUrl", "role", "locale"}},
		{[]string{"users", "upsert", "alice", "--name", "Alice"}, []string{"photoUrl", "role"}},
		{[]string{"users", "list", "--all", "--limit", "1"}, []string{"photoUrl", "role"}},
		{[]string{"conversations", "get", "c1"}, []string{"subject", "photoUrl", "editedAt"}},
		{[]string{"conversations", "list"}, []string{"subject", "photoUrl"}},
		{[]string{"users", "conversations", "bob"}, []string{"subject", "readUntil"}},
		{[]string{"participants", "join", "c1", "bob"}, []string{"readUntil"}},
		{[]string{"messages", "list", "c1"}, []string{"attachment", "editedAt"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := e.ok(append(tc.args, "--json")...)
			if !json.Valid([]byte(out)) {
				t.Fatalf("not JSON:\n%s", out)
			}
			for _, f := range tc.nulls {
				if !strings.Contains(out, `"`+f+`": null`) {
					t.Errorf("%q is not null:\n%s", f, out)
				}
			}
			if regexp.MustCompile(`": (""|0)[,\n]`).MatchString(out) {
				t.Errorf("a Go zero value in the output:\n%s", out)
			}
		})
	}
	// Presence: the map of users, as before, without the answer's wrapper.
	if out := e.ok("users", "presence", "--json"); strings.TrimSpace(out) != "{}" {
		t.Errorf("users presence --json = %s, want {}", out)
	}
}

// runTerminal runs args with standard output and error on a terminal of
// the given width.
func runTerminal(t *testing.T, vars map[string]string, cols int, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	st := &stdio{In: strings.NewReader(""), Out: terminal{&out, cols}, Err: terminal{&errb, cols},
		Getenv: func(k string) string { return vars[k] }, ClientOptions: []talkjs.Option{fastRetries()}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := run(ctx, st, args)
	return result{code, out.String(), errb.String()}
}

func TestTablesFitTheTerminal(t *testing.T) {
	e := newEnv(t)
	e.ok("users", "upsert", "alice", "--name", strings.Repeat("Alice Anne Marie ", 6), "--email", "alice.anne.marie@example.com", "--role", "customer")
	e.ok("users", "upsert", "kenji", "--name", "山田健二さん", "--email", "k@example.jp")
	for _, cols := range []int{50, 80, 120} {
		r := runTerminal(t, e.vars, cols, "users", "list")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(r.out, "\n"), "\n") {
			if w := displayWidth(line); w >= cols {
				t.Errorf("%d columns: a line %d cells wide: %q", cols, w, line)
			}
		}
		if !strings.Contains(r.out, "…") {
			t.Errorf("%d columns: the long name was not clipped:\n%s", cols, r.out)
		}
	}
	// Not a terminal: nothing is clipped.
	if out := e.ok("users", "list"); !strings.Contains(out, strings.Repeat("Alice Anne Marie ", 5)) {
		t.Errorf("a pipe got a clipped table:\n%s", out)
	}
}

func TestTableAlignsWideCharacters(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b, "ID", "NAME", "ROLE")
	tb.row("u1", "山田健二", "buyer")
	tb.row("u2", "Bob", "seller")
	tb.row("u3", "Zoë 👍", "x")
	tb.row("u4", "é", "y") // e and a combining acute accent: one cell
	tb.flush()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	col := -1
	for _, line := range lines {
		fields := regexp.MustCompile(`\S+$`).FindStringIndex(line)
		at := displayWidth(line[:fields[0]])
		if col == -1 {
			col = at
		} else if at != col {
			t.Errorf("the last column starts at cell %d, not %d: %q\n%s", at, col, line, b.String())
		}
	}
	if got := clip("山田健二さん", 7); got != "山田健…" || displayWidth(got) > 7 {
		t.Errorf("clip = %q (%d cells), want 山田健… in at most 7", got, displayWidth(got))
	}
}

// The progress bar is redrawn with "\r" and erase-line: a line as wide as the
// terminal wraps, and the rows above the last are never erased.
func TestProgressBarNeverWraps(t *testing.T) {
	for _, cols := range []int{20, 50, 80} {
		var b bytes.Buffer
		p := newProgressPrinter(terminal{&b, cols}, true, 0)
		for settled := 0; settled <= 123456; settled += 4321 {
			p.draw(importerProgress(settled, 123456, settled))
		}
		p.Write([]byte("a note\n"))
		p.draw(importerProgress(123456, 123456, 123456))
		for _, seg := range regexp.MustCompile("\r\033\\[K|\n").Split(b.String(), -1) {
			if w := displayWidth(seg); w >= cols {
				t.Errorf("%d columns: a %d-cell line %q would wrap", cols, w, seg)
			}
		}
	}
}

func TestHints(t *testing.T) {
	e := newEnv(t)
	e.ok("users", "upsert", "alice", "--name", "Alice")
	with := func(k, v string) map[string]string {
		vars := map[string]string{}
		for k, v := range e.vars {
			vars[k] = v
		}
		vars[k] = v
		return vars
	}
	r := runWith(t, with(talkjs.EnvAppID, "wrong_app"), "", "users", "get", "alice")
	if r.code != 1 || !strings.Contains(r.err, `The app id "wrong_app" is not known`) || !strings.Contains(r.err, "TALKJS_APP_ID") {
		t.Errorf("wrong app id: exit %d\n%s", r.code, r.err)
	}
	// A missing user of a known app: no hint about the app id.
	if r := e.run("", "users", "get", "nobody"); r.code != 1 || strings.Contains(r.err, "app id") {
		t.Errorf("missing user: exit %d\n%s", r.code, r.err)
	}
	for _, base := range []string{e.url + "/v1/" + e.vars[talkjs.EnvAppID], e.url + "/v1/" + e.vars[talkjs.EnvAppID] + "/"} {
		r := runWith(t, with(talkjs.EnvBaseURL, base), "", "users", "get", "alice")
		if r.code != 2 || !strings.Contains(r.err, "give the host root, \""+e.url+"\"") {
			t.Errorf("base URL %s: exit %d\n%s", base, r.code, r.err)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
			args := append(tc.args, "--json")
			out := e.in(t).ok(args...)
			if !json.Valid([]byte(out)) {
				t.Fatalf("%s printed\n%s\nwant JSON", commandLine(args...), out)
			}
			for _, f := range tc.nulls {
				if !strings.Contains(out, `"`+f+`": null`) {
					t.Errorf("%s printed\n%s\nwant \"%s\": null", commandLine(args...), out, f)
				}
			}
			if zero := regexp.MustCompile(`": (""|0)[,\n]`).FindString(out); zero != "" {
				t.Errorf("%s printed\n%s\nwant no Go zero value (%s) where the API has null", commandLine(args...), out, strings.TrimSpace(zero))
			}
		})
	}
	// Presence: the map of users, as before, without the answer's wrapper.
	if out := strings.TrimSpace(e.ok("users", "presence", "--json")); out != "{}" {
		t.Errorf("talkjs users presence --json = %s, want {}", out)
	}
}

// runTerminal runs args with standard output and error on a terminal of
// the given width.
func runTerminal(t *testing.T, vars map[string]string, cols int, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	st := &stdio{In: strings.NewReader(""), Out: terminal{&out, cols}, Err: terminal{&errb, cols},
		Getenv: func(k string) string { return vars[k] }, ClientOptions: []talkjs.Option{fastRetries()}}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	code := run(ctx, st, args)
	return result{code, out.String(), errb.String()}
}

func TestTablesFitTheTerminal(t *testing.T) {
	e := newEnv(t)
	e.ok("users", "upsert", "alice", "--name", strings.Repeat("Alice Anne Marie ", 6), "--email", "alice.anne.marie@example.com", "--role", "customer")
	e.ok("users", "upsert", "kenji", "--name", "山田健二さん", "--email", "k@example.jp")
	for _, cols := range []int{50, 80, 120} {
		t.Run(fmt.Sprintf("%d columns", cols), func(t *testing.T) {
			r := runTerminal(t, e.vars, cols, "users", "list")
			if r.code != 0 {
				t.Fatalf("talkjs users list on a %d-column terminal = exit %d, want 0\n%s", cols, r.code, r.streams())
			}
			for _, line := range strings.Split(strings.TrimSuffix(r.out, "\n"), "\n") {
				if w := displayWidth(line); w >= cols {
					t.Errorf("talkjs users list on a %d-column terminal printed a line %d cells wide, want fewer than %d: %q", cols, w, cols, line)
				}
			}
			if !strings.Contains(r.out, "…") {
				t.Errorf("talkjs users list on a %d-column terminal printed\n%s\nwant the long name clipped with …", cols, r.out)
			}
		})
	}
	t.Run("pipe", func(t *testing.T) {
		// Not a terminal: nothing is clipped.
		if out := e.in(t).ok("users", "list"); !strings.Contains(out, strings.Repeat("Alice Anne Marie ", 5)) {
			t.Errorf("talkjs users list into a pipe printed\n%s\nwant the long name whole", out)
		}
	})
}

func TestTableAlignsWideCharacters(t *testing.T) {
	t.Parallel()
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
			t.Errorf("table line %q: the last column starts at cell %d, want %d as on the first line\n%s", line, at, col, b.String())
		}
	}
	if got := clip("山田健二さん", 7); got != "山田健…" || displayWidth(got) > 7 {
		t.Errorf("clip(山田健二さん, 7) = %q (%d cells), want 山田健… in at most 7", got, displayWidth(got))
	}
}

// The progress bar is redrawn with "\r" and erase-line: a line as wide as the
// terminal wraps, and the rows above the last are never erased.
func TestProgressBarNeverWraps(t *testing.T) {
	t.Parallel()
	for _, cols := range []int{20, 50, 80} {
		t.Run(fmt.Sprintf("%d columns", cols), func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			p := newProgressPrinter(terminal{&b, cols}, true, 0)
			for settled := 0; settled <= 123456; settled += 4321 {
				p.draw(importerProgress(settled, 123456, settled))
			}
			p.Write([]byte("a note\n"))
			p.draw(importerProgress(123456, 123456, 123456))
			for _, seg := range regexp.MustCompile("\r\033\\[K|\n").Split(b.String(), -1) {
				if w := displayWidth(seg); w >= cols {
					t.Errorf("the progress printer on a %d-column terminal drew a line %d cells wide, want fewer than %d: %q", cols, w, cols, seg)
				}
			}
		})
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
		t.Errorf("talkjs users get alice with TALKJS_APP_ID=wrong_app = exit %d, want 1 with `The app id \"wrong_app\" is not known` and TALKJS_APP_ID on stderr\n%s",
			r.code, r.streams())
	}
	// A missing user of a known app: no hint about the app id.
	if r := e.run("", "users", "get", "nobody"); r.code != 1 || strings.Contains(r.err, "app id") {
		t.Errorf("talkjs users get nobody = exit %d, want 1 with no hint about the app id\n%s", r.code, r.streams())
	}
	for _, path := range []string{"/v1/" + e.vars[talkjs.EnvAppID], "/v1/" + e.vars[talkjs.EnvAppID] + "/"} {
		t.Run("base URL ending "+path, func(t *testing.T) {
			base := e.url + path
			r := runWith(t, with(talkjs.EnvBaseURL, base), "", "users", "get", "alice")
			if r.code != 2 || !strings.Contains(r.err, "give the host root, \""+e.url+"\"") {
				t.Errorf("talkjs users get alice with TALKJS_BASE_URL=%s = exit %d, want 2 saying to give the host root, %q\n%s", base, r.code, e.url, r.streams())
			}
		})
	}
}

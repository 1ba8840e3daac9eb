package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// The exit-code contract: 0 done, 1 the API or the system failed, 2 the
// command line was wrong (and nothing was sent).
func TestExitCodes(t *testing.T) {
	e := newEnv(t)
	e.ok("users", "upsert", "alice", "--name", "Alice")
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		errHas  string // in standard error
		outHas  string // in standard output
		noCreds bool
	}{
		{"ok", []string{"users", "get", "alice"}, 0, "", "Alice", false},
		{"flags after arguments", []string{"users", "get", "alice", "--json"}, 0, "", `"id": "alice"`, false},
		{"-- ends the flags", []string{"users", "get", "--", "alice"}, 0, "", "Alice", false},
		{"not found", []string{"users", "get", "nobody"}, 1, "404", "", false},
		{"bad --limit value", []string{"users", "list", "--limit", "x"}, 2, `"--limit"`, "", false},
		{"--limit out of range", []string{"users", "list", "--limit", "1000"}, 2, "--limit must be between 1 and 100", "", false},
		{"negative --limit", []string{"messages", "list", "c", "--limit=-1"}, 2, "--limit", "", false},
		{"unknown flag with two dashes", []string{"users", "get", "alice", "--bogus"}, 2, "unknown flag: --bogus", "", false},
		{"-o json points to --json", []string{"users", "get", "alice", "-o", "json"}, 2, "unknown shorthand flag: 'o' in -o; for JSON output use --json", "", false},
		{"-ojson points to --json", []string{"users", "list", "-ojson"}, 2, "for JSON output use --json", "", false},
		{"--output json points to --json", []string{"messages", "list", "c", "--output", "json"}, 2, "unknown flag: --output; for JSON output use --json", "", false},
		{"--output=json points to --json", []string{"app", "get", "--output=json"}, 2, "for JSON output use --json", "", false},
		{"-o where there is no JSON", []string{"token", "app", "-o", "json"}, 2, "unknown shorthand flag: 'o' in -o\n", "", false},
		{"missing argument", []string{"users", "get"}, 2, "missing USER_ID", "", false},
		{"extra argument", []string{"users", "get", "a", "b"}, 2, `unexpected argument "b"`, "", false},
		{"id the library refuses", []string{"users", "get", ".."}, 2, "", "", false},
		{"missing credentials", []string{"users", "get", "alice"}, 2, "TALKJS_APP_ID", "", true},
		{"unknown command", []string{"usrs"}, 2, "Did you mean this?\n\tusers", "", false},
		{"unknown subcommand", []string{"users", "gett", "alice"}, 2, "Did you mean this?\n\tget", "", false},
		{"group prints its help", []string{"users"}, 0, "", "Available Commands:", false},
		{"no command", nil, 0, "", "Available Commands:", false},
		{"help command", []string{"help", "users", "get"}, 0, "", "Usage:\n  talkjs users get USER_ID", false},
		{"version", []string{"version"}, 0, "", "talkjs version " + talkjs.Version, false},
		{"--version", []string{"--version"}, 0, "", "talkjs version " + talkjs.Version, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := e.vars
			if tc.noCreds {
				vars = nil
			}
			r := runWith(t, vars, "", tc.args...)
			line := commandLine(tc.args...)
			if r.code != tc.code || !strings.Contains(r.err, tc.errHas) || !strings.Contains(r.out, tc.outHas) {
				want := fmt.Sprint(tc.code)
				if tc.errHas != "" {
					want += fmt.Sprintf(" with %q on stderr", tc.errHas)
				}
				if tc.outHas != "" {
					want += fmt.Sprintf(" with %q on stdout", tc.outHas)
				}
				t.Errorf("%s = exit %d, want %s\n%s", line, r.code, want, r.streams())
			}
			if tc.code == 2 && !strings.Contains(r.err, "--help' for usage") {
				t.Errorf("%s: stderr = %q, want a usage error that points to --help", line, r.err)
			}
			if strings.Contains(r.err, "opts.") {
				t.Errorf("%s: stderr = %q, want no Go field (opts.…) named", line, r.err)
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			r := runWith(t, nil, "", "completion", shell)
			if r.code != 0 || !strings.Contains(r.out, "talkjs") || len(r.out) < 500 {
				t.Errorf("talkjs completion %s = exit %d, %d bytes on stdout, stderr %q; want exit 0 and a script of 500 bytes or more naming talkjs",
					shell, r.code, len(r.out), r.err)
			}
		})
	}
	t.Run("__complete", func(t *testing.T) {
		t.Parallel()
		// The completion of a partial command line, as the shells ask for it.
		r := runWith(t, nil, "", "__complete", "users", "up")
		if r.code != 0 || !strings.Contains(r.out, "upsert\t") || !strings.Contains(r.out, "upsert-many\t") {
			t.Errorf("talkjs __complete users up = exit %d, want 0 with upsert and upsert-many offered\n%s", r.code, r.streams())
		}
	})
}

// Parsing alone, without a server or credentials: which command a command
// line names, with which flags and arguments.
func TestParseCommandLines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args  []string
		path  string
		pos   []string
		flags map[string]string
		err   string
	}{
		{[]string{"users", "get", "alice", "--json"}, "talkjs users get", []string{"alice"}, map[string]string{"json": "true"}, ""},
		{[]string{"users", "list", "--limit", "50", "--all"}, "talkjs users list", nil, map[string]string{"limit": "50", "all": "true"}, ""},
		{[]string{"conversations", "get", "c1", "--json"}, "talkjs conversations get", []string{"c1"}, map[string]string{"json": "true"}, ""},
		{[]string{"conversations", "get", "c1", "-o", "json"}, "talkjs conversations get", nil, nil, "for JSON output use --json"},
		{[]string{"conversations", "upsert", "c1", "--participants", "a,b", "--participant", "c"}, "talkjs conversations upsert", []string{"c1"},
			map[string]string{"participant": "a,b,c"}, ""},
		{[]string{"messages", "react", "c", "m", "👍", "--user", "bob"}, "talkjs messages react", []string{"c", "m", "👍"}, map[string]string{"user": "bob"}, ""},
		{[]string{"import", "--concurrency=8", "h.ndjson"}, "talkjs import", []string{"h.ndjson"}, map[string]string{"concurrency": "8"}, ""},
		{[]string{"import", "-"}, "talkjs import", []string{"-"}, nil, ""},
		{[]string{"serve", "--rate-limit", "5:10"}, "talkjs serve", nil, map[string]string{"rate-limit": "5:10"}, ""},
		{[]string{"users", "list", "--limit", "many"}, "talkjs users list", nil, nil, `invalid argument "many" for "--limit"`},
		{[]string{"messages", "get", "c"}, "talkjs messages get", nil, nil, "missing MESSAGE_ID"},
		{[]string{"token", "app", "--lifetime", "soon"}, "talkjs token app", nil, nil, `"--lifetime"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			root := newRoot(&stdio{})
			cmd, rest, err := root.Find(tc.args)
			if err != nil {
				t.Fatalf("root.Find(%q) = error %v, want nil", tc.args, err)
			}
			if got := cmd.CommandPath(); got != tc.path {
				t.Errorf("root.Find(%q) = command %q, want %q", tc.args, got, tc.path)
			}
			err = cmd.ParseFlags(rest)
			if err != nil {
				err = cmd.FlagErrorFunc()(cmd, err) // as cobra's Execute does
			} else {
				err = cmd.ValidateArgs(cmd.Flags().Args())
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("parsing %s = error %v, want one containing %q", commandLine(tc.args...), err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parsing %s = error %v, want nil", commandLine(tc.args...), err)
			}
			if got := cmd.Flags().Args(); strings.Join(got, "|") != strings.Join(tc.pos, "|") {
				t.Errorf("parsing %s = arguments %q, want %q", commandLine(tc.args...), got, tc.pos)
			}
			for name, want := range tc.flags {
				if got := cmd.Flags().Lookup(name).Value.String(); got != want {
					t.Errorf("parsing %s = --%s %q, want %q", commandLine(tc.args...), name, got, want)
				}
			}
		})
	}
}

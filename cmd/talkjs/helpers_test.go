package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

// env is a TalkJS server on loopback and the environment that points the
// command line at it.
type env struct {
	t      *testing.T
	srv    *api.Server
	url    string
	vars   map[string]string
	client *talkjs.Client
}

func newEnv(t *testing.T, opts ...api.Option) *env {
	t.Helper()
	ts := talkjstest.NewServer(t, talkjstest.WithServerOptions(opts...))
	e := &env{t: t, srv: ts.API, url: ts.URL, vars: map[string]string{
		talkjs.EnvAppID:     ts.AppID,
		talkjs.EnvSecretKey: ts.Secret,
		talkjs.EnvBaseURL:   ts.URL,
	}}
	c, err := talkjs.NewClient(ts.AppID, ts.Secret, talkjs.WithBaseURL(ts.URL), fastRetries())
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	return e
}

func fastRetries() talkjs.Option {
	return talkjs.WithRetryPolicy(talkjs.RetryPolicy{MaxRetries: 5, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond})
}

// result is what one command line printed and how it exited.
type result struct {
	code     int
	out, err string
}

// streams shows both outputs of r for a failure message, one block each.
func (r result) streams() string {
	return "stdout:\n" + orEmpty(r.out) + "stderr:\n" + orEmpty(r.err)
}

func orEmpty(s string) string {
	if s == "" {
		return "(empty)\n"
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// commandLine names args as a person would type them, for failure
// messages: "talkjs users get alice --json". An argument with a space or
// a shell character is quoted.
func commandLine(args ...string) string {
	words := []string{"talkjs"}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n\"'{}[]$&|;<>*?()\\") {
			a = fmt.Sprintf("'%s'", strings.ReplaceAll(a, "'", `'\''`))
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}

// in returns e for the subtest t: its failures end t, not e's test.
func (e *env) in(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// run runs the command line args in-process with e's environment.
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	return runWith(e.t, e.vars, stdin, args...)
}

func runWith(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	st := &stdio{
		In:            strings.NewReader(stdin),
		Out:           &out,
		Err:           &errb,
		Getenv:        func(k string) string { return vars[k] },
		ClientOptions: []talkjs.Option{fastRetries()},
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	code := run(ctx, st, args)
	return result{code, out.String(), errb.String()}
}

// ok runs args, fails the test unless they exit 0, and returns the output.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	r := e.run("", args...)
	if r.code != 0 {
		e.t.Fatalf("%s = exit %d, want 0\n%s", commandLine(args...), r.code, r.streams())
	}
	return r.out
}

// okJSON runs args with --json and decodes the output into v, which
// should be fresh: decoding into a filled map merges.
func (e *env) okJSON(v any, args ...string) {
	e.t.Helper()
	out := e.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		e.t.Fatalf("%s printed\n%s\nwant JSON for %T (%v)", commandLine(append(args, "--json")...), out, v, err)
	}
}

// fixedNow is the clock of newFixedEnv's server, so that tables hold
// known times.
var fixedNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// newFixedEnv is newEnv with a server whose clock stands at fixedNow.
func newFixedEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t, api.WithClock(func() time.Time { return fixedNow }))
}

// apiIO is what parsing gives a run function, for e's server: the client
// is built as a command builds it, and the output goes to the buffer
// returned, as JSON when json is set.
func (e *env) apiIO(json bool) (apiIO, *bytes.Buffer) {
	var buf bytes.Buffer
	st := &stdio{In: strings.NewReader(""), Out: &buf, Err: &buf, Getenv: func(k string) string { return e.vars[k] },
		ClientOptions: []talkjs.Option{fastRetries()}}
	out := &outputFlags{json: json}
	cf := &clientFlags{}
	return apiIO{out: &buf, output: out, client: func() (*talkjs.Client, error) { return setup(st, cf, out) }}, &buf
}

// runCase is one call of a run function and the whole output it must print.
type runCase struct {
	call string // how the failure names the call: "runUsersGet(alice)"
	json bool
	run  func(ctx context.Context, a apiIO) error
	want string
}

// check runs each case in order, as a subtest: later cases see what
// earlier ones changed. expand, if not nil, fills in a want's placeholders
// (an id the server made up) once its case has run.
func (e *env) check(cases []runCase, expand func(string) string) {
	e.t.Helper()
	for _, tc := range cases {
		e.t.Run(tc.call, func(t *testing.T) {
			a, out := e.apiIO(tc.json)
			if err := tc.run(t.Context(), a); err != nil {
				t.Fatalf("%s = error %v, want nil\noutput:\n%s", tc.call, err, out)
			}
			want := tc.want
			if expand != nil {
				want = expand(want)
			}
			if got := out.String(); got != want {
				t.Errorf("%s =\n%s\nwant\n%s", tc.call, got, want)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// clientFlags are the flags that say which app to talk to and how.
type clientFlags struct {
	appID, secret, baseURL string
}

func addClientFlags(fs *pflag.FlagSet) *clientFlags {
	f := &clientFlags{}
	fs.StringVar(&f.appID, "app-id", "", "TalkJS app id (default $"+talkjs.EnvAppID+")")
	fs.StringVar(&f.secret, "secret", "", "TalkJS secret key (default $"+talkjs.EnvSecretKey+"; prefer the variable: flags show up in ps)")
	fs.StringVar(&f.baseURL, "base-url", "", "API host root, the client adds /v1/{appId} (default $"+talkjs.EnvBaseURL+" or "+talkjs.DefaultBaseURL+")")
	return f
}

// credentials returns the app id, secret key and base URL from the flags,
// falling back to the environment.
func (f *clientFlags) credentials(st *stdio) (appID, secret, baseURL string, err error) {
	appID, secret, baseURL = f.appID, f.secret, f.baseURL
	if appID == "" {
		appID = st.getenv(talkjs.EnvAppID)
	}
	if secret == "" {
		secret = st.getenv(talkjs.EnvSecretKey)
	}
	if baseURL == "" {
		baseURL = st.getenv(talkjs.EnvBaseURL)
	}
	var missing []string
	if appID == "" {
		missing = append(missing, "an app id (set "+talkjs.EnvAppID+" or pass --app-id)")
	}
	if secret == "" {
		missing = append(missing, "a secret key (set "+talkjs.EnvSecretKey+" or pass --secret)")
	}
	if len(missing) > 0 {
		return "", "", "", fmt.Errorf("%w: missing %s; to try the commands without an account, run 'talkjs serve' and point "+
			talkjs.EnvBaseURL+" at it", errUsage, strings.Join(missing, " and "))
	}
	return appID, secret, baseURL, nil
}

// client builds the talkjs client the command uses; extra options come
// after the common ones.
func (f *clientFlags) client(st *stdio, extra ...talkjs.Option) (*talkjs.Client, error) {
	appID, secret, baseURL, err := f.credentials(st)
	if err != nil {
		return nil, err
	}
	if err := checkBaseURL(baseURL, appID); err != nil {
		return nil, err
	}
	opts := []talkjs.Option{talkjs.WithUserAgent("talkjs-cli")}
	if baseURL != "" {
		opts = append(opts, talkjs.WithBaseURL(baseURL))
	}
	opts = append(opts, st.ClientOptions...)
	opts = append(opts, extra...)
	c, err := talkjs.NewClient(appID, secret, opts...)
	if err != nil {
		var ae *talkjs.ArgumentError
		if errors.As(err, &ae) && ae.Arg == "baseURL" {
			return nil, fmt.Errorf("%w: base URL %q: %s", errUsage, baseURL, ae.Problem)
		}
		return nil, err
	}
	st.client = c
	return c, nil
}

// apiPath matches a base URL that already holds the API's own path.
var apiPath = regexp.MustCompile(`/v1/[^/]+/?$`)

// checkBaseURL refuses a base URL that ends in /v1/{appId}: the client adds
// that itself, so every request would go to /v1/APP/v1/APP/… and fail with
// a 404 that says nothing about the cause.
func checkBaseURL(baseURL, appID string) error {
	u, err := url.Parse(baseURL)
	if err != nil || !apiPath.MatchString(u.Path) {
		return nil
	}
	root := *u
	root.Path = strings.TrimSuffix(apiPath.ReplaceAllString(u.Path, ""), "/")
	root.RawPath = ""
	return fmt.Errorf("%w: the base URL %q already ends in %s; give the host root, %q (the client adds /v1/%s)",
		errUsage, baseURL, apiPath.FindString(u.Path), root.String(), appID)
}

// appIDHint returns a hint when a request failed with 404 because the app id
// is unknown there: it lists one user, which any existing app answers.
func appIDHint(ctx context.Context, c *talkjs.Client) string {
	if c == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := c.Users.List(ctx, &talkjs.ListOptions{Limit: 1})
	if !errors.Is(err, talkjs.ErrNotFound) {
		return ""
	}
	return fmt.Sprintf("The app id %q is not known at %s: check %s or --app-id (the TalkJS dashboard shows the app id under Settings), and the base URL (%s, --base-url).\n",
		c.AppID(), c.ServerURL(), talkjs.EnvAppID, talkjs.EnvBaseURL)
}

func (st *stdio) getenv(k string) string {
	if st.Getenv == nil {
		return ""
	}
	return st.Getenv(k)
}

// outputFlags choose between the table for people and JSON for scripts.
// JSON has one spelling, --json, as in gh; -o and --output are refused with
// a pointer to it (see jsonHint).
type outputFlags struct {
	json    bool
	answers answers
}

func addOutputFlags(fs *pflag.FlagSet) *outputFlags {
	o := &outputFlags{}
	fs.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	return o
}

// answers keeps the bodies of TalkJS's successful answers, so that --json
// prints the API's own representation (a null stays null, a field the API
// left out stays out) instead of Go values with their zero values.
type answers struct {
	mu       sync.Mutex
	bodies   [][]byte
	overflow bool // an answer was too large to keep: print the Go values
}

// maxAnswerBytes bounds the answers kept for --json; a list of every
// message of a large conversation fits many times over.
const maxAnswerBytes = 256 << 20

func (a *answers) middleware(next http.RoundTripper) http.RoundTripper {
	return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil || resp.StatusCode/100 != 2 {
			return resp, err
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		kept := 0
		for _, b := range a.bodies {
			kept += len(b)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, int64(maxAnswerBytes-kept)+1))
		if err != nil || kept+len(body) > maxAnswerBytes {
			a.overflow = true
			resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
			return resp, nil
		}
		resp.Body.Close()
		a.bodies = append(a.bodies, body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	})
}

type readCloser struct {
	io.Reader
	io.Closer
}

// last returns the last answer, or nil.
func (a *answers) last() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.overflow || len(a.bodies) == 0 {
		return nil
	}
	return a.bodies[len(a.bodies)-1]
}

// printAnswer prints TalkJS's last answer as indented JSON, or v when there
// is none to print; with path, only that member of the answer (an object).
func (o *outputFlags) printAnswer(w io.Writer, v any, path ...string) error {
	raw := json.RawMessage(o.answers.last())
	for _, key := range path {
		var obj map[string]json.RawMessage
		if raw == nil || json.Unmarshal(raw, &obj) != nil {
			raw = nil
			break
		}
		raw = obj[key]
	}
	if raw == nil || !json.Valid(raw) {
		return writeJSON(w, v)
	}
	return writeJSON(w, raw)
}

// apiIO is what a command that calls TalkJS gets from parsing besides its
// own options: the client, built when its run function asks for it, and
// where and how to print. Tests of run functions make one for a test
// server and a buffer.
type apiIO struct {
	out    io.Writer
	output *outputFlags
	client func() (*talkjs.Client, error)
}

// setup returns the command's client; with --json it keeps TalkJS's
// answers for printing.
func setup(st *stdio, cf *clientFlags, out *outputFlags) (*talkjs.Client, error) {
	if out != nil && out.json {
		return cf.client(st, talkjs.WithMiddleware(out.answers.middleware))
	}
	return cf.client(st)
}

// addAPIFlags defines the flags of the client and the output.
func addAPIFlags(fs *pflag.FlagSet, st *stdio) apiIO {
	cf, out := addClientFlags(fs), addOutputFlags(fs)
	return apiIO{out: st.Out, output: out, client: func() (*talkjs.Client, error) { return setup(st, cf, out) }}
}

// done prints the outcome of a change: JSON for scripts, a sentence for people.
func (a apiIO) done(v any, format string, args ...any) error {
	if a.output.json {
		return writeJSON(a.out, v)
	}
	_, err := fmt.Fprintf(a.out, format+"\n", args...)
	return err
}

// answer prints v, which a call returned with err: TalkJS's own answer
// with --json (see printAnswer), else the table print makes of v. It folds
// the tail every "show one thing" command shares.
func answer[T any](a apiIO, v T, err error, print func(io.Writer, T) error) error {
	if err != nil {
		return err
	}
	if a.output.json {
		return a.output.printAnswer(a.out, v)
	}
	return print(a.out, v)
}

// answerList is answer for a list: with --json, the items of every page
// TalkJS answered as one array (see printList).
func answerList[T any](a apiIO, items []T, err error, print func(io.Writer, []T) error) error {
	if err != nil {
		return err
	}
	if a.output.json {
		return a.output.printList(a.out, items)
	}
	return print(a.out, items)
}

// headed returns print with a line printed above its table.
func headed[T any](line string, print func(io.Writer, T) error) func(io.Writer, T) error {
	return func(w io.Writer, v T) error {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
		return print(w, v)
	}
}

// printList prints the items of every page TalkJS answered, as one JSON
// array, or v when the answers cannot be used.
func (o *outputFlags) printList(w io.Writer, v any) error {
	o.answers.mu.Lock()
	bodies, overflow := o.answers.bodies, o.answers.overflow
	o.answers.mu.Unlock()
	if overflow || len(bodies) == 0 {
		return writeJSON(w, v)
	}
	items := []json.RawMessage{}
	for _, b := range bodies {
		var page struct {
			Data []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return writeJSON(w, v)
		}
		items = append(items, page.Data...)
	}
	return writeJSON(w, items)
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	if raw, ok := v.(json.RawMessage); ok {
		var b bytes.Buffer
		if err := json.Indent(&b, raw, "", "  "); err != nil {
			return err
		}
		b.WriteByte('\n')
		_, err := w.Write(b.Bytes())
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// when formats a Unix time in ms for a table.
func when(ms int64) string {
	if ms == 0 {
		return "-"
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05")
}

// readInput opens a file argument, or standard input for "-".
func readInput(st *stdio, name string) (io.ReadCloser, error) {
	if name == "-" {
		if f, ok := st.In.(*os.File); ok {
			// Keep the file's ReadAt and Seek: standard input redirected
			// from a file can then be read in place by the importer.
			return keepOpen{f}, nil
		}
		return io.NopCloser(st.In), nil
	}
	return os.Open(name)
}

// keepOpen is standard input as a ReadCloser whose Close leaves it open.
type keepOpen struct{ *os.File }

func (keepOpen) Close() error { return nil }

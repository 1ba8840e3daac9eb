package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
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
	return c, nil
}

func (st *stdio) getenv(k string) string {
	if st.Getenv == nil {
		return ""
	}
	return st.Getenv(k)
}

// outputFlags choose between the table for people and JSON for scripts.
type outputFlags struct {
	json   bool
	format string
}

func addOutputFlags(fs *pflag.FlagSet) *outputFlags {
	o := &outputFlags{}
	fs.BoolVar(&o.json, "json", false, "print JSON instead of a table (same as -o json)")
	fs.StringVarP(&o.format, "output", "o", "text", "output format: text or json")
	return o
}

func (o *outputFlags) check() error {
	switch o.format {
	case "text", "table", "":
	case "json":
		o.json = true
	default:
		return fmt.Errorf("%w: -o must be text or json, not %q", errUsage, o.format)
	}
	return nil
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table prints aligned columns.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, headers ...string) *table {
	t := &table{tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
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
	for i, c := range cells {
		if i > 0 {
			fmt.Fprint(t.tw, "\t")
		}
		s := fmt.Sprint(c)
		s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
		if s == "" {
			s = "-"
		}
		fmt.Fprint(t.tw, s)
	}
	fmt.Fprintln(t.tw)
}

func (t *table) flush() error { return t.tw.Flush() }

// when formats a Unix time in ms for a table.
func when(ms int64) string {
	if ms == 0 {
		return "-"
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05")
}

// clip shortens s for a table cell.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
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

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

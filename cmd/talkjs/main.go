// Command talkjs works with the TalkJS REST API from the command line: a demo
// on an embedded server, everyday operations, bulk history import, and
// `talkjs serve`, the in-memory TalkJS-compatible server.
//
// Every command lives in its own file and registers itself with register()
// from an init function; this file only dispatches.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// command is one subcommand, named by its words ("serve", "users get").
type command struct {
	Name    string
	Summary string // one line for the command list
	Usage   string // synopsis after "talkjs NAME", e.g. "[flags] USER_ID"
	Example string // shown by --help, one command per line
	// Run executes the command. args are the arguments after the command's
	// words. It returns errUsage (or an error wrapping it) for bad usage.
	Run func(ctx context.Context, st *stdio, args []string) error
}

// stdio is the process's environment, replaceable in tests.
type stdio struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// ClientOptions are added to every client a command builds; tests use
	// them to shorten retry waits.
	ClientOptions []talkjs.Option
}

// errUsage marks an error caused by how the command was called; the usage is
// printed after it and the exit code is 2.
var errUsage = errors.New("usage")

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("talkjs: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// newFlagSet returns a flag set for c whose -h/--help prints the usage and
// the example to st.Out. A parse error prints nothing here: run reports it
// in one line with a hint, instead of the whole usage.
func newFlagSet(c *command, st *stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("talkjs "+c.Name, flag.ContinueOnError)
	// The flag package writes a parse error to its output just before it
	// calls Usage; -h calls Usage with nothing written.
	errs := &flagErrors{}
	fs.SetOutput(errs)
	fs.Usage = func() {
		if !errs.written {
			printUsage(st.Out, c, fs)
		}
		errs.written = false
	}
	return fs
}

// flagErrors swallows the flag package's own error output and notes that
// there was some.
type flagErrors struct{ written bool }

func (e *flagErrors) Write(p []byte) (int, error) {
	e.written = true
	return len(p), nil
}

func printUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  talkjs %s %s\n", c.Summary, c.Name, c.Usage)
	if fs != nil {
		printFlags(w, fs)
	}
	if c.Example != "" {
		fmt.Fprintln(w, "\nExample:")
		for _, line := range strings.Split(strings.TrimSpace(c.Example), "\n") {
			fmt.Fprintln(w, "  "+line)
		}
	}
}

// printFlags lists the flags in the GNU style the examples use (--name).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var lines [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		name := dash + f.Name
		if typ != "" {
			name += " " + typ
		}
		switch f.DefValue {
		case "", "false", "0", "0s", "[]":
		default:
			if !strings.Contains(usage, "(default") {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		lines = append(lines, [2]string{name, usage})
	})
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, l := range lines {
		fmt.Fprintf(tw, "  %s\t%s\n", l[0], l[1])
	}
	tw.Flush()
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "talkjs works with the TalkJS REST API.\n\nUsage:\n  talkjs COMMAND [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-26s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nRun 'talkjs COMMAND --help' for a command's flags and an example.")
}

// lookup finds the command named by the longest prefix of args.
func lookup(args []string) (*command, []string) {
	for n := len(args); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, args
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, st *stdio, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, _ := lookup(args[1:]); c != nil {
				printUsage(st.Out, c, nil)
				return 0
			}
		}
		printCommands(st.Out)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, rest := lookup(args)
	if c == nil {
		fmt.Fprintf(st.Err, "talkjs: unknown command %q\n\n", strings.Join(args, " "))
		printCommands(st.Err)
		return 2
	}
	err := c.Run(ctx, st, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		if msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": "); msg != errUsage.Error() {
			fmt.Fprintf(st.Err, "talkjs %s: %s\n", c.Name, msg)
		}
		fmt.Fprintf(st.Err, "Run 'talkjs %s --help' for usage.\n", c.Name)
		return 2
	default:
		fmt.Fprintf(st.Err, "talkjs %s: %v\n", c.Name, err)
		if errors.Is(err, talkjs.ErrUnauthorized) {
			fmt.Fprintf(st.Err, "Check the app id and secret key (%s, %s or --app-id, --secret) and the base URL (%s, --base-url).\n",
				talkjs.EnvAppID, talkjs.EnvSecretKey, talkjs.EnvBaseURL)
		}
		return 1
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

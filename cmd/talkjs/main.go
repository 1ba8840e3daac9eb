// Command talkjs works with the TalkJS REST API from the command line: a demo
// on an embedded server, everyday operations, bulk history import, and
// `talkjs serve`, the in-memory TalkJS-compatible server.
//
// The command tree is built with cobra from the explicit list in
// commandList; each command lives in the file named for its noun.
//
// Exit status: 0 when the command did what was asked, 1 when the API or the
// system failed it (including an import that rejected lines), 2 when it was
// called wrongly (unknown command or flag, bad flag value, missing argument,
// missing credentials); nothing is sent to TalkJS before a usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// Exit codes: the contract scripts rely on.
const (
	exitOK      = 0 // done
	exitFailure = 1 // the API or the system failed the command
	exitUsage   = 2 // the command line was wrong; nothing was sent
)

// commandList is every command of talkjs. To add one, write a function
// returning a *command (or several) in the file of its noun and add it here;
// a command whose Name has two words ("webhooks listen") goes under the
// group of its first word, which needs a line in groupSummaries.
func commandList() []*command {
	var cs []*command
	cs = append(cs, demoCommand(), serveCommand(), importCommand(), conformanceCommand())
	cs = append(cs, usersCommands()...)
	cs = append(cs, conversationsCommands()...)
	cs = append(cs, participantsCommands()...)
	cs = append(cs, messagesCommands()...)
	cs = append(cs, filesCommands()...)
	cs = append(cs, batchCommands()...)
	cs = append(cs, tokenCommands()...)
	cs = append(cs, appCommands()...)
	cs = append(cs, webhooksCommands()...)
	return cs
}

// groupSummaries describe the groups, for `talkjs --help` and `talkjs GROUP`.
var groupSummaries = map[string]string{
	"users":         "Create, show and list users",
	"conversations": "Create, show, list and delete conversations",
	"participants":  "Add, change and remove the participants of a conversation",
	"messages":      "Send, list, edit, react to and delete messages",
	"files":         "Upload files to attach to messages",
	"token":         "Mint tokens for other REST clients and the TalkJS UI",
	"app":           "Show and change the app itself",
	"webhooks":      "Receive, verify and send TalkJS webhook events",
}

// command is one command, named by its words ("serve", "users get").
type command struct {
	Name    string
	Summary string   // one line for the command list
	Args    []string // names of the positional arguments, all required: "CONVERSATION_ID"
	Long    string   // optional: what --help says beyond the summary
	Example string   // shown by --help, one command per line
	// Setup defines the command's flags on fs and returns the function that
	// runs it. By the time run is called, the flags are parsed and args
	// holds exactly len(Args) arguments, so parsing is tested without
	// running anything. The flags and arguments fill an options struct
	// (usersGetOptions, with apiIO for a command that calls TalkJS), and
	// run hands it to the function that does the work (runUsersGet(ctx,
	// opts)), which run_test.go calls directly and checks by its output.
	Setup func(fs *pflag.FlagSet, st *stdio) runFunc
}

// runFunc runs a command with its positional arguments. It returns
// errUsage (or an error wrapping it) for bad usage.
type runFunc func(ctx context.Context, args []string) error

// stdio is the process's environment, replaceable in tests.
type stdio struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// ClientOptions are added to every client a command builds; tests use
	// them to shorten retry waits.
	ClientOptions []talkjs.Option

	client *talkjs.Client // the last client a command built, for hints after an error
}

// errUsage marks an error caused by how the command was called: exit 2.
var errUsage = errors.New("usage")

// ranError is an error returned by a command's run function, as opposed
// to one cobra found while parsing.
type ranError struct{ err error }

func (e ranError) Error() string { return e.err.Error() }
func (e ranError) Unwrap() error { return e.err }

// exitCode classifies the error of a command line.
func exitCode(err error) int {
	var ran ranError
	var arg *talkjs.ArgumentError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage), errors.As(err, &arg):
		// An ArgumentError is the library refusing an argument before
		// sending anything, such as an id that is not a path segment.
		return exitUsage
	case errors.As(err, &ran):
		return exitFailure
	}
	return exitUsage // cobra's own: unknown command or flag, bad flag value
}

// newRoot builds the command tree for one command line.
func newRoot(st *stdio) *cobra.Command {
	root := &cobra.Command{
		Use:   "talkjs",
		Short: "talkjs works with the TalkJS REST API",
		Long: `talkjs works with the TalkJS REST API: everyday operations, bulk history
import, and an in-memory TalkJS-compatible server for trying them.

Credentials come from ` + talkjs.EnvAppID + ` and ` + talkjs.EnvSecretKey + ` (or --app-id and --secret),
the host from ` + talkjs.EnvBaseURL + ` (or --base-url).`,
		Version:       talkjs.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          unknownSubcommand,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetVersionTemplate(versionText())
	root.SetIn(st.In)
	root.SetOut(st.Out)
	root.SetErr(st.Err)
	root.SetFlagErrorFunc(flagError)
	root.CompletionOptions.HiddenDefaultCmd = false

	groups := map[string]*cobra.Command{}
	for _, c := range commandList() {
		words := strings.Fields(c.Name)
		parent := root
		if len(words) > 1 {
			g := groups[words[0]]
			if g == nil {
				summary := groupSummaries[words[0]]
				if summary == "" {
					summary = "Commands about " + words[0]
				}
				g = &cobra.Command{
					Use:   words[0],
					Short: summary,
					Args:  unknownSubcommand,
					RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
				}
				groups[words[0]] = g
				root.AddCommand(g)
			}
			parent = g
		}
		parent.AddCommand(c.cobra(st))
	}
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version of talkjs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(st.Out, versionText())
			return err
		},
	})
	return root
}

func versionText() string {
	return fmt.Sprintf("talkjs version %s (%s %s/%s)\n", talkjs.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// flagError marks a flag cobra refused as a usage error. -o and --output,
// which once chose JSON, point to --json where the command has it.
func flagError(cmd *cobra.Command, err error) error {
	var unknown *pflag.NotExistError
	if errors.As(err, &unknown) && cmd.Flags().Lookup("json") != nil {
		short := unknown.GetSpecifiedShortnames() != ""
		if name := unknown.GetSpecifiedName(); (short && name == "o") || (!short && name == "output") {
			return fmt.Errorf("%w: %v; for JSON output use --json (-o and --output were removed)", errUsage, err)
		}
	}
	return fmt.Errorf("%w: %v", errUsage, err)
}

// unknownSubcommand lets a group print its help when called alone, and
// refuses a word it does not know, with cobra's "Did you mean" suggestions.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	cmd.SuggestionsMinimumDistance = 2
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return fmt.Errorf("%w: %s", errUsage, msg)
}

// cobra turns c into a cobra command.
func (c *command) cobra(st *stdio) *cobra.Command {
	words := strings.Fields(c.Name)
	use := words[len(words)-1]
	if len(c.Args) > 0 {
		use += " " + strings.Join(c.Args, " ")
	}
	names := c.Args
	cc := &cobra.Command{
		Use:     use,
		Short:   c.Summary,
		Example: indent(c.Example),
		Args:    func(_ *cobra.Command, args []string) error { return wantArgs(args, names...) },
	}
	if c.Long != "" {
		cc.Long = c.Summary + "\n\n" + c.Long
	}
	run := c.Setup(cc.Flags(), st)
	cc.RunE = func(cmd *cobra.Command, args []string) error {
		if err := run(cmd.Context(), args); err != nil {
			return ranError{err}
		}
		return nil
	}
	return cc
}

// indent indents every line of an example by two spaces, as cobra's help
// prints the example as it is.
func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

// wantArgs checks the number of positional arguments.
func wantArgs(args []string, names ...string) error {
	if len(args) < len(names) {
		return fmt.Errorf("%w: missing %s", errUsage, strings.Join(names[len(args):], " and "))
	}
	if len(args) > len(names) {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, args[len(names)])
	}
	return nil
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, st *stdio, args []string) int {
	root := newRoot(st)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	code := exitCode(err)
	if err == nil {
		return code
	}
	path := "talkjs"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
	fmt.Fprintf(st.Err, "%s: %s\n", path, msg)
	if code == exitUsage {
		fmt.Fprintf(st.Err, "Run '%s --help' for usage.\n", path)
		return code
	}
	switch {
	case errors.Is(err, talkjs.ErrUnauthorized):
		fmt.Fprintf(st.Err, "Check the app id and secret key (%s, %s or --app-id, --secret) and the base URL (%s, --base-url).\n",
			talkjs.EnvAppID, talkjs.EnvSecretKey, talkjs.EnvBaseURL)
	case errors.Is(err, talkjs.ErrNotFound):
		fmt.Fprint(st.Err, appIDHint(ctx, st.client))
	}
	return code
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &stdio{In: os.Stdin, Out: asTerminal(os.Stdout), Err: asTerminal(os.Stderr), Getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

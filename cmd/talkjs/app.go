package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// appCommands are the commands of the app itself, conversation
// notifications and the legacy sessions list.
func appCommands() []*command {
	return []*command{
		{
			Name: "app get", Summary: "Show the app: id, custom data, default locale",
			Example: "talkjs app get\ntalkjs app get --json",
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &appGetOptions{apiIO: addAPIFlags(fs, st)}
				return func(ctx context.Context, _ []string) error { return runAppGet(ctx, opts) }
			},
		},
		{
			Name: "app update", Summary: "Change the app's custom data or default locale",
			Example: `talkjs app update --custom tier=gold --default-locale nl-NL
talkjs app update --default-locale ""      # an empty value clears it`,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &appUpdateOptions{apiIO: addAPIFlags(fs, st), custom: customFlag{}}
				fs.Var(opts.custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				fs.Var(&opts.locale, "default-locale", "default `locale`, such as en-US")
				return func(ctx context.Context, _ []string) error { return runAppUpdate(ctx, opts) }
			},
		},
		{
			Name: "conversations notify", Summary: "Have TalkJS notify participants of unread messages by email or SMS",
			Example: "talkjs conversations notify order-17 --channel email\ntalkjs conversations notify order-17 --channel email,sms --recipient bob",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &conversationsNotifyOptions{apiIO: addAPIFlags(fs, st)}
				fs.Var(&opts.channels, "channel", "`channel`: email or sms (repeat, or separate with commas; required)")
				fs.Var(&opts.recipients, "recipient", "only these `users` (repeat, or separate with commas; default: every participant)")
				return func(ctx context.Context, args []string) error {
					opts.conversationID = args[0]
					return runConversationsNotify(ctx, opts)
				}
			},
		},
		{
			Name: "users sessions", Summary: "List a user's live sessions (legacy; prefer users presence)",
			Example: "talkjs users sessions alice\ntalkjs users sessions alice --json",
			Args:    []string{"USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &usersSessionsOptions{apiIO: addAPIFlags(fs, st)}
				return func(ctx context.Context, args []string) error {
					opts.userID = args[0]
					return runUsersSessions(ctx, opts)
				}
			},
		},
	}
}

type appGetOptions struct{ apiIO }

func runAppGet(ctx context.Context, opts *appGetOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	a, err := client.App.Get(ctx)
	return answer(opts.apiIO, a, err, printApp)
}

type appUpdateOptions struct {
	apiIO
	custom customFlag
	locale optString
}

func runAppUpdate(ctx context.Context, opts *appUpdateOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	if err := client.App.Update(ctx, talkjs.AppInput{Custom: opts.custom.input(), DefaultLocale: opts.locale.nullable()}); err != nil {
		return err
	}
	a, err := client.App.Get(ctx)
	return answer(opts.apiIO, a, err, headed("Updated the app.", printApp))
}

type conversationsNotifyOptions struct {
	apiIO
	conversationID       string
	channels, recipients listFlag
}

func runConversationsNotify(ctx context.Context, opts *conversationsNotifyOptions) error {
	if len(opts.channels) == 0 {
		return fmt.Errorf("%w: --channel is required (email, sms)", errUsage)
	}
	client, err := opts.client()
	if err != nil {
		return err
	}
	n := talkjs.Notification{Recipients: opts.recipients}
	for _, c := range opts.channels {
		n.Channels = append(n.Channels, talkjs.NotificationChannel(c))
	}
	if err := client.Conversations.Notify(ctx, opts.conversationID, n); err != nil {
		return err
	}
	if opts.output.json {
		return opts.output.printAnswer(opts.out, struct{}{})
	}
	_, err = fmt.Fprintf(opts.out, "Asked TalkJS to notify about %s by %s.\n", opts.conversationID, strings.Join(opts.channels, " and "))
	return err
}

type usersSessionsOptions struct {
	apiIO
	userID string
}

func runUsersSessions(ctx context.Context, opts *usersSessionsOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	//lint:ignore SA1019 the command is the legacy endpoint (staticcheck reads lint:ignore, not nolint)
	ss, err := client.Users.Sessions(ctx, opts.userID)
	return answer(opts.apiIO, ss, err, printSessions)
}

func printApp(w io.Writer, a *talkjs.App) error {
	t := newTable(w)
	t.row("id", a.ID)
	t.row("default locale", orDash(a.DefaultLocale))
	keys := make([]string, 0, len(a.Custom))
	for k := range a.Custom {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.row("custom."+k, a.Custom[k])
	}
	return t.flush()
}

func printSessions(w io.Writer, ss []talkjs.Session) error {
	t := newTable(w, "SESSION", "TYPING", "CONVERSATION")
	for i, s := range ss {
		t.row(i+1, s.IsTyping, orDash(s.CurrentConversationID))
	}
	return t.flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

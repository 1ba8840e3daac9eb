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
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, _ []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					a, err := cl.App.Get(ctx)
					return answer(st.Out, out, a, err, printApp)
				}
			},
		},
		{
			Name: "app update", Summary: "Change the app's custom data or default locale",
			Example: `talkjs app update --custom tier=gold --default-locale nl-NL
talkjs app update --default-locale ""      # an empty value clears it`,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				custom := customFlag{}
				fs.Var(custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				var locale optString
				fs.Var(&locale, "default-locale", "default `locale`, such as en-US")
				return func(ctx context.Context, _ []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					if err := cl.App.Update(ctx, talkjs.AppInput{Custom: custom.input(), DefaultLocale: locale.nullable()}); err != nil {
						return err
					}
					a, err := cl.App.Get(ctx)
					return answer(st.Out, out, a, err, headed("Updated the app.", printApp))
				}
			},
		},
		{
			Name: "conversations notify", Summary: "Have TalkJS notify participants of unread messages by email or SMS",
			Example: "talkjs conversations notify order-17 --channel email\ntalkjs conversations notify order-17 --channel email,sms --recipient bob",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				var channels, recipients listFlag
				fs.Var(&channels, "channel", "`channel`: email or sms (repeat, or separate with commas; required)")
				fs.Var(&recipients, "recipient", "only these `users` (repeat, or separate with commas; default: every participant)")
				return func(ctx context.Context, rest []string) error {
					if len(channels) == 0 {
						return fmt.Errorf("%w: --channel is required (email, sms)", errUsage)
					}
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					n := talkjs.Notification{Recipients: recipients}
					for _, c := range channels {
						n.Channels = append(n.Channels, talkjs.NotificationChannel(c))
					}
					if err := cl.Conversations.Notify(ctx, rest[0], n); err != nil {
						return err
					}
					if out.json {
						return out.printAnswer(st.Out, struct{}{})
					}
					fmt.Fprintf(st.Out, "Asked TalkJS to notify about %s by %s.\n", rest[0], strings.Join(channels, " and "))
					return nil
				}
			},
		},
		{
			Name: "users sessions", Summary: "List a user's live sessions (legacy; prefer users presence)",
			Example: "talkjs users sessions alice\ntalkjs users sessions alice --json",
			Args:    []string{"USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					//lint:ignore SA1019 the command is the legacy endpoint (staticcheck reads lint:ignore, not nolint)
					ss, err := cl.Users.Sessions(ctx, rest[0])
					return answer(st.Out, out, ss, err, printSessions)
				}
			},
		},
	}
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

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func messagesCommands() []*command {
	return []*command{
		{
			Name: "messages list", Summary: "List a conversation's messages, newest first",
			Example: "talkjs messages list order-1042 --limit 30\ntalkjs messages list order-1042 --all --json",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out, page := addClientFlags(fs), addOutputFlags(fs), addPageFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					opts, err := page.options()
					if err != nil {
						return err
					}
					msgs, err := collect(page.all, cl.Messages.All(ctx, rest[0], &opts),
						func() ([]talkjs.Message, error) { return cl.Messages.List(ctx, rest[0], &opts) })
					return answerList(st.Out, out, msgs, err, printMessages)
				}
			},
		},

		{
			Name: "messages get", Summary: "Show one message",
			Example: "talkjs messages get order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT",
			Args:    []string{"CONVERSATION_ID", "MESSAGE_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					m, err := cl.Messages.Get(ctx, rest[0], rest[1])
					return answer(st.Out, out, m, err, printMessage)
				}
			},
		},

		{
			Name: "messages send", Summary: "Send a user message, a system message or a file",
			Example: `talkjs messages send order-1042 --sender alice --text "Hi Bob!"
talkjs messages send order-1042 --system "The order has shipped"
talkjs messages send order-1042 --sender bob --attachment-file ./receipt.pdf`,
			Args: []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				sender := fs.String("sender", "", "user id of the author (a participant with ReadWrite access)")
				text := fs.String("text", "", "text of a user message (needs --sender)")
				system := fs.String("system", "", "text of a system message (no sender)")
				file := fs.String("attachment-file", "", "upload this file and send it (needs --sender)")
				key := fs.String("idempotency-key", "", "sends with the same key within 24 hours post one message (default: a random key)")
				custom := customFlag{}
				fs.Var(custom, "custom", "custom data `key=value` (repeat)")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					given := 0
					for _, s := range []string{*text, *system, *file} {
						if s != "" {
							given++
						}
					}
					if given != 1 {
						return fmt.Errorf("%w: give exactly one of --text, --system or --attachment-file", errUsage)
					}
					if *system == "" && *sender == "" {
						return fmt.Errorf("%w: --text and --attachment-file need --sender", errUsage)
					}
					if *system != "" && *sender != "" {
						return fmt.Errorf("%w: a system message has no --sender", errUsage)
					}
					var msg talkjs.MessageInput
					switch {
					case *text != "":
						msg = talkjs.UserMessage(*sender, *text)
					case *system != "":
						msg = talkjs.SystemMessage(*system)
					default:
						f, err := os.Open(*file)
						if err != nil {
							return err
						}
						token, err := cl.Files.Upload(ctx, filepath.Base(*file), f)
						f.Close()
						if err != nil {
							return fmt.Errorf("upload %s: %w", *file, err)
						}
						msg = talkjs.AttachmentMessage(*sender, token)
					}
					msg.IdempotencyKey = *key
					if len(custom) > 0 {
						msg.Custom = map[string]string{}
						for k, v := range custom {
							if s, ok := v.Get(); ok {
								msg.Custom[k] = s
							}
						}
					}
					id, err := cl.Messages.SendOne(ctx, rest[0], msg)
					if err != nil {
						return err
					}
					return done(st, out, map[string]string{"id": id}, "Sent %s.", id)
				}
			},
		},

		{
			Name: "messages edit", Summary: "Change a message's text or custom data",
			Example: `talkjs messages edit order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT --text "Size 44, please" --mark-edited`,
			Args:    []string{"CONVERSATION_ID", "MESSAGE_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				text := fs.String("text", "", "new text")
				mark := fs.Bool("mark-edited", false, "show readers that the message was edited (sets editedAt)")
				custom := customFlag{}
				fs.Var(custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					if *text == "" && len(custom) == 0 {
						return fmt.Errorf("%w: give --text, --custom or both", errUsage)
					}
					if err := cl.Messages.Edit(ctx, rest[0], rest[1], talkjs.MessageEdit{Text: *text, Custom: custom.input(), MarkEdited: *mark}); err != nil {
						return err
					}
					m, err := cl.Messages.Get(ctx, rest[0], rest[1])
					return answer(st.Out, out, m, err, printMessage)
				}
			},
		},

		{
			Name: "messages delete", Summary: "Delete one message",
			Example: "talkjs messages delete order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT",
			Args:    []string{"CONVERSATION_ID", "MESSAGE_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					if err := cl.Messages.Delete(ctx, rest[0], rest[1]); err != nil {
						return err
					}
					return done(st, out, map[string]string{"deleted": rest[1]}, "Deleted message %s.", rest[1])
				}
			},
		},

		{
			Name: "messages delete-all", Summary: "Delete every message of a conversation (no webhooks are sent)",
			Example: "talkjs messages delete-all order-1042 --yes",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				yes := fs.Bool("yes", false, "confirm: this cannot be undone")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					if !*yes {
						return fmt.Errorf("%w: deleting every message of %s cannot be undone; add --yes", errUsage, rest[0])
					}
					if err := cl.Messages.DeleteAll(ctx, rest[0]); err != nil {
						return err
					}
					return done(st, out, map[string]string{"emptied": rest[0]}, "Deleted every message of %s.", rest[0])
				}
			},
		},

		reactCommand(true),
		reactCommand(false),
	}
}

// reactCommand is "messages react", or "messages unreact" when add is false.
func reactCommand(add bool) *command {
	name, summary, verb := "messages react", "Add a user's emoji reaction to a message", "Added"
	if !add {
		name, summary, verb = "messages unreact", "Remove a user's emoji reaction from a message", "Removed"
	}
	return &command{
		Name: name, Summary: summary,
		Example: "talkjs " + name + " order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT 👍 --user bob",
		Args:    []string{"CONVERSATION_ID", "MESSAGE_ID", "EMOJI"},
		Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
			cf, out := addClientFlags(fs), addOutputFlags(fs)
			user := fs.String("user", "", "user id of who reacts (required)")
			return func(ctx context.Context, rest []string) error {
				cl, err := setup(st, cf, out)
				if err != nil {
					return err
				}
				if *user == "" {
					return fmt.Errorf("%w: --user is required", errUsage)
				}
				f := cl.Messages.AddReaction
				if !add {
					f = cl.Messages.RemoveReaction
				}
				if err := f(ctx, rest[0], rest[1], rest[2], *user); err != nil {
					return err
				}
				m, err := cl.Messages.Get(ctx, rest[0], rest[1])
				return answer(st.Out, out, m, err, func(w io.Writer, m *talkjs.Message) error {
					_, err := fmt.Fprintf(w, "%s %s's %s on %s; reactions now: %s.\n", verb, *user, rest[2], rest[1], reactions(m.Reactions))
					return err
				})
			}
		},
	}
}

func messageText(m *talkjs.Message) string {
	if m.Attachment != nil && m.Text == "" {
		return "[file " + m.Attachment.Filename + "]"
	}
	return m.Text
}

func printMessages(w io.Writer, msgs []talkjs.Message) error {
	t := newTable(w, "ID", "AT", "SENDER", "TYPE", "TEXT")
	for _, m := range msgs {
		t.row(m.ID, when(m.CreatedAt), m.SenderID, m.Type, clip(messageText(&m), 60))
	}
	return t.flush()
}

func printMessage(w io.Writer, m *talkjs.Message) error {
	t := newTable(w)
	t.row("id", m.ID)
	t.row("conversation", m.ConversationID)
	t.row("type", m.Type)
	t.row("sender", m.SenderID)
	t.row("origin", m.Origin)
	t.row("text", m.Text)
	if m.Attachment != nil {
		t.row("attachment", fmt.Sprintf("%s (%d bytes) %s", m.Attachment.Filename, m.Attachment.Size, m.Attachment.URL))
	}
	t.row("custom", customText(m.Custom))
	t.row("reactions", reactions(m.Reactions))
	t.row("createdAt", when(m.CreatedAt))
	t.row("editedAt", when(m.EditedAt))
	return t.flush()
}

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
				opts := &messagesListOptions{apiIO: addAPIFlags(fs, st), page: addPageFlags(fs)}
				return func(ctx context.Context, args []string) error {
					opts.conversationID = args[0]
					return runMessagesList(ctx, opts)
				}
			},
		},

		{
			Name: "messages get", Summary: "Show one message",
			Example: "talkjs messages get order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT",
			Args:    []string{"CONVERSATION_ID", "MESSAGE_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &messagesGetOptions{apiIO: addAPIFlags(fs, st)}
				return func(ctx context.Context, args []string) error {
					opts.conversationID, opts.messageID = args[0], args[1]
					return runMessagesGet(ctx, opts)
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
				opts := &messagesSendOptions{apiIO: addAPIFlags(fs, st), custom: customFlag{}}
				fs.StringVar(&opts.sender, "sender", "", "user id of the author (a participant with ReadWrite access)")
				fs.StringVar(&opts.text, "text", "", "text of a user message (needs --sender)")
				fs.StringVar(&opts.system, "system", "", "text of a system message (no sender)")
				fs.StringVar(&opts.file, "attachment-file", "", "upload this file and send it (needs --sender)")
				fs.StringVar(&opts.idempotencyKey, "idempotency-key", "", "sends with the same key within 24 hours post one message (default: a random key)")
				fs.Var(opts.custom, "custom", "custom data `key=value` (repeat)")
				return func(ctx context.Context, args []string) error {
					opts.conversationID = args[0]
					return runMessagesSend(ctx, opts)
				}
			},
		},

		{
			Name: "messages edit", Summary: "Change a message's text or custom data",
			Example: `talkjs messages edit order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT --text "Size 44, please" --mark-edited`,
			Args:    []string{"CONVERSATION_ID", "MESSAGE_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &messagesEditOptions{apiIO: addAPIFlags(fs, st), custom: customFlag{}}
				fs.StringVar(&opts.text, "text", "", "new text")
				fs.BoolVar(&opts.markEdited, "mark-edited", false, "show readers that the message was edited (sets editedAt)")
				fs.Var(opts.custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				return func(ctx context.Context, args []string) error {
					opts.conversationID, opts.messageID = args[0], args[1]
					return runMessagesEdit(ctx, opts)
				}
			},
		},

		{
			Name: "messages delete", Summary: "Delete one message",
			Example: "talkjs messages delete order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT",
			Args:    []string{"CONVERSATION_ID", "MESSAGE_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &messagesDeleteOptions{apiIO: addAPIFlags(fs, st)}
				return func(ctx context.Context, args []string) error {
					opts.conversationID, opts.messageID = args[0], args[1]
					return runMessagesDelete(ctx, opts)
				}
			},
		},

		{
			Name: "messages delete-all", Summary: "Delete every message of a conversation (no webhooks are sent)",
			Example: "talkjs messages delete-all order-1042 --yes",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &messagesDeleteAllOptions{apiIO: addAPIFlags(fs, st)}
				fs.BoolVar(&opts.yes, "yes", false, "confirm: this cannot be undone")
				return func(ctx context.Context, args []string) error {
					opts.conversationID = args[0]
					return runMessagesDeleteAll(ctx, opts)
				}
			},
		},

		reactCommand(true),
		reactCommand(false),
	}
}

type messagesListOptions struct {
	apiIO
	page           *pageFlags
	conversationID string
}

func runMessagesList(ctx context.Context, opts *messagesListOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	lo, err := opts.page.options()
	if err != nil {
		return err
	}
	msgs, err := collect(opts.page.all, client.Messages.All(ctx, opts.conversationID, &lo),
		func() ([]talkjs.Message, error) { return client.Messages.List(ctx, opts.conversationID, &lo) })
	return answerList(opts.apiIO, msgs, err, printMessages)
}

type messagesGetOptions struct {
	apiIO
	conversationID, messageID string
}

func runMessagesGet(ctx context.Context, opts *messagesGetOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	m, err := client.Messages.Get(ctx, opts.conversationID, opts.messageID)
	return answer(opts.apiIO, m, err, printMessage)
}

type messagesSendOptions struct {
	apiIO
	conversationID             string
	sender, text, system, file string
	idempotencyKey             string
	custom                     customFlag
}

func runMessagesSend(ctx context.Context, opts *messagesSendOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	given := 0
	for _, s := range []string{opts.text, opts.system, opts.file} {
		if s != "" {
			given++
		}
	}
	if given != 1 {
		return fmt.Errorf("%w: give exactly one of --text, --system or --attachment-file", errUsage)
	}
	if opts.system == "" && opts.sender == "" {
		return fmt.Errorf("%w: --text and --attachment-file need --sender", errUsage)
	}
	if opts.system != "" && opts.sender != "" {
		return fmt.Errorf("%w: a system message has no --sender", errUsage)
	}
	var msg talkjs.MessageInput
	switch {
	case opts.text != "":
		msg = talkjs.UserMessage(opts.sender, opts.text)
	case opts.system != "":
		msg = talkjs.SystemMessage(opts.system)
	default:
		f, err := os.Open(opts.file)
		if err != nil {
			return err
		}
		token, err := client.Files.Upload(ctx, filepath.Base(opts.file), f)
		f.Close()
		if err != nil {
			return fmt.Errorf("upload %s: %w", opts.file, err)
		}
		msg = talkjs.AttachmentMessage(opts.sender, token)
	}
	msg.IdempotencyKey = opts.idempotencyKey
	if len(opts.custom) > 0 {
		msg.Custom = map[string]string{}
		for k, v := range opts.custom {
			if s, ok := v.Get(); ok {
				msg.Custom[k] = s
			}
		}
	}
	id, err := client.Messages.SendOne(ctx, opts.conversationID, msg)
	if err != nil {
		return err
	}
	return opts.done(map[string]string{"id": id}, "Sent %s.", id)
}

type messagesEditOptions struct {
	apiIO
	conversationID, messageID string
	text                      string
	markEdited                bool
	custom                    customFlag
}

func runMessagesEdit(ctx context.Context, opts *messagesEditOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	if opts.text == "" && len(opts.custom) == 0 {
		return fmt.Errorf("%w: give --text, --custom or both", errUsage)
	}
	edit := talkjs.MessageEdit{Text: opts.text, Custom: opts.custom.input(), MarkEdited: opts.markEdited}
	if err := client.Messages.Edit(ctx, opts.conversationID, opts.messageID, edit); err != nil {
		return err
	}
	m, err := client.Messages.Get(ctx, opts.conversationID, opts.messageID)
	return answer(opts.apiIO, m, err, printMessage)
}

type messagesDeleteOptions struct {
	apiIO
	conversationID, messageID string
}

func runMessagesDelete(ctx context.Context, opts *messagesDeleteOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	if err := client.Messages.Delete(ctx, opts.conversationID, opts.messageID); err != nil {
		return err
	}
	return opts.done(map[string]string{"deleted": opts.messageID}, "Deleted message %s.", opts.messageID)
}

type messagesDeleteAllOptions struct {
	apiIO
	conversationID string
	yes            bool
}

func runMessagesDeleteAll(ctx context.Context, opts *messagesDeleteAllOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	if !opts.yes {
		return fmt.Errorf("%w: deleting every message of %s cannot be undone; add --yes", errUsage, opts.conversationID)
	}
	if err := client.Messages.DeleteAll(ctx, opts.conversationID); err != nil {
		return err
	}
	return opts.done(map[string]string{"emptied": opts.conversationID}, "Deleted every message of %s.", opts.conversationID)
}

// reactCommand is "messages react", or "messages unreact" when add is false.
func reactCommand(add bool) *command {
	name, summary := "messages react", "Add a user's emoji reaction to a message"
	if !add {
		name, summary = "messages unreact", "Remove a user's emoji reaction from a message"
	}
	return &command{
		Name: name, Summary: summary,
		Example: "talkjs " + name + " order-1042 msg_4pa7Xs9mEj0hfU4Cu1pT 👍 --user bob",
		Args:    []string{"CONVERSATION_ID", "MESSAGE_ID", "EMOJI"},
		Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
			opts := &messagesReactOptions{apiIO: addAPIFlags(fs, st), add: add}
			fs.StringVar(&opts.user, "user", "", "user id of who reacts (required)")
			return func(ctx context.Context, args []string) error {
				opts.conversationID, opts.messageID, opts.emoji = args[0], args[1], args[2]
				return runMessagesReact(ctx, opts)
			}
		},
	}
}

type messagesReactOptions struct {
	apiIO
	conversationID, messageID, emoji string
	user                             string
	add                              bool // react; false: unreact
}

func runMessagesReact(ctx context.Context, opts *messagesReactOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	if opts.user == "" {
		return fmt.Errorf("%w: --user is required", errUsage)
	}
	change, verb := client.Messages.AddReaction, "Added"
	if !opts.add {
		change, verb = client.Messages.RemoveReaction, "Removed"
	}
	if err := change(ctx, opts.conversationID, opts.messageID, opts.emoji, opts.user); err != nil {
		return err
	}
	m, err := client.Messages.Get(ctx, opts.conversationID, opts.messageID)
	return answer(opts.apiIO, m, err, func(w io.Writer, m *talkjs.Message) error {
		_, err := fmt.Fprintf(w, "%s %s's %s on %s; reactions now: %s.\n", verb, opts.user, opts.emoji, opts.messageID, reactions(m.Reactions))
		return err
	})
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

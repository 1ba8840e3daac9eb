package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func conversationsCommands() []*command {
	return []*command{
		{
			Name: "conversations get", Summary: "Show a conversation and its participants",
			Example: "talkjs conversations get order-1042\ntalkjs conversations get order-1042 --json",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &conversationsGetOptions{apiIO: addAPIFlags(fs, st)}
				return func(ctx context.Context, args []string) error {
					opts.conversationID = args[0]
					return runConversationsGet(ctx, opts)
				}
			},
		},

		{
			Name: "conversations list", Summary: "List the app's conversations, ordered and filtered",
			Example: `talkjs conversations list --order-by createdAt --direction ASC --limit 20
talkjs conversations list --all --filter '{"custom":{"category":["oneOf",["shoes","sandals"]]}}' --json`,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &conversationsListOptions{apiIO: addAPIFlags(fs, st), list: addConversationListFlags(fs)}
				return func(ctx context.Context, _ []string) error { return runConversationsList(ctx, opts) }
			},
		},

		{
			Name: "conversations upsert", Summary: "Create a conversation, or update the fields given",
			Example: `talkjs conversations upsert order-1042 --subject "Your order" --participant alice,bob --custom category=shoes
talkjs conversations upsert order-1042 --subject ""     # an empty value clears the field`,
			Args: []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &conversationsUpsertOptions{apiIO: addAPIFlags(fs, st), custom: customFlag{}}
				fs.Var(&opts.subject, "subject", "subject `text`")
				fs.Var(&opts.photo, "photo-url", "photo `URL`")
				fs.Var(&opts.participants, "participant", "`user` id to add with default access (repeat, or separate with commas); none are removed")
				fs.Var(&opts.participants, "participants", "the same as --participant")
				fs.Var(&opts.welcome, "welcome-message", "welcome message `text` (repeat for several)")
				fs.Var(opts.custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				return func(ctx context.Context, args []string) error {
					opts.conversationID = args[0]
					return runConversationsUpsert(ctx, opts)
				}
			},
		},

		{
			Name: "conversations delete", Summary: "Delete a conversation and all its messages",
			Example: "talkjs conversations delete order-1042",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &conversationsDeleteOptions{apiIO: addAPIFlags(fs, st)}
				return func(ctx context.Context, args []string) error {
					opts.conversationID = args[0]
					return runConversationsDelete(ctx, opts)
				}
			},
		},
	}
}

type conversationsGetOptions struct {
	apiIO
	conversationID string
}

func runConversationsGet(ctx context.Context, opts *conversationsGetOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	conv, err := client.Conversations.Get(ctx, opts.conversationID)
	return answer(opts.apiIO, conv, err, printConversation)
}

type conversationsListOptions struct {
	apiIO
	list *conversationListFlags
}

func runConversationsList(ctx context.Context, opts *conversationsListOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	lo, err := opts.list.options()
	if err != nil {
		return err
	}
	convs, err := collect(opts.list.page.all, client.Conversations.All(ctx, &lo),
		func() ([]talkjs.Conversation, error) { return client.Conversations.List(ctx, &lo) })
	return answerList(opts.apiIO, convs, err, printConversations)
}

type conversationsUpsertOptions struct {
	apiIO
	conversationID        string
	subject, photo        optString
	participants, welcome listFlag
	custom                customFlag
}

func runConversationsUpsert(ctx context.Context, opts *conversationsUpsertOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	in := talkjs.ConversationInput{Subject: opts.subject.nullable(), PhotoURL: opts.photo.nullable(), Custom: opts.custom.input(),
		Participants: opts.participants}
	if len(opts.welcome) > 0 {
		in.WelcomeMessages = talkjs.Value([]string(opts.welcome))
	}
	if err := client.Conversations.Upsert(ctx, opts.conversationID, in); err != nil {
		return err
	}
	conv, err := client.Conversations.Get(ctx, opts.conversationID)
	return answer(opts.apiIO, conv, err, headed("Upserted conversation "+opts.conversationID+".", printConversation))
}

type conversationsDeleteOptions struct {
	apiIO
	conversationID string
}

func runConversationsDelete(ctx context.Context, opts *conversationsDeleteOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	if err := client.Conversations.Delete(ctx, opts.conversationID); err != nil {
		return err
	}
	return opts.done(map[string]string{"deleted": opts.conversationID}, "Deleted conversation %s.", opts.conversationID)
}

func printConversations(w io.Writer, convs []talkjs.Conversation) error {
	t := newTable(w, "ID", "SUBJECT", "PARTICIPANTS", "CUSTOM", "CREATED", "LAST MESSAGE")
	for _, c := range convs {
		last := int64(0)
		if c.LastMessage != nil {
			last = c.LastMessage.CreatedAt
		}
		t.row(c.ID, clip(c.Subject, 40), len(c.Participants), clip(customText(c.Custom), 40), when(c.CreatedAt), when(last))
	}
	return t.flush()
}

func printConversation(w io.Writer, c *talkjs.Conversation) error {
	t := newTable(w)
	t.row("id", c.ID)
	t.row("subject", c.Subject)
	t.row("custom", customText(c.Custom))
	t.row("createdAt", when(c.CreatedAt))
	if c.LastMessage != nil {
		t.row("lastMessage", fmt.Sprintf("%s %s: %s", when(c.LastMessage.CreatedAt), c.LastMessage.SenderID, clip(c.LastMessage.Text, 60)))
	}
	if err := t.flush(); err != nil {
		return err
	}
	ids := make([]string, 0, len(c.Participants))
	for id := range c.Participants {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Fprintln(w)
	t = newTable(w, "PARTICIPANT", "ACCESS", "NOTIFY", "UNREAD", "JOINED")
	for _, id := range ids {
		p := c.Participants[id]
		t.row(id, p.Access, notifyText(p.Notify), p.IsUnread, when(p.JoinedAt))
	}
	return t.flush()
}

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
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					conv, err := cl.Conversations.Get(ctx, rest[0])
					return answer(st.Out, out, conv, err, printConversation)
				}
			},
		},

		{
			Name: "conversations list", Summary: "List the app's conversations, ordered and filtered",
			Example: `talkjs conversations list --order-by createdAt --direction ASC --limit 20
talkjs conversations list --all --filter '{"custom":{"category":["oneOf",["shoes","sandals"]]}}' --json`,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out, lf := addClientFlags(fs), addOutputFlags(fs), addConversationListFlags(fs)
				return func(ctx context.Context, _ []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					opts, err := lf.options()
					if err != nil {
						return err
					}
					convs, err := collect(lf.page.all, cl.Conversations.All(ctx, &opts),
						func() ([]talkjs.Conversation, error) { return cl.Conversations.List(ctx, &opts) })
					return answerList(st.Out, out, convs, err, printConversations)
				}
			},
		},

		{
			Name: "conversations upsert", Summary: "Create a conversation, or update the fields given",
			Example: `talkjs conversations upsert order-1042 --subject "Your order" --participant alice,bob --custom category=shoes
talkjs conversations upsert order-1042 --subject ""     # an empty value clears the field`,
			Args: []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				var subject, photo optString
				fs.Var(&subject, "subject", "subject `text`")
				fs.Var(&photo, "photo-url", "photo `URL`")
				var participants, welcome listFlag
				fs.Var(&participants, "participant", "`user` id to add with default access (repeat, or separate with commas); none are removed")
				fs.Var(&participants, "participants", "the same as --participant")
				fs.Var(&welcome, "welcome-message", "welcome message `text` (repeat for several)")
				custom := customFlag{}
				fs.Var(custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					in := talkjs.ConversationInput{Subject: subject.nullable(), PhotoURL: photo.nullable(), Custom: custom.input(), Participants: participants}
					if len(welcome) > 0 {
						in.WelcomeMessages = talkjs.Value([]string(welcome))
					}
					if err := cl.Conversations.Upsert(ctx, rest[0], in); err != nil {
						return err
					}
					conv, err := cl.Conversations.Get(ctx, rest[0])
					return answer(st.Out, out, conv, err, headed("Upserted conversation "+rest[0]+".", printConversation))
				}
			},
		},

		{
			Name: "conversations delete", Summary: "Delete a conversation and all its messages",
			Example: "talkjs conversations delete order-1042",
			Args:    []string{"CONVERSATION_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					if err := cl.Conversations.Delete(ctx, rest[0]); err != nil {
						return err
					}
					return done(st, out, map[string]string{"deleted": rest[0]}, "Deleted conversation %s.", rest[0])
				}
			},
		},
	}
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

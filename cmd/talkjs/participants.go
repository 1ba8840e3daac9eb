package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func participantsCommands() []*command {
	cs := []*command{
		{
			Name: "participants join", Summary: "Add a user to a conversation, or overwrite their participation",
			Example: "talkjs participants join order-1042 carol --access Read --notify MentionsOnly",
			Args:    []string{"CONVERSATION_ID", "USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				access := fs.String("access", "", "ReadWrite (default) or Read")
				notify := fs.String("notify", "", "true (default), false or MentionsOnly")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					a, err := parseAccess(*access)
					if err != nil {
						return err
					}
					if a == talkjs.AccessNone {
						return fmt.Errorf("%w: --access None can only be set with 'talkjs participants update'", errUsage)
					}
					n, err := parseNotify(*notify)
					if err != nil {
						return err
					}
					if err := cl.Participants.Join(ctx, rest[0], rest[1], &talkjs.JoinOptions{Access: a, Notify: n}); err != nil {
						return err
					}
					return participantDone(ctx, st, out, cl, rest[0], rest[1], "joined")
				}
			},
		},

		{
			Name: "participants update", Summary: "Change a participant's access or notifications (PATCH)",
			Example: "talkjs participants update order-1042 carol --access None\ntalkjs participants update order-1042 carol --notify false",
			Args:    []string{"CONVERSATION_ID", "USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				access := fs.String("access", "", "ReadWrite, Read or None (None keeps the history visible but no new messages)")
				notify := fs.String("notify", "", "true, false or MentionsOnly")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					a, err := parseAccess(*access)
					if err != nil {
						return err
					}
					n, err := parseNotify(*notify)
					if err != nil {
						return err
					}
					if a == "" && n == talkjs.NotifyDefault {
						return fmt.Errorf("%w: give --access, --notify or both", errUsage)
					}
					if err := cl.Participants.Update(ctx, rest[0], rest[1], talkjs.ParticipantUpdate{Access: a, Notify: n}); err != nil {
						return err
					}
					return participantDone(ctx, st, out, cl, rest[0], rest[1], "updated in")
				}
			},
		},
	}
	return append(cs, participantActionCommands()...)
}

// participantActionCommands are three commands that act on one participant
// and print what they did.
func participantActionCommands() []*command {
	var cs []*command
	for _, pc := range []struct {
		name, summary, example string
		call                   func(cl *talkjs.Client) func(ctx context.Context, conversationID, userID string) error
		key, format            string // the JSON key naming the user; the sentence, given conversation and user
	}{
		{"participants leave", "Remove a user from a conversation", "talkjs participants leave order-1042 carol",
			func(cl *talkjs.Client) func(context.Context, string, string) error { return cl.Participants.Leave },
			"left", "%[2]s left %[1]s."},
		{"participants mark-read", "Mark a conversation read by a user", "talkjs participants mark-read order-1042 alice",
			func(cl *talkjs.Client) func(context.Context, string, string) error { return cl.Participants.MarkRead },
			"readBy", "Marked %[1]s read by %[2]s."},
		{"participants mark-unread", "Mark every message of a conversation unread for a user", "talkjs participants mark-unread order-1042 alice",
			func(cl *talkjs.Client) func(context.Context, string, string) error { return cl.Participants.MarkUnread },
			"unreadBy", "Marked %[1]s unread for %[2]s."},
	} {
		cs = append(cs, &command{Name: pc.name, Summary: pc.summary, Args: []string{"CONVERSATION_ID", "USER_ID"}, Example: pc.example,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					if err := pc.call(cl)(ctx, rest[0], rest[1]); err != nil {
						return err
					}
					return done(st, out, map[string]string{"conversation": rest[0], pc.key: rest[1]}, pc.format, rest[0], rest[1])
				}
			}})
	}
	return cs
}

// participantDone prints the participation of user after a change.
func participantDone(ctx context.Context, st *stdio, out *outputFlags, cl *talkjs.Client, conv, user, verb string) error {
	c, err := cl.Conversations.Get(ctx, conv)
	if err != nil {
		return err
	}
	p, ok := c.Participants[user]
	if !ok {
		return fmt.Errorf("%s is not a participant of %s after the change", user, conv)
	}
	if out.json {
		return out.printAnswer(st.Out, p, "participants", user)
	}
	_, err = fmt.Fprintf(st.Out, "%s %s %s: access %s, notify %s.\n", user, verb, conv, p.Access, notifyText(p.Notify))
	return err
}

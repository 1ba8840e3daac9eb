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
				opts := &participantsChangeOptions{apiIO: addAPIFlags(fs, st)}
				fs.StringVar(&opts.access, "access", "", "ReadWrite (default) or Read")
				fs.StringVar(&opts.notify, "notify", "", "true (default), false or MentionsOnly")
				return func(ctx context.Context, args []string) error {
					opts.conversationID, opts.userID = args[0], args[1]
					return runParticipantsJoin(ctx, opts)
				}
			},
		},

		{
			Name: "participants update", Summary: "Change a participant's access or notifications (PATCH)",
			Example: "talkjs participants update order-1042 carol --access None\ntalkjs participants update order-1042 carol --notify false",
			Args:    []string{"CONVERSATION_ID", "USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &participantsChangeOptions{apiIO: addAPIFlags(fs, st)}
				fs.StringVar(&opts.access, "access", "", "ReadWrite, Read or None (None keeps the history visible but no new messages)")
				fs.StringVar(&opts.notify, "notify", "", "true, false or MentionsOnly")
				return func(ctx context.Context, args []string) error {
					opts.conversationID, opts.userID = args[0], args[1]
					return runParticipantsUpdate(ctx, opts)
				}
			},
		},
	}
	return append(cs, participantActionCommands()...)
}

// participantsChangeOptions are the options of participants join and
// participants update.
type participantsChangeOptions struct {
	apiIO
	conversationID, userID string
	access, notify         string
}

func runParticipantsJoin(ctx context.Context, opts *participantsChangeOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	a, err := parseAccess(opts.access)
	if err != nil {
		return err
	}
	if a == talkjs.AccessNone {
		return fmt.Errorf("%w: --access None can only be set with 'talkjs participants update'", errUsage)
	}
	n, err := parseNotify(opts.notify)
	if err != nil {
		return err
	}
	if err := client.Participants.Join(ctx, opts.conversationID, opts.userID, &talkjs.JoinOptions{Access: a, Notify: n}); err != nil {
		return err
	}
	return participantDone(ctx, opts, client, "joined")
}

func runParticipantsUpdate(ctx context.Context, opts *participantsChangeOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	a, err := parseAccess(opts.access)
	if err != nil {
		return err
	}
	n, err := parseNotify(opts.notify)
	if err != nil {
		return err
	}
	if a == "" && n == talkjs.NotifyDefault {
		return fmt.Errorf("%w: give --access, --notify or both", errUsage)
	}
	if err := client.Participants.Update(ctx, opts.conversationID, opts.userID, talkjs.ParticipantUpdate{Access: a, Notify: n}); err != nil {
		return err
	}
	return participantDone(ctx, opts, client, "updated in")
}

// participantDone prints the participation of the user after a change.
func participantDone(ctx context.Context, opts *participantsChangeOptions, client *talkjs.Client, verb string) error {
	conv, user := opts.conversationID, opts.userID
	c, err := client.Conversations.Get(ctx, conv)
	if err != nil {
		return err
	}
	p, ok := c.Participants[user]
	if !ok {
		return fmt.Errorf("%s is not a participant of %s after the change", user, conv)
	}
	if opts.output.json {
		return opts.output.printAnswer(opts.out, p, "participants", user)
	}
	_, err = fmt.Fprintf(opts.out, "%s %s %s: access %s, notify %s.\n", user, verb, conv, p.Access, notifyText(p.Notify))
	return err
}

// participantAction is one of three commands that act on one participant
// and print what they did: leave, mark-read and mark-unread.
type participantAction struct {
	name, summary, example string
	call                   func(s *talkjs.ParticipantsService, ctx context.Context, conversationID, userID string) error
	key, format            string // the JSON key naming the user; the sentence, given conversation and user
}

var participantActions = []participantAction{
	{"participants leave", "Remove a user from a conversation", "talkjs participants leave order-1042 carol",
		(*talkjs.ParticipantsService).Leave, "left", "%[2]s left %[1]s."},
	{"participants mark-read", "Mark a conversation read by a user", "talkjs participants mark-read order-1042 alice",
		(*talkjs.ParticipantsService).MarkRead, "readBy", "Marked %[1]s read by %[2]s."},
	{"participants mark-unread", "Mark every message of a conversation unread for a user", "talkjs participants mark-unread order-1042 alice",
		(*talkjs.ParticipantsService).MarkUnread, "unreadBy", "Marked %[1]s unread for %[2]s."},
}

func participantActionCommands() []*command {
	var cs []*command
	for _, action := range participantActions {
		cs = append(cs, &command{Name: action.name, Summary: action.summary, Args: []string{"CONVERSATION_ID", "USER_ID"}, Example: action.example,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &participantActionOptions{apiIO: addAPIFlags(fs, st), action: action}
				return func(ctx context.Context, args []string) error {
					opts.conversationID, opts.userID = args[0], args[1]
					return runParticipantAction(ctx, opts)
				}
			}})
	}
	return cs
}

type participantActionOptions struct {
	apiIO
	action                 participantAction
	conversationID, userID string
}

func runParticipantAction(ctx context.Context, opts *participantActionOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	if err := opts.action.call(client.Participants, ctx, opts.conversationID, opts.userID); err != nil {
		return err
	}
	return opts.done(map[string]string{"conversation": opts.conversationID, opts.action.key: opts.userID},
		opts.action.format, opts.conversationID, opts.userID)
}

// Package convfilter parses and evaluates TalkJS conversation filters (the
// JSON language of the JavaScript SDK's ConversationPredicate) for the
// in-memory server in package api.
//
// SCAFFOLD: the signatures below are the contract between the server and
// the evaluator; the implementation is being written.
package convfilter

import "errors"

// Subject is what a filter is evaluated against: one conversation as seen by
// one user, or by no user when the app's whole conversation list is filtered.
type Subject struct {
	// Custom is the conversation's custom data.
	Custom map[string]string
	// Subject is the conversation's subject, nil when it has none.
	Subject *string
	// Access is the user's access ("ReadWrite", "Read" or "None"), or ""
	// when there is no user (app-wide lists).
	Access string
	// HasUnreadMessages tells whether the user has unread messages in it
	// (false when there is no user).
	HasUnreadMessages bool
	// LastMessageTs is the Unix time in ms of the last message, nil when
	// the conversation has no message.
	LastMessageTs *int64
}

// Filter is a parsed conversation filter.
type Filter struct{}

// Parse parses the JSON of a filter. Its error is one readable sentence
// naming the part at fault, fit for a 400 answer.
func Parse(data []byte) (*Filter, error) {
	return nil, errors.New("convfilter: not implemented yet")
}

// Match tells whether s passes the filter.
func (f *Filter) Match(s *Subject) bool { return false }

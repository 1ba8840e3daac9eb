package talkjs

import "net/url"

// Hand-built paths of the hot operations, relative to the server URL, for
// newPathCall. Each matches the gen builder of its operation, which the
// spec drives; TestPathsMatchGen holds them to that.

// conversationPath is the path of getConversation: conversations/{id}.
func conversationPath(id string) string {
	return "conversations/" + url.PathEscape(id)
}

// messagesPath is the path of sendMessages: conversations/{id}/messages.
func messagesPath(conversationID string) string {
	return "conversations/" + url.PathEscape(conversationID) + "/messages"
}

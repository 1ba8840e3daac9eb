package talkjs

import "net/url"

// Hand-built URLs of the hot operations, for newURLCall: the server URL
// and the escaped path in one concatenation. Each matches the gen builder
// of its operation, which the spec drives; TestPathsMatchGen holds them to
// that.

// conversationURL is the URL of getConversation: conversations/{id}.
func (c *Client) conversationURL(id string) string {
	return c.server + "conversations/" + url.PathEscape(id)
}

// messagesURL is the URL of sendMessages: conversations/{id}/messages.
func (c *Client) messagesURL(conversationID string) string {
	return c.server + "conversations/" + url.PathEscape(conversationID) + "/messages"
}

package talkjs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/gotalkjs/talkjs-go/gen"
)

// ImportMessage is a message to import with its original time. Import the
// users and the conversation (with the sender as a participant) first.
type ImportMessage struct {
	// Type defaults to [UserMessageType], the only type TalkJS imports.
	Type MessageType `json:"type"`
	// Sender is the user id of the author; it is required.
	Sender string `json:"sender"`
	// Text or AttachmentToken: exactly one of them.
	Text            string `json:"text,omitempty"`
	AttachmentToken string `json:"attachmentToken,omitempty"`
	// Timestamp is the original Unix time in ms (see Millis); it is
	// required, as in TalkJS's Importing Messages reference.
	Timestamp int64 `json:"timestamp"`
	// ReadBy lists the user ids who have read the message; nil is sent as
	// [] (TalkJS documents readBy as required).
	ReadBy              []string          `json:"readBy"`
	Custom              map[string]string `json:"custom,omitempty"`
	ReferencedMessageID string            `json:"referencedMessageId,omitempty"`
}

// ImportService imports chat history; reach it as Client.Import.
type ImportService struct{ client *Client }

// Messages imports msgs into the conversation in order,
// [MaxMessagesPerRequest] per request, keeping their timestamps. It returns
// the new message ids when TalkJS answers them (it may answer none).
//
// TalkJS does not deduplicate imports, so a request is never repeated once
// it may have been processed: only a 429 or a connection that failed before
// sending are retried. When a request fails, the messages of earlier
// requests are imported and the error says which request failed (an
// *[ImportError]); resume with msgs[err.Imported:] after checking what
// arrived.
//
// TalkJS: POST /v1/{appId}/import/conversations/{conversationId}/messages (docs)
func (s *ImportService) Messages(ctx context.Context, conversationID string, msgs []ImportMessage) ([]string, error) {
	if err := checkID("conversationID", conversationID); err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, argError("msgs", "must hold at least one message")
	}
	body := make([]ImportMessage, len(msgs))
	copy(body, msgs)
	for i := range body {
		m := &body[i]
		arg := fmt.Sprintf("msgs[%d]", i)
		if m.Type == "" {
			m.Type = UserMessageType
		}
		if m.Type != UserMessageType {
			return nil, argError(arg+".Type", "must be UserMessageType: TalkJS imports only user messages")
		}
		if m.Sender == "" {
			return nil, argError(arg+".Sender", "is required")
		}
		switch {
		case m.Text != "" && m.AttachmentToken != "":
			return nil, argError(arg, "has both Text and AttachmentToken")
		case m.Text == "" && m.AttachmentToken == "":
			return nil, argError(arg, "needs Text or AttachmentToken")
		}
		if m.Timestamp <= 0 {
			return nil, argError(arg+".Timestamp", "is required: the original Unix time in ms (see Millis), after 1970")
		}
		if m.ReadBy == nil {
			m.ReadBy = []string{}
		}
	}
	var ids []string
	for start := 0; start < len(body); start += MaxMessagesPerRequest {
		chunk := body[start:min(start+MaxMessagesPerRequest, len(body))]
		call, err := newJSONCall(ctx, chunk, func(ct string, r io.Reader) (*http.Request, error) {
			return gen.NewImportMessagesRequestWithBody(s.client.server, conversationID, nil, ct, r)
		})
		if err != nil {
			return ids, err
		}
		call.safety = notReplayable
		var out importResult
		call.out, call.emptyOK = &out, true // TalkJS does not document the answer
		if err := s.client.do(call); err != nil {
			return ids, &ImportError{Imported: start, Err: err}
		}
		ids = append(ids, out...)
	}
	return ids, nil
}

// ImportError reports a failed import request: the first Imported messages
// were imported by earlier requests; the failing request's messages may or
// may not have been.
type ImportError struct {
	Imported int
	Err      error
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("talkjs: import stopped after %d messages: %v", e.Imported, e.Err)
}

// Unwrap returns the error of the failing request.
func (e *ImportError) Unwrap() error { return e.Err }

// importResult accepts both answers TalkJS may give: {} or [{"id": …}, …].
type importResult []string

func (r *importResult) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var refs []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &refs); err != nil {
			return err
		}
		for _, ref := range refs {
			*r = append(*r, ref.ID)
		}
	}
	return nil
}

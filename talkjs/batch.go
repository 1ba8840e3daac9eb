package talkjs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gotalkjs/talkjs-go/gen"
)

// MaxBatchOperations is how many operations one batch request may hold.
const MaxBatchOperations = 10

// BatchOperation is one REST call inside a batch request. Make it with one
// of the Batch… functions, or fill it in by hand for any other call.
type BatchOperation struct {
	// Method is GET, PUT, POST, PATCH or DELETE.
	Method string
	// Path is below /v1/{appId} and starts with "/", such as
	// "/users/alice"; escape ids with url.PathEscape.
	Path string
	// Payload is the JSON body, or for GET the query parameters as a
	// map[string]string; nil sends none.
	Payload any
	// APIVersion, such as "2021-02-09", applies to this operation only.
	APIVersion string

	err error // an argument problem found by a Batch… constructor
}

func batchOp(method string, err error, payload any, segments ...string) BatchOperation {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		if strings.HasPrefix(s, "=") { // a literal segment
			b.WriteString(s[1:])
		} else {
			b.WriteString(url.PathEscape(s))
		}
	}
	return BatchOperation{Method: method, Path: b.String(), Payload: payload, err: err}
}

// BatchUpsertUser returns the operation that creates or updates the user id,
// like [UsersService.Upsert].
func BatchUpsertUser(id string, u UserInput) BatchOperation {
	return batchOp(http.MethodPut, checkID("id", id), u, "=users", id)
}

// BatchGetUser returns the operation that reads the user id, like
// [UsersService.Get]; decode its answer with [BatchResult.Decode].
func BatchGetUser(id string) BatchOperation {
	return batchOp(http.MethodGet, checkID("id", id), nil, "=users", id)
}

// BatchUpsertConversation returns the operation that creates or updates the
// conversation id, like [ConversationsService.Upsert].
func BatchUpsertConversation(id string, in ConversationInput) BatchOperation {
	return batchOp(http.MethodPut, checkID("id", id), in, "=conversations", id)
}

// BatchGetConversation returns the operation that reads the conversation id,
// like [ConversationsService.Get].
func BatchGetConversation(id string) BatchOperation {
	return batchOp(http.MethodGet, checkID("id", id), nil, "=conversations", id)
}

// BatchDeleteConversation returns the operation that deletes the
// conversation id, like [ConversationsService.Delete].
func BatchDeleteConversation(id string) BatchOperation {
	return batchOp(http.MethodDelete, checkID("id", id), nil, "=conversations", id)
}

// BatchJoin returns the operation that adds userID to the conversation, like
// [ParticipantsService.Join].
func BatchJoin(conversationID, userID string, opts JoinOptions) BatchOperation {
	return batchOp(http.MethodPut, checkPair(conversationID, userID), opts, "=conversations", conversationID, "=participants", userID)
}

// BatchLeave returns the operation that removes userID from the
// conversation, like [ParticipantsService.Leave].
func BatchLeave(conversationID, userID string) BatchOperation {
	return batchOp(http.MethodDelete, checkPair(conversationID, userID), nil, "=conversations", conversationID, "=participants", userID)
}

// BatchSendMessages returns the operation that sends up to
// [MaxMessagesPerRequest] messages, like [MessagesService.Send]: each is given
// an idempotency key when it has none.
func BatchSendMessages(conversationID string, msgs ...MessageInput) BatchOperation {
	err := checkID("conversationID", conversationID)
	if err == nil && (len(msgs) == 0 || len(msgs) > MaxMessagesPerRequest) {
		err = argError("msgs", fmt.Sprintf("must hold 1 to %d messages, not %d", MaxMessagesPerRequest, len(msgs)))
	}
	cp := make([]MessageInput, len(msgs))
	copy(cp, msgs)
	for i := range cp {
		if err == nil {
			err = cp[i].check(i)
		}
		if cp[i].IdempotencyKey == "" {
			cp[i].IdempotencyKey = newIdempotencyKey()
		}
	}
	return batchOp(http.MethodPost, err, cp, "=conversations", conversationID, "=messages")
}

// BatchResult is the outcome of one operation of a batch.
type BatchResult struct {
	// SequenceNumber is the operation's index in the slice given to Do.
	SequenceNumber int
	// Status is the HTTP status the operation got.
	Status int
	// Response is the operation's JSON answer. TalkJS's reference types a
	// batch answer's operation_response as a string holding the JSON text;
	// Do unwraps such a string, and takes an embedded JSON value as it is.
	Response json.RawMessage
}

// OK reports whether the operation succeeded (a 2xx status).
func (r BatchResult) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Decode decodes the operation's answer into v, such as a *User for
// [BatchGetUser].
func (r BatchResult) Decode(v any) error { return json.Unmarshal(r.Response, v) }

// BatchService runs batch requests; reach it as Client.Batch.
type BatchService struct{ client *Client }

// Do runs up to [MaxBatchOperations] operations in one request and returns
// one result per operation, in the order of ops (TalkJS may run them in
// any order). The call fails only when the batch as a whole fails; check
// each [BatchResult]'s Status. A batch is never repeated once TalkJS may have
// received it, since its operations need not be idempotent.
//
// TalkJS: POST /v1/{appId}/batch (docs)
func (s *BatchService) Do(ctx context.Context, ops ...BatchOperation) ([]BatchResult, error) {
	if len(ops) == 0 || len(ops) > MaxBatchOperations {
		return nil, argError("ops", fmt.Sprintf("must hold 1 to %d operations, not %d", MaxBatchOperations, len(ops)))
	}
	wire := make([][]any, len(ops))
	for i, op := range ops {
		arg := fmt.Sprintf("ops[%d]", i)
		if op.err != nil {
			var ae *ArgumentError
			if errors.As(op.err, &ae) {
				return nil, &ArgumentError{Arg: arg + "." + ae.Arg, Problem: ae.Problem}
			}
			return nil, op.err
		}
		switch op.Method {
		case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete:
		default:
			return nil, argError(arg+".Method", "must be GET, PUT, POST, PATCH or DELETE")
		}
		if !strings.HasPrefix(op.Path, "/") {
			return nil, argError(arg+".Path", `must start with "/"`)
		}
		for _, seg := range strings.Split(op.Path[1:], "/") {
			if seg == "" || seg == "." || seg == ".." {
				return nil, argError(arg+".Path", "must not hold empty, \".\" or \"..\" segments")
			}
		}
		if op.APIVersion != "" && !apiVersionPattern.MatchString(op.APIVersion) {
			return nil, argError(arg+".APIVersion", "must look like 2021-02-09")
		}
		entry := []any{i, op.Method, op.Path}
		switch {
		case op.APIVersion != "":
			payload := op.Payload
			if payload == nil {
				payload = struct{}{}
			}
			entry = append(entry, payload, map[string]string{"api_version": op.APIVersion})
		case op.Payload != nil:
			entry = append(entry, op.Payload)
		}
		wire[i] = entry
	}
	call, err := newJSONCall(ctx, wire, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewBatchRequestsRequestWithBody(s.client.server, nil, ct, body)
	})
	if err != nil {
		return nil, err
	}
	call.safety = notReplayable
	var raw []json.RawMessage
	call.out = &raw
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	results := make([]BatchResult, len(ops))
	filled := make([]bool, len(ops))
	for _, item := range raw {
		var triple []json.RawMessage
		if err := json.Unmarshal(item, &triple); err != nil || len(triple) < 2 {
			return nil, fmt.Errorf("talkjs: batch answered an entry that is not [sequenceNumber, status, response]: %s", clip(string(item)))
		}
		var r BatchResult
		if err := json.Unmarshal(triple[0], &r.SequenceNumber); err != nil {
			return nil, fmt.Errorf("talkjs: batch answered a bad sequence number: %w", err)
		}
		if err := json.Unmarshal(triple[1], &r.Status); err != nil {
			return nil, fmt.Errorf("talkjs: batch answered a bad status: %w", err)
		}
		if len(triple) > 2 {
			r.Response = batchResponse(triple[2])
		}
		if r.SequenceNumber < 0 || r.SequenceNumber >= len(ops) || filled[r.SequenceNumber] {
			return nil, fmt.Errorf("talkjs: batch answered an unknown or repeated sequence number %d", r.SequenceNumber)
		}
		results[r.SequenceNumber], filled[r.SequenceNumber] = r, true
	}
	for i, ok := range filled {
		if !ok {
			return nil, fmt.Errorf("talkjs: batch answered no result for operation %d", i)
		}
	}
	return results, nil
}

// batchResponse is the JSON answer of one batch operation: TalkJS's
// reference types operation_response as a string, a JSON text, so a string
// whose content is JSON is unwrapped; an embedded JSON value (an object, an
// array…) or a string that is not JSON is kept as it came.
func batchResponse(raw json.RawMessage) json.RawMessage {
	var text string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &text) == nil {
		if t := bytes.TrimSpace([]byte(text)); len(t) > 0 && json.Valid(t) {
			return t
		}
	}
	return bytes.Clone(raw)
}

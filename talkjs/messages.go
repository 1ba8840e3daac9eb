package talkjs

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

// MessageType tells user messages from system messages.
type MessageType string

// The message types.
const (
	UserMessageType   MessageType = "UserMessage"
	SystemMessageType MessageType = "SystemMessage"
)

// Message is a message as the API returns it.
type Message struct {
	ID             string      `json:"id"`
	ConversationID string      `json:"conversationId"`
	SenderID       string      `json:"senderId"`
	Type           MessageType `json:"type"`
	// Origin is how it was sent: rest, email, import or web.
	Origin string `json:"origin"`
	Text   string `json:"text"`
	// Content is the message's content blocks: as sent, or the block its
	// text, attachment or location makes.
	Content    []ContentBlock `json:"content"`
	Attachment *Attachment    `json:"attachment"`
	// Location is a [latitude, longitude] pair, or nil.
	Location            []float64         `json:"location"`
	Custom              map[string]string `json:"custom"`
	ReadBy              []string          `json:"readBy"`
	ReferencedMessageID string            `json:"referencedMessageId"`
	// Reactions holds user ids keyed by emoji.
	Reactions map[string][]string `json:"reactions"`
	// CreatedAt is a Unix time in ms.
	CreatedAt int64 `json:"createdAt"`
	// EditedAt is the Unix time in ms of the last marked edit, or 0.
	EditedAt int64 `json:"editedAt"`
}

// missing makes a 2xx answer without an id an error (see decode).
func (m *Message) missing() string {
	if m.ID == "" {
		return `"id"`
	}
	return ""
}

// CreatedTime returns CreatedAt as a time.Time (the zero Time when unset).
func (m *Message) CreatedTime() time.Time { return msTime(m.CreatedAt) }

// EditedTime returns EditedAt as a time.Time: the zero Time when the
// message was never marked as edited.
func (m *Message) EditedTime() time.Time { return msTime(m.EditedAt) }

// Attachment is a file attached to a message.
type Attachment struct {
	URL string `json:"url"`
	// Size is in bytes.
	Size       int64       `json:"size"`
	Filename   string      `json:"filename"`
	Dimensions *Dimensions `json:"dimensions"`
}

// Dimensions are the pixel size of an image attachment.
type Dimensions struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// Location is a [latitude, longitude] pair.
type Location [2]float64

// MessageInput is a message to send. Build it with [UserMessage],
// [SystemMessage] or [AttachmentMessage] and set more fields as needed. It
// holds exactly one of Text, AttachmentToken, Content or Location; a user
// message has a Sender and a system message has none.
type MessageInput struct {
	Type   MessageType `json:"type"`
	Sender string      `json:"sender,omitempty"`
	Text   string      `json:"text,omitempty"`
	// AttachmentToken comes from [FilesService.Upload].
	AttachmentToken string `json:"attachmentToken,omitempty"`
	// Content holds rich content blocks (see [TextBlock], [LocationBlock]).
	Content             []ContentBlock    `json:"content,omitempty"`
	Location            *Location         `json:"location,omitempty"`
	ReferencedMessageID string            `json:"referencedMessageId,omitempty"`
	Custom              map[string]string `json:"custom,omitempty"`
	// IdempotencyKey makes the send exactly-once for 24 hours within the
	// conversation. When empty, the client sets a unique one, so that a
	// failed send can be retried safely (unless [WithoutIdempotencyKeys]).
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// UserMessage returns a text message from sender, to pass to
// [MessagesService.Send].
func UserMessage(sender, text string) MessageInput {
	return MessageInput{Type: UserMessageType, Sender: sender, Text: text}
}

// SystemMessage returns a text message from no one, shown as a notice.
func SystemMessage(text string) MessageInput {
	return MessageInput{Type: SystemMessageType, Text: text}
}

// AttachmentMessage returns a message from sender carrying the file of an
// attachment token from [FilesService.Upload].
func AttachmentMessage(sender, attachmentToken string) MessageInput {
	return MessageInput{Type: UserMessageType, Sender: sender, AttachmentToken: attachmentToken}
}

// check validates the message, which is msgs[i] of the caller's slice. The
// argument name is formatted only when there is an error to report: Send
// checks every message of every call.
func (m *MessageInput) check(i int) error {
	arg := func(field string) string { return "msgs[" + strconv.Itoa(i) + "]" + field }
	switch m.Type {
	case UserMessageType:
		if m.Sender == "" {
			return argError(arg(".Sender"), "is required for a UserMessage")
		}
	case SystemMessageType:
		if m.Sender != "" {
			return argError(arg(".Sender"), "must be empty for a SystemMessage")
		}
	case "":
		return argError(arg(".Type"), "must be set (UserMessageType or SystemMessageType)")
	default:
		return argError(arg(".Type"), fmt.Sprintf("must be UserMessageType or SystemMessageType, not %q", m.Type))
	}
	n := 0
	for _, has := range [...]bool{m.Text != "", m.AttachmentToken != "", len(m.Content) > 0, m.Location != nil} {
		if has {
			n++
		}
	}
	switch {
	case n == 0:
		return argError(arg(""), "needs one of Text, AttachmentToken, Content or Location")
	case n > 1 && m.Text != "" && m.AttachmentToken != "":
		return argError(arg(""), "has both Text and AttachmentToken; send the attachment as its own message")
	case n > 1:
		return argError(arg(""), "must have only one of Text, AttachmentToken, Content or Location")
	}
	for j, c := range m.Content {
		if c.Type == "" {
			return argError(arg(".Content["+strconv.Itoa(j)+"].Type"), "must be set (text, file or location)")
		}
	}
	return nil
}

// keyLen is the length of a generated idempotency key: 128 bits in hex.
const keyLen = 32

// Generated idempotency keys are a 64-bit prefix drawn once per process
// and a 64-bit counter, starting at a random value, each in 16 hex digits.
//
// What a key must be is unique within its conversation for the 24 hours
// TalkJS remembers it; it guards nothing, so it need not be unpredictable.
// Within a process the counter cannot repeat (2^64 keys). Two processes
// (restarts, replicas, other programs) repeat a key only if both their
// random prefixes and their counter ranges meet: with a million processes
// in a day the chance that two prefixes coincide is about 3e-8, and the
// random counter starts make even that harmless unless their ranges then
// overlap. This costs one atomic add per chunk and no random bits per
// message: 10 keys take about 140 ns, where 128 random bits per key from
// math/rand/v2 took 345 ns (BenchmarkIdempotencyKeys).
var (
	keyPrefix  [16]byte
	keyCounter atomic.Uint64
	keyOnce    sync.Once
)

func initKeys() {
	var seed [16]byte
	if _, err := cryptorand.Read(seed[:]); err != nil {
		// crypto/rand does not fail on the platforms Go supports; should it,
		// the runtime-seeded ChaCha8 generator is unpredictable enough.
		binary.LittleEndian.PutUint64(seed[:8], rand.Uint64())
		binary.LittleEndian.PutUint64(seed[8:], rand.Uint64())
	}
	hex.Encode(keyPrefix[:], seed[:8])
	keyCounter.Store(binary.LittleEndian.Uint64(seed[8:]))
}

// newIdempotencyKey returns one key of keyLen hex digits.
func newIdempotencyKey() string { return newIdempotencyKeys(1) }

// newIdempotencyKeys returns n keys of keyLen hex digits concatenated, so
// that a whole chunk of messages costs one allocation.
func newIdempotencyKeys(n int) string {
	if n <= 0 {
		return ""
	}
	keyOnce.Do(initKeys)
	next := keyCounter.Add(uint64(n)) - uint64(n) // the first of n, wrapping like the counter
	var b strings.Builder
	b.Grow(keyLen * n)
	var key [keyLen]byte
	copy(key[:], keyPrefix[:])
	for i := range uint64(n) {
		var ctr [8]byte
		binary.BigEndian.PutUint64(ctr[:], next+i)
		hex.Encode(key[16:], ctr[:])
		b.Write(key[:])
	}
	return b.String()
}

// MaxMessagesPerRequest is how many messages TalkJS accepts in one send or
// import request.
const MaxMessagesPerRequest = 10

// MessagesService holds the message calls; reach it as Client.Messages.
type MessagesService struct{ client *Client }

// Send sends msgs to the conversation in order, [MaxMessagesPerRequest] per
// request, and returns the new message ids in the same order. Each message
// without an IdempotencyKey gets one (the caller's slice is not changed),
// so a request that failed mid-way is retried without sending a message
// twice. When a request fails, the messages of earlier requests are sent:
// the returned ids are theirs.
//
// TalkJS: POST /v1/{appId}/conversations/{conversationId}/messages (docs)
func (s *MessagesService) Send(ctx context.Context, conversationID string, msgs ...MessageInput) ([]string, error) {
	if err := checkID("conversationID", conversationID); err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, argError("msgs", "must hold at least one message")
	}
	for i := range msgs {
		if err := msgs[i].check(i); err != nil {
			return nil, err
		}
	}
	if len(msgs) <= MaxMessagesPerRequest {
		return s.sendChunk(ctx, conversationID, msgs)
	}
	ids := make([]string, 0, len(msgs))
	for start := 0; start < len(msgs); start += MaxMessagesPerRequest {
		got, err := s.sendChunk(ctx, conversationID, msgs[start:min(start+MaxMessagesPerRequest, len(msgs))])
		ids = append(ids, got...)
		if err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// SendOne sends one message and returns its id.
//
// TalkJS: POST /v1/{appId}/conversations/{conversationId}/messages (docs)
func (s *MessagesService) SendOne(ctx context.Context, conversationID string, msg MessageInput) (string, error) {
	ids, err := s.Send(ctx, conversationID, msg)
	if err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", fmt.Errorf("talkjs: send answered %d ids for 1 message", len(ids))
	}
	return ids[0], nil
}

// keyedInput is a message with the idempotency key it is sent with. Its
// IdempotencyKey hides the embedded one, so it encodes exactly as a copy
// of the message with the key set would (TestKeyedInputEncoding), without
// copying the message.
type keyedInput struct {
	*MessageInput
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func (s *MessagesService) sendChunk(ctx context.Context, conversationID string, msgs []MessageInput) ([]string, error) {
	keyed := true
	var keys string // generated keys for the messages without one, in order
	if !s.client.noIdemKey {
		missing := 0
		for i := range msgs {
			if msgs[i].IdempotencyKey == "" {
				missing++
			}
		}
		keys = newIdempotencyKeys(missing)
	} else {
		for i := range msgs {
			keyed = keyed && msgs[i].IdempotencyKey != ""
		}
	}
	body, err := appendSendBody(make([]byte, 0, sendBodySize(msgs)), msgs, func(i int) string {
		if k := msgs[i].IdempotencyKey; k != "" || keys == "" {
			return k
		}
		k := keys[:keyLen]
		keys = keys[keyLen:]
		return k
	})
	if err != nil {
		return nil, fmt.Errorf("talkjs: encode request body: %w", err)
	}
	call, err := newURLCall(ctx, http.MethodPost, s.client.messagesURL(conversationID), body)
	if err != nil {
		return nil, err
	}
	if !keyed {
		call.safety = notReplayable
	}
	var refs []struct {
		ID string `json:"id"`
	}
	call.out = &refs
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	if len(ids) != len(msgs) {
		return ids, fmt.Errorf("talkjs: send answered %d ids for %d messages", len(ids), len(msgs))
	}
	return ids, nil
}

// List returns one page of the conversation's messages, newest first. Use
// [MessagesService.All] to walk every page.
//
// TalkJS: GET /v1/{appId}/conversations/{conversationId}/messages (docs)
func (s *MessagesService) List(ctx context.Context, conversationID string, opts *ListOptions) ([]Message, error) {
	if err := checkID("conversationID", conversationID); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	var p gen.ListMessagesParams
	if opts != nil {
		p.Limit, p.StartingAfter = ptrIf(opts.Limit), ptrIf(opts.StartingAfter)
	}
	req, err := gen.NewListMessagesRequest(s.client.server, conversationID, &p)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	var answer page[[]Message]
	call.out = &answer
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return *answer.Data, nil
}

// All walks every message of the conversation, newest first. It is lazy
// and copies opts.
//
// TalkJS: GET /v1/{appId}/conversations/{conversationId}/messages (docs)
func (s *MessagesService) All(ctx context.Context, conversationID string, opts *ListOptions) iter.Seq2[Message, error] {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o.Limit, o.StartingAfter, func(ctx context.Context, limit int, after string) ([]Message, error) {
		return s.List(ctx, conversationID, &ListOptions{Limit: limit, StartingAfter: after})
	}, func(m *Message) string { return m.ID })
}

func checkMsg(conversationID, messageID string) error {
	if err := checkID("conversationID", conversationID); err != nil {
		return err
	}
	return checkID("messageID", messageID)
}

// Get returns one message.
//
// TalkJS: GET /v1/{appId}/conversations/{conversationId}/messages/{messageId} (docs)
func (s *MessagesService) Get(ctx context.Context, conversationID, messageID string) (*Message, error) {
	if err := checkMsg(conversationID, messageID); err != nil {
		return nil, err
	}
	req, err := gen.NewGetMessageRequest(s.client.server, conversationID, messageID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return nil, err
	}
	m := new(Message)
	call.out = m
	if err := s.client.do(call); err != nil {
		return nil, err
	}
	return m, nil
}

// MessageEdit holds the changes to a message.
type MessageEdit struct {
	// Text replaces the text when not empty.
	Text string `json:"text,omitempty"`
	// Custom is merged into the custom data; Null clears it.
	Custom Nullable[CustomInput] `json:"custom,omitzero"`
	// MarkEdited sets the message's editedAt to the time of this change.
	MarkEdited bool `json:"markEdited,omitempty"`
}

// Edit changes the text or custom data of a message ([MessageEdit]).
//
// TalkJS: PUT /v1/{appId}/conversations/{conversationId}/messages/{messageId} (docs)
func (s *MessagesService) Edit(ctx context.Context, conversationID, messageID string, e MessageEdit) error {
	if err := checkMsg(conversationID, messageID); err != nil {
		return err
	}
	if e.Text == "" && e.Custom.IsZero() {
		return argError("e", "changes nothing: set Text or Custom")
	}
	call, err := newJSONCall(ctx, e, func(ct string, body io.Reader) (*http.Request, error) {
		return gen.NewEditMessageRequestWithBody(s.client.server, conversationID, messageID, nil, ct, body)
	})
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// Delete deletes one message, and its attachment if it has one.
// When a retry follows an attempt that may have done it, a 404 to the retry
// counts as success (see [RetryPolicy]).
//
// TalkJS: DELETE /v1/{appId}/conversations/{conversationId}/messages/{messageId} (docs)
func (s *MessagesService) Delete(ctx context.Context, conversationID, messageID string) error {
	if err := checkMsg(conversationID, messageID); err != nil {
		return err
	}
	req, err := gen.NewDeleteMessageRequest(s.client.server, conversationID, messageID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// DeleteAll deletes every message of the conversation. TalkJS sends no
// webhooks for it.
// When a retry follows an attempt that may have done it, a 404 to the retry
// counts as success (see [RetryPolicy]).
//
// TalkJS: DELETE /v1/{appId}/conversations/{conversationId}/messages (docs)
func (s *MessagesService) DeleteAll(ctx context.Context, conversationID string) error {
	if err := checkID("conversationID", conversationID); err != nil {
		return err
	}
	req, err := gen.NewDeleteAllMessagesRequest(s.client.server, conversationID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return err
	}
	return s.client.do(call)
}

func checkReaction(conversationID, messageID, emoji, userID string) error {
	if err := checkMsg(conversationID, messageID); err != nil {
		return err
	}
	if err := checkID("emoji", emoji); err != nil {
		return err
	}
	return checkID("userID", userID)
}

// AddReaction adds userID's emoji reaction to a message.
//
// TalkJS's public REST reference does not list this endpoint: it comes from
// the seed specification this project started from, and the real service
// may answer 404 ([ErrNotFound]).
//
// TalkJS: PUT /v1/{appId}/conversations/{conversationId}/messages/{messageId}/reactions/{emoji}/{userId} (seed)
func (s *MessagesService) AddReaction(ctx context.Context, conversationID, messageID, emoji, userID string) error {
	if err := checkReaction(conversationID, messageID, emoji, userID); err != nil {
		return err
	}
	req, err := gen.NewAddReactionRequest(s.client.server, conversationID, messageID, emoji, userID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return err
	}
	return s.client.do(call)
}

// RemoveReaction removes userID's emoji reaction from a message.
// When a retry follows an attempt that may have done it, a 404 to the retry
// counts as success (see [RetryPolicy]).
//
// TalkJS's public REST reference does not list this endpoint: it comes from
// the seed specification this project started from, and the real service
// may answer 404 ([ErrNotFound]).
//
// TalkJS: DELETE /v1/{appId}/conversations/{conversationId}/messages/{messageId}/reactions/{emoji}/{userId} (seed)
func (s *MessagesService) RemoveReaction(ctx context.Context, conversationID, messageID, emoji, userID string) error {
	if err := checkReaction(conversationID, messageID, emoji, userID); err != nil {
		return err
	}
	req, err := gen.NewRemoveReactionRequest(s.client.server, conversationID, messageID, emoji, userID, nil)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return err
	}
	return s.client.do(call)
}

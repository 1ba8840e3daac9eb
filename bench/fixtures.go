// Package bench holds the fixtures and the hand-written "floor" client for
// the benchmarks that compare talkjs-go with plain net/http +
// encoding/json (run them with `make bench`; see BENCHMARKS.md).
//
// Everything answers fixed, realistic payloads from a loopback httptest
// server, so the figures measure what each layer adds, not a server.
package bench

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// AppID is the app id every benchmark uses.
const AppID = "tBench42"

// Secret is the secret key every benchmark uses.
const Secret = "sk_test_benchmarksecretbenchmarksecret"

// ConversationID is the id of the fixture conversation.
const ConversationID = "order_fc_491731"

// PageSize is the page size of message listings.
const PageSize = 100

type fixtureMessage struct {
	ID                  string              `json:"id"`
	ConversationID      string              `json:"conversationId"`
	SenderID            *string             `json:"senderId"`
	Type                string              `json:"type"`
	Origin              string              `json:"origin"`
	Text                *string             `json:"text"`
	Attachment          any                 `json:"attachment"`
	Location            any                 `json:"location"`
	Custom              map[string]string   `json:"custom"`
	ReadBy              []string            `json:"readBy"`
	ReferencedMessageID *string             `json:"referencedMessageId"`
	Reactions           map[string][]string `json:"reactions"`
	CreatedAt           int64               `json:"createdAt"`
	EditedAt            *int64              `json:"editedAt"`
}

func message(conv string, n int) fixtureMessage {
	sender := "user_" + strconv.Itoa(n%10)
	text := fmt.Sprintf("Message %d: the parcel left the warehouse this morning and should arrive on Thursday.", n)
	return fixtureMessage{
		ID:             fmt.Sprintf("msg_%010d", n),
		ConversationID: conv,
		SenderID:       &sender,
		Type:           "UserMessage",
		Origin:         "rest",
		Text:           &text,
		Custom:         map[string]string{"orderId": "fc_491731", "channel": "support"},
		ReadBy:         []string{"user_1", "user_2", "user_3"},
		Reactions:      map[string][]string{},
		CreatedAt:      1700000000000 + int64(n)*1000,
	}
}

// ConversationJSON is a conversation with 10 participants and a last message.
func ConversationJSON() []byte {
	participants := map[string]any{}
	for i := range 10 {
		participants["user_"+strconv.Itoa(i)] = map[string]any{
			"access": "ReadWrite", "notify": i%3 != 0, "isUnread": i%2 == 0,
			"joinedAt": 1700000000000 + int64(i), "readUntil": 1700000500000,
		}
	}
	last := message(ConversationID, 99)
	conv := map[string]any{
		"id":                ConversationID,
		"subject":           "Order #491731: delivery question",
		"photoUrl":          "https://example.com/orders/491731.png",
		"welcomeMessages":   []string{"Hi! How can we help with your order?"},
		"custom":            map[string]string{"category": "support", "priority": "high", "orderId": "fc_491731"},
		"topicId":           nil,
		"lastMessage":       last,
		"participants":      participants,
		"createdAt":         1700000000000,
		"everyoneReadUntil": 1700000400000,
	}
	return mustJSON(conv)
}

// SendAnswerJSON is the answer to sending n messages.
func SendAnswerJSON(n int) []byte {
	ids := make([]map[string]string, n)
	for i := range ids {
		ids[i] = map[string]string{"id": fmt.Sprintf("msg_sent%06d", i)}
	}
	return mustJSON(ids)
}

// MessagePageJSON is one page of PageSize messages starting after message
// number first-1, in the {"data": [...]} envelope. With total > 0 the page is
// cut short at message number total-1, and empty past it.
func MessagePageJSON(first, total int) []byte {
	n := PageSize
	if total > 0 && first+n > total {
		n = max(total-first, 0)
	}
	data := make([]fixtureMessage, n)
	for i := range data {
		data[i] = message(ConversationID, first+i)
	}
	return mustJSON(map[string]any{"data": data})
}

// MessageNumber parses the number of a fixture message id (msg_0000000042).
func MessageNumber(id string) (int, bool) {
	if len(id) != 14 || id[:4] != "msg_" {
		return 0, false
	}
	n, err := strconv.Atoi(id[4:])
	return n, err == nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

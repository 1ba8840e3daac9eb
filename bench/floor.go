package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
)

// Floor is the hand-written client the library is measured against: plain
// net/http and encoding/json, the secret key as bearer token, no retries and
// no validation — the least work that does the same requests.
type Floor struct {
	HTTP *http.Client
	// Base is the host root plus /v1/{appId}, without a trailing slash.
	Base  string
	Token string
}

// FloorParticipant is a participant as the floor decodes it.
type FloorParticipant struct {
	Access    string `json:"access"`
	Notify    any    `json:"notify"`
	IsUnread  bool   `json:"isUnread"`
	JoinedAt  int64  `json:"joinedAt"`
	ReadUntil *int64 `json:"readUntil"`
}

// FloorMessage is a message as the floor decodes it.
type FloorMessage struct {
	ID                  string              `json:"id"`
	ConversationID      string              `json:"conversationId"`
	SenderID            *string             `json:"senderId"`
	Type                string              `json:"type"`
	Origin              string              `json:"origin"`
	Text                *string             `json:"text"`
	Attachment          *json.RawMessage    `json:"attachment"`
	Location            []float64           `json:"location"`
	Custom              map[string]string   `json:"custom"`
	ReadBy              []string            `json:"readBy"`
	ReferencedMessageID *string             `json:"referencedMessageId"`
	Reactions           map[string][]string `json:"reactions"`
	CreatedAt           int64               `json:"createdAt"`
	EditedAt            *int64              `json:"editedAt"`
}

// FloorConversation is a conversation as the floor decodes it.
type FloorConversation struct {
	ID                string                      `json:"id"`
	Subject           *string                     `json:"subject"`
	PhotoURL          *string                     `json:"photoUrl"`
	WelcomeMessages   []string                    `json:"welcomeMessages"`
	Custom            map[string]string           `json:"custom"`
	TopicID           *string                     `json:"topicId"`
	LastMessage       *FloorMessage               `json:"lastMessage"`
	Participants      map[string]FloorParticipant `json:"participants"`
	CreatedAt         int64                       `json:"createdAt"`
	EveryoneReadUntil *int64                      `json:"everyoneReadUntil"`
}

// FloorSend is one message to send.
type FloorSend struct {
	Type           string `json:"type"`
	Sender         string `json:"sender,omitempty"`
	Text           string `json:"text"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

func (f *Floor) do(req *http.Request, out any) error {
	req.Header.Set("Authorization", "Bearer "+f.Token)
	res, err := f.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, b)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// GetConversation fetches one conversation.
func (f *Floor) GetConversation(ctx context.Context, id string) (*FloorConversation, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.Base+"/conversations/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	var c FloorConversation
	return &c, f.do(req, &c)
}

// Send sends messages and returns their ids.
func (f *Floor) Send(ctx context.Context, conv string, msgs []FloorSend) ([]string, error) {
	body, err := json.Marshal(msgs)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Base+"/conversations/"+url.PathEscape(conv)+"/messages", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var ids []struct {
		ID string `json:"id"`
	}
	if err := f.do(req, &ids); err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.ID
	}
	return out, nil
}

// ListMessages fetches one page of messages.
func (f *Floor) ListMessages(ctx context.Context, conv, startingAfter string, limit int) ([]FloorMessage, error) {
	u := f.Base + "/conversations/" + url.PathEscape(conv) + "/messages?limit=" + strconv.Itoa(limit)
	if startingAfter != "" {
		u += "&startingAfter=" + url.QueryEscape(startingAfter)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var page struct {
		Data []FloorMessage `json:"data"`
	}
	return page.Data, f.do(req, &page)
}

// Upload streams r as a multipart file upload and returns the attachment token.
func (f *Floor) Upload(ctx context.Context, filename string, r io.Reader) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", filename)
		if err == nil {
			_, err = io.Copy(part, r)
		}
		if err == nil {
			err = mw.WriteField("filename", filename)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Base+"/files", pr)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var tok struct {
		AttachmentToken string `json:"attachmentToken"`
	}
	return tok.AttachmentToken, f.do(req, &tok)
}

package talkjs

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Content block types ([ContentBlock].Type).
const (
	TextBlockType     = "text"
	FileBlockType     = "file"
	LocationBlockType = "location"
)

// ContentBlock is one block of a message's content, TalkJS's recommended
// form of what a message holds (text, attachment and location stay too).
// A text block has Children; a file block URL, Filename, Size, FileToken
// and, for media, Subtype ("image", "video", "audio", "voice"), Width,
// Height, Duration; a location block Latitude and Longitude. TalkJS sends
// one block per message today, but a message may hold several.
type ContentBlock struct {
	Type     string     `json:"type"`
	Children []TextNode `json:"children,omitempty"`

	URL       string  `json:"url,omitempty"`
	Filename  string  `json:"filename,omitempty"`
	Size      int64   `json:"size,omitempty"`
	Subtype   string  `json:"subtype,omitempty"`
	FileToken string  `json:"fileToken,omitempty"`
	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	Duration  float64 `json:"duration,omitempty"`

	// Latitude and Longitude are always sent for a location block, also
	// when zero.
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
}

// MarshalJSON writes the block; a location block always has its
// coordinates, even at 0.
func (b ContentBlock) MarshalJSON() ([]byte, error) {
	type plain ContentBlock
	if b.Type != LocationBlockType {
		return json.Marshal(plain(b))
	}
	return json.Marshal(struct {
		plain
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	}{plain(b), b.Latitude, b.Longitude})
}

// TextBlock returns a text block of nodes: plain strings ([Plain]) and marks
// ([Bold], [Link]…).
func TextBlock(nodes ...TextNode) ContentBlock {
	return ContentBlock{Type: TextBlockType, Children: nodes}
}

// LocationBlock returns a block that shows the place at latitude, longitude.
func LocationBlock(latitude, longitude float64) ContentBlock {
	return ContentBlock{Type: LocationBlockType, Latitude: latitude, Longitude: longitude}
}

// TextNode is a node of a text block: a plain string (Type empty, Text the
// string), or a mark such as "bold", "italic", "strikethrough", "link" (URL
// and Children), "autoLink" (URL and Text), "mention" (ID and Text), "code"
// (Text), "bulletList" or "bulletPoint" (Children), with the fields it
// uses. In JSON a plain node is a string and a mark an object.
type TextNode struct {
	Type     string
	Text     string
	URL      string
	ID       string
	Children []TextNode
}

// Plain returns a text node holding the plain string s.
func Plain(s string) TextNode { return TextNode{Text: s} }

// Bold returns a bold mark around children.
func Bold(children ...TextNode) TextNode { return TextNode{Type: "bold", Children: children} }

// Italic returns an italic mark around children.
func Italic(children ...TextNode) TextNode { return TextNode{Type: "italic", Children: children} }

// Link returns a link to url shown as children.
func Link(url string, children ...TextNode) TextNode {
	return TextNode{Type: "link", URL: url, Children: children}
}

type textNodeJSON struct {
	Type     string     `json:"type"`
	Text     string     `json:"text,omitempty"`
	URL      string     `json:"url,omitempty"`
	ID       string     `json:"id,omitempty"`
	Children []TextNode `json:"children,omitempty"`
}

// MarshalJSON writes a plain node as a JSON string and a mark as an object.
func (n TextNode) MarshalJSON() ([]byte, error) {
	if n.Type == "" {
		return json.Marshal(n.Text)
	}
	return json.Marshal(textNodeJSON(n))
}

// UnmarshalJSON reads a JSON string as a plain node and an object as a mark.
func (n *TextNode) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*n = TextNode{}
		return json.Unmarshal(b, &n.Text)
	}
	var j textNodeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("talkjs: a text node must be a string or an object: %w", err)
	}
	*n = TextNode(j)
	return nil
}

// PlainText returns the text a reader sees in nodes: plain strings and the text
// of marks that carry one, in order.
func PlainText(nodes []TextNode) string {
	var b bytes.Buffer
	var walk func([]TextNode)
	walk = func(ns []TextNode) {
		for _, n := range ns {
			b.WriteString(n.Text)
			walk(n.Children)
		}
	}
	walk(nodes)
	return b.String()
}

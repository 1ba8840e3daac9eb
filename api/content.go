package api

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"
)

// Message content blocks. TalkJS's messages carry `content`, an array of
// blocks (text blocks of text nodes, file blocks, location blocks; see
// TalkJS's Concepts/Messages page and @talkjs/core's ContentBlock types),
// beside the older text/attachment/location fields. A message sent with
// content keeps it exactly as sent, and its text is the text the blocks
// hold; a message sent with text, an attachment or a location gets the one
// block TalkJS would give it, built when it is rendered.

// sentContents returns, for each message of a send body, its content array
// as sent (compact JSON), or nil.
func sentContents(body []byte) []json.RawMessage {
	var raw []struct {
		Content json.RawMessage `json:"content"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	out := make([]json.RawMessage, len(raw))
	for i, m := range raw {
		if len(m.Content) > 0 && string(m.Content) != "null" {
			out[i] = compactJSON(m.Content)
		}
	}
	return out
}

func compactJSON(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return bytes.Clone(b)
	}
	return buf.Bytes()
}

// contentText is the text content blocks hold, as a reader sees it: the
// plain strings of text nodes and the text of nodes that carry one
// (autoLink, mention, code), in order, through nested children.
func contentText(content json.RawMessage) string {
	var blocks []any
	if json.Unmarshal(content, &blocks) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			if t, ok := v["text"].(string); ok {
				b.WriteString(t)
			}
			if c, ok := v["children"]; ok {
				walk(c)
			}
		}
	}
	for _, blk := range blocks {
		if m, ok := blk.(map[string]any); ok {
			walk(m["children"])
		}
	}
	return b.String()
}

// renderContent is the content of m: as sent, or the block its text,
// attachment or location makes. fileURL is the attachment's URL.
func renderContent(m *message, fileURL string) json.RawMessage {
	switch {
	case m.content != nil:
		return m.content
	case m.attachment != nil:
		blk := map[string]any{"type": "file", "url": fileURL, "filename": m.attachment.filename,
			"size": m.attachment.size, "fileToken": m.attachment.token}
		if st := fileSubtype(m.attachment.filename); st != "" {
			blk["subtype"] = st
		}
		return mustJSON([]any{blk})
	case m.location != nil:
		return mustJSON([]any{map[string]any{"type": "location", "latitude": m.location[0], "longitude": m.location[1]}})
	case m.hasText:
		b := append([]byte(`[{"type":"text","children":[`), mustJSON(m.text)...)
		return append(b, "]}]"...)
	}
	return json.RawMessage("[]")
}

// mustJSON encodes v without escaping < > & (as every answer is written).
func mustJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return json.RawMessage("[]")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// fileSubtype is the subtype of a file block, from the file name's
// extension (ours: the server does not inspect the bytes).
func fileSubtype(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".svg":
		return "image"
	case ".mp4", ".mov", ".webm", ".mkv", ".avi":
		return "video"
	case ".mp3", ".wav", ".ogg", ".m4a", ".aac", ".flac":
		return "audio"
	}
	return ""
}

package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"regexp"
	"testing"
)

// Messages carry content blocks (TalkJS's Concepts/Messages page): a message
// sent with content keeps it as sent and its text is what the blocks hold;
// one sent with text, a file or a location gets the block TalkJS gives it.
// Message ids look like TalkJS's: msg_ and 22 characters.
func TestMessageContent(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	rich := `[{"type":"text","children":["Hello ",{"type":"bold","children":["big"]}," ",{"type":"link","url":"https://talkjs.com","children":["world"]},{"type":"autoLink","url":"https://x.y","text":"x.y"}]}]`
	var refs []struct{ ID string }
	must(t, e.raw("POST", "/conversations/c1/messages", `[
		{"type":"UserMessage","sender":"alice","content":`+rich+`},
		{"type":"UserMessage","sender":"alice","text":"plain <b>"},
		{"type":"UserMessage","sender":"alice","location":[52.37,4.89]}
	]`), 200).json(t, &refs)
	id := regexp.MustCompile(`^msg_[0-9A-Za-z]{22}$`)
	for _, r := range refs {
		if !id.MatchString(r.ID) {
			t.Errorf("send answered id %q, want msg_ and 22 letters or digits", r.ID)
		}
	}
	type msg struct {
		Text    string
		Content json.RawMessage
	}
	get := func(id string) msg {
		var m msg
		must(t, e.raw("GET", "/conversations/c1/messages/"+id, ""), 200).json(t, &m)
		return m
	}
	if m := get(refs[0].ID); m.Text != "Hello big worldx.y" || !jsonSame(m.Content, rich) {
		t.Errorf("message sent with content = text %q content %s, want text %q and the content as sent", m.Text, m.Content, "Hello big worldx.y")
	}
	if m := get(refs[1].ID); !jsonSame(m.Content, `[{"type":"text","children":["plain <b>"]}]`) {
		t.Errorf("message sent with text: content = %s, want one text block holding the text", m.Content)
	}
	if m := get(refs[2].ID); !jsonSame(m.Content, `[{"type":"location","latitude":52.37,"longitude":4.89}]`) {
		t.Errorf("message sent with a location: content = %s, want one location block", m.Content)
	}
	// Editing the text makes the content follow it.
	must(t, e.raw("PUT", "/conversations/c1/messages/"+refs[0].ID, `{"text":"edited"}`), 200)
	if m := get(refs[0].ID); !jsonSame(m.Content, `[{"type":"text","children":["edited"]}]`) {
		t.Errorf("after PUT text \"edited\": content = %s, want one text block holding \"edited\"", m.Content)
	}
	// A file: a file block with its token, name, size, URL and subtype.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "cat.png")
	fw.Write([]byte("png!"))
	mw.WriteField("filename", "cat.png")
	mw.Close()
	var tok struct{ AttachmentToken string }
	must(t, e.rawWith("POST", "/v1/"+testApp+"/files", body.String(), map[string]string{
		"Authorization": "Bearer " + testSecret, "Content-Type": mw.FormDataContentType()}), 200).json(t, &tok)
	must(t, e.raw("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"alice","attachmentToken":"`+tok.AttachmentToken+`"}]`), 200).json(t, &refs)
	var f struct {
		Attachment struct{ URL string }
		Content    []map[string]any
	}
	must(t, e.raw(http.MethodGet, "/conversations/c1/messages/"+refs[0].ID, ""), 200).json(t, &f)
	if len(f.Content) != 1 {
		t.Fatalf("message sent with an attachment: content = %v, want one file block", f.Content)
	}
	b := f.Content[0]
	if b["type"] != "file" || b["url"] != f.Attachment.URL || b["filename"] != "cat.png" || b["size"] != 4.0 || b["subtype"] != "image" || b["fileToken"] == "" {
		t.Errorf("file block = %v, want type file, url %s, filename cat.png, size 4, subtype image and a fileToken", b, f.Attachment.URL)
	}
}

func jsonSame(got json.RawMessage, want string) bool {
	var g, w any
	return json.Unmarshal(got, &g) == nil && json.Unmarshal([]byte(want), &w) == nil && equalJSON(g, w)
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

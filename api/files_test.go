package api_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/gen"
)

// multipartBody builds an upload; an empty partFilename leaves the file
// part without a filename.
func multipartBody(t *testing.T, data []byte, partFilename, filename string, withName bool) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	var fw io.Writer
	var err error
	if partFilename != "" {
		fw, err = mw.CreateFormFile("file", partFilename)
	} else {
		fw, err = mw.CreateFormField("file")
	}
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if withName {
		mw.WriteField("filename", filename)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func (e *env) upload(data []byte, filename string) string {
	e.t.Helper()
	ct, body := multipartBody(e.t.(*testing.T), data, filename, filename, true)
	resp, err := e.c.UploadFileWithBodyWithResponse(ctx, nil, ct, bytes.NewReader(body))
	check(e.t, resp, err, 200)
	return resp.JSON200.AttachmentToken
}

func TestUploadSendAndDownload(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	data := []byte("%PDF-1.4 not really a pdf\x00\x01")
	token := e.upload(data, "report 1.pdf")
	ids := e.send("c1",
		gen.SendMessageInput{Type: gen.MessageTypeUserMessage, Sender: ptr("alice"), AttachmentToken: &token},
		gen.SendMessageInput{Type: gen.MessageTypeSystemMessage, AttachmentToken: &token})
	m := e.getMsg("c1", ids[0])
	a := m.Attachment.MustGet()
	if *a.Size != int64(len(data)) || *a.Filename != "report 1.pdf" || !m.Text.IsNull() {
		t.Fatalf("message with the upload: attachment size %d filename %q, text %v; want %d, \"report 1.pdf\", null", *a.Size, *a.Filename, m.Text, len(data))
	}
	if !strings.HasPrefix(*a.Url, e.hs.URL+"/files/") {
		t.Errorf("attachment url = %s, want it under %s/files/", *a.Url, e.hs.URL)
	}
	resp, err := http.Get(*a.Url) // no Authorization: the URL is the capability
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, data) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("GET %s = %d %q %q, want 200 application/pdf %q", *a.Url, resp.StatusCode, resp.Header.Get("Content-Type"), got, data)
	}
	// The file goes with the last message that carries it.
	ok200(t)(e.c.DeleteMessageWithResponse(ctx, "c1", ids[0], nil))
	if _, _, ok := e.srv.File(token); !ok {
		t.Error("File(token) after deleting one of two messages with it = not found, want kept")
	}
	ok200(t)(e.c.DeleteMessageWithResponse(ctx, "c1", ids[1], nil))
	if _, _, ok := e.srv.File(token); ok {
		t.Error("File(token) after deleting both messages with it = found, want deleted")
	}
	resp, err = http.Get(*a.Url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET %s of a deleted file = %d, want 404", *a.Url, resp.StatusCode)
	}
}

func TestUploadErrors(t *testing.T) {
	e := newEnv(t, api.WithMaxFileBytes(1000))
	post := func(ct string, body []byte) reply {
		t.Helper()
		return e.rawWith("POST", "/v1/"+testApp+"/files", string(body), map[string]string{"Authorization": "Bearer " + testSecret, "Content-Type": ct})
	}
	// Exactly at the limit is fine; one byte more is 413.
	ct, body := multipartBody(t, bytes.Repeat([]byte("x"), 1000), "a.txt", "a.txt", true)
	must(t, post(ct, body), 200)
	ct, body = multipartBody(t, bytes.Repeat([]byte("x"), 1001), "a.txt", "a.txt", true)
	if msg := must(t, post(ct, body), 413).message(t); !strings.Contains(msg, "1000 bytes") {
		t.Errorf("POST /files with 1001 bytes: message = %q, want it to name the limit (1000 bytes)", msg)
	}
	// A large upload is refused as soon as the file part passes the limit.
	ct, body = multipartBody(t, bytes.Repeat([]byte("x"), 300<<10), "big.bin", "big.bin", true)
	must(t, post(ct, body), 413)

	cases := []struct {
		name string
		ct   string
		body []byte
		want string
	}{
		{"no filename directive", "", nil, "needs a filename"},
		{"no filename part", "", nil, `"filename"`},
		{"empty filename part", "", nil, "must not be empty"},
		{"no boundary", "multipart/form-data", []byte("x"), "boundary"},
	}
	cases[0].ct, cases[0].body = multipartBody(t, []byte("x"), "", "a.txt", true)
	cases[1].ct, cases[1].body = multipartBody(t, []byte("x"), "a.txt", "", false)
	cases[2].ct, cases[2].body = multipartBody(t, []byte("x"), "a.txt", "", true)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := must(t, e.in(t).rawWith("POST", "/v1/"+testApp+"/files", string(c.body), map[string]string{"Authorization": "Bearer " + testSecret, "Content-Type": c.ct}), 400)
			if msg := r.message(t); !strings.Contains(msg, c.want) {
				t.Errorf("POST /files with %s: message = %q, want it to contain %q", c.name, msg, c.want)
			}
		})
	}
	if n := e.srv.Counts().Files; n != 1 {
		t.Errorf("Counts().Files = %d, want 1 (only the upload at the limit)", n)
	}
}

func TestUploadAsJSONIsRejectedBySpec(t *testing.T) {
	e := newEnv(t)
	e.allowViolations = true
	r := must(t, e.raw("POST", "/files", `{"file":"x","filename":"a"}`), 400)
	t.Log(r.message(t))
}

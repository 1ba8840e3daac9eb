package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

func TestHelloGreetsAlice(t *testing.T) {
	srv := talkjstest.NewServer(t)
	t.Setenv("TALKJS_APP_ID", srv.AppID)
	t.Setenv("TALKJS_SECRET_KEY", srv.Secret)
	t.Setenv("TALKJS_BASE_URL", srv.URL)

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	w.Close()
	var out bytes.Buffer
	io.Copy(&out, r)

	msgs := srv.Messages("welcome-alice")
	if len(msgs) != 1 || msgs[0].Text != "Hello Alice, welcome aboard." {
		t.Fatalf("main() stored %+v in welcome-alice, want one message %q", msgs, "Hello Alice, welcome aboard.")
	}
	if !strings.HasPrefix(out.String(), "sent msg_") {
		t.Errorf("main() printed %q, want %q and a message id", out.String(), "sent msg_")
	}
}

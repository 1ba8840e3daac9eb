package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

func TestEveryCommandHasHelpWithExample(t *testing.T) {
	names := map[string]bool{}
	for _, c := range commandList() {
		if names[c.Name] {
			t.Errorf("command %q is listed twice", c.Name)
		}
		names[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			r := runWith(t, nil, "", append(strings.Fields(c.Name), "--help")...)
			if r.code != 0 {
				t.Fatalf("talkjs %s --help: exit %d, stderr %q", c.Name, r.code, r.err)
			}
			if !strings.Contains(r.out, "Usage:\n  talkjs "+c.Name) || !strings.Contains(r.out, "Examples:\n  ") {
				t.Errorf("talkjs %s --help lacks usage or an example:\n%s", c.Name, r.out)
			}
			if c.Example == "" || !strings.Contains(c.Example, "talkjs "+strings.Fields(c.Name)[0]) {
				t.Errorf("talkjs %s: the example does not show the command: %q", c.Name, c.Example)
			}
			if c.Summary == "" {
				t.Errorf("talkjs %s has no summary", c.Name)
			}
			if w := strings.Fields(c.Name); len(w) > 1 && groupSummaries[w[0]] == "" {
				t.Errorf("group %q has no line in groupSummaries", w[0])
			}
		})
	}
	for _, want := range []string{"demo", "import", "users get", "users list", "users upsert", "users upsert-many", "users conversations",
		"users presence", "conversations get", "conversations list", "conversations upsert", "conversations delete",
		"participants join", "participants update", "participants leave", "participants mark-read", "participants mark-unread",
		"messages list", "messages get", "messages send", "messages edit", "messages delete", "messages delete-all",
		"messages react", "messages unreact", "files upload", "batch", "token app", "token user",
		"app get", "app update", "conversations notify", "users sessions"} {
		if !names[want] {
			t.Errorf("command %q is not in commandList", want)
		}
	}
}

func TestMissingCredentialsNameTheVariables(t *testing.T) {
	r := runWith(t, map[string]string{}, "", "users", "get", "alice")
	if r.code != 2 || !strings.Contains(r.err, "TALKJS_APP_ID") || !strings.Contains(r.err, "TALKJS_SECRET_KEY") || !strings.Contains(r.err, "--app-id") {
		t.Fatalf("exit %d, stderr %q", r.code, r.err)
	}
	r = runWith(t, map[string]string{"TALKJS_APP_ID": "a"}, "", "users", "get", "alice")
	if r.code != 2 || strings.Contains(r.err, "TALKJS_APP_ID") || !strings.Contains(r.err, "TALKJS_SECRET_KEY") {
		t.Fatalf("exit %d, stderr %q", r.code, r.err)
	}
}

func TestUsageErrors(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"users", "get"},
		{"users", "get", "a", "b"},
		{"users", "list", "--output", "json"},
		{"conversations", "list", "--order-by", "size"},
		{"conversations", "list", "--filter", "{nope"},
		{"participants", "join", "c", "u", "--access", "None"},
		{"messages", "send", "c", "--text", "hi"},
		{"messages", "delete-all", "c"},
		{"users", "get", "--nope", "a"},
	} {
		if r := e.run("", args...); r.code != 2 || !strings.Contains(r.err, "--help") {
			t.Errorf("talkjs %s: exit %d, stderr %q; want 2 and a pointer to --help", strings.Join(args, " "), r.code, r.err)
		}
	}
	// An unknown flag is one line and a hint: no usage dump on either stream.
	for _, args := range [][]string{{"conversations", "upsert", "c1", "--bogus", "x"}, {"serve", "--bogus"}} {
		r := e.run("", args...)
		if r.code != 2 || r.out != "" || strings.Count(r.err, "\n") != 2 || strings.Count(r.err, "-bogus") != 1 {
			t.Errorf("talkjs %s: exit %d\nstdout %q\nstderr %q", strings.Join(args, " "), r.code, r.out, r.err)
		}
	}
	if r := e.run("", "users", "get", "nobody"); r.code != 1 || !strings.Contains(r.err, "404") {
		t.Errorf("users get nobody: exit %d, stderr %q", r.code, r.err)
	}
	if r := e.run("", "nonsense"); r.code != 2 || !strings.Contains(r.err, `unknown command "nonsense"`) {
		t.Errorf("nonsense: exit %d, stderr %q", r.code, r.err)
	}
}

// TestEverydayCommands runs the common commands of each noun against one
// server, in order: later nouns use what earlier ones created.
func TestEverydayCommands(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()  // outlives the subtests, unlike theirs
	var id, file string // a text message and a file, made under "messages"

	t.Run("users", func(t *testing.T) {
		e := e.in(t)
		var u talkjs.User
		e.okJSON(&u, "users", "upsert", "alice", "--name", "Alice", "--email", "alice@example.com,a@example.org", "--role", "customer", "--custom", "plan=pro")
		if u.ID != "alice" || u.Name != "Alice" || len(u.Email) != 2 || u.Role != "customer" || u.Custom["plan"] != "pro" {
			t.Fatalf("upserted user %+v", u)
		}
		u = talkjs.User{}
		e.okJSON(&u, "users", "upsert", "alice", "--role", "", "--custom", "plan=")
		if u.Role != "" || u.Custom["plan"] != "" || u.Name != "Alice" {
			t.Errorf("after clearing: %+v", u)
		}
		r := e.run("{\"id\":\"bob\",\"name\":\"Bob\"}\n{\"id\":\"carol\",\"name\":\"Carol\"}\n", "users", "upsert-many", "-", "--json")
		if r.code != 0 || !strings.Contains(r.out, `"upserted": 2`) {
			t.Fatalf("upsert-many: %d %s %s", r.code, r.out, r.err)
		}
		var users []talkjs.User
		e.okJSON(&users, "users", "list", "--all", "--limit", "2")
		if len(users) != 3 {
			t.Errorf("users list --all: %d users, want 3", len(users))
		}
		if out := e.ok("users", "get", "bob"); !strings.Contains(out, "name") || !strings.Contains(out, "Bob") {
			t.Errorf("users get table:\n%s", out)
		}
	})

	t.Run("conversations", func(t *testing.T) {
		e := e.in(t)
		var conv talkjs.Conversation
		e.okJSON(&conv, "conversations", "upsert", "shoes-1", "--subject", "Shoes", "--participant", "alice,bob", "--custom", "category=shoes")
		if conv.Subject != "Shoes" || len(conv.Participants) != 2 || conv.Custom["category"] != "shoes" {
			t.Fatalf("conversation %+v", conv)
		}
		e.ok("conversations", "upsert", "hats-1", "--subject", "Hats", "--participant", "alice", "--custom", "category=hats")
		var convs []talkjs.Conversation
		e.okJSON(&convs, "conversations", "list", "--order-by", "createdAt", "--direction", "ASC")
		if len(convs) != 2 || convs[0].ID != "shoes-1" {
			t.Errorf("list ascending: %v", convIDs(convs))
		}
		e.okJSON(&convs, "conversations", "list", "--filter", `{"custom":{"category":["==","hats"]}}`)
		if len(convs) != 1 || convs[0].ID != "hats-1" {
			t.Errorf("filtered list: %v", convIDs(convs))
		}
		if out := e.ok("conversations", "list"); !strings.Contains(out, "SUBJECT") || !strings.Contains(out, "category=hats") {
			t.Errorf("conversations list table:\n%s", out)
		}
	})

	t.Run("participants", func(t *testing.T) {
		e := e.in(t)
		var p talkjs.Participant
		e.okJSON(&p, "participants", "join", "shoes-1", "carol", "--access", "Read", "--notify", "MentionsOnly")
		if p.Access != talkjs.AccessRead || p.Notify != talkjs.NotifyMentionsOnly {
			t.Errorf("joined: %+v", p)
		}
		e.okJSON(&p, "participants", "update", "shoes-1", "carol", "--access", "None")
		if p.Access != talkjs.AccessNone || p.Notify != talkjs.NotifyMentionsOnly {
			t.Errorf("updated: %+v", p)
		}
		e.ok("participants", "leave", "shoes-1", "carol")
		if c, _ := e.srv.Conversation("shoes-1"); len(*c.Participants) != 2 {
			t.Errorf("carol did not leave: %v", c.Participants)
		}
	})

	t.Run("messages", func(t *testing.T) {
		e := e.in(t)
		var sent map[string]string
		e.okJSON(&sent, "messages", "send", "shoes-1", "--sender", "alice", "--text", "Hi Bob", "--custom", "k=v")
		id = sent["id"]
		if !strings.HasPrefix(id, "msg_") {
			t.Fatalf("send: %v", sent)
		}
		e.ok("messages", "send", "shoes-1", "--system", "Order shipped")
		file = filepath.Join(dir, "receipt.txt")
		os.WriteFile(file, []byte("receipt"), 0o644)
		e.okJSON(&sent, "messages", "send", "shoes-1", "--sender", "bob", "--attachment-file", file)
		var m talkjs.Message
		e.okJSON(&m, "messages", "get", "shoes-1", sent["id"])
		if m.Attachment == nil || m.Attachment.Filename != "receipt.txt" || m.Attachment.Size != 7 {
			t.Errorf("file message: %+v", m)
		}
		e.okJSON(&m, "messages", "edit", "shoes-1", id, "--text", "Hi Bob!", "--mark-edited")
		if m.Text != "Hi Bob!" || m.EditedAt == 0 {
			t.Errorf("edited: %+v", m)
		}
		e.okJSON(&m, "messages", "react", "shoes-1", id, "👍", "--user", "bob")
		if len(m.Reactions["👍"]) != 1 {
			t.Errorf("reactions: %v", m.Reactions)
		}
		m = talkjs.Message{}
		e.okJSON(&m, "messages", "unreact", "shoes-1", id, "👍", "--user", "bob")
		if len(m.Reactions["👍"]) != 0 {
			t.Errorf("reactions after unreact: %v", m.Reactions)
		}
		var msgs []talkjs.Message
		e.okJSON(&msgs, "messages", "list", "shoes-1", "--all")
		if len(msgs) != 3 {
			t.Errorf("messages list: %d, want 3", len(msgs))
		}
	})

	t.Run("read state", func(t *testing.T) {
		e := e.in(t)
		var ucs []talkjs.UserConversation
		e.ok("participants", "mark-read", "shoes-1", "bob")
		e.okJSON(&ucs, "users", "conversations", "bob")
		if len(ucs) != 1 || ucs[0].UnreadMessageCount != 0 {
			t.Errorf("after mark-read: %+v", ucs)
		}
		e.ok("participants", "mark-unread", "shoes-1", "bob")
		e.okJSON(&ucs, "users", "conversations", "bob", "--unread-only")
		// Bob's own file message does not count as unread for him.
		if len(ucs) != 1 || ucs[0].UnreadMessageCount != 2 {
			t.Errorf("after mark-unread: %+v", ucs)
		}
	})

	t.Run("files", func(t *testing.T) {
		e := e.in(t)
		var up map[string]string
		e.okJSON(&up, "files", "upload", file, "--filename", "r.txt")
		if data, name, ok := e.srv.File(up["attachmentToken"]); !ok || string(data) != "receipt" || name != "r.txt" {
			t.Errorf("upload: %v %q %q", ok, data, name)
		}
	})

	t.Run("batch", func(t *testing.T) {
		e := e.in(t)
		ops := filepath.Join(t.TempDir(), "ops.json")
		os.WriteFile(ops, []byte(`[{"method":"PUT","path":"/users/dave","payload":{"name":"Dave"}},{"method":"GET","path":"/users/nobody"}]`), 0o644)
		r := e.run("", "batch", ops, "--json")
		if r.code != 1 || !strings.Contains(r.err, "1 of 2 operations failed") {
			t.Errorf("batch: exit %d, %s", r.code, r.err)
		}
		var results []struct{ Index, Status int }
		if err := json.Unmarshal([]byte(r.out), &results); err != nil || len(results) != 2 || results[0].Status != 200 || results[1].Status != 404 {
			t.Errorf("batch results %s (%v)", r.out, err)
		}
		if _, ok := e.srv.User("dave"); !ok {
			t.Error("batch did not create dave")
		}
		// TalkJS's own tuple form, mixed with the object form.
		os.WriteFile(ops, []byte(`[[7,"PUT","/users/erin",{"name":"Erin"},{"api_version":"2021-02-09"}],[8,"GET","/users/erin"],{"method":"GET","path":"/users/dave"}]`), 0o644)
		results = nil
		e.okJSON(&results, "batch", ops)
		if len(results) != 3 || results[0].Status != 200 || results[1].Status != 200 || results[2].Status != 200 {
			t.Errorf("tuple batch results %+v", results)
		}
		if u, ok := e.srv.User("erin"); !ok || *u.Name != "Erin" {
			t.Error("the tuple batch did not create erin")
		}
		for _, bad := range []string{`[[1,"GET"]]`, `[["x","GET","/users/a"]]`, `[[1,"GET","/users/a",null,{"version":"1"}]]`, `[{"method":"GET","path":"/u","extra":1}]`, `{}`, `[]`} {
			os.WriteFile(ops, []byte(bad), 0o644)
			if r := e.run("", "batch", ops); r.code != 2 || !strings.Contains(r.err, "ops.json") {
				t.Errorf("batch %s: exit %d, stderr %q", bad, r.code, r.err)
			}
		}
	})

	t.Run("deletions", func(t *testing.T) {
		e := e.in(t)
		e.ok("messages", "delete", "shoes-1", id)
		e.ok("messages", "delete-all", "shoes-1", "--yes")
		if n := len(e.srv.Messages("shoes-1")); n != 0 {
			t.Errorf("%d messages left", n)
		}
		e.ok("conversations", "delete", "hats-1")
		if _, ok := e.srv.Conversation("hats-1"); ok {
			t.Error("hats-1 still exists")
		}
	})
}

func TestTokens(t *testing.T) {
	vars := map[string]string{"TALKJS_APP_ID": "app1", "TALKJS_SECRET_KEY": "sk_test_secret"}
	for _, tc := range []struct {
		args      []string
		tokenType string
		sub       string
	}{
		{[]string{"token", "app"}, "app", ""},
		{[]string{"token", "user", "--user-id", "alice"}, "user", "alice"},
	} {
		r := runWith(t, vars, "", tc.args...)
		if r.code != 0 {
			t.Fatalf("%v: %d %s", tc.args, r.code, r.err)
		}
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(strings.TrimSpace(r.out), claims, func(*jwt.Token) (any, error) { return []byte("sk_test_secret"), nil },
			jwt.WithValidMethods([]string{"HS256"}))
		if err != nil {
			t.Fatalf("%v: token %q: %v", tc.args, r.out, err)
		}
		if claims["tokenType"] != tc.tokenType || claims["iss"] != "app1" || (tc.sub != "" && claims["sub"] != tc.sub) {
			t.Errorf("%v: claims %v", tc.args, claims)
		}
	}
	if r := runWith(t, vars, "", "token", "user"); r.code != 2 {
		t.Errorf("token user without --user-id: exit %d", r.code)
	}
	r := runWith(t, vars, "", "token", "app", "--lifetime", "5m")
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(strings.TrimSpace(r.out), claims, func(*jwt.Token) (any, error) { return []byte("sk_test_secret"), nil }); err != nil {
		t.Fatalf("token app --lifetime 5m: exit %d %s: %v", r.code, r.err, err)
	}
	if iat, exp := claims["iat"].(float64), claims["exp"].(float64); exp-iat != 300 {
		t.Errorf("token app --lifetime 5m: exp-iat = %v", exp-iat)
	}
	for _, bad := range []string{"0s", "500ms", "25h"} {
		if r := runWith(t, vars, "", "token", "app", "--lifetime", bad); r.code != 2 {
			t.Errorf("token app --lifetime %s: exit %d", bad, r.code)
		}
	}
}

func TestServerAcceptsMintedAppToken(t *testing.T) {
	e := newEnv(t)
	tok := strings.TrimSpace(e.ok("token", "app"))
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("not a JWT: %q", tok)
	}
}

func TestUnauthorizedSaysWhatToCheck(t *testing.T) {
	e := newEnv(t)
	vars := map[string]string{}
	for k, v := range e.vars {
		vars[k] = v
	}
	vars["TALKJS_SECRET_KEY"] = "sk_test_wrong"
	r := runWith(t, vars, "", "users", "list")
	if r.code != 1 || !strings.Contains(r.err, "401") || !strings.Contains(r.err, "Check the app id and secret key") {
		t.Fatalf("exit %d, stderr %q", r.code, r.err)
	}
}

// Standard input redirected from a file keeps ReadAt and Seek, so that
// `talkjs import - < history.ndjson` is read in place, not copied.
func TestStdinFromAFileStaysSeekable(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "in")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := readInput(&stdio{In: f}, "-")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rc.(interface {
		io.ReaderAt
		io.Seeker
	}); !ok {
		t.Errorf("readInput(\"-\") hid the file's ReadAt/Seek: %T", rc)
	}
	if err := rc.Close(); err != nil || f.Fd() == ^uintptr(0) {
		t.Errorf("Close closed standard input (%v)", err)
	}
	if _, ok := mustReadInput(t, &stdio{In: strings.NewReader("x")}).(io.ReaderAt); ok {
		t.Error("a reader that is not a file is handed on with more than Read")
	}
}

func mustReadInput(t *testing.T, st *stdio) io.ReadCloser {
	t.Helper()
	rc, err := readInput(st, "-")
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

func TestEveryCommandHasHelpWithExample(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, c := range commandList() {
		if names[c.Name] {
			t.Errorf("commandList() lists %q twice, want once", c.Name)
		}
		names[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			args := append(strings.Fields(c.Name), "--help")
			r := runWith(t, nil, "", args...)
			if r.code != 0 {
				t.Fatalf("%s = exit %d, want 0\n%s", commandLine(args...), r.code, r.streams())
			}
			if !strings.Contains(r.out, "Usage:\n  talkjs "+c.Name) || !strings.Contains(r.out, "Examples:\n  ") {
				t.Errorf("%s printed\n%s\nwant a Usage: line for talkjs %s and an Examples: section", commandLine(args...), r.out, c.Name)
			}
			if c.Example == "" || !strings.Contains(c.Example, "talkjs "+strings.Fields(c.Name)[0]) {
				t.Errorf("command %q: Example = %q, want one that shows talkjs %s", c.Name, c.Example, strings.Fields(c.Name)[0])
			}
			if c.Summary == "" {
				t.Errorf("command %q: Summary = \"\", want one line", c.Name)
			}
			if w := strings.Fields(c.Name); len(w) > 1 && groupSummaries[w[0]] == "" {
				t.Errorf("groupSummaries[%q] = \"\", want a line for the group of %q", w[0], c.Name)
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
			t.Errorf("commandList() lacks %q, want it listed", want)
		}
	}
}

func TestMissingCredentialsNameTheVariables(t *testing.T) {
	t.Parallel()
	r := runWith(t, map[string]string{}, "", "users", "get", "alice")
	if r.code != 2 || !strings.Contains(r.err, "TALKJS_APP_ID") || !strings.Contains(r.err, "TALKJS_SECRET_KEY") || !strings.Contains(r.err, "--app-id") {
		t.Fatalf("talkjs users get alice with no credentials = exit %d, want 2 naming TALKJS_APP_ID, TALKJS_SECRET_KEY and --app-id on stderr\n%s",
			r.code, r.streams())
	}
	r = runWith(t, map[string]string{"TALKJS_APP_ID": "a"}, "", "users", "get", "alice")
	if r.code != 2 || strings.Contains(r.err, "TALKJS_APP_ID") || !strings.Contains(r.err, "TALKJS_SECRET_KEY") {
		t.Fatalf("talkjs users get alice with only TALKJS_APP_ID = exit %d, want 2 naming TALKJS_SECRET_KEY, not TALKJS_APP_ID, on stderr\n%s",
			r.code, r.streams())
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
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if r := e.in(t).run("", args...); r.code != 2 || !strings.Contains(r.err, "--help") {
				t.Errorf("%s = exit %d, want 2 with a pointer to --help on stderr\n%s", commandLine(args...), r.code, r.streams())
			}
		})
	}
	// An unknown flag is one line and a hint: no usage dump on either stream.
	for _, args := range [][]string{{"conversations", "upsert", "c1", "--bogus", "x"}, {"serve", "--bogus"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := e.in(t).run("", args...)
			if r.code != 2 || r.out != "" || strings.Count(r.err, "\n") != 2 || strings.Count(r.err, "-bogus") != 1 {
				t.Errorf("%s = exit %d, want 2 with nothing on stdout and two lines on stderr (the error and a hint), no usage\n%s",
					commandLine(args...), r.code, r.streams())
			}
		})
	}
	if r := e.run("", "users", "get", "nobody"); r.code != 1 || !strings.Contains(r.err, "404") {
		t.Errorf("talkjs users get nobody = exit %d, want 1 with the 404 on stderr\n%s", r.code, r.streams())
	}
	if r := e.run("", "nonsense"); r.code != 2 || !strings.Contains(r.err, `unknown command "nonsense"`) {
		t.Errorf(`talkjs nonsense = exit %d, want 2 with unknown command "nonsense" on stderr`+"\n%s", r.code, r.streams())
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
			t.Fatalf("talkjs users upsert alice --name Alice --email alice@example.com,a@example.org --role customer --custom plan=pro --json = %+v, "+
				"want alice named Alice with 2 emails, role customer and custom plan=pro", u)
		}
		u = talkjs.User{}
		e.okJSON(&u, "users", "upsert", "alice", "--role", "", "--custom", "plan=")
		if u.Role != "" || u.Custom["plan"] != "" || u.Name != "Alice" {
			t.Errorf("talkjs users upsert alice --role '' --custom plan= --json = %+v, want no role, no custom plan, name still Alice", u)
		}
		r := e.run("{\"id\":\"bob\",\"name\":\"Bob\"}\n{\"id\":\"carol\",\"name\":\"Carol\"}\n", "users", "upsert-many", "-", "--json")
		if r.code != 0 || !strings.Contains(r.out, `"upserted": 2`) {
			t.Fatalf(`talkjs users upsert-many - --json (bob and carol on stdin) = exit %d, want 0 with "upserted": 2 on stdout`+"\n%s", r.code, r.streams())
		}
		var users []talkjs.User
		e.okJSON(&users, "users", "list", "--all", "--limit", "2")
		if len(users) != 3 {
			t.Errorf("talkjs users list --all --limit 2 --json = %d users, want 3", len(users))
		}
		if out := e.ok("users", "get", "bob"); !strings.Contains(out, "name") || !strings.Contains(out, "Bob") {
			t.Errorf("talkjs users get bob printed\n%s\nwant a table with the name Bob", out)
		}
	})

	t.Run("conversations", func(t *testing.T) {
		e := e.in(t)
		var conv talkjs.Conversation
		e.okJSON(&conv, "conversations", "upsert", "shoes-1", "--subject", "Shoes", "--participant", "alice,bob", "--custom", "category=shoes")
		if conv.Subject != "Shoes" || len(conv.Participants) != 2 || conv.Custom["category"] != "shoes" {
			t.Fatalf("talkjs conversations upsert shoes-1 --subject Shoes --participant alice,bob --custom category=shoes --json = %+v, "+
				"want subject Shoes, 2 participants, custom category=shoes", conv)
		}
		e.ok("conversations", "upsert", "hats-1", "--subject", "Hats", "--participant", "alice", "--custom", "category=hats")
		var convs []talkjs.Conversation
		e.okJSON(&convs, "conversations", "list", "--order-by", "createdAt", "--direction", "ASC")
		if len(convs) != 2 || convs[0].ID != "shoes-1" {
			t.Errorf("talkjs conversations list --order-by createdAt --direction ASC --json = %v, want [shoes-1 hats-1]", convIDs(convs))
		}
		e.okJSON(&convs, "conversations", "list", "--filter", `{"custom":{"category":["==","hats"]}}`)
		if len(convs) != 1 || convs[0].ID != "hats-1" {
			t.Errorf(`talkjs conversations list --filter '{"custom":{"category":["==","hats"]}}' --json = %v, want [hats-1]`, convIDs(convs))
		}
		if out := e.ok("conversations", "list"); !strings.Contains(out, "SUBJECT") || !strings.Contains(out, "category=hats") {
			t.Errorf("talkjs conversations list printed\n%s\nwant a table with a SUBJECT column and category=hats", out)
		}
	})

	t.Run("participants", func(t *testing.T) {
		e := e.in(t)
		var p talkjs.Participant
		e.okJSON(&p, "participants", "join", "shoes-1", "carol", "--access", "Read", "--notify", "MentionsOnly")
		if p.Access != talkjs.AccessRead || p.Notify != talkjs.NotifyMentionsOnly {
			t.Errorf("talkjs participants join shoes-1 carol --access Read --notify MentionsOnly --json = %+v, want access Read, notify MentionsOnly", p)
		}
		e.okJSON(&p, "participants", "update", "shoes-1", "carol", "--access", "None")
		if p.Access != talkjs.AccessNone || p.Notify != talkjs.NotifyMentionsOnly {
			t.Errorf("talkjs participants update shoes-1 carol --access None --json = %+v, want access None, notify still MentionsOnly", p)
		}
		e.ok("participants", "leave", "shoes-1", "carol")
		if c, _ := e.srv.Conversation("shoes-1"); len(*c.Participants) != 2 {
			t.Errorf("after talkjs participants leave shoes-1 carol, the participants are %v, want alice and bob", *c.Participants)
		}
	})

	t.Run("messages", func(t *testing.T) {
		e := e.in(t)
		var sent map[string]string
		e.okJSON(&sent, "messages", "send", "shoes-1", "--sender", "alice", "--text", "Hi Bob", "--custom", "k=v")
		id = sent["id"]
		if !strings.HasPrefix(id, "msg_") {
			t.Fatalf("talkjs messages send shoes-1 --sender alice --text 'Hi Bob' --custom k=v --json = %v, want an id starting msg_", sent)
		}
		e.ok("messages", "send", "shoes-1", "--system", "Order shipped")
		file = filepath.Join(dir, "receipt.txt")
		os.WriteFile(file, []byte("receipt"), 0o644)
		e.okJSON(&sent, "messages", "send", "shoes-1", "--sender", "bob", "--attachment-file", file)
		var m talkjs.Message
		e.okJSON(&m, "messages", "get", "shoes-1", sent["id"])
		if m.Attachment == nil || m.Attachment.Filename != "receipt.txt" || m.Attachment.Size != 7 {
			t.Errorf("talkjs messages get shoes-1 %s --json = %+v, want an attachment receipt.txt of 7 bytes", sent["id"], m)
		}
		e.okJSON(&m, "messages", "edit", "shoes-1", id, "--text", "Hi Bob!", "--mark-edited")
		if m.Text != "Hi Bob!" || m.EditedAt == 0 {
			t.Errorf("talkjs messages edit shoes-1 %s --text 'Hi Bob!' --mark-edited --json = text %q, editedAt %d; want \"Hi Bob!\" and a time", id, m.Text, m.EditedAt)
		}
		e.okJSON(&m, "messages", "react", "shoes-1", id, "👍", "--user", "bob")
		if len(m.Reactions["👍"]) != 1 {
			t.Errorf("talkjs messages react shoes-1 %s 👍 --user bob --json = reactions %v, want one 👍", id, m.Reactions)
		}
		m = talkjs.Message{}
		e.okJSON(&m, "messages", "unreact", "shoes-1", id, "👍", "--user", "bob")
		if len(m.Reactions["👍"]) != 0 {
			t.Errorf("talkjs messages unreact shoes-1 %s 👍 --user bob --json = reactions %v, want no 👍", id, m.Reactions)
		}
		var msgs []talkjs.Message
		e.okJSON(&msgs, "messages", "list", "shoes-1", "--all")
		if len(msgs) != 3 {
			t.Errorf("talkjs messages list shoes-1 --all --json = %d messages, want 3", len(msgs))
		}
	})

	t.Run("read state", func(t *testing.T) {
		e := e.in(t)
		var ucs []talkjs.UserConversation
		e.ok("participants", "mark-read", "shoes-1", "bob")
		e.okJSON(&ucs, "users", "conversations", "bob")
		if len(ucs) != 1 || ucs[0].UnreadMessageCount != 0 {
			t.Errorf("after mark-read, talkjs users conversations bob --json = %+v, want shoes-1 with 0 unread", ucs)
		}
		e.ok("participants", "mark-unread", "shoes-1", "bob")
		e.okJSON(&ucs, "users", "conversations", "bob", "--unread-only")
		// Bob's own file message does not count as unread for him.
		if len(ucs) != 1 || ucs[0].UnreadMessageCount != 2 {
			t.Errorf("after mark-unread, talkjs users conversations bob --unread-only --json = %+v, want shoes-1 with 2 unread", ucs)
		}
	})

	t.Run("files", func(t *testing.T) {
		e := e.in(t)
		var up map[string]string
		e.okJSON(&up, "files", "upload", file, "--filename", "r.txt")
		if data, name, ok := e.srv.File(up["attachmentToken"]); !ok || string(data) != "receipt" || name != "r.txt" {
			t.Errorf("after talkjs files upload receipt.txt --filename r.txt, the server's File(token) = %q, %q, %v; want \"receipt\", r.txt, true", data, name, ok)
		}
	})

	t.Run("batch", func(t *testing.T) {
		e := e.in(t)
		ops := filepath.Join(t.TempDir(), "ops.json")
		os.WriteFile(ops, []byte(`[{"method":"PUT","path":"/users/dave","payload":{"name":"Dave"}},{"method":"GET","path":"/users/nobody"}]`), 0o644)
		r := e.run("", "batch", ops, "--json")
		if r.code != 1 || !strings.Contains(r.err, "1 of 2 operations failed") {
			t.Errorf("talkjs batch ops.json --json = exit %d, want 1 with \"1 of 2 operations failed\" on stderr\n%s", r.code, r.streams())
		}
		var results []struct{ Index, Status int }
		if err := json.Unmarshal([]byte(r.out), &results); err != nil || len(results) != 2 || results[0].Status != 200 || results[1].Status != 404 {
			t.Errorf("talkjs batch ops.json --json printed\n%s\n(%v), want two results, status 200 and 404", r.out, err)
		}
		if _, ok := e.srv.User("dave"); !ok {
			t.Error("batch did not create dave")
		}
		// TalkJS's own tuple form, mixed with the object form.
		os.WriteFile(ops, []byte(`[[7,"PUT","/users/erin",{"name":"Erin"},{"api_version":"2021-02-09"}],[8,"GET","/users/erin"],{"method":"GET","path":"/users/dave"}]`), 0o644)
		results = nil
		e.okJSON(&results, "batch", ops)
		if len(results) != 3 || results[0].Status != 200 || results[1].Status != 200 || results[2].Status != 200 {
			t.Errorf("talkjs batch ops.json --json (tuple form) = %+v, want three results of status 200", results)
		}
		if u, ok := e.srv.User("erin"); !ok || *u.Name != "Erin" {
			t.Error("the tuple batch did not create erin")
		}
		for _, bad := range []string{`[[1,"GET"]]`, `[["x","GET","/users/a"]]`, `[[1,"GET","/users/a",null,{"version":"1"}]]`, `[{"method":"GET","path":"/u","extra":1}]`, `{}`, `[]`} {
			t.Run(bad, func(t *testing.T) {
				os.WriteFile(ops, []byte(bad), 0o644)
				if r := e.in(t).run("", "batch", ops); r.code != 2 || !strings.Contains(r.err, "ops.json") {
					t.Errorf("talkjs batch ops.json holding %s = exit %d, want 2 with the file named on stderr\n%s", bad, r.code, r.streams())
				}
			})
		}
	})

	t.Run("deletions", func(t *testing.T) {
		e := e.in(t)
		e.ok("messages", "delete", "shoes-1", id)
		e.ok("messages", "delete-all", "shoes-1", "--yes")
		if n := len(e.srv.Messages("shoes-1")); n != 0 {
			t.Errorf("after talkjs messages delete-all shoes-1 --yes, %d messages are left, want 0", n)
		}
		e.ok("conversations", "delete", "hats-1")
		if _, ok := e.srv.Conversation("hats-1"); ok {
			t.Error("hats-1 still exists")
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"TALKJS_APP_ID": "app1", "TALKJS_SECRET_KEY": "sk_test_secret"}
	for _, tc := range []struct {
		args      []string
		tokenType string
		sub       string
	}{
		{[]string{"token", "app"}, "app", ""},
		{[]string{"token", "user", "--user-id", "alice"}, "user", "alice"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runWith(t, vars, "", tc.args...)
			if r.code != 0 {
				t.Fatalf("%s = exit %d, want 0\n%s", commandLine(tc.args...), r.code, r.streams())
			}
			claims := jwt.MapClaims{}
			_, err := jwt.ParseWithClaims(strings.TrimSpace(r.out), claims, func(*jwt.Token) (any, error) { return []byte("sk_test_secret"), nil },
				jwt.WithValidMethods([]string{"HS256"}))
			if err != nil {
				t.Fatalf("%s printed %q, want an HS256 token signed with the secret (%v)", commandLine(tc.args...), r.out, err)
			}
			if claims["tokenType"] != tc.tokenType || claims["iss"] != "app1" || (tc.sub != "" && claims["sub"] != tc.sub) {
				want := fmt.Sprintf("tokenType %s, iss app1", tc.tokenType)
				if tc.sub != "" {
					want += ", sub " + tc.sub
				}
				t.Errorf("%s = a token with claims %v, want %s", commandLine(tc.args...), claims, want)
			}
		})
	}
	if r := runWith(t, vars, "", "token", "user"); r.code != 2 {
		t.Errorf("talkjs token user (no --user-id) = exit %d, want 2\n%s", r.code, r.streams())
	}
	r := runWith(t, vars, "", "token", "app", "--lifetime", "5m")
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(strings.TrimSpace(r.out), claims, func(*jwt.Token) (any, error) { return []byte("sk_test_secret"), nil }); err != nil {
		t.Fatalf("talkjs token app --lifetime 5m = exit %d, want 0 and a token signed with the secret (%v)\n%s", r.code, err, r.streams())
	}
	if iat, exp := claims["iat"].(float64), claims["exp"].(float64); exp-iat != 300 {
		t.Errorf("talkjs token app --lifetime 5m = a token with exp-iat %v, want 300", exp-iat)
	}
	for _, bad := range []string{"0s", "500ms", "25h"} {
		t.Run("--lifetime "+bad, func(t *testing.T) {
			t.Parallel()
			if r := runWith(t, vars, "", "token", "app", "--lifetime", bad); r.code != 2 {
				t.Errorf("talkjs token app --lifetime %s = exit %d, want 2\n%s", bad, r.code, r.streams())
			}
		})
	}
}

func TestServerAcceptsMintedAppToken(t *testing.T) {
	e := newEnv(t)
	tok := strings.TrimSpace(e.ok("token", "app"))
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("talkjs token app printed %q, want a JWT (three parts joined by dots)", tok)
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
		t.Fatalf("talkjs users list with a wrong secret key = exit %d, want 1 with the 401 and \"Check the app id and secret key\" on stderr\n%s",
			r.code, r.streams())
	}
}

// Standard input redirected from a file keeps ReadAt and Seek, so that
// `talkjs import - < history.ndjson` is read in place, not copied.
func TestStdinFromAFileStaysSeekable(t *testing.T) {
	t.Parallel()
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
		t.Errorf("readInput(stdin from a file, \"-\") = %T, want a reader with the file's ReadAt and Seek", rc)
	}
	if err := rc.Close(); err != nil || f.Fd() == ^uintptr(0) {
		t.Errorf("readInput(stdin from a file, \"-\").Close() = %v and the file closed, want nil and standard input left open", err)
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

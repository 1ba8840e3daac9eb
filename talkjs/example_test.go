package talkjs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// fakeTalkJS is a tiny stand-in for the TalkJS API, enough for the
// examples: users, conversations, messages and files, in memory.
func fakeTalkJS() *httptest.Server {
	var mu sync.Mutex
	users := map[string]map[string]any{}
	messages := map[string][]map[string]any{}
	next := 0
	answer := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /v1/{app}/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		u := users[r.PathValue("id")]
		if u == nil {
			u = map[string]any{"id": r.PathValue("id")}
		}
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		for k, v := range in {
			u[k] = v
		}
		users[r.PathValue("id")] = u
		answer(w, 200, struct{}{})
	})
	mux.HandleFunc("GET /v1/{app}/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if u, ok := users[r.PathValue("id")]; ok {
			answer(w, 200, u)
			return
		}
		answer(w, 404, map[string]string{"error": "User not found"})
	})
	mux.HandleFunc("GET /v1/{app}/users", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var ids []string
		for id := range users {
			if id > r.URL.Query().Get("startingAfter") {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		page := []any{}
		for _, id := range ids {
			page = append(page, users[id])
		}
		answer(w, 200, map[string]any{"data": page})
	})
	mux.HandleFunc("GET /v1/{app}/conversations", func(w http.ResponseWriter, r *http.Request) {
		// Real TalkJS applies the filter; this fake only shows it arrived.
		fmt.Println("server got filter", r.URL.Query().Get("filter"))
		answer(w, 200, map[string]any{"data": []any{
			map[string]any{"id": "order-41", "custom": map[string]string{"status": "open"}},
			map[string]any{"id": "order-42", "custom": map[string]string{"status": "open"}},
		}})
	})
	mux.HandleFunc("PUT /v1/{app}/conversations/{id}", func(w http.ResponseWriter, r *http.Request) {
		answer(w, 200, struct{}{})
	})
	mux.HandleFunc("POST /v1/{app}/conversations/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var in []map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		var ids []map[string]string
		for _, m := range in {
			next++
			id := fmt.Sprintf("msg_%d", next)
			msg := map[string]any{"id": id, "type": m["type"], "senderId": m["sender"], "text": m["text"]}
			if tok, ok := m["attachmentToken"]; ok {
				msg["attachment"] = map[string]any{"url": "https://files.example/" + tok.(string), "filename": "notes.txt"}
			}
			conv := r.PathValue("id")
			messages[conv] = append([]map[string]any{msg}, messages[conv]...) // newest first
			ids = append(ids, map[string]string{"id": id})
		}
		answer(w, 200, ids)
	})
	mux.HandleFunc("GET /v1/{app}/conversations/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		answer(w, 200, map[string]any{"data": messages[r.PathValue("id")]})
	})
	mux.HandleFunc("POST /v1/{app}/files", func(w http.ResponseWriter, r *http.Request) {
		f, _, err := r.FormFile("file")
		if err != nil {
			answer(w, 400, map[string]string{"error": err.Error()})
			return
		}
		n, _ := io.Copy(io.Discard, f)
		answer(w, 200, map[string]string{"attachmentToken": fmt.Sprintf("tok_%d_bytes", n)})
	})
	return httptest.NewServer(mux)
}

// A first program: create two users and a conversation, send messages,
// and read them back.
func Example() {
	srv := fakeTalkJS() // stands in for https://api.talkjs.com
	defer srv.Close()

	client, err := talkjs.NewClient("tApp", "sk_test_secret", talkjs.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	for id, name := range map[string]string{"alice": "Alice", "bob": "Bob"} {
		if err := client.Users.Upsert(ctx, id, talkjs.UserInput{Name: name}); err != nil {
			log.Fatal(err)
		}
	}
	err = client.Conversations.Upsert(ctx, "order-42", talkjs.ConversationInput{
		Subject:      talkjs.Value("Your order"),
		Participants: []string{"alice", "bob"},
	})
	if err != nil {
		log.Fatal(err)
	}
	ids, err := client.Messages.Send(ctx, "order-42",
		talkjs.UserMessage("alice", "Hi Bob, your order has shipped."),
		talkjs.SystemMessage("Alice marked the order as shipped."),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent", ids)

	msgs, err := client.Messages.List(ctx, "order-42", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range msgs { // newest first
		from := m.SenderID
		if m.Type == talkjs.SystemMessageType {
			from = "(system)"
		}
		fmt.Printf("%s: %s\n", from, m.Text)
	}
	// Output:
	// sent [msg_1 msg_2]
	// (system): Alice marked the order as shipped.
	// alice: Hi Bob, your order has shipped.
}

// Fields can be set, cleared with an explicit null, or left alone.
func ExampleNullable() {
	update := talkjs.UserInput{
		PhotoURL: talkjs.Value("https://example.com/alice.png"), // set
		Role:     talkjs.Null[string](),                         // clear
		Custom: talkjs.Value(talkjs.CustomInput{
			"plan":  talkjs.Value("pro"),   // store this key
			"trial": talkjs.Null[string](), // remove this key
		}),
		// Name, Email, … left out: kept as they are
	}
	b, _ := json.Marshal(update)
	fmt.Println(string(b))
	// Output:
	// {"photoUrl":"https://example.com/alice.png","role":null,"custom":{"plan":"pro","trial":null}}
}

// Errors from TalkJS are *talkjs.Error values; errors.Is answers the
// common questions.
func ExampleError() {
	srv := fakeTalkJS()
	defer srv.Close()
	client, _ := talkjs.NewClient("tApp", "sk_test_secret", talkjs.WithBaseURL(srv.URL))

	_, err := client.Users.Get(context.Background(), "nobody")
	if errors.Is(err, talkjs.ErrNotFound) {
		fmt.Println("no such user")
	}
	var e *talkjs.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Message)
	}
	fmt.Println(err)
	// Output:
	// no such user
	// 404 User not found
	// talkjs: GET /v1/tApp/users/nobody: 404 Not Found: User not found
}

// Bad arguments are rejected before anything is sent.
func ExampleArgumentError() {
	client, _ := talkjs.NewClient("tApp", "sk_test_secret")
	msg := talkjs.UserMessage("alice", "hello")
	msg.AttachmentToken = "tok_1"

	_, err := client.Messages.Send(context.Background(), "order-42", msg)
	fmt.Println(errors.Is(err, talkjs.ErrInvalidArgument))
	fmt.Println(err)
	// Output:
	// true
	// talkjs: invalid argument msgs[0]: has both Text and AttachmentToken; send the attachment as its own message
}

// All walks every page lazily; break stops it.
func ExampleUsersService_All() {
	srv := fakeTalkJS()
	defer srv.Close()
	client, _ := talkjs.NewClient("tApp", "sk_test_secret", talkjs.WithBaseURL(srv.URL))
	ctx := context.Background()
	for _, id := range []string{"ann", "ben", "cat"} {
		_ = client.Users.Upsert(ctx, id, talkjs.UserInput{Name: strings.ToUpper(id)})
	}

	for user, err := range client.Users.All(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(user.ID, user.Name)
	}
	// Output:
	// ann ANN
	// ben BEN
	// cat CAT
}

// SendFile uploads a file, streaming it, and sends it as a message.
func ExampleFilesService_SendFile() {
	srv := fakeTalkJS()
	defer srv.Close()
	client, _ := talkjs.NewClient("tApp", "sk_test_secret", talkjs.WithBaseURL(srv.URL))
	ctx := context.Background()

	file := strings.NewReader("meeting notes…") // or an *os.File
	id, err := client.Files.SendFile(ctx, "order-42", "alice", "notes.txt", file)
	if err != nil {
		log.Fatal(err)
	}
	msgs, _ := client.Messages.List(ctx, "order-42", nil)
	fmt.Println(id, msgs[0].Attachment.URL)
	// Output:
	// msg_1 https://files.example/tok_16_bytes
}

// Signature computes the legacy identity-verification signature for the
// browser side.
func ExampleClient_Signature() {
	client, _ := talkjs.NewClient("tApp", "sk_test_secret")
	fmt.Println(client.Signature("alice"))
	// Output:
	// 8603F90D9F2BFA45DD8615BF114750305321F3ED99C7D6A2ED3B160EB1E8427A
}

// AppToken mints the token the client sends with its requests, for
// another HTTP client such as curl.
func ExampleClient_AppToken() {
	client, err := talkjs.NewClient("tAppId42", "sk_test_yoursecretkey", talkjs.WithTokenLifetime(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	token := client.AppToken()
	fmt.Println(strings.Count(token, "."), "dots: header.claims.signature")
	// Output: 2 dots: header.claims.signature
}

// NewClient takes the app id and secret key from the TalkJS dashboard;
// options adjust the rest.
func ExampleNewClient() {
	client, err := talkjs.NewClient("tApp", "sk_test_secret",
		talkjs.WithAPIVersion("2021-02-09"),
		talkjs.WithMaxRetries(5),
		talkjs.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.ServerURL())

	_, err = talkjs.NewClient("", "sk_test_secret")
	fmt.Println(err)
	// Output:
	// https://api.talkjs.com/v1/tApp/
	// talkjs: invalid argument appID: must not be empty
}

// Conversation lists take a filter: build it with package talkjs/filter,
// or write the JSON by hand with RawFilter.
func ExampleConversationsService_All() {
	srv := fakeTalkJS()
	defer srv.Close()
	client, _ := talkjs.NewClient("tApp", "sk_test_secret", talkjs.WithBaseURL(srv.URL))

	opts := &talkjs.ConversationListOptions{
		Filter:  talkjs.RawFilter(`{"custom":{"status":["==","open"]}}`),
		OrderBy: talkjs.OrderByCreatedAt,
	}
	for conv, err := range client.Conversations.All(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(conv.ID, conv.Custom["status"])
	}
	// Output:
	// server got filter {"custom":{"status":["==","open"]}}
	// order-41 open
	// order-42 open
}

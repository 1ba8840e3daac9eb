package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ids of one run, all under the run's prefix.
type runIDs struct {
	alice, bob, carol        string // users the scenario creates
	nobody, nameless         string // users that must never exist
	dave, eve                string // a batch that must be refused whole
	shoes, boots, history    string // conversations kept until the cleanup
	sandals, noSuchConv, tag string
}

func newIDs(p string) runIDs {
	return runIDs{
		alice: p + "alice", bob: p + "bob", carol: p + "carol",
		nobody: p + "nobody", nameless: p + "nameless", dave: p + "dave", eve: p + "eve",
		shoes: p + "shoes", boots: p + "boots", history: p + "history", sandals: p + "sandals",
		noSuchConv: p + "no-such-conversation", tag: p,
	}
}

// Importing uses fixed times in 2019, so that they sort before anything sent.
const (
	importT1 = int64(1552000000000)
	importT2 = importT1 + 60_000
)

// scenario is the whole black-box scenario. Every step says which documented
// behaviour it observes; steps that depend on an earlier one look at what
// the service answered, never at what the scenario hoped for.
func scenario(ctx context.Context, r *runner) {
	id := newIDs(r.prefix)
	s := &steps{r: r, id: id}
	for _, part := range []func(context.Context){
		s.auth, s.users, s.conversations, s.participation, s.messages, s.readState,
		s.files, s.imports, s.ordering, s.versions, s.batch, s.presence, s.appAndNotifications,
		s.errors, s.deletion,
	} {
		if ctx.Err() != nil {
			return
		}
		part(ctx)
	}
}

type steps struct {
	r  *runner
	id runIDs
	// msgs are message ids sent in shoes: the first by alice, the second by
	// bob, the third a system message.
	msgs []string
}

func (s *steps) do(ctx context.Context, step string, req request) *response {
	return s.r.do(ctx, step, req)
}

// putUser creates or updates a user, remembering it for the cleanup.
func (s *steps) putUser(ctx context.Context, step, id string, body any) *response {
	return s.creating(&s.r.users, true, []string{id}, func() *response {
		return s.do(ctx, step, request{method: http.MethodPut, path: "/users/" + id, body: body})
	})
}

func (s *steps) putConversation(ctx context.Context, step, id string, body any) *response {
	return s.creating(&s.r.convs, true, []string{id}, func() *response {
		return s.do(ctx, step, request{method: http.MethodPut, path: "/conversations/" + id, body: body})
	})
}

// creating runs send, which may create ids, with ids already on list so
// that the request cap reserves their cleanup. It takes them off again when
// the request was not sent, or (when refusedMeansAbsent) was refused with a
// 4xx, so that the cleanup never creates what the scenario did not.
func (s *steps) creating(list *[]string, refusedMeansAbsent bool, ids []string, send func() *response) *response {
	var added []string
	for _, id := range ids {
		if !slices.Contains(*list, id) {
			*list = append(*list, id)
			added = append(added, id)
		}
	}
	rs := send()
	refused := rs.err == nil && rs.status >= 400 && rs.status < 500
	if !rs.sent || (refusedMeansAbsent && refused) {
		*list = slices.DeleteFunc(*list, func(id string) bool { return slices.Contains(added, id) })
	}
	return rs
}

// runFilter narrows a conversation list to this run's conversations, with
// more custom conditions.
func (s *steps) runFilter(custom obj) string {
	c := obj{"run": []any{"==", s.id.tag}}
	for k, v := range custom {
		c[k] = v
	}
	b, _ := json.Marshal(obj{"custom": c})
	return string(b)
}

func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func (s *steps) auth(ctx context.Context) {
	r, path := s.r, "/users/"+s.id.nobody
	r.status("auth: a request without Authorization is refused", srcGettingStarted,
		s.do(ctx, "auth/none", request{method: http.MethodGet, path: path, auth: authNone}), http.StatusUnauthorized)
	r.status("auth: a bearer token that is not a token is refused", srcGettingStarted,
		s.do(ctx, "auth/bogus", request{method: http.MethodGet, path: path, auth: authBogus}), http.StatusUnauthorized)
	r.status("auth: an app JWT signed with another key is refused", srcGettingStarted,
		s.do(ctx, "auth/forged", request{method: http.MethodGet, path: path, auth: authForged}), http.StatusUnauthorized)
	r.status("auth: the secret key as bearer token still works (legacy); a missing user is 404", srcGettingStarted,
		s.do(ctx, "auth/legacy-secret", request{method: http.MethodGet, path: path, auth: authSecret}), http.StatusNotFound)
}

func (s *steps) users(ctx context.Context) {
	r, id := s.r, s.id
	r.status("users: a user that does not exist is 404", srcUsers,
		s.do(ctx, "users/get-missing", request{method: http.MethodGet, path: "/users/" + id.nobody}), http.StatusNotFound)

	rs := s.putUser(ctx, "users/create", id.alice, obj{
		"name": "Alice", "email": []string{"alice@example.com"}, "welcomeMessage": "Hi there",
		"custom": obj{"plan": "pro", "tier": "gold"},
	})
	r.status("users: PUT creates a user", srcUsers, rs, http.StatusOK)
	r.that("users: a call without data answers {}", srcGettingStarted, "{}", rs, func() (string, bool) {
		m, ok := rs.v.(map[string]any)
		return brief(rs.v, rs.body), ok && len(m) == 0
	})
	rs = s.do(ctx, "users/get", request{method: http.MethodGet, path: "/users/" + id.alice})
	r.that("users: GET answers the stored user", srcUsers, `id, name "Alice", email [alice@example.com], custom.plan "pro", createdAt ms`, rs, func() (string, bool) {
		_, hasCreated := ms(rs.get("createdAt"))
		email, _ := rs.get("email").([]any)
		ok := rs.get("id") == id.alice && rs.get("name") == "Alice" && len(email) == 1 && email[0] == "alice@example.com" &&
			rs.get("custom", "plan") == "pro" && hasCreated
		return brief(rs.v, rs.body), ok
	})

	s.putUser(ctx, "users/merge", id.alice, obj{"custom": obj{"tier": nil, "city": "Ghent"}, "welcomeMessage": nil})
	rs = s.do(ctx, "users/get-merged", request{method: http.MethodGet, path: "/users/" + id.alice})
	r.that("users: PUT changes only the fields sent", srcUsers, `name still "Alice"`, rs, func() (string, bool) {
		return fmt.Sprintf("name %s", show(rs.get("name"))), rs.get("name") == "Alice"
	})
	r.that("users: custom keys merge, a key set to null is removed", srcUsers, `custom {"city":"Ghent","plan":"pro"}`, rs, func() (string, bool) {
		c, _ := rs.get("custom").(map[string]any)
		return "custom " + show(rs.get("custom")), len(c) == 2 && c["plan"] == "pro" && c["city"] == "Ghent"
	})
	r.that("users: a field set to null is cleared", srcUsers, "welcomeMessage null or absent", rs, func() (string, bool) {
		return "welcomeMessage " + show(rs.get("welcomeMessage")), rs.get("welcomeMessage") == nil
	})

	// A user the service should refuse, and a batch it should refuse
	// whole: the cleanup looks for them whatever the answer.
	r.status("users: creating a user without a name is 400", srcSeed, s.creating(&s.r.maybeUsers, false, []string{id.nameless}, func() *response {
		return s.do(ctx, "users/create-nameless", request{method: http.MethodPut, path: "/users/" + id.nameless,
			body: obj{"email": []string{"nameless@example.com"}}})
	}), http.StatusBadRequest)

	rs = s.creating(&s.r.users, true, []string{id.bob, id.carol}, func() *response {
		return s.do(ctx, "users/batch", request{method: http.MethodPut, path: "/users", body: obj{
			id.bob:   obj{"name": "Bob", "email": []string{"bob@example.com"}},
			id.carol: obj{"name": "Carol"},
		}})
	})
	r.status("users: PUT /users creates several users", srcUsers, rs, http.StatusOK)
	rs = s.do(ctx, "users/batch-get", request{method: http.MethodGet, path: "/users/" + id.carol})
	r.that("users: a user of the batch is stored", srcUsers, `name "Carol"`, rs, func() (string, bool) {
		return "name " + show(rs.get("name")), rs.get("name") == "Carol"
	})

	rs = s.creating(&s.r.maybeUsers, false, []string{id.dave, id.eve}, func() *response {
		return s.do(ctx, "users/batch-invalid", request{method: http.MethodPut, path: "/users", body: obj{
			id.dave: obj{"name": "Dave"},
			id.eve:  obj{"email": []string{"eve@example.com"}},
		}})
	})
	r.status("users: a batch with an invalid entry is 400", srcUsers, rs, http.StatusBadRequest)
	r.status("users: a refused batch stores none of its users (all or nothing)", srcUsers,
		s.do(ctx, "users/batch-invalid-get", request{method: http.MethodGet, path: "/users/" + id.dave}), http.StatusNotFound)

	rs = s.do(ctx, "users/list", request{method: http.MethodGet, path: "/users", query: query("limit", "2")})
	r.that("users: GET /users answers a page of at most limit users", srcUsers, "data: 1 or 2 users", rs, func() (string, bool) {
		data, ok := rs.get("data").([]any)
		return fmt.Sprintf("data: %d users", len(data)), ok && len(data) >= 1 && len(data) <= 2
	})
}

func (s *steps) conversations(ctx context.Context) {
	r, id := s.r, s.id
	rs := s.putConversation(ctx, "conversations/create", id.shoes, obj{
		"subject": "Running shoes", "participants": []string{id.alice, id.bob},
		"custom": obj{"run": id.tag, "category": "shoes"}, "welcomeMessages": []string{"Welcome"},
	})
	r.status("conversations: PUT creates a conversation", srcConversations, rs, http.StatusOK)
	rs = s.do(ctx, "conversations/get", request{method: http.MethodGet, path: "/conversations/" + id.shoes})
	r.that("conversations: GET answers the stored conversation", srcConversations, `id, subject "Running shoes", custom.category "shoes", createdAt ms`, rs, func() (string, bool) {
		_, hasCreated := ms(rs.get("createdAt"))
		ok := rs.get("id") == id.shoes && rs.get("subject") == "Running shoes" && rs.get("custom", "category") == "shoes" && hasCreated
		return brief(rs.v, rs.body), ok
	})
	r.that("participants: added through the conversation they get access ReadWrite, notify true", srcParticipation,
		"alice and bob: ReadWrite, true", rs, func() (string, bool) {
			a, b := rs.get("participants", id.alice), rs.get("participants", id.bob)
			ok := walk(a, "access") == "ReadWrite" && walk(a, "notify") == true && walk(b, "access") == "ReadWrite" && walk(b, "notify") == true
			return fmt.Sprintf("alice %s, bob %s", show(a), show(b)), ok
		})

	s.putConversation(ctx, "conversations/merge", id.shoes, obj{"participants": []string{id.carol}, "custom": obj{"color": "red"}})
	rs = s.do(ctx, "conversations/get-merged", request{method: http.MethodGet, path: "/conversations/" + id.shoes})
	r.that("conversations: PUT adds participants and never removes them", srcConversations, "[alice bob carol]", rs, func() (string, bool) {
		p, _ := rs.get("participants").(map[string]any)
		var got []string
		for k := range p {
			got = append(got, k)
		}
		slices.Sort(got)
		return r.list(got), sameSet(got, []string{id.alice, id.bob, id.carol})
	})
	r.that("conversations: PUT changes only the fields sent; custom keys merge", srcConversations,
		`subject "Running shoes", custom category "shoes" and color "red"`, rs, func() (string, bool) {
			ok := rs.get("subject") == "Running shoes" && rs.get("custom", "category") == "shoes" && rs.get("custom", "color") == "red"
			return fmt.Sprintf("subject %s, custom %s", show(rs.get("subject")), show(rs.get("custom"))), ok
		})
	r.status("conversations: a conversation that does not exist is 404", srcConversations,
		s.do(ctx, "conversations/get-missing", request{method: http.MethodGet, path: "/conversations/" + id.noSuchConv}), http.StatusNotFound)

	s.putConversation(ctx, "conversations/create-boots", id.boots, obj{"subject": "Boots", "participants": []string{id.alice},
		"custom": obj{"run": id.tag, "category": "boots"}})
	s.putConversation(ctx, "conversations/create-history", id.history, obj{"subject": "History", "participants": []string{id.alice, id.bob},
		"custom": obj{"run": id.tag, "category": "history"}})
	s.putConversation(ctx, "conversations/create-sandals", id.sandals, obj{"subject": "Sandals", "participants": []string{id.alice},
		"custom": obj{"run": id.tag, "category": "sandals"}})
	created := []string{id.shoes, id.boots, id.history, id.sandals}

	rs = s.do(ctx, "conversations/list-created-asc", request{method: http.MethodGet, path: "/conversations",
		query: query("orderBy", "createdAt", "orderDirection", "ASC", "limit", "10", "filter", s.runFilter(nil))})
	r.that("conversations: orderBy createdAt, orderDirection ASC lists oldest first", srcConversations, r.list(created), rs, func() (string, bool) {
		got := only(ids(rs), created...)
		return r.list(got), slices.Equal(got, created)
	})
	first := s.do(ctx, "conversations/page-1", request{method: http.MethodGet, path: "/conversations",
		query: query("orderBy", "createdAt", "orderDirection", "ASC", "limit", "2", "filter", s.runFilter(nil))})
	r.that("conversations: limit caps a page", srcConversations, "2 conversations", first, func() (string, bool) {
		return fmt.Sprintf("%d conversations", len(ids(first))), len(ids(first)) == 2
	})
	page1 := ids(first)
	if len(page1) == 0 {
		r.skip("conversations: startingAfter continues where the page ended", srcConversations, r.list(created[2:]), "the first page was empty")
	} else {
		next := s.do(ctx, "conversations/page-2", request{method: http.MethodGet, path: "/conversations",
			query: query("orderBy", "createdAt", "orderDirection", "ASC", "limit", "2", "filter", s.runFilter(nil), "startingAfter", page1[len(page1)-1])})
		r.that("conversations: startingAfter continues where the page ended", srcConversations, r.list(created[2:]), next, func() (string, bool) {
			got := ids(next)
			return r.list(got), slices.Equal(got, created[2:])
		})
	}

	for _, f := range []struct {
		name, step, src string
		custom          obj
		want            []string
	}{
		{"filters: custom ==", "filters/custom-eq", srcConversations, obj{"category": []any{"==", "shoes"}}, []string{id.shoes}},
		{"filters: custom !=", "filters/custom-neq", srcConversations, obj{"category": []any{"!=", "shoes"}}, []string{id.boots, id.history, id.sandals}},
		{"filters: custom oneOf", "filters/custom-oneof", srcConversations, obj{"category": []any{"oneOf", []string{"shoes", "boots"}}}, []string{id.shoes, id.boots}},
		{"filters: custom !oneOf", "filters/custom-not-oneof", srcFilterLanguage, obj{"category": []any{"!oneOf", []string{"shoes", "boots"}}}, []string{id.history, id.sandals}},
		{"filters: custom exists", "filters/custom-exists", srcFilterLanguage, obj{"color": "exists"}, []string{id.shoes}},
		{"filters: custom !exists", "filters/custom-not-exists", srcFilterLanguage, obj{"color": "!exists"}, []string{id.boots, id.history, id.sandals}},
		{"filters: oneOf [] matches nothing", "filters/oneof-empty", srcCore, obj{"category": []any{"oneOf", []string{}}}, []string{}},
	} {
		rs := s.do(ctx, f.step, request{method: http.MethodGet, path: "/conversations", query: query("limit", "10", "filter", s.runFilter(f.custom))})
		r.that(f.name, f.src, r.list(f.want), rs, func() (string, bool) {
			got := ids(rs)
			return r.list(got), sameSet(got, f.want)
		})
	}
	anyFilter, _ := json.Marshal([]any{"any", []any{
		obj{"custom": obj{"run": []any{"==", id.tag}, "category": []any{"==", "boots"}}},
		obj{"custom": obj{"run": []any{"==", id.tag}}, "subject": []any{"==", "Sandals"}},
	}})
	rs = s.do(ctx, "filters/any", request{method: http.MethodGet, path: "/conversations", query: query("limit", "10", "filter", string(anyFilter))})
	r.that(`filters: ["any", [...]] is an OR of filters; subject ==`, srcFilterLanguage, r.list([]string{id.boots, id.sandals}), rs, func() (string, bool) {
		got := ids(rs)
		return r.list(got), sameSet(got, []string{id.boots, id.sandals})
	})
	r.status("filters: a filter that is not JSON is 400", srcOurs,
		s.do(ctx, "filters/not-json", request{method: http.MethodGet, path: "/conversations", query: query("limit", "1", "filter", `{"custom":`)}), http.StatusBadRequest)
	r.status("conversations: limit above 100 is 400", srcSeed,
		s.do(ctx, "conversations/limit-101", request{method: http.MethodGet, path: "/conversations", query: query("limit", "101")}), http.StatusBadRequest)
}

func (s *steps) participantsOf(ctx context.Context, step, conv string) *response {
	return s.do(ctx, step, request{method: http.MethodGet, path: "/conversations/" + conv})
}

func (s *steps) participation(ctx context.Context) {
	r, id := s.r, s.id
	path := "/conversations/" + id.boots + "/participants/" + id.bob
	r.status("participants: PUT adds a user", srcParticipation,
		s.do(ctx, "participants/join", request{method: http.MethodPut, path: path, body: obj{}}), http.StatusOK)
	rs := s.participantsOf(ctx, "participants/get-joined", id.boots)
	r.that("participants: PUT without fields gives access ReadWrite, notify true", srcParticipation, "ReadWrite, true", rs, func() (string, bool) {
		b := rs.get("participants", id.bob)
		return show(b), walk(b, "access") == "ReadWrite" && walk(b, "notify") == true
	})
	r.status("participants: PUT again is idempotent", srcParticipation,
		s.do(ctx, "participants/join-again", request{method: http.MethodPut, path: path, body: obj{}}), http.StatusOK)
	s.do(ctx, "participants/patch-notify", request{method: http.MethodPatch, path: path, body: obj{"notify": false}})
	s.do(ctx, "participants/overwrite", request{method: http.MethodPut, path: path, body: obj{"access": "Read"}})
	rs = s.participantsOf(ctx, "participants/get-overwritten", id.boots)
	r.that("participants: PUT overwrites: fields left out return to their defaults", srcParticipation, "access Read, notify true", rs, func() (string, bool) {
		b := rs.get("participants", id.bob)
		return show(b), walk(b, "access") == "Read" && walk(b, "notify") == true
	})
	s.do(ctx, "participants/patch-mentions", request{method: http.MethodPatch, path: path, body: obj{"notify": "MentionsOnly"}})
	rs = s.participantsOf(ctx, "participants/get-patched", id.boots)
	r.that("participants: PATCH changes only the fields sent", srcParticipation, "access Read, notify MentionsOnly", rs, func() (string, bool) {
		b := rs.get("participants", id.bob)
		return show(b), walk(b, "access") == "Read" && walk(b, "notify") == "MentionsOnly"
	})
	r.status("participants: PATCH accepts access None", srcParticipation,
		s.do(ctx, "participants/patch-none", request{method: http.MethodPatch, path: path, body: obj{"access": "None"}}), http.StatusOK)

	rs = s.do(ctx, "participants/email", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/participants/" + id.alice + "/email"})
	r.that("participants: GET …/email answers the reply-to address", srcParticipation, "{emailAddress: string}", rs, func() (string, bool) {
		e, ok := rs.get("emailAddress").(string)
		return brief(rs.v, rs.body), ok && e != ""
	})

	r.status("participants: DELETE removes a participant", srcParticipation,
		s.do(ctx, "participants/leave", request{method: http.MethodDelete, path: path}), http.StatusOK)
	rs = s.participantsOf(ctx, "participants/get-left", id.boots)
	r.that("participants: a user who left is no longer a participant", srcParticipation, "bob absent, alice still there", rs, func() (string, bool) {
		p, _ := rs.get("participants").(map[string]any)
		_, bob := p[id.bob]
		_, alice := p[id.alice]
		return fmt.Sprintf("bob present: %v, alice present: %v", bob, alice), alice && !bob
	})
	r.status("participants: DELETE again is idempotent", srcParticipation,
		s.do(ctx, "participants/leave-again", request{method: http.MethodDelete, path: path}), http.StatusOK)
	rs = s.do(ctx, "versions/left-hidden", request{method: http.MethodGet, path: "/users/" + id.bob + "/conversations",
		query: query("filter", s.runFilter(nil), "limit", "10"), version: "2021-07-30"})
	r.that("versions: since 2021-07-30 a conversation left is gone from the user's list", srcChangelog, "boots absent", rs, func() (string, bool) {
		got := ids(rs)
		return r.list(got), !slices.Contains(got, id.boots) && slices.Contains(got, id.shoes)
	})
}

func (s *steps) send(ctx context.Context, step, conv string, msgs ...obj) *response {
	return s.do(ctx, step, request{method: http.MethodPost, path: "/conversations/" + conv + "/messages", body: msgs})
}

func userMsg(sender, text string) obj {
	return obj{"type": "UserMessage", "sender": sender, "text": text}
}

// sentIDs reads the ids of a send's answer.
func sentIDs(rs *response) []string {
	a, _ := rs.v.([]any)
	var out []string
	for _, e := range a {
		if s, ok := walk(e, "id").(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (s *steps) messages(ctx context.Context) {
	r, id := s.r, s.id
	first := userMsg(id.alice, "Size 44?")
	first["custom"] = obj{"n": "1"}
	rs := s.send(ctx, "messages/send", id.shoes, first)
	r.that("messages: a send answers [{id}] with an id like msg_…", srcMessages, `[{"id":"msg_…"}]`, rs, func() (string, bool) {
		got := sentIDs(rs)
		return brief(rs.v, rs.body), len(got) == 1 && strings.HasPrefix(got[0], "msg_")
	})
	s.msgs = append(s.msgs, sentIDs(rs)...)
	rs = s.send(ctx, "messages/send-two", id.shoes, userMsg(id.bob, "Yes, 44"), obj{"type": "SystemMessage", "text": "Order shipped"})
	r.that("messages: user and system messages in one send answer one id each, in order", srcMessages, "2 ids", rs, func() (string, bool) {
		got := sentIDs(rs)
		return fmt.Sprintf("%d ids", len(got)), len(got) == 2 && got[0] != got[1]
	})
	s.msgs = append(s.msgs, sentIDs(rs)...)
	// When the sends did not answer three ids, go on with ids that exist
	// nowhere: every check below still runs, and says what it saw.
	for len(s.msgs) < 3 {
		s.msgs = append(s.msgs, fmt.Sprintf("msg_unanswered%d", len(s.msgs)))
	}
	s.msgs = s.msgs[:3]

	rs = s.do(ctx, "messages/list", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/messages"})
	newest := []string{s.msgs[2], s.msgs[1], s.msgs[0]}
	r.that("messages: the list is newest first", srcOurs, "system, bob, alice", rs, func() (string, bool) {
		got := only(ids(rs), newest...)
		return fmt.Sprintf("%d of ours, newest first: %v", len(got), slices.Equal(got, newest)), slices.Equal(got, newest)
	})
	rs = s.do(ctx, "messages/page", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/messages",
		query: query("limit", "1", "startingAfter", s.msgs[2])})
	r.that("messages: limit and startingAfter page through messages", srcMessages, "bob's message", rs, func() (string, bool) {
		got := ids(rs)
		distinct := s.msgs[0] != s.msgs[1] && s.msgs[1] != s.msgs[2] && s.msgs[0] != s.msgs[2]
		ok := distinct && slices.Equal(got, []string{s.msgs[1]})
		return fmt.Sprintf("%d messages, bob's: %v (sends answered distinct ids: %v)", len(got), ok, distinct), ok
	})
	rs = s.do(ctx, "messages/get", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/messages/" + s.msgs[0]})
	r.that("messages: GET answers the message with its fields", srcMessages,
		`id, conversationId, senderId alice, type UserMessage, origin "rest", text, custom.n, createdAt ms, readBy []`, rs, func() (string, bool) {
			_, hasCreated := ms(rs.get("createdAt"))
			_, hasReadBy := rs.get("readBy").([]any)
			ok := rs.get("id") == s.msgs[0] && rs.get("conversationId") == id.shoes && rs.get("senderId") == id.alice &&
				rs.get("type") == "UserMessage" && rs.get("origin") == "rest" && rs.get("text") == "Size 44?" &&
				rs.get("custom", "n") == "1" && hasCreated && hasReadBy
			return brief(rs.v, rs.body), ok
		})

	r.that("messages: a text message also carries its text as content blocks", srcContent, `content [{type "text", children ["Size 44?"]}]`, rs, func() (string, bool) {
		children, _ := rs.get("content", 0, "children").([]any)
		return "content " + show(rs.get("content")), rs.get("content", 0, "type") == "text" && slices.Contains(children, any("Size 44?"))
	})

	r.status("messages: the sender must be a participant", srcMessages,
		s.send(ctx, "messages/sender-not-participant", id.boots, userMsg(id.carol, "Not in here")), http.StatusBadRequest)
	eleven := make([]obj, 11)
	for i := range eleven {
		eleven[i] = userMsg(id.alice, fmt.Sprint("m", i))
	}
	r.status("messages: more than 10 messages in one send is 400", srcMessages,
		s.send(ctx, "messages/send-11", id.shoes, eleven...), http.StatusBadRequest)

	once := userMsg(id.alice, "Exactly once")
	once["idempotencyKey"] = id.tag + "key-1"
	a := s.send(ctx, "messages/idempotent-first", id.shoes, once)
	b := s.send(ctx, "messages/idempotent-repeat", id.shoes, once)
	r.that("messages: a repeated idempotencyKey answers the first message's id", srcMessages, "the same id, not an earlier message's", b, func() (string, bool) {
		x, y := sentIDs(a), sentIDs(b)
		same := len(x) == 1 && len(y) == 1 && x[0] == y[0]
		fresh := len(x) == 1 && !slices.Contains(s.msgs, x[0])
		return fmt.Sprintf("same id: %v, a new id for a new key: %v", same, fresh), same && fresh
	})
	rs = s.do(ctx, "messages/list-after-repeat", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/messages", query: query("limit", "10")})
	r.that("messages: a repeated idempotencyKey stores one message", srcMessages, `1 message "Exactly once"`, rs, func() (string, bool) {
		n := 0
		data, _ := rs.get("data").([]any)
		for _, m := range data {
			if walk(m, "text") == "Exactly once" {
				n++
			}
		}
		return fmt.Sprintf("%d messages", n), n == 1
	})

	s.content(ctx)

	mpath := "/conversations/" + id.shoes + "/messages/" + s.msgs[0]
	s.do(ctx, "messages/edit", request{method: http.MethodPut, path: mpath, body: obj{"text": "Size 45?", "markEdited": true}})
	emoji := url.PathEscape("👍")
	rpath := mpath + "/reactions/" + emoji + "/" + id.bob
	r.status("reactions: PUT adds a reaction", srcSeed, s.do(ctx, "reactions/add", request{method: http.MethodPut, path: rpath}), http.StatusOK)
	rs = s.do(ctx, "messages/get-edited", request{method: http.MethodGet, path: mpath})
	r.that("messages: PUT edits the text; markEdited sets editedAt", srcMessages, `text "Size 45?", editedAt ms`, rs, func() (string, bool) {
		_, edited := ms(rs.get("editedAt"))
		return fmt.Sprintf("text %s, editedAt %s", show(rs.get("text")), show(rs.get("editedAt"))), rs.get("text") == "Size 45?" && edited
	})
	r.that("reactions: the message lists the reaction", srcSeed, `reactions {"👍": [bob]}`, rs, func() (string, bool) {
		who, _ := rs.get("reactions", "👍").([]any)
		return "reactions " + show(rs.get("reactions")), len(who) == 1 && who[0] == id.bob
	})
	r.status("reactions: DELETE removes a reaction", srcSeed, s.do(ctx, "reactions/remove", request{method: http.MethodDelete, path: rpath}), http.StatusOK)

	dpath := "/conversations/" + id.shoes + "/messages/" + s.msgs[1]
	r.status("messages: DELETE deletes a message", srcMessages, s.do(ctx, "messages/delete", request{method: http.MethodDelete, path: dpath}), http.StatusOK)
	r.status("messages: a deleted message is 404", srcMessages, s.do(ctx, "messages/get-deleted", request{method: http.MethodGet, path: dpath}), http.StatusNotFound)
}

// content sends a message as content blocks and reads it back.
func (s *steps) content(ctx context.Context) {
	r, id := s.r, s.id
	blocks := []any{obj{"type": "text", "children": []any{"Hi ", obj{"type": "bold", "children": []any{"there"}}}}}
	sent := s.send(ctx, "messages/send-content", id.shoes, obj{"type": "UserMessage", "sender": id.alice, "content": blocks})
	got := sentIDs(sent)
	if len(got) != 1 {
		r.status("messages: a message sent as content blocks keeps them", srcContent, sent, http.StatusOK)
		return
	}
	rs := s.do(ctx, "messages/get-content", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/messages/" + got[0]})
	r.that("messages: a message sent as content blocks keeps them", srcContent, `a text block with "Hi " and a bold "there"`, rs, func() (string, bool) {
		ok := rs.get("content", 0, "type") == "text" && rs.get("content", 0, "children", 0) == "Hi " &&
			rs.get("content", 0, "children", 1, "type") == "bold" && rs.get("content", 0, "children", 1, "children", 0) == "there"
		return "content " + show(rs.get("content")), ok
	})
}

// userConversation finds conv in a user's conversation list.
func (s *steps) userConversations(ctx context.Context, step, user string, q url.Values) *response {
	return s.do(ctx, step, request{method: http.MethodGet, path: "/users/" + user + "/conversations", query: q})
}

func (s *steps) readState(ctx context.Context) {
	r, id := s.r, s.id
	rs := s.userConversations(ctx, "read/list-unread", id.carol, query("filter", s.runFilter(nil), "limit", "10"))
	r.that("read: a user's list says a conversation with messages they have not read is unread", srcConversations,
		"shoes: isUnread true, unreadMessageCount > 0", rs, func() (string, bool) {
			c := find(rs, id.shoes)
			n, _ := ms(walk(c, "unreadMessageCount"))
			return fmt.Sprintf("isUnread %s, unreadMessageCount %s", show(walk(c, "isUnread")), show(walk(c, "unreadMessageCount"))),
				walk(c, "isUnread") == true && n > 0
		})
	rs = s.userConversations(ctx, "read/unreads-only", id.carol, query("unreadsOnly", "true", "filter", s.runFilter(nil), "limit", "10"))
	r.that("read: unreadsOnly=true lists the unread conversations", srcConversations, "[shoes]", rs, func() (string, bool) {
		got := ids(rs)
		return r.list(got), slices.Equal(got, []string{id.shoes})
	})
	rs = s.do(ctx, "read/mark", request{method: http.MethodPost, path: "/conversations/" + id.shoes + "/readBy/" + id.carol})
	r.status("read: POST …/readBy/{userId} marks the conversation read", srcConversations, rs, http.StatusOK)
	rs = s.userConversations(ctx, "read/list-read", id.carol, query("filter", s.runFilter(nil), "limit", "10"))
	r.that("read: after marking read the conversation is read", srcConversations, "isUnread false, unreadMessageCount 0", rs, func() (string, bool) {
		c := find(rs, id.shoes)
		n, ok := ms(walk(c, "unreadMessageCount"))
		return fmt.Sprintf("isUnread %s, unreadMessageCount %s", show(walk(c, "isUnread")), show(walk(c, "unreadMessageCount"))),
			walk(c, "isUnread") == false && ok && n == 0
	})
	if len(s.msgs) > 0 {
		rs = s.do(ctx, "read/message-read-by", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/messages/" + s.msgs[0]})
		r.that("read: a message read by a user lists them in readBy", srcMessages, "readBy has carol", rs, func() (string, bool) {
			rb, _ := rs.get("readBy").([]any)
			return "readBy " + show(rs.get("readBy")), slices.Contains(rb, any(id.carol))
		})
	}
	s.send(ctx, "read/send-after", id.shoes, userMsg(id.alice, "Still there?"))
	hasUnread, _ := json.Marshal(obj{"custom": obj{"run": []any{"==", id.tag}}, "hasUnreadMessages": true})
	rs = s.userConversations(ctx, "filters/has-unread", id.carol, query("filter", string(hasUnread), "limit", "10"))
	r.that("filters: hasUnreadMessages true; a new message makes a read conversation unread", srcFilterLanguage, "[shoes]", rs, func() (string, bool) {
		got := ids(rs)
		return r.list(got), slices.Equal(got, []string{id.shoes})
	})
	r.status("read: PATCH …/users/{userId}/conversations/{id} with readUntil moves the marker", srcSeed,
		s.do(ctx, "read/mark-unread", request{method: http.MethodPatch, path: "/users/" + id.carol + "/conversations/" + id.shoes,
			body: obj{"readUntil": 0}}), http.StatusOK)
}

func (s *steps) files(ctx context.Context) {
	r, id := s.r, s.id
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "hello.txt")
	fw.Write([]byte("hello"))
	mw.WriteField("filename", "hello.txt")
	mw.Close()
	rs := s.do(ctx, "files/upload", request{method: http.MethodPost, path: "/files", raw: buf.Bytes(), contentType: mw.FormDataContentType()})
	token, _ := rs.get("attachmentToken").(string)
	r.that("files: POST /files answers {attachmentToken}", srcMessages, "a token", rs, func() (string, bool) {
		return fmt.Sprintf("token: %v", token != ""), token != ""
	})
	if token == "" {
		r.skip("files: a message with an attachmentToken carries the file", srcMessages, "attachment url and size 5", "no attachment token")
		return
	}
	sent := s.send(ctx, "files/send", id.shoes, obj{"type": "UserMessage", "sender": id.alice, "attachmentToken": token})
	got := sentIDs(sent)
	if len(got) != 1 {
		r.status("files: a message with an attachmentToken carries the file", srcMessages, sent, http.StatusOK)
		return
	}
	rs = s.do(ctx, "files/message", request{method: http.MethodGet, path: "/conversations/" + id.shoes + "/messages/" + got[0]})
	r.that("files: a message with an attachmentToken carries the file", srcMessages, "attachment url and size 5", rs, func() (string, bool) {
		u, _ := rs.get("attachment", "url").(string)
		n, _ := ms(rs.get("attachment", "size"))
		return fmt.Sprintf("url: %v, size %d", u != "", n), u != "" && n == 5
	})
}

func (s *steps) imports(ctx context.Context) {
	r, id := s.r, s.id
	path := "/import/conversations/" + id.history + "/messages"
	m1 := obj{"type": "UserMessage", "sender": id.alice, "text": "Old hello", "timestamp": importT1, "readBy": []string{id.bob}}
	m2 := obj{"type": "UserMessage", "sender": id.bob, "text": "Old reply", "timestamp": importT2}
	r.status("import: POST …/import/conversations/{id}/messages imports messages", srcImport,
		s.do(ctx, "import/messages", request{method: http.MethodPost, path: path, body: []obj{m1, m2}}), http.StatusOK)
	r.status("import: importing the same message again is accepted", srcImport,
		s.do(ctx, "import/again", request{method: http.MethodPost, path: path, body: []obj{m1}}), http.StatusOK)
	rs := s.do(ctx, "import/list", request{method: http.MethodGet, path: "/conversations/" + id.history + "/messages", query: query("limit", "10")})
	r.that("import: messages keep their timestamp as createdAt; duplicates are kept", srcImport, "createdAt [t1 t1 t2]", rs, func() (string, bool) {
		data, _ := rs.get("data").([]any)
		var got []int64
		for _, m := range data {
			t, _ := ms(walk(m, "createdAt"))
			got = append(got, t)
		}
		slices.Sort(got)
		want := []int64{importT1, importT1, importT2}
		return fmt.Sprintf("createdAt %v", got), slices.Equal(got, want)
	})
	r.that(`import: imported messages have origin "import" and the readBy given`, srcImport, `origin "import"; "Old hello" read by bob`, rs, func() (string, bool) {
		data, _ := rs.get("data").([]any)
		ok := len(data) > 0
		var origins []string
		for _, m := range data {
			o, _ := walk(m, "origin").(string)
			origins = append(origins, o)
			ok = ok && o == "import"
			if walk(m, "text") == "Old hello" {
				rb, _ := walk(m, "readBy").([]any)
				ok = ok && slices.Contains(rb, any(id.bob))
			}
		}
		return fmt.Sprintf("origins %v", origins), ok
	})
	eleven := make([]obj, 11)
	for i := range eleven {
		eleven[i] = obj{"type": "UserMessage", "sender": id.alice, "text": fmt.Sprint("m", i), "timestamp": importT1 + int64(i)}
	}
	r.status("import: more than 10 messages in one request is 400", srcImport,
		s.do(ctx, "import/11", request{method: http.MethodPost, path: path, body: eleven}), http.StatusBadRequest)
	r.status("import: only participants' messages can be imported", srcImport,
		s.do(ctx, "import/not-participant", request{method: http.MethodPost, path: path,
			body: []obj{{"type": "UserMessage", "sender": id.carol, "text": "Who am I", "timestamp": importT1}}}), http.StatusBadRequest)
}

func (s *steps) ordering(ctx context.Context) {
	r, id := s.r, s.id
	// boots gets the newest message of the run: it must now lead by last
	// activity. The pause makes its time differ from shoes's last message
	// on any clock with milliseconds.
	_ = r.sleep(ctx, 2*time.Millisecond)
	s.send(ctx, "ordering/send-boots", id.boots, userMsg(id.alice, "Boots back in stock"))
	rs := s.do(ctx, "conversations/list-last-activity", request{method: http.MethodGet, path: "/conversations",
		query: query("limit", "10", "filter", s.runFilter(nil))})
	r.that("conversations: by default the list is by last activity, newest first", srcConversations, "boots, then shoes", rs, func() (string, bool) {
		got := only(ids(rs), id.boots, id.shoes)
		return r.list(got), slices.Equal(got, []string{id.boots, id.shoes})
	})
	a, okA := ms(walk(find(rs, id.shoes), "lastMessage", "createdAt"))
	b, okB := ms(walk(find(rs, id.boots), "lastMessage", "createdAt"))
	if !okA || !okB || a >= b {
		r.skip(`filters: lastMessageTs ["between", [a, b]] holds for a ≤ t < b`, srcCore, "[shoes]",
			"the list gave no increasing lastMessage.createdAt for shoes and boots")
		r.skip(`filters: lastMessageTs [">=", a]`, srcFilterLanguage, "[boots shoes]",
			"the list gave no increasing lastMessage.createdAt for shoes and boots")
		return
	}
	between, _ := json.Marshal(obj{"custom": obj{"run": []any{"==", id.tag}}, "lastMessageTs": []any{"between", []int64{a, b}}})
	rs = s.do(ctx, "filters/between", request{method: http.MethodGet, path: "/conversations", query: query("limit", "10", "filter", string(between))})
	r.that(`filters: lastMessageTs ["between", [a, b]] holds for a ≤ t < b`, srcCore, "[shoes]", rs, func() (string, bool) {
		got := ids(rs)
		return r.list(got), slices.Equal(got, []string{id.shoes})
	})
	atLeast, _ := json.Marshal(obj{"custom": obj{"run": []any{"==", id.tag}}, "lastMessageTs": []any{">=", a}})
	rs = s.do(ctx, "filters/at-least", request{method: http.MethodGet, path: "/conversations", query: query("limit", "10", "filter", string(atLeast))})
	r.that(`filters: lastMessageTs [">=", a]`, srcFilterLanguage, "[boots shoes]", rs, func() (string, bool) {
		got := ids(rs)
		return r.list(got), sameSet(got, []string{id.shoes, id.boots})
	})
}

func (s *steps) versions(ctx context.Context) {
	r, id := s.r, s.id
	r.status("versions: since 2024-01-01 listing a missing user's conversations is 404", srcChangelog,
		s.userConversations(ctx, "versions/missing-user-2024", id.nobody, nil), http.StatusNotFound)
	rs := s.do(ctx, "versions/missing-user-2021", request{method: http.MethodGet, path: "/users/" + id.nobody + "/conversations", version: "2021-02-09"})
	r.that("versions: before 2024-01-01 listing a missing user's conversations is an empty list", srcChangelog, "data []", rs, func() (string, bool) {
		data, ok := rs.get("data").([]any)
		return "data " + show(rs.get("data")), ok && len(data) == 0
	})
	rs = s.do(ctx, "versions/2021-01-01-order", request{method: http.MethodGet, path: "/conversations", version: "2021-01-01",
		query: query("orderBy", "createdAt", "orderDirection", "ASC", "limit", "10", "filter", s.runFilter(nil))})
	want := []string{id.sandals, id.history, id.boots, id.shoes}
	r.that("versions: before 2021-02-09 lists are createdAt DESC whatever the order asked", srcOurs, r.list(want), rs, func() (string, bool) {
		got := only(ids(rs), want...)
		return r.list(got), slices.Equal(got, want)
	})
}

func (s *steps) batch(ctx context.Context) {
	r, id := s.r, s.id
	rs := s.do(ctx, "batch/run", request{method: http.MethodPost, path: "/batch", body: []any{
		[]any{1, "GET", "/users/" + id.alice},
		[]any{2, "PUT", "/users/" + id.bob, obj{"custom": obj{"via": "batch"}}},
		[]any{3, "GET", "/users/" + id.nobody},
	}})
	r.that("batch: the answer has one [sequence, status, response] per operation", srcBatch, "1→200, 2→200, 3→404", rs, func() (string, bool) {
		entries, _ := rs.v.([]any)
		got := map[int64]int64{}
		for _, e := range entries {
			seq, ok1 := ms(walk(e, 0))
			st, ok2 := ms(walk(e, 1))
			if ok1 && ok2 && len(e.([]any)) == 3 {
				got[seq] = st
			}
		}
		obs := fmt.Sprintf("1→%d, 2→%d, 3→%d", got[1], got[2], got[3])
		return obs, len(entries) == 3 && got[1] == 200 && got[2] == 200 && got[3] == 404
	})
	r.that("batch: a GET's response holds what the GET answers", srcBatch, `the user, name "Alice"`, rs, func() (string, bool) {
		entries, _ := rs.v.([]any)
		for _, e := range entries {
			if seq, _ := ms(walk(e, 0)); seq == 1 {
				resp := walk(e, 2)
				if text, ok := resp.(string); ok { // TalkJS types it as a string: JSON text
					var v any
					if json.Unmarshal([]byte(text), &v) == nil {
						resp = v
					}
				}
				return fmt.Sprintf("name %s", show(walk(resp, "name"))), walk(resp, "name") == "Alice"
			}
		}
		return "no entry 1", false
	})
	rs = s.do(ctx, "batch/effect", request{method: http.MethodGet, path: "/users/" + id.bob})
	r.that("batch: a PUT in a batch takes effect", srcBatch, `custom.via "batch"`, rs, func() (string, bool) {
		return "custom " + show(rs.get("custom")), rs.get("custom", "via") == "batch"
	})
	ops := make([]any, 11)
	for i := range ops {
		ops[i] = []any{i + 1, "GET", "/users/" + id.alice}
	}
	r.status("batch: more than 10 operations is 400", srcBatch, s.do(ctx, "batch/11", request{method: http.MethodPost, path: "/batch", body: ops}), http.StatusBadRequest)
}

func (s *steps) presence(ctx context.Context) {
	r, id := s.r, s.id
	rs := s.do(ctx, "presence/list", request{method: http.MethodPost, path: "/presences", body: obj{"userIds": []string{id.alice}}})
	r.that("presence: POST /presences answers {data: {userId: …}}", srcPresence, "data an object without alice (offline)", rs, func() (string, bool) {
		data, ok := rs.get("data").(map[string]any)
		_, online := data[id.alice]
		return "data " + show(rs.get("data")), ok && !online
	})
	rs = s.do(ctx, "presence/sessions", request{method: http.MethodGet, path: "/users/" + id.alice + "/sessions"})
	r.that("presence: GET /users/{id}/sessions answers a list of sessions", srcUsers, "[] (no session)", rs, func() (string, bool) {
		a, ok := rs.v.([]any)
		return brief(rs.v, rs.body), ok && len(a) == 0
	})
	// The seed's presence, after the sessions: it may count as a session.
	r.status("presence: PUT /users/{id}/presence sets a presence", srcSeed,
		s.do(ctx, "presence/set", request{method: http.MethodPut, path: "/users/" + id.alice + "/presence",
			body: obj{"visible": false, "availability": "offline"}}), http.StatusOK)
	rs = s.do(ctx, "presence/get", request{method: http.MethodGet, path: "/users/" + id.alice + "/presence"})
	r.that("presence: GET /users/{id}/presence answers it", srcSeed, `availability "offline"`, rs, func() (string, bool) {
		return "availability " + show(rs.get("availability")), rs.get("availability") == "offline"
	})
}

func (s *steps) appAndNotifications(ctx context.Context) {
	r, id := s.r, s.id
	rs := s.do(ctx, "app/get", request{method: http.MethodGet, path: ""})
	r.that("app: GET /v1/{appId} answers the app", srcGettingStarted, "{id: appId}", rs, func() (string, bool) {
		return "id is the app id: " + fmt.Sprint(rs.get("id") == r.cfg.AppID), rs.get("id") == r.cfg.AppID
	})
	if m, ok := rs.v.(map[string]any); ok && rs.ok() {
		// Write back what the app has, so that nothing changes even if
		// TalkJS replaced the whole app on PUT.
		same := obj{}
		for _, k := range []string{"custom", "defaultLocale"} {
			if v, ok := m[k]; ok && v != nil {
				same[k] = v
			}
		}
		r.status("app: PUT /v1/{appId} with the app's own values answers 200", srcGettingStarted,
			s.do(ctx, "app/put-same", request{method: http.MethodPut, path: "", body: same}), http.StatusOK)
	} else {
		r.skip("app: PUT /v1/{appId} with the app's own values answers 200", srcGettingStarted, "200", "GET /v1/{appId} answered no app")
	}
	rs = s.do(ctx, "app/head-user", request{method: http.MethodHead, path: "/users/" + id.alice})
	r.status("http: HEAD answers like GET, without a body", srcOurs, rs, http.StatusOK)
	r.status("notifications: channels is required", srcNotifications,
		s.do(ctx, "notifications/no-channels", request{method: http.MethodPost, path: "/conversations/" + id.shoes + "/notifications", body: obj{}}),
		http.StatusBadRequest)
}

func (s *steps) errors(ctx context.Context) {
	r, id := s.r, s.id
	r.status("errors: a body that is not JSON is 400", srcGettingStarted,
		s.do(ctx, "errors/bad-json", request{method: http.MethodPut, path: "/users/" + id.alice, raw: []byte(`{"name":`), contentType: "application/json"}),
		http.StatusBadRequest)
	r.status("errors: a field of the wrong type is 400", srcGettingStarted,
		s.do(ctx, "errors/wrong-type", request{method: http.MethodPut, path: "/users/" + id.alice, body: obj{"name": 42}}), http.StatusBadRequest)
}

func (s *steps) deletion(ctx context.Context) {
	r, id := s.r, s.id
	r.status("messages: DELETE …/messages deletes all messages", srcMessages,
		s.do(ctx, "messages/delete-all", request{method: http.MethodDelete, path: "/conversations/" + id.history + "/messages"}), http.StatusOK)
	rs := s.do(ctx, "messages/list-after-delete-all", request{method: http.MethodGet, path: "/conversations/" + id.history + "/messages"})
	r.that("messages: after deleting all messages the list is empty", srcMessages, "data []", rs, func() (string, bool) {
		data, ok := rs.get("data").([]any)
		return fmt.Sprintf("%d messages", len(data)), ok && len(data) == 0
	})
	r.status("conversations: DELETE deletes a conversation", srcConversations,
		s.do(ctx, "conversations/delete", request{method: http.MethodDelete, path: "/conversations/" + id.sandals}), http.StatusOK)
	r.status("conversations: a deleted conversation is 404", srcConversations,
		s.do(ctx, "conversations/get-deleted", request{method: http.MethodGet, path: "/conversations/" + id.sandals}), http.StatusNotFound)
	r.status("conversations: deleting a missing conversation is 404", srcOurs,
		s.do(ctx, "conversations/delete-missing", request{method: http.MethodDelete, path: "/conversations/" + id.sandals}), http.StatusNotFound)
}

// cleanup deletes the conversations and anonymises the users the scenario
// created. It spends the budget reserved for it and records a problem for
// anything it could not clean.
func (r *runner) cleanup(ctx context.Context) {
	// An interrupted run still cleans up, within bounds.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for _, c := range r.convs {
		rs := r.do(ctx, "cleanup/delete-conversation", request{method: http.MethodDelete, path: "/conversations/" + c, cleanup: true})
		if !rs.sent || rs.err != nil || (rs.status != http.StatusOK && rs.status != http.StatusNotFound) {
			r.cleanupProblems = append(r.cleanupProblems, fmt.Sprintf("conversation %s: %s", c, observedStatus(rs)))
		}
	}
	anonymous := obj{"name": anonymousName, "email": nil, "phone": nil, "photoUrl": nil, "headerPhotoUrl": nil,
		"welcomeMessage": nil, "availabilityText": nil, "role": nil, "custom": nil, "pushTokens": nil}
	for _, u := range r.users {
		rs := r.do(ctx, "cleanup/anonymise-user", request{method: http.MethodPut, path: "/users/" + u, body: anonymous, cleanup: true})
		if !rs.ok() {
			r.cleanupProblems = append(r.cleanupProblems, fmt.Sprintf("user %s: %s", u, observedStatus(rs)))
		}
	}
	// Users that exist only if the service accepted what it should have
	// refused: look before anonymising, so as not to create them.
	for _, u := range r.maybeUsers {
		rs := r.do(ctx, "cleanup/look-for-user", request{method: http.MethodGet, path: "/users/" + u, cleanup: true})
		if rs.sent && rs.err == nil && rs.status == http.StatusNotFound {
			continue
		}
		if !rs.ok() {
			r.cleanupProblems = append(r.cleanupProblems, fmt.Sprintf("user %s: %s", u, observedStatus(rs)))
			continue
		}
		r.users = append(r.users, u)
		rs = r.do(ctx, "cleanup/anonymise-user", request{method: http.MethodPut, path: "/users/" + u, body: anonymous, cleanup: true})
		if !rs.ok() {
			r.cleanupProblems = append(r.cleanupProblems, fmt.Sprintf("user %s: %s", u, observedStatus(rs)))
		}
	}
}

// Plan lists what a run with prefix creates, for the notice shown before
// running against a real app.
type Plan struct {
	// Users are created and anonymised at the end.
	Users []string
	// Refused are users the scenario asks for in requests TalkJS should
	// refuse; the cleanup anonymises any that exist anyway.
	Refused []string
	// Conversations are created and deleted at the end.
	Conversations []string
}

// PlanFor returns the ids a run with prefix creates.
func PlanFor(prefix string) Plan {
	id := newIDs(prefix)
	return Plan{
		Users:         []string{id.alice, id.bob, id.carol},
		Refused:       []string{id.nameless, id.dave, id.eve},
		Conversations: []string{id.shoes, id.boots, id.history, id.sandals},
	}
}

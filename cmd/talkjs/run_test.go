package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// The run functions, called as parsing calls them, against a server whose
// clock stands still: each case compares the whole output with the table a
// person sees.

func TestRunUsers(t *testing.T) {
	e := newFixedEnv(t)
	ctx := t.Context()
	must(t, e.client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice", Email: talkjs.Values("alice@example.com", "a@example.org"),
		Role: talkjs.Value("customer"), Custom: talkjs.Value(talkjs.CustomInput{"plan": talkjs.Value("pro")})}))
	must(t, e.client.Users.Upsert(ctx, "bob", talkjs.UserInput{Name: "Bob"}))
	must(t, e.client.Conversations.Upsert(ctx, "order-1", talkjs.ConversationInput{Subject: talkjs.Value("Shoes"), Participants: []string{"alice", "bob"}}))
	_, err := e.client.Messages.SendOne(ctx, "order-1", talkjs.UserMessage("alice", "Do they come in size 44?"))
	must(t, err)

	e.check([]runCase{
		{call: "runUsersGet(alice)", run: func(ctx context.Context, a apiIO) error {
			return runUsersGet(ctx, &usersGetOptions{apiIO: a, userID: "alice"})
		}, want: `id              alice
name            Alice
email           alice@example.com, a@example.org
phone           -
role            customer
photoUrl        -
locale          -
welcomeMessage  -
custom          plan=pro
createdAt       2026-03-14 15:09:26
`},
		{call: "runUsersGet(bob) --json", json: true, run: func(ctx context.Context, a apiIO) error {
			return runUsersGet(ctx, &usersGetOptions{apiIO: a, userID: "bob"})
		}, want: `{
  "id": "bob",
  "name": "Bob",
  "email": null,
  "phone": null,
  "photoUrl": null,
  "headerPhotoUrl": null,
  "role": null,
  "welcomeMessage": null,
  "availabilityText": null,
  "locale": null,
  "custom": {},
  "pushTokens": null,
  "createdAt": 1773500966000
}
`},
		{call: "runUsersUpsert(carol --name Carol --email c@example.com --locale nl-NL)", run: func(ctx context.Context, a apiIO) error {
			opts := &usersUpsertOptions{apiIO: a, userID: "carol", name: "Carol", email: listFlag{"c@example.com"}, custom: customFlag{}}
			opts.locale.Set("nl-NL")
			return runUsersUpsert(ctx, opts)
		}, want: `Upserted user carol.
id              carol
name            Carol
email           c@example.com
phone           -
role            -
photoUrl        -
locale          nl-NL
welcomeMessage  -
custom          -
createdAt       2026-03-14 15:09:26
`},
		{call: "runUsersList(--limit 2)", run: func(ctx context.Context, a apiIO) error {
			return runUsersList(ctx, &usersListOptions{apiIO: a, page: &pageFlags{limit: 2}})
		}, want: `ID     NAME   EMAIL          ROLE  CREATED
carol  Carol  c@example.com  -     2026-03-14 15:09:26
bob    Bob    -              -     2026-03-14 15:09:26
`},
		{call: "runUsersList(--all --limit 2)", run: func(ctx context.Context, a apiIO) error {
			return runUsersList(ctx, &usersListOptions{apiIO: a, page: &pageFlags{limit: 2, all: true}})
		}, want: `ID     NAME   EMAIL                            ROLE      CREATED
carol  Carol  c@example.com                    -         2026-03-14 15:09:26
bob    Bob    -                                -         2026-03-14 15:09:26
alice  Alice  alice@example.com,a@example.org  customer  2026-03-14 15:09:26
`},
		{call: "runUsersConversations(bob)", run: func(ctx context.Context, a apiIO) error {
			return runUsersConversations(ctx, &usersConversationsOptions{apiIO: a, list: &conversationListFlags{page: &pageFlags{}}, userID: "bob"})
		}, want: `ID       SUBJECT  UNREAD  LAST MESSAGE              AT
order-1  Shoes    1       Do they come in size 44?  2026-03-14 15:09:26
`},
		{call: "runUsersConversations(alice --unread-only)", run: func(ctx context.Context, a apiIO) error {
			return runUsersConversations(ctx, &usersConversationsOptions{apiIO: a, list: &conversationListFlags{page: &pageFlags{}}, userID: "alice", unreadOnly: true})
		}, want: `ID  SUBJECT  UNREAD  LAST MESSAGE  AT
`},
		{call: "runUsersPresence()", run: func(ctx context.Context, a apiIO) error {
			return runUsersPresence(ctx, &usersPresenceOptions{apiIO: a})
		}, want: `USER  STATUS  WIDGETS  BACKGROUND SESSIONS
`},
		{call: "runUsersSessions(alice)", run: func(ctx context.Context, a apiIO) error {
			return runUsersSessions(ctx, &usersSessionsOptions{apiIO: a, userID: "alice"})
		}, want: `SESSION  TYPING  CONVERSATION
`},
	}, nil)
}

func TestRunConversations(t *testing.T) {
	e := newFixedEnv(t)
	ctx := t.Context()
	must(t, e.client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}))
	must(t, e.client.Users.Upsert(ctx, "bob", talkjs.UserInput{Name: "Bob"}))
	must(t, e.client.Conversations.Upsert(ctx, "hats-1", talkjs.ConversationInput{Subject: talkjs.Value("Hats"), Participants: []string{"alice"},
		Custom: talkjs.Value(talkjs.CustomInput{"category": talkjs.Value("hats")})}))

	e.check([]runCase{
		{call: "runConversationsUpsert(shoes-1 --subject Shoes --participant alice,bob --custom category=shoes)", run: func(ctx context.Context, a apiIO) error {
			opts := &conversationsUpsertOptions{apiIO: a, conversationID: "shoes-1", participants: listFlag{"alice", "bob"}, custom: customFlag{}}
			opts.subject.Set("Shoes")
			opts.custom.Set("category=shoes")
			return runConversationsUpsert(ctx, opts)
		}, want: `Upserted conversation shoes-1.
id         shoes-1
subject    Shoes
custom     category=shoes
createdAt  2026-03-14 15:09:26

PARTICIPANT  ACCESS     NOTIFY  UNREAD  JOINED
alice        ReadWrite  on      false   2026-03-14 15:09:26
bob          ReadWrite  on      false   2026-03-14 15:09:26
`},
		{call: "runConversationsGet(hats-1)", run: func(ctx context.Context, a apiIO) error {
			return runConversationsGet(ctx, &conversationsGetOptions{apiIO: a, conversationID: "hats-1"})
		}, want: `id         hats-1
subject    Hats
custom     category=hats
createdAt  2026-03-14 15:09:26

PARTICIPANT  ACCESS     NOTIFY  UNREAD  JOINED
alice        ReadWrite  on      false   2026-03-14 15:09:26
`},
		{call: "runConversationsList()", run: func(ctx context.Context, a apiIO) error {
			return runConversationsList(ctx, &conversationsListOptions{apiIO: a, list: &conversationListFlags{page: &pageFlags{}}})
		}, want: `ID       SUBJECT  PARTICIPANTS  CUSTOM          CREATED              LAST MESSAGE
shoes-1  Shoes    2             category=shoes  2026-03-14 15:09:26  -
hats-1   Hats     1             category=hats   2026-03-14 15:09:26  -
`},
		{call: `runConversationsList(--filter '{"custom":{"category":["==","hats"]}}')`, run: func(ctx context.Context, a apiIO) error {
			return runConversationsList(ctx, &conversationsListOptions{apiIO: a,
				list: &conversationListFlags{page: &pageFlags{}, filter: `{"custom":{"category":["==","hats"]}}`}})
		}, want: `ID      SUBJECT  PARTICIPANTS  CUSTOM         CREATED              LAST MESSAGE
hats-1  Hats     1             category=hats  2026-03-14 15:09:26  -
`},
		{call: "runConversationsNotify(shoes-1 --channel email --recipient bob)", run: func(ctx context.Context, a apiIO) error {
			return runConversationsNotify(ctx, &conversationsNotifyOptions{apiIO: a, conversationID: "shoes-1", channels: listFlag{"email"}, recipients: listFlag{"bob"}})
		}, want: `Asked TalkJS to notify about shoes-1 by email.
`},
		{call: "runConversationsDelete(hats-1)", run: func(ctx context.Context, a apiIO) error {
			return runConversationsDelete(ctx, &conversationsDeleteOptions{apiIO: a, conversationID: "hats-1"})
		}, want: `Deleted conversation hats-1.
`},
		{call: "runConversationsDelete(shoes-1) --json", json: true, run: func(ctx context.Context, a apiIO) error {
			return runConversationsDelete(ctx, &conversationsDeleteOptions{apiIO: a, conversationID: "shoes-1"})
		}, want: `{
  "deleted": "shoes-1"
}
`},
	}, nil)
}

func TestRunParticipants(t *testing.T) {
	e := newFixedEnv(t)
	ctx := t.Context()
	for _, id := range []string{"alice", "bob", "carol"} {
		must(t, e.client.Users.Upsert(ctx, id, talkjs.UserInput{Name: id}))
	}
	must(t, e.client.Conversations.Upsert(ctx, "c1", talkjs.ConversationInput{Participants: []string{"alice", "bob"}}))
	_, err := e.client.Messages.SendOne(ctx, "c1", talkjs.UserMessage("alice", "Hi"))
	must(t, err)

	e.check([]runCase{
		{call: "runParticipantsJoin(c1 carol --access Read --notify MentionsOnly)", run: func(ctx context.Context, a apiIO) error {
			return runParticipantsJoin(ctx, &participantsChangeOptions{apiIO: a, conversationID: "c1", userID: "carol", access: "Read", notify: "MentionsOnly"})
		}, want: `carol joined c1: access Read, notify MentionsOnly.
`},
		{call: "runParticipantsUpdate(c1 carol --access None) --json", json: true, run: func(ctx context.Context, a apiIO) error {
			return runParticipantsUpdate(ctx, &participantsChangeOptions{apiIO: a, conversationID: "c1", userID: "carol", access: "None"})
		}, want: `{
  "access": "None",
  "notify": "MentionsOnly",
  "isUnread": true,
  "joinedAt": 1773500966000,
  "readUntil": null
}
`},
		{call: "runParticipantAction(leave c1 carol)", run: func(ctx context.Context, a apiIO) error {
			return runParticipantAction(ctx, &participantActionOptions{apiIO: a, action: participantActions[0], conversationID: "c1", userID: "carol"})
		}, want: `carol left c1.
`},
		{call: "runParticipantAction(mark-read c1 bob)", run: func(ctx context.Context, a apiIO) error {
			return runParticipantAction(ctx, &participantActionOptions{apiIO: a, action: participantActions[1], conversationID: "c1", userID: "bob"})
		}, want: `Marked c1 read by bob.
`},
		{call: "runParticipantAction(mark-unread c1 bob) --json", json: true, run: func(ctx context.Context, a apiIO) error {
			return runParticipantAction(ctx, &participantActionOptions{apiIO: a, action: participantActions[2], conversationID: "c1", userID: "bob"})
		}, want: `{
  "conversation": "c1",
  "unreadBy": "bob"
}
`},
		{call: "runConversationsGet(c1)", run: func(ctx context.Context, a apiIO) error {
			return runConversationsGet(ctx, &conversationsGetOptions{apiIO: a, conversationID: "c1"})
		}, want: `id           c1
subject      -
custom       -
createdAt    2026-03-14 15:09:26
lastMessage  2026-03-14 15:09:26 alice: Hi

PARTICIPANT  ACCESS     NOTIFY  UNREAD  JOINED
alice        ReadWrite  on      false   2026-03-14 15:09:26
bob          ReadWrite  on      true    2026-03-14 15:09:26
`},
	}, nil)
}

func TestRunMessages(t *testing.T) {
	e := newFixedEnv(t)
	ctx := t.Context()
	must(t, e.client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"}))
	must(t, e.client.Users.Upsert(ctx, "bob", talkjs.UserInput{Name: "Bob"}))
	must(t, e.client.Conversations.Upsert(ctx, "c1", talkjs.ConversationInput{Participants: []string{"alice", "bob"}}))
	id, err := e.client.Messages.SendOne(ctx, "c1", talkjs.UserMessage("alice", "Do they come in size 44?"))
	must(t, err)
	sent := "" // the system message's id, once sent

	e.check([]runCase{
		{call: "runMessagesGet(c1 $ID)", run: func(ctx context.Context, a apiIO) error {
			return runMessagesGet(ctx, &messagesGetOptions{apiIO: a, conversationID: "c1", messageID: id})
		}, want: `id            $ID
conversation  c1
type          UserMessage
sender        alice
origin        rest
text          Do they come in size 44?
custom        -
reactions     none
createdAt     2026-03-14 15:09:26
editedAt      -
`},
		{call: "runMessagesEdit(c1 $ID --text 'Size 44, please' --mark-edited --custom k=v)", run: func(ctx context.Context, a apiIO) error {
			opts := &messagesEditOptions{apiIO: a, conversationID: "c1", messageID: id, text: "Size 44, please", markEdited: true, custom: customFlag{}}
			opts.custom.Set("k=v")
			return runMessagesEdit(ctx, opts)
		}, want: `id            $ID
conversation  c1
type          UserMessage
sender        alice
origin        rest
text          Size 44, please
custom        k=v
reactions     none
createdAt     2026-03-14 15:09:26
editedAt      2026-03-14 15:09:26
`},
		{call: "runMessagesReact(c1 $ID 👍 --user bob)", run: func(ctx context.Context, a apiIO) error {
			return runMessagesReact(ctx, &messagesReactOptions{apiIO: a, conversationID: "c1", messageID: id, emoji: "👍", user: "bob", add: true})
		}, want: `Added bob's 👍 on $ID; reactions now: 👍 by bob.
`},
		{call: "runMessagesReact(unreact c1 $ID 👍 --user bob)", run: func(ctx context.Context, a apiIO) error {
			return runMessagesReact(ctx, &messagesReactOptions{apiIO: a, conversationID: "c1", messageID: id, emoji: "👍", user: "bob"})
		}, want: `Removed bob's 👍 on $ID; reactions now: none.
`},
		{call: "runMessagesSend(c1 --system 'Order shipped' --idempotency-key k1) --json", json: true, run: func(ctx context.Context, a apiIO) error {
			if err := runMessagesSend(ctx, &messagesSendOptions{apiIO: a, conversationID: "c1", system: "Order shipped", idempotencyKey: "k1"}); err != nil {
				return err
			}
			msgs, err := e.client.Messages.List(ctx, "c1", nil)
			if err == nil {
				sent = msgs[0].ID // newest first
			}
			return err
		}, want: `{
  "id": "$SENT"
}
`},
		{call: "runMessagesList(c1)", run: func(ctx context.Context, a apiIO) error {
			return runMessagesList(ctx, &messagesListOptions{apiIO: a, conversationID: "c1", page: &pageFlags{}})
		}, want: `ID                          AT                   SENDER  TYPE           TEXT
$SENT  2026-03-14 15:09:26  -       SystemMessage  Order shipped
$ID  2026-03-14 15:09:26  alice   UserMessage    Size 44, please
`},
		{call: "runMessagesDelete(c1 $SENT)", run: func(ctx context.Context, a apiIO) error {
			return runMessagesDelete(ctx, &messagesDeleteOptions{apiIO: a, conversationID: "c1", messageID: sent})
		}, want: `Deleted message $SENT.
`},
		{call: "runMessagesDelete(c1 $ID) --json", json: true, run: func(ctx context.Context, a apiIO) error {
			return runMessagesDelete(ctx, &messagesDeleteOptions{apiIO: a, conversationID: "c1", messageID: id})
		}, want: `{
  "deleted": "$ID"
}
`},
		{call: "runMessagesDeleteAll(c1 --yes)", run: func(ctx context.Context, a apiIO) error {
			return runMessagesDeleteAll(ctx, &messagesDeleteAllOptions{apiIO: a, conversationID: "c1", yes: true})
		}, want: `Deleted every message of c1.
`},
	}, func(want string) string { return strings.NewReplacer("$ID", id, "$SENT", sent).Replace(want) })
}

func TestRunApp(t *testing.T) {
	e := newFixedEnv(t)
	e.check([]runCase{
		{call: "runAppGet()", run: func(ctx context.Context, a apiIO) error {
			return runAppGet(ctx, &appGetOptions{apiIO: a})
		}, want: `id              test_app
default locale  -
`},
		{call: "runAppUpdate(--custom tier=gold --custom region=eu --default-locale nl-NL)", run: func(ctx context.Context, a apiIO) error {
			opts := &appUpdateOptions{apiIO: a, custom: customFlag{}}
			opts.custom.Set("tier=gold")
			opts.custom.Set("region=eu")
			opts.locale.Set("nl-NL")
			return runAppUpdate(ctx, opts)
		}, want: `Updated the app.
id              test_app
default locale  nl-NL
custom.region   eu
custom.tier     gold
`},
	}, nil)
}

func TestRunBatchAndUpsertMany(t *testing.T) {
	e := newFixedEnv(t)
	ops := filepath.Join(t.TempDir(), "ops.json")
	if err := os.WriteFile(ops, []byte(`[{"method":"PUT","path":"/users/dave","payload":{"name":"Dave"}},[2,"GET","/users/nobody"]]`), 0o644); err != nil {
		t.Fatal(err)
	}
	e.check([]runCase{
		{call: "runUsersUpsertMany(- with two NDJSON lines)", run: func(ctx context.Context, a apiIO) error {
			st := &stdio{In: strings.NewReader("{\"id\":\"bob\",\"name\":\"Bob\"}\n{\"id\":\"carol\",\"name\":\"Carol\"}\n")}
			return runUsersUpsertMany(ctx, &usersUpsertManyOptions{apiIO: a, st: st, file: "-"})
		}, want: "Upserted 2 users.\n"},
		{call: "runBatch(ops.json)", run: func(ctx context.Context, a apiIO) error {
			err := runBatch(ctx, &batchOptions{apiIO: a, st: &stdio{}, file: ops})
			if want := "1 of 2 operations failed"; err == nil || err.Error() != want {
				return fmt.Errorf("error %v, want %q", err, want)
			}
			return nil
		}, want: `#  METHOD  PATH           STATUS  RESPONSE
0  PUT     /users/dave    200     {}
1  GET     /users/nobody  404     {"error":"not_found","message":"no user with id \"nobody\""}
`},
	}, nil)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunTokens(t *testing.T) {
	t.Parallel()
	vars := map[string]string{talkjs.EnvAppID: "app1", talkjs.EnvSecretKey: "sk_test_secret"}
	for _, tc := range []struct {
		call    string
		run     func(ctx context.Context, opts *tokenOptions) error
		opts    tokenOptions
		want    string // the claims but iat and exp, as JSON
		seconds float64
		err     string
	}{
		{"runTokenApp(--lifetime 5m)", runTokenApp, tokenOptions{lifetime: 5 * time.Minute},
			`{"iss":"app1","tokenType":"app"}`, 300, ""},
		{"runTokenUser(--user-id alice --lifetime 2h)", runTokenUser, tokenOptions{userID: "alice", lifetime: 2 * time.Hour},
			`{"iss":"app1","sub":"alice","tokenType":"user"}`, 7200, ""},
		{"runTokenApp(--lifetime 25h)", runTokenApp, tokenOptions{lifetime: 25 * time.Hour}, "", 0, "usage: --lifetime must be between 1s and 24h"},
		{"runTokenUser(--lifetime 1h)", runTokenUser, tokenOptions{lifetime: time.Hour}, "", 0, "usage: --user-id is required"},
	} {
		t.Run(tc.call, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			st := &stdio{Getenv: func(k string) string { return vars[k] }}
			opts := tc.opts
			opts.out = &out
			opts.client = func(extra ...talkjs.Option) (*talkjs.Client, error) { return (&clientFlags{}).client(st, extra...) }
			err := tc.run(t.Context(), &opts)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("%s = error %v, want %q", tc.call, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s = error %v, want nil", tc.call, err)
			}
			claims := jwt.MapClaims{}
			if _, err := jwt.ParseWithClaims(strings.TrimSuffix(out.String(), "\n"), claims,
				func(*jwt.Token) (any, error) { return []byte("sk_test_secret"), nil }, jwt.WithValidMethods([]string{"HS256"})); err != nil {
				t.Fatalf("%s printed %q, want one HS256 token signed with the secret (%v)", tc.call, out.String(), err)
			}
			seconds := claims["exp"].(float64) - claims["iat"].(float64)
			delete(claims, "exp")
			delete(claims, "iat")
			got, _ := json.Marshal(claims)
			if string(got) != tc.want || seconds != tc.seconds {
				t.Errorf("%s = claims %s valid %vs, want %s valid %vs", tc.call, got, seconds, tc.want, tc.seconds)
			}
		})
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func usersCommands() []*command {
	return []*command{
		{
			Name: "users get", Summary: "Show a user",
			Example: "talkjs users get alice\ntalkjs users get alice --json",
			Args:    []string{"USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &usersGetOptions{apiIO: addAPIFlags(fs, st)}
				return func(ctx context.Context, args []string) error {
					opts.userID = args[0]
					return runUsersGet(ctx, opts)
				}
			},
		},

		{
			Name: "users list", Summary: "List the app's users",
			Example: "talkjs users list --limit 50\ntalkjs users list --all --json",
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &usersListOptions{apiIO: addAPIFlags(fs, st), page: addPageFlags(fs)}
				return func(ctx context.Context, _ []string) error { return runUsersList(ctx, opts) }
			},
		},

		{
			Name: "users upsert", Summary: "Create a user, or update the fields given",
			Example: `talkjs users upsert alice --name Alice --email alice@example.com --role customer --custom plan=pro
talkjs users upsert alice --photo-url ""      # an empty value clears the field`,
			Args: []string{"USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &usersUpsertOptions{apiIO: addAPIFlags(fs, st), custom: customFlag{}}
				fs.StringVar(&opts.name, "name", "", "display name (needed when the user is created)")
				fs.Var(&opts.email, "email", "email `address` (repeat, or separate with commas)")
				fs.Var(&opts.phone, "phone", "phone `number` (repeat, or separate with commas)")
				fs.Var(&opts.photo, "photo-url", "photo `URL`")
				fs.Var(&opts.role, "role", "`role`, as configured in the dashboard")
				fs.Var(&opts.locale, "locale", "`locale`, such as en-US")
				fs.Var(&opts.welcome, "welcome-message", "welcome message `text`")
				fs.Var(&opts.availability, "availability-text", "availability `text`")
				fs.Var(opts.custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				return func(ctx context.Context, args []string) error {
					opts.userID = args[0]
					return runUsersUpsert(ctx, opts)
				}
			},
		},

		{
			Name: "users upsert-many", Summary: "Create or update many users from a JSON array or NDJSON file",
			Long: `Each user is an object with "id" and the fields of a user ("name", "email",
"role", "custom", …). They are sent 100 per request, in order; each request
is all-or-nothing. On failure the command says how many were stored.`,
			Example: `talkjs users upsert-many users.json
echo '{"id":"alice","name":"Alice"}' | talkjs users upsert-many -`,
			Args: []string{"FILE"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &usersUpsertManyOptions{apiIO: addAPIFlags(fs, st), st: st}
				return func(ctx context.Context, args []string) error {
					opts.file = args[0]
					return runUsersUpsertMany(ctx, opts)
				}
			},
		},

		{
			Name: "users conversations", Summary: "List the conversations of a user, with the user's unread state",
			Example: `talkjs users conversations alice --unread-only
talkjs users conversations alice --order-by createdAt --direction ASC --filter '{"custom":{"category":["==","shoes"]}}'`,
			Args: []string{"USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &usersConversationsOptions{apiIO: addAPIFlags(fs, st), list: addConversationListFlags(fs)}
				fs.BoolVar(&opts.unreadOnly, "unread-only", false, "only conversations with unread messages")
				return func(ctx context.Context, args []string) error {
					opts.userID = args[0]
					return runUsersConversations(ctx, opts)
				}
			},
		},

		{
			Name: "users presence", Summary: "List who is online (POST /presences)",
			Example: "talkjs users presence\ntalkjs users presence --user-id alice,bob --json",
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &usersPresenceOptions{apiIO: addAPIFlags(fs, st)}
				fs.Var(&opts.userIDs, "user-id", "only these `users` (repeat, or separate with commas)")
				fs.BoolVar(&opts.background, "include-background", false, "also list users with only a background session")
				return func(ctx context.Context, _ []string) error { return runUsersPresence(ctx, opts) }
			},
		},
	}
}

type usersGetOptions struct {
	apiIO
	userID string
}

func runUsersGet(ctx context.Context, opts *usersGetOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	u, err := client.Users.Get(ctx, opts.userID)
	return answer(opts.apiIO, u, err, printUser)
}

type usersListOptions struct {
	apiIO
	page *pageFlags
}

func runUsersList(ctx context.Context, opts *usersListOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	lo, err := opts.page.options()
	if err != nil {
		return err
	}
	users, err := collect(opts.page.all, client.Users.All(ctx, &lo), func() ([]talkjs.User, error) { return client.Users.List(ctx, &lo) })
	return answerList(opts.apiIO, users, err, printUsers)
}

type usersUpsertOptions struct {
	apiIO
	userID, name                               string
	email, phone                               listFlag
	photo, role, locale, welcome, availability optString
	custom                                     customFlag
}

func runUsersUpsert(ctx context.Context, opts *usersUpsertOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	in := talkjs.UserInput{Name: opts.name, PhotoURL: opts.photo.nullable(), Role: opts.role.nullable(), Locale: opts.locale.nullable(),
		WelcomeMessage: opts.welcome.nullable(), AvailabilityText: opts.availability.nullable(), Custom: opts.custom.input()}
	if len(opts.email) > 0 {
		in.Email = talkjs.Values(opts.email...)
	}
	if len(opts.phone) > 0 {
		in.Phone = talkjs.Values(opts.phone...)
	}
	if err := client.Users.Upsert(ctx, opts.userID, in); err != nil {
		return err
	}
	u, err := client.Users.Get(ctx, opts.userID)
	return answer(opts.apiIO, u, err, headed("Upserted user "+opts.userID+".", printUser))
}

type usersUpsertManyOptions struct {
	apiIO
	st   *stdio // standard input, for FILE "-"
	file string
}

func runUsersUpsertMany(ctx context.Context, opts *usersUpsertManyOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	in, err := readInput(opts.st, opts.file)
	if err != nil {
		return err
	}
	defer in.Close()
	users, err := readUsers(in)
	if err != nil {
		return err
	}
	n, err := client.Users.UpsertMany(ctx, users)
	if err != nil {
		return fmt.Errorf("%d of %d users stored; the next ones were not: %w", n, len(users), err)
	}
	return opts.done(map[string]int{"upserted": n}, "Upserted %d users.", n)
}

type usersConversationsOptions struct {
	apiIO
	list       *conversationListFlags
	unreadOnly bool
	userID     string
}

func runUsersConversations(ctx context.Context, opts *usersConversationsOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	lo, err := opts.list.options()
	if err != nil {
		return err
	}
	uo := talkjs.UserConversationListOptions{ListOptions: lo.ListOptions, OrderBy: lo.OrderBy,
		OrderDirection: lo.OrderDirection, OffsetTs: lo.OffsetTs, LastMessageBefore: lo.LastMessageBefore,
		LastMessageAfter: lo.LastMessageAfter, Filter: lo.Filter, UnreadsOnly: opts.unreadOnly}
	convs, err := collect(opts.list.page.all, client.Users.AllConversations(ctx, opts.userID, &uo),
		func() ([]talkjs.UserConversation, error) { return client.Users.Conversations(ctx, opts.userID, &uo) })
	return answerList(opts.apiIO, convs, err, printUserConversations)
}

type usersPresenceOptions struct {
	apiIO
	userIDs    listFlag
	background bool
}

func runUsersPresence(ctx context.Context, opts *usersPresenceOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	ps, err := client.Presence.List(ctx, &talkjs.PresenceQuery{UserIDs: opts.userIDs, IncludeBackgroundSessions: opts.background})
	if err != nil {
		return err
	}
	if opts.output.json {
		return opts.output.printAnswer(opts.out, ps, "data")
	}
	return printPresence(opts.out, ps)
}

func printUser(w io.Writer, u *talkjs.User) error {
	t := newTable(w)
	t.row("id", u.ID)
	t.row("name", u.Name)
	t.row("email", strings.Join(u.Email, ", "))
	t.row("phone", strings.Join(u.Phone, ", "))
	t.row("role", u.Role)
	t.row("photoUrl", u.PhotoURL)
	t.row("locale", u.Locale)
	t.row("welcomeMessage", u.WelcomeMessage)
	t.row("custom", customText(u.Custom))
	t.row("createdAt", when(u.CreatedAt))
	return t.flush()
}

func printPresence(w io.Writer, ps map[string]talkjs.UserPresence) error {
	keys := make([]string, 0, len(ps))
	for k := range ps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t := newTable(w, "USER", "STATUS", "WIDGETS", "BACKGROUND SESSIONS")
	for _, k := range keys {
		t.row(k, ps[k].Status, len(ps[k].Widgets), len(ps[k].BackgroundSessions))
	}
	return t.flush()
}

func printUsers(w io.Writer, users []talkjs.User) error {
	t := newTable(w, "ID", "NAME", "EMAIL", "ROLE", "CREATED")
	for _, u := range users {
		t.row(u.ID, u.Name, strings.Join(u.Email, ","), u.Role, when(u.CreatedAt))
	}
	return t.flush()
}

func printUserConversations(w io.Writer, convs []talkjs.UserConversation) error {
	t := newTable(w, "ID", "SUBJECT", "UNREAD", "LAST MESSAGE", "AT")
	for _, c := range convs {
		last, at := "", int64(0)
		if c.LastMessage != nil {
			last, at = c.LastMessage.Text, c.LastMessage.CreatedAt
		}
		t.row(c.ID, clip(c.Subject, 40), c.UnreadMessageCount, clip(last, 40), when(at))
	}
	return t.flush()
}

func customText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, " ")
}

// readUsers reads users from a JSON array or from NDJSON.
func readUsers(r io.Reader) ([]talkjs.UserUpsert, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	type entry struct {
		ID string `json:"id"`
		talkjs.UserInput
	}
	var entries []entry
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&entries); err != nil {
			return nil, fmt.Errorf("%w: the JSON array of users: %v", errUsage, err)
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var e entry
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", errUsage, n, err)
			}
			entries = append(entries, e)
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: the input holds no users", errUsage)
	}
	out := make([]talkjs.UserUpsert, len(entries))
	for i, e := range entries {
		if e.ID == "" {
			return nil, fmt.Errorf("%w: user %d has no \"id\"", errUsage, i+1)
		}
		out[i] = talkjs.UserUpsert{ID: e.ID, User: e.UserInput}
	}
	return out, nil
}

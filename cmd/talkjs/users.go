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
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					u, err := cl.Users.Get(ctx, rest[0])
					return answer(st.Out, out, u, err, printUser)
				}
			},
		},

		{
			Name: "users list", Summary: "List the app's users",
			Example: "talkjs users list --limit 50\ntalkjs users list --all --json",
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out, page := addClientFlags(fs), addOutputFlags(fs), addPageFlags(fs)
				return func(ctx context.Context, _ []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					opts, err := page.options()
					if err != nil {
						return err
					}
					users, err := collect(page.all, cl.Users.All(ctx, &opts), func() ([]talkjs.User, error) { return cl.Users.List(ctx, &opts) })
					return answerList(st.Out, out, users, err, printUsers)
				}
			},
		},

		{
			Name: "users upsert", Summary: "Create a user, or update the fields given",
			Example: `talkjs users upsert alice --name Alice --email alice@example.com --role customer --custom plan=pro
talkjs users upsert alice --photo-url ""      # an empty value clears the field`,
			Args: []string{"USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				name := fs.String("name", "", "display name (needed when the user is created)")
				var email, phone listFlag
				fs.Var(&email, "email", "email `address` (repeat, or separate with commas)")
				fs.Var(&phone, "phone", "phone `number` (repeat, or separate with commas)")
				var photo, role, locale, welcome, avail optString
				fs.Var(&photo, "photo-url", "photo `URL`")
				fs.Var(&role, "role", "`role`, as configured in the dashboard")
				fs.Var(&locale, "locale", "`locale`, such as en-US")
				fs.Var(&welcome, "welcome-message", "welcome message `text`")
				fs.Var(&avail, "availability-text", "availability `text`")
				custom := customFlag{}
				fs.Var(custom, "custom", "custom data `key=value` (repeat; key= removes the key)")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					in := talkjs.UserInput{Name: *name, PhotoURL: photo.nullable(), Role: role.nullable(), Locale: locale.nullable(),
						WelcomeMessage: welcome.nullable(), AvailabilityText: avail.nullable(), Custom: custom.input()}
					if len(email) > 0 {
						in.Email = talkjs.Values(email...)
					}
					if len(phone) > 0 {
						in.Phone = talkjs.Values(phone...)
					}
					if err := cl.Users.Upsert(ctx, rest[0], in); err != nil {
						return err
					}
					u, err := cl.Users.Get(ctx, rest[0])
					return answer(st.Out, out, u, err, headed("Upserted user "+rest[0]+".", printUser))
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
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					in, err := readInput(st, rest[0])
					if err != nil {
						return err
					}
					defer in.Close()
					users, err := readUsers(in)
					if err != nil {
						return err
					}
					n, err := cl.Users.UpsertMany(ctx, users)
					if err != nil {
						return fmt.Errorf("%d of %d users stored; the next ones were not: %w", n, len(users), err)
					}
					return done(st, out, map[string]int{"upserted": n}, "Upserted %d users.", n)
				}
			},
		},

		{
			Name: "users conversations", Summary: "List the conversations of a user, with the user's unread state",
			Example: `talkjs users conversations alice --unread-only
talkjs users conversations alice --order-by createdAt --direction ASC --filter '{"custom":{"category":["==","shoes"]}}'`,
			Args: []string{"USER_ID"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out, lf := addClientFlags(fs), addOutputFlags(fs), addConversationListFlags(fs)
				unread := fs.Bool("unread-only", false, "only conversations with unread messages")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					lo, err := lf.options()
					if err != nil {
						return err
					}
					opts := talkjs.UserConversationListOptions{ListOptions: lo.ListOptions, OrderBy: lo.OrderBy,
						OrderDirection: lo.OrderDirection, OffsetTs: lo.OffsetTs, LastMessageBefore: lo.LastMessageBefore,
						LastMessageAfter: lo.LastMessageAfter, Filter: lo.Filter, UnreadsOnly: *unread}
					convs, err := collect(lf.page.all, cl.Users.AllConversations(ctx, rest[0], &opts),
						func() ([]talkjs.UserConversation, error) { return cl.Users.Conversations(ctx, rest[0], &opts) })
					return answerList(st.Out, out, convs, err, printUserConversations)
				}
			},
		},

		{
			Name: "users presence", Summary: "List who is online (POST /presences)",
			Example: "talkjs users presence\ntalkjs users presence --user-id alice,bob --json",
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				var ids listFlag
				fs.Var(&ids, "user-id", "only these `users` (repeat, or separate with commas)")
				background := fs.Bool("include-background", false, "also list users with only a background session")
				return func(ctx context.Context, _ []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					ps, err := cl.Presence.List(ctx, &talkjs.PresenceQuery{UserIDs: ids, IncludeBackgroundSessions: *background})
					if err != nil {
						return err
					}
					if out.json {
						return out.printAnswer(st.Out, ps, "data")
					}
					keys := make([]string, 0, len(ps))
					for k := range ps {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					t := newTable(st.Out, "USER", "STATUS", "WIDGETS", "BACKGROUND SESSIONS")
					for _, k := range keys {
						t.row(k, ps[k].Status, len(ps[k].Widgets), len(ps[k].BackgroundSessions))
					}
					return t.flush()
				}
			},
		},
	}
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

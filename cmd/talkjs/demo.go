package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/filter"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

func demoCommand() *command {
	return &command{
		Name:    "demo",
		Summary: "Walk through every TalkJS flow on an embedded in-memory server",
		Example: `talkjs demo
TALKJS_APP_ID=… TALKJS_SECRET_KEY=… talkjs demo --yes   # against a real (test!) app`,
		Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
			yes := fs.Bool("yes", false, "run against the app named by "+talkjs.EnvAppID+"/"+talkjs.EnvSecretKey+" (it creates users and conversations there)")
			cf := addClientFlags(fs)
			return func(ctx context.Context, _ []string) error { return runDemo(ctx, st, cf, *yes) }
		},
	}
}

func runDemo(ctx context.Context, st *stdio, cf *clientFlags, yes bool) error {
	var err error
	var requests atomic.Int64
	count := talkjs.WithMiddleware(func(next http.RoundTripper) http.RoundTripper {
		return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			requests.Add(1)
			return next.RoundTrip(r)
		})
	})

	d := &demo{w: st.Out, events: make(chan *webhook.MessageSent, 16)}
	real := cf.appID != "" || cf.secret != "" || st.getenv(talkjs.EnvAppID) != "" || st.getenv(talkjs.EnvSecretKey) != ""
	if real {
		if !yes {
			return fmt.Errorf("%w: TalkJS credentials are set (%s/%s or flags), so the demo would create users and "+
				"conversations in that app; pass --yes to do that, or unset them to use the embedded server", errUsage, talkjs.EnvAppID, talkjs.EnvSecretKey)
		}
		sc := *st
		sc.ClientOptions = append([]talkjs.Option{count}, st.ClientOptions...)
		d.client, err = cf.client(&sc)
		if err != nil {
			return err
		}
		d.prefix = fmt.Sprintf("talkjs-go-demo-%d-", time.Now().Unix())
		d.real = true
		fmt.Fprintf(st.Out, "TalkJS demo against the app %q at %s (ids start with %q).\n", d.client.AppID(), d.client.ServerURL(), d.prefix)
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("start the embedded server: %w", err)
		}
		srv := api.NewServer(api.WithAppID("demo"), api.WithWebhook(api.Webhook{URL: "http://" + ln.Addr().String() + demoHookPath, Types: []string{api.EventMessageSent}}))
		defer srv.CloseWebhooks()
		hs := &http.Server{Handler: d.webhookMux(srv), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln) //nolint:errcheck // ends with Close
		defer hs.Close()
		base := "http://" + ln.Addr().String()
		opts := append([]talkjs.Option{talkjs.WithBaseURL(base), count}, st.ClientOptions...)
		d.client, err = talkjs.NewClient(srv.AppID(), srv.Secret(), opts...)
		if err != nil {
			return err
		}
		fmt.Fprintf(st.Out, "TalkJS demo: an in-memory TalkJS server is running at %s (app %q).\n", base, srv.AppID())
		fmt.Fprintf(st.Out, "Every step below is a call of package talkjs; nothing leaves this machine.\n")
	}
	start := time.Now()
	if err := d.run(ctx); err != nil {
		return fmt.Errorf("step %d: %w", d.n, err)
	}
	fmt.Fprintf(st.Out, "\nDone: %d steps, %d HTTP requests, %s.\n", d.n, requests.Load(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(st.Out, "Next: 'talkjs serve' keeps such a server running; 'talkjs help' lists the commands.\n")
	return nil
}

// demo walks through the flows, numbering the steps.
type demo struct {
	w      io.Writer
	client *talkjs.Client
	prefix string // put before every id when running against a real app
	n      int
	// events receives the embedded server's message.sent webhooks; nothing
	// arrives when the demo runs against a real app.
	events chan *webhook.MessageSent
	real   bool
}

func (d *demo) step(title, why string) {
	d.n++
	fmt.Fprintf(d.w, "\n%2d. %s\n", d.n, title)
	if why != "" {
		fmt.Fprintf(d.w, "    %s\n", why)
	}
}

func (d *demo) ok(format string, args ...any) {
	fmt.Fprintf(d.w, "    ✓ "+format+"\n", args...)
}

func (d *demo) detail(format string, args ...any) {
	fmt.Fprintf(d.w, "        "+format+"\n", args...)
}

func (d *demo) id(s string) string { return d.prefix + s }

func (d *demo) participants(ctx context.Context, conv string) error {
	c, err := d.client.Conversations.Get(ctx, conv)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(c.Participants))
	for id := range c.Participants {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := c.Participants[id]
		d.detail("%-*s access %-9s notify %s", len(d.prefix)+6, id, p.Access, notifyText(p.Notify))
	}
	return nil
}

func (d *demo) run(ctx context.Context) error {
	cl := d.client
	alice, bob, carol := d.id("alice"), d.id("bob"), d.id("carol")
	order, sandals, support, legacy := d.id("order-1042"), d.id("order-1043"), d.id("support-7"), d.id("legacy-2019")

	d.step("Users", "Users.UpsertMany creates or updates up to 100 users per request.")
	n, err := cl.Users.UpsertMany(ctx, []talkjs.UserUpsert{
		{ID: alice, User: talkjs.UserInput{Name: "Alice", Email: talkjs.Values("alice@example.com"), Role: talkjs.Value("customer")}},
		{ID: bob, User: talkjs.UserInput{Name: "Bob", Email: talkjs.Values("bob@example.com"), Role: talkjs.Value("seller")}},
		{ID: carol, User: talkjs.UserInput{Name: "Carol", Role: talkjs.Value("support")}},
	})
	if err != nil {
		return err
	}
	d.ok("upserted %d users: %s, %s, %s", n, alice, bob, carol)
	u, err := cl.Users.Get(ctx, alice)
	if err != nil {
		return err
	}
	d.ok("Users.Get(%q): name %q, email %s, role %q", alice, u.Name, strings.Join(u.Email, ","), u.Role)

	d.step("A conversation", "Conversations.Upsert creates it with a subject, custom data and participants.")
	convs := []struct{ id, subject, category string }{
		{order, "Order #1042: running shoes", "shoes"},
		{sandals, "Order #1043: sandals", "sandals"},
		{support, "Where is my parcel?", "support"},
	}
	for _, c := range convs {
		if err := cl.Conversations.Upsert(ctx, c.id, talkjs.ConversationInput{
			Subject:      talkjs.Value(c.subject),
			Custom:       talkjs.Custom(map[string]string{"category": c.category}),
			Participants: []string{alice, bob},
		}); err != nil {
			return err
		}
		d.ok("%-*s %q  custom.category=%s", len(d.prefix)+11, c.id, c.subject, c.category)
	}

	d.step("Join with Read access and MentionsOnly notifications", "Participants.Join adds carol, who may read but not write.")
	if err := cl.Participants.Join(ctx, order, carol, &talkjs.JoinOptions{Access: talkjs.AccessRead, Notify: talkjs.NotifyMentionsOnly}); err != nil {
		return err
	}
	d.ok("%s joined %s; the participants are now:", carol, order)
	if err := d.participants(ctx, order); err != nil {
		return err
	}

	d.step("Change access", "Participants.Update (a PATCH) changes only the fields given.")
	if err := cl.Participants.Update(ctx, order, carol, talkjs.ParticipantUpdate{Access: talkjs.AccessReadWrite}); err != nil {
		return err
	}
	d.ok("%s may now write (ReadWrite); notify is still MentionsOnly", carol)
	if err := cl.Participants.Update(ctx, order, carol, talkjs.ParticipantUpdate{Access: talkjs.AccessNone}); err != nil {
		return err
	}
	d.ok("access None: %s keeps the history in view but gets no new messages", carol)
	if err := d.participants(ctx, order); err != nil {
		return err
	}

	d.step("Leave", "Participants.Leave removes a participant.")
	if err := cl.Participants.Leave(ctx, order, carol); err != nil {
		return err
	}
	d.ok("%s left %s; the participants are now:", carol, order)
	if err := d.participants(ctx, order); err != nil {
		return err
	}

	d.step("Send user and system messages", "Messages.Send sends up to 10 per request, each with an idempotency key, so retries never post twice.")
	ids, err := cl.Messages.Send(ctx, order,
		talkjs.UserMessage(alice, "Hi Bob, do the shoes come in size 43?"),
		talkjs.UserMessage(bob, "They do! Shall I send a pair?"),
		talkjs.SystemMessage("Bob marked the order as shipped"))
	if err != nil {
		return err
	}
	d.ok("sent 3 messages: %s", strings.Join(ids, ", "))
	first := ids[0]

	d.step("A webhook event arrives", "The server POSTs message.sent, signed; package talkjs/webhook verifies and parses it in a handler.")
	if err := d.webhook(ctx, first); err != nil {
		return err
	}

	d.step("Edit a message", "Messages.Edit with MarkEdited shows readers that the text changed.")
	if err := cl.Messages.Edit(ctx, order, first, talkjs.MessageEdit{Text: "Hi Bob, do the shoes come in size 43 or 44?", MarkEdited: true}); err != nil {
		return err
	}
	m, err := cl.Messages.Get(ctx, order, first)
	if err != nil {
		return err
	}
	d.ok("%s now reads %q (edited at %s)", first, m.Text, when(m.EditedAt))

	d.step("React", "Messages.AddReaction adds a user's emoji to a message.")
	if err := cl.Messages.AddReaction(ctx, order, first, "👍", bob); err != nil {
		return err
	}
	m, err = cl.Messages.Get(ctx, order, first)
	if err != nil {
		return err
	}
	d.ok("reactions on %s: %s", first, reactions(m.Reactions))

	d.step("Upload a file and send it", "Files.Upload streams the file as multipart/form-data and answers an attachment token.")
	receipt := "Order #1042\nRunning shoes, size 44  € 89.00\n"
	token, err := cl.Files.Upload(ctx, "receipt-1042.txt", strings.NewReader(receipt))
	if err != nil {
		return err
	}
	d.ok("uploaded receipt-1042.txt (%d bytes): token %s", len(receipt), token)
	fileMsg, err := cl.Messages.SendOne(ctx, order, talkjs.AttachmentMessage(bob, token))
	if err != nil {
		return err
	}
	m, err = cl.Messages.Get(ctx, order, fileMsg)
	if err != nil {
		return err
	}
	if m.Attachment == nil {
		return errors.New("the file message has no attachment")
	}
	d.ok("sent it as %s: %s, %d bytes, %s", fileMsg, m.Attachment.Filename, m.Attachment.Size, m.Attachment.URL)

	d.step("Mark read and unread", "Participants.MarkRead and MarkUnread move alice's read marker.")
	show := func(what string) error {
		ucs, err := cl.Users.Conversations(ctx, alice, &talkjs.UserConversationListOptions{})
		if err != nil {
			return err
		}
		for _, uc := range ucs {
			if uc.ID == order {
				d.ok("%-17s %s has %d unread messages in %s", what+":", alice, uc.UnreadMessageCount, order)
			}
		}
		return nil
	}
	if err := show("at first"); err != nil {
		return err
	}
	if err := cl.Participants.MarkRead(ctx, order, alice); err != nil {
		return err
	}
	if err := show("after MarkRead"); err != nil {
		return err
	}
	if err := cl.Participants.MarkUnread(ctx, order, alice); err != nil {
		return err
	}
	if err := show("after MarkUnread"); err != nil {
		return err
	}

	d.step("List with ordering and a custom filter", "Conversations.All walks the list in the order asked, filtered with package talkjs/filter.")
	list, err := d.list(ctx, &talkjs.ConversationListOptions{OrderBy: talkjs.OrderByCreatedAt, OrderDirection: talkjs.Ascending})
	if err != nil {
		return err
	}
	d.ok("by createdAt, oldest first: %s", list)
	f := filter.Where{Custom: filter.Custom{"category": filter.OneOf("shoes", "sandals")}}
	fj, err := f.FilterJSON()
	if err != nil {
		return err
	}
	list, err = d.list(ctx, &talkjs.ConversationListOptions{Filter: f, OrderBy: talkjs.OrderByCreatedAt, OrderDirection: talkjs.Descending})
	if err != nil {
		return err
	}
	d.ok("filter %s, newest first: %s", fj, list)

	d.step("Import history with timestamps", "Import.Messages keeps the original times (10 messages per request; TalkJS does not deduplicate).")
	if err := cl.Conversations.Upsert(ctx, legacy, talkjs.ConversationInput{
		Subject: talkjs.Value("From the old chat system"), Participants: []string{alice, bob},
	}); err != nil {
		return err
	}
	t0 := time.Date(2019, 3, 4, 9, 15, 0, 0, time.UTC)
	if _, err := cl.Import.Messages(ctx, legacy, []talkjs.ImportMessage{
		{Sender: alice, Text: "Is the store open on Sunday?", Timestamp: talkjs.Millis(t0), ReadBy: []string{bob}},
		{Sender: bob, Text: "From 10 to 4, see you then!", Timestamp: talkjs.Millis(t0.Add(7 * time.Minute)), ReadBy: []string{alice}},
		{Sender: alice, Text: "Thanks!", Timestamp: talkjs.Millis(t0.Add(9 * time.Minute))},
	}); err != nil {
		return err
	}
	msgs, err := cl.Messages.List(ctx, legacy, nil)
	if err != nil {
		return err
	}
	d.ok("imported 3 messages into %s; as listed (newest first):", legacy)
	for _, m := range msgs {
		d.detail("%s  %-*s %q (origin %s)", when(m.CreatedAt), len(d.prefix)+5, m.SenderID, m.Text, m.Origin)
	}

	d.step("Delete", "Messages.Delete, Messages.DeleteAll and Conversations.Delete; users stay (TalkJS cannot delete them).")
	if err := cl.Messages.Delete(ctx, order, fileMsg); err != nil {
		return err
	}
	if _, err := cl.Messages.Get(ctx, order, fileMsg); !errors.Is(err, talkjs.ErrNotFound) {
		return fmt.Errorf("the deleted message is still there (%v)", err)
	}
	d.ok("deleted message %s; reading it now answers 404 (errors.Is(err, talkjs.ErrNotFound))", fileMsg)
	if err := cl.Messages.DeleteAll(ctx, legacy); err != nil {
		return err
	}
	msgs, err = cl.Messages.List(ctx, legacy, nil)
	if err != nil {
		return err
	}
	d.ok("deleted every message of %s: %d left", legacy, len(msgs))
	for _, id := range []string{order, sandals, support, legacy} {
		if err := cl.Conversations.Delete(ctx, id); err != nil {
			return err
		}
	}
	for _, id := range []string{order, sandals, support, legacy} {
		if _, err := cl.Conversations.Get(ctx, id); !errors.Is(err, talkjs.ErrNotFound) {
			return fmt.Errorf("conversation %s is still there (%v)", id, err)
		}
	}
	d.ok("deleted the 4 conversations (and their messages); reading them answers 404")
	return nil
}

// list walks a conversation list and names the demo's conversations in it
// (in a real app there may be others).
func (d *demo) list(ctx context.Context, opts *talkjs.ConversationListOptions) (string, error) {
	var ids []string
	for c, err := range d.client.Conversations.All(ctx, opts) {
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(c.ID, d.prefix) {
			ids = append(ids, c.ID)
		}
	}
	return strings.Join(ids, ", "), nil
}

func reactions(r map[string][]string) string {
	if len(r) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" by "+strings.Join(r[k], ", "))
	}
	return strings.Join(parts, "; ")
}

func convIDs(cs []talkjs.Conversation) string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

// notifyText spells a notification setting for people.
func notifyText(n talkjs.Notify) string {
	switch n {
	case talkjs.NotifyOn:
		return "on"
	case talkjs.NotifyOff:
		return "off"
	case talkjs.NotifyMentionsOnly:
		return "MentionsOnly"
	}
	return "default"
}

// demoHookPath is where the embedded server sends its webhooks, on its own
// listener.
const demoHookPath = "/demo-webhook"

// webhookMux serves the API and, at demoHookPath, a webhook handler that
// passes the verified events to d.events.
func (d *demo) webhookMux(srv *api.Server) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+demoHookPath, webhook.NewHandler(srv.Secret(), func(ctx context.Context, ev webhook.Event) error {
		if sent, ok := ev.(*webhook.MessageSent); ok {
			select {
			case d.events <- sent:
			default: // the demo looks at the first few only
			}
		}
		return nil
	}))
	mux.Handle("/", srv)
	return mux
}

// webhook waits for the message.sent event of message id.
func (d *demo) webhook(ctx context.Context, id string) error {
	if d.real {
		d.ok("skipped against a real app: TalkJS sends webhooks to the URL set in its dashboard (try 'talkjs webhooks listen')")
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-d.events:
			if ev.Data.Message.ID != id {
				continue
			}
			d.ok("%s %s arrived, signature verified: %s wrote %q in %s", ev.Type, ev.ID, ev.Data.Sender.ID, ev.Data.Message.Text, ev.Data.Conversation.ID)
			return nil
		case <-ctx.Done():
			return fmt.Errorf("no message.sent webhook for %s arrived: %w", id, ctx.Err())
		}
	}
}

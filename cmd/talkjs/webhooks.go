package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/webhook"
)

// Webhooks from the command line: `talkjs serve --webhook` sends the local
// server's events to a receiver, `talkjs webhooks listen` is a receiver that
// verifies and prints them, `talkjs webhooks trigger` sends one sample.

func webhooksCommands() []*command {
	return []*command{
		{
			Name:    "webhooks listen",
			Summary: "Receive TalkJS webhook events, verify their signature and print them",
			Long: `Listens for TalkJS webhook events (from TalkJS, through a tunnel, or from
'talkjs serve --webhook'), checks each signature with the secret key, answers
200 (401 for a bad signature, 400 for a body that is not an event) and
prints one line per event, or the event itself as one JSON line with --json.
Refused requests are reported on standard error. Stop with Ctrl+C.`,
			Example: `talkjs webhooks listen --addr 127.0.0.1:9000 --secret sk_test_local
talkjs serve --secret sk_test_local --webhook http://127.0.0.1:9000/   # in another terminal`,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				f := &listenFlags{}
				fs.StringVar(&f.addr, "addr", "127.0.0.1:9000", "`ADDR` to listen on (port 0 picks a free port)")
				fs.StringVar(&f.secret, "secret", "", "the secret key events are signed with (default $"+talkjs.EnvSecretKey+")")
				fs.DurationVar(&f.tolerance, "tolerance", webhook.DefaultTolerance, "refuse timestamps further than this from the clock (0: do not check)")
				fs.BoolVar(&f.json, "json", false, "print each event as one line of JSON, as received")
				return func(ctx context.Context, _ []string) error { return runListen(ctx, st, f) }
			},
		},
		{
			Name:    "webhooks trigger",
			Summary: "Send one signed sample event of a type to a webhook receiver",
			Args:    []string{"TYPE"},
			Long: `Sends a sample event of TYPE (any of ` + strings.Join(webhook.Types(), ", ") + `;
another type gets message.sent's data) to --to, signed with the secret key as
TalkJS signs it, and prints the answer. The sample: user alice writes
"Hello, Bob!" to bob in conversation order-42. Exit status 1 unless the
receiver answers 200.`,
			Example: `talkjs webhooks trigger message.sent --to http://127.0.0.1:9000/ --secret sk_test_local
talkjs webhooks trigger notification.triggered --to https://example.com/talkjs --json`,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				f := &triggerFlags{}
				fs.StringVar(&f.to, "to", "", "the receiver's `URL` (required)")
				fs.StringVar(&f.secret, "secret", "", "the secret key to sign with (default $"+talkjs.EnvSecretKey+")")
				fs.BoolVar(&f.json, "json", false, "print the event sent and the answer as JSON")
				return func(ctx context.Context, args []string) error { return runTrigger(ctx, st, f, args[0]) }
			},
		},
	}
}

type listenFlags struct {
	addr, secret string
	tolerance    time.Duration
	json         bool
}

type triggerFlags struct {
	to, secret string
	json       bool
}

// webhookSecret is the flag's secret, or the environment's.
func webhookSecret(st *stdio, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if s := st.getenv(talkjs.EnvSecretKey); s != "" {
		return s, nil
	}
	return "", fmt.Errorf("%w: missing the secret key events are signed with: set %s or pass --secret", errUsage, talkjs.EnvSecretKey)
}

func runListen(ctx context.Context, st *stdio, f *listenFlags) error {
	secret, err := webhookSecret(st, f.secret)
	if err != nil {
		return err
	}
	if f.tolerance < 0 {
		return fmt.Errorf("%w: --tolerance must not be negative", errUsage)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	h := listenHandler(st, secret, f.tolerance, f.json)
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(st.Err, "Listening for TalkJS webhook events on http://%s/ (any path). Stop with Ctrl+C.\n", ln.Addr())
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	return nil
}

// listenHandler verifies, parses and prints each event; refusals go to
// standard error with their reason (never the body or the secret).
func listenHandler(st *stdio, secret string, tolerance time.Duration, asJSON bool) http.Handler {
	var mu sync.Mutex // one line at a time
	return webhook.NewHandler(secret, func(ctx context.Context, ev webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		if asJSON {
			var buf bytes.Buffer
			if err := json.Compact(&buf, ev.Raw()); err != nil {
				return err
			}
			buf.WriteByte('\n')
			_, err := st.Out.Write(buf.Bytes())
			return err
		}
		_, err := fmt.Fprintf(st.Out, "%s  %-25s  %s  %s\n", ev.Time().UTC().Format("2006-01-02T15:04:05.000Z"), ev.EventType(), ev.EventID(), describeEvent(ev))
		return err
	}, webhook.WithTolerance(tolerance), webhook.WithErrorHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(st.Err, "refused a request: %v\n", err)
	}))
}

// describeEvent says in a few words what an event is about.
func describeEvent(ev webhook.Event) string {
	msg := func(conv string, m webhook.Message) string {
		from := m.SenderID
		if from == "" {
			from = "(system)"
		}
		return fmt.Sprintf("%s in %s: %s %q", m.ID, conv, from, clip(m.Text, 60))
	}
	switch ev := ev.(type) {
	case *webhook.UserCreated:
		return "user " + ev.Data.User.ID
	case *webhook.UserUpdated:
		return "user " + ev.Data.User.ID
	case *webhook.MessageSent:
		return msg(ev.Data.Conversation.ID, ev.Data.Message)
	case *webhook.MessageUpdated:
		return msg(ev.Data.Conversation.ID, ev.Data.Message)
	case *webhook.MessageDeleted:
		return msg(ev.Data.Conversation.ID, ev.Data.Message)
	case *webhook.MessageRead:
		return ev.Data.Recipient.ID + " read " + msg(ev.Data.Conversation.ID, ev.Data.Message)
	case *webhook.ConversationDeleted:
		return "conversation " + ev.Data.Conversation.ID
	case *webhook.NotificationTriggered:
		return notificationText(ev.Data)
	case *webhook.NotificationSent:
		return notificationText(ev.Data)
	case *webhook.NotificationDelivered:
		return notificationText(ev.Data)
	case *webhook.NotificationBounced:
		return notificationText(ev.Data)
	case *webhook.NotificationOpened:
		return notificationText(ev.Data)
	case *webhook.NotificationLinkClicked:
		return notificationText(ev.Data)
	}
	return "(a type this version does not know)"
}

func notificationText(d webhook.NotificationData) string {
	s := fmt.Sprintf("%s in %s, %d messages", d.Recipient.ID, d.Conversation.ID, len(d.Messages))
	if d.Channel != "" {
		s += " by " + d.Channel
	}
	return s
}

var eventTypePattern = regexp.MustCompile(`^[a-z]+(\.[a-z]+)+$`)

func runTrigger(ctx context.Context, st *stdio, f *triggerFlags, typ string) error {
	if !eventTypePattern.MatchString(typ) {
		return fmt.Errorf("%w: %q is not an event type such as message.sent (the documented ones: %s)", errUsage, typ, strings.Join(webhook.Types(), ", "))
	}
	if f.to == "" {
		return fmt.Errorf("%w: --to is required: the URL of the webhook receiver", errUsage)
	}
	if !strings.HasPrefix(f.to, "http://") && !strings.HasPrefix(f.to, "https://") {
		return fmt.Errorf("%w: --to %q: want an http:// or https:// URL", errUsage, f.to)
	}
	secret, err := webhookSecret(st, f.secret)
	if err != nil {
		return err
	}
	now := time.Now()
	body := webhook.Sample(typ, now)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second) // as long as TalkJS waits
	defer cancel()
	req, err := webhook.NewRequest(ctx, f.to, secret, body, now)
	if err != nil {
		return fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", f.to, err)
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
	if f.json {
		out, _ := json.Marshal(struct {
			Event  json.RawMessage `json:"event"`
			Status int             `json:"status"`
		}{body, resp.StatusCode})
		fmt.Fprintf(st.Out, "%s\n", out)
	} else {
		fmt.Fprintf(st.Out, "POST %s %s: %s\n", f.to, typ, resp.Status)
		if a := strings.TrimSpace(string(answer)); a != "" && resp.StatusCode != http.StatusOK {
			fmt.Fprintf(st.Out, "  answer: %s\n", clip(a, 200))
		}
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New("the receiver did not answer 200 (TalkJS would retry once)")
	}
	return nil
}

// webhookFlags are serve's --webhook, --webhook-secret and --webhook-events.
type webhookFlags struct {
	urls, secrets, events []string
}

func defineWebhookFlags(fs *pflag.FlagSet, f *webhookFlags) {
	fs.StringArrayVar(&f.urls, "webhook", nil, "send webhook events to `URL` (repeatable)")
	fs.StringArrayVar(&f.secrets, "webhook-secret", nil, "sign them with `SECRET` instead of the server's secret key (once for all, or once per --webhook in order)")
	fs.StringArrayVar(&f.events, "webhook-events", nil, "send only these comma-separated event `TYPES` (once for all, or once per --webhook in order)")
}

// options turns the flags into server options, with a line to print for
// each endpoint (never its secret).
func (f *webhookFlags) options() ([]api.Option, []string, error) {
	n := len(f.urls)
	if n == 0 {
		if len(f.secrets) > 0 || len(f.events) > 0 {
			return nil, nil, errors.New("--webhook-secret and --webhook-events need --webhook URL")
		}
		return nil, nil, nil
	}
	pick := func(list []string, i int, name string) (string, error) {
		switch len(list) {
		case 0:
			return "", nil
		case 1:
			return list[0], nil
		case n:
			return list[i], nil
		}
		return "", fmt.Errorf("give --%s once, or once per --webhook (%d times), not %d times", name, n, len(list))
	}
	var opts []api.Option
	var notes []string
	for i, u := range f.urls {
		secret, err := pick(f.secrets, i, "webhook-secret")
		if err != nil {
			return nil, nil, err
		}
		events, err := pick(f.events, i, "webhook-events")
		if err != nil {
			return nil, nil, err
		}
		w := api.Webhook{URL: u, Secret: secret}
		for _, t := range strings.Split(events, ",") {
			if t = strings.TrimSpace(t); t != "" {
				w.Types = append(w.Types, t)
			}
		}
		if err := api.ValidateWebhook(w); err != nil {
			return nil, nil, err
		}
		opts = append(opts, api.WithWebhook(w))
		types := "every event"
		if len(w.Types) > 0 {
			types = strings.Join(w.Types, ", ")
		}
		signed := "signed with the secret key"
		if secret != "" {
			signed = "signed with its --webhook-secret"
		}
		notes = append(notes, fmt.Sprintf("webhook: %s (%s, %s)", u, types, signed))
	}
	return opts, notes, nil
}

// stopWebhooks lets the queued events go out (for at most a few seconds),
// stops delivery and prints the counts.
func stopWebhooks(st *stdio, srv *api.Server, f *webhookFlags) {
	if len(f.urls) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), serveShutdownTimeout)
	defer cancel()
	_ = srv.FlushWebhooks(ctx)
	srv.CloseWebhooks()
	fmt.Fprintf(st.Out, "Webhooks: %v.\n", srv.WebhookStats())
}

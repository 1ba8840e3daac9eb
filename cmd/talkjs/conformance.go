package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/conformance"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// Pacing against a real app. TalkJS documents one limit, 1 batch request a
// second; the rest of the REST API has no published limit, so the default
// stays far below anything a test app would notice.
const (
	defaultConformanceRate = 5.0
	batchInterval          = 1100 * time.Millisecond
)

func conformanceCommand() *command {
	return &command{
		Name:    "conformance",
		Summary: "Run one black-box scenario against a TalkJS-compatible API and say where it differs from TalkJS's documentation",
		Long: `The scenario exercises every operation of the API and each documented behaviour
(merging, participant defaults and idempotency, read state, idempotency keys,
ordering and cursors, filters, limits, import timestamps, batch, files, API
versions, error statuses) with raw HTTP requests, and prints one line per
check: what the source says, what the service answered, and a verdict. A check
against TalkJS's documentation that fails is FAIL (exit status 1); one against
a weaker source (TalkJS's own code, the seed specification, or our own choice)
is info.

Every id it creates starts with a random prefix (cfk-XXXXXXXX-). At the end it
deletes the conversations it created and anonymises its users (TalkJS has no
user deletion). Against anything but loopback it refuses to start without
--yes, prints what it will create, paces itself (--rate, and 1 batch a second
as TalkJS documents) and never sends more than --max-requests requests,
cleanup included.

--record DIR writes every exchange (secret and tokens redacted, ids
normalised) as one JSON file each. --compare DIR runs the same scenario on an
embedded local server and lists, field by field, where its answers differ from
the recording: statuses, missing, extra and renamed fields, and kinds of
values.`,
		Example: `talkjs serve --addr 127.0.0.1:8080 --app-id demo --secret sk_test_local &
talkjs conformance --base-url http://127.0.0.1:8080 --app-id demo --secret sk_test_local
TALKJS_APP_ID=… TALKJS_SECRET_KEY=… talkjs conformance --yes --record talkjs-recording   # your TalkJS *test* app
talkjs conformance --compare talkjs-recording
talkjs conformance --api-root http://127.0.0.1:4010 --app-id x --secret y   # a mock serving the paths at /`,
		Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
			o := &conformanceOptions{}
			o.client = addClientFlags(fs)
			fs.StringVar(&o.apiRoot, "api-root", "", "the full API root, used as is instead of --base-url + /v1/{appId} (for a mock that serves the paths at /)")
			fs.BoolVar(&o.yes, "yes", false, "run against a real app (anything not on loopback): it creates users and conversations there")
			fs.BoolVar(&o.live, "live", false, "treat the target as a real app even on loopback (a proxy to TalkJS): --yes, pacing and the cap apply")
			fs.IntVar(&o.maxRequests, "max-requests", conformance.DefaultMaxRequests, "never send more requests than this, cleanup included")
			fs.Float64Var(&o.rate, "rate", defaultConformanceRate, "requests per second against a real app")
			fs.StringVar(&o.record, "record", "", "write every exchange into `DIR` (secrets redacted, ids normalised)")
			fs.StringVar(&o.compare, "compare", "", "compare the recording in `DIR` with the embedded local server's answers")
			o.out = addOutputFlags(fs)
			return func(ctx context.Context, _ []string) error { return runConformance(ctx, st, o) }
		},
	}
}

type conformanceOptions struct {
	client          *clientFlags
	apiRoot         string
	yes, live       bool
	maxRequests     int
	rate            float64
	record, compare string
	out             *outputFlags
}

func runConformance(ctx context.Context, st *stdio, o *conformanceOptions) error {
	if o.maxRequests < 1 {
		return fmt.Errorf("%w: --max-requests must be at least 1", errUsage)
	}
	if !(o.rate > 0) {
		return fmt.Errorf("%w: --rate must be above 0", errUsage)
	}
	if o.compare != "" {
		return runCompare(ctx, st, o)
	}
	appID, secret, baseURL, err := o.client.credentials(st)
	if err != nil {
		return err
	}
	root, err := apiRootOf(o.apiRoot, o.client.baseURL != "", baseURL, appID)
	if err != nil {
		return err
	}
	cfg := conformance.Config{APIRoot: root, AppID: appID, Secret: secret, MaxRequests: o.maxRequests,
		Prefix: conformance.RandomPrefix()}
	if live := o.live || !isLoopback(root); live {
		fmt.Fprint(st.Err, planText(root, cfg.Prefix, o))
		if !o.yes {
			return fmt.Errorf("%w: %s is not on loopback: it may be a real TalkJS app, so the scenario needs --yes to create the above there", errUsage, root)
		}
		cfg.Interval = time.Duration(float64(time.Second) / o.rate)
		cfg.BatchInterval = batchInterval
		cfg.Observe = func(ex conformance.Exchange) {
			fmt.Fprintf(st.Err, "  %-4s %s %s\n", ex.Request.Method, ex.Request.Path, answerText(ex))
		}
	}
	rep, err := conformance.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := writeConformance(st.Out, o, rep); err != nil {
		return err
	}
	if rep.Failed() {
		return fmt.Errorf("%d checks differ from TalkJS's documentation%s", rep.Counts()[conformance.Fail], cleanupNote(rep))
	}
	return ctx.Err()
}

func cleanupNote(rep *conformance.Report) string {
	if len(rep.Cleanup) == 0 {
		return ""
	}
	return fmt.Sprintf("; the cleanup left %d things behind", len(rep.Cleanup))
}

func answerText(ex conformance.Exchange) string {
	if ex.Response.Error != "" {
		return "→ " + ex.Response.Error
	}
	return fmt.Sprintf("→ %d", ex.Response.Status)
}

// writeConformance prints the report and writes the recording.
func writeConformance(w io.Writer, o *conformanceOptions, rep *conformance.Report) error {
	if o.record != "" {
		if err := conformance.Record(o.record, rep); err != nil {
			return fmt.Errorf("write the recording: %w", err)
		}
	}
	if o.out.json {
		return writeJSON(w, rep)
	}
	if err := conformance.WriteTable(w, rep); err != nil {
		return err
	}
	if o.record != "" {
		fmt.Fprintf(w, "Recorded %d exchanges in %s; 'talkjs conformance --compare %s' diffs them against the local server.\n",
			len(rep.Exchanges), o.record, o.record)
	}
	return nil
}

// runCompare runs the scenario on an embedded server and diffs a recording
// against it.
func runCompare(ctx context.Context, st *stdio, o *conformanceOptions) error {
	recorded, err := conformance.ReadRecording(o.compare)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	srv := api.NewServer(api.WithAppID("conformance"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the embedded server: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln) //nolint:errcheck // ends with Close
	defer hs.Close()
	rep, err := conformance.Run(ctx, conformance.Config{APIRoot: "http://" + ln.Addr().String() + "/v1/" + srv.AppID(),
		AppID: srv.AppID(), Secret: srv.Secret(), MaxRequests: o.maxRequests})
	if err != nil {
		return err
	}
	if o.record != "" {
		if err := conformance.Record(o.record, rep); err != nil {
			return fmt.Errorf("write the recording: %w", err)
		}
	}
	diffs := conformance.Compare(recorded, rep.Exchanges)
	if o.out.json {
		if diffs == nil {
			diffs = []conformance.Difference{}
		}
		err = writeJSON(st.Out, struct {
			Differences []conformance.Difference `json:"differences"`
		}{diffs})
	} else {
		err = conformance.WriteDifferences(st.Out, diffs)
	}
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%d differences between %s and the local server", len(diffs), o.compare)
	}
	return nil
}

// apiRootOf is the URL the API's paths go under: --api-root as given, or
// the base URL (the host root, TalkJS's by default) plus /v1/{appId}.
func apiRootOf(apiRoot string, baseURLFlag bool, baseURL, appID string) (string, error) {
	if apiRoot != "" {
		if baseURLFlag {
			return "", fmt.Errorf("%w: give --api-root or --base-url, not both", errUsage)
		}
		u, err := url.Parse(apiRoot)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("%w: --api-root %q is not an http(s) URL", errUsage, apiRoot)
		}
		return strings.TrimRight(apiRoot, "/"), nil
	}
	if baseURL == "" {
		baseURL = talkjs.DefaultBaseURL
	}
	if err := checkBaseURL(baseURL, appID); err != nil {
		return "", err
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: the base URL %q is not an http(s) URL", errUsage, baseURL)
	}
	return strings.TrimRight(baseURL, "/") + "/v1/" + url.PathEscape(appID), nil
}

// isLoopback reports whether root names this machine: localhost or a
// loopback address.
func isLoopback(root string) bool {
	u, err := url.Parse(root)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// planText says what a run will create, before it starts.
func planText(root, prefix string, o *conformanceOptions) string {
	p := conformance.PlanFor(prefix)
	var b strings.Builder
	fmt.Fprintf(&b, "talkjs conformance against %s (treated as a real TalkJS app) will:\n", root)
	fmt.Fprintf(&b, "  - create the users %s; at the end they are anonymised (TalkJS cannot delete users)\n", strings.Join(p.Users, ", "))
	fmt.Fprintf(&b, "  - create the conversations %s with about 10 messages, 1 file and 3 imported messages; at the end they are deleted\n",
		strings.Join(p.Conversations, ", "))
	fmt.Fprintf(&b, "  - ask for the users %s in requests TalkJS should refuse (anonymised if they exist after all)\n", strings.Join(p.Refused, ", "))
	fmt.Fprintf(&b, "  - write back to the app (PUT /v1/{appId}) exactly the values GET /v1/{appId} answers, and send no notification\n")
	fmt.Fprintf(&b, "  - send at most %d requests, at most %g a second and 1 batch a second; nothing outside the prefix %q is touched\n",
		o.maxRequests, o.rate, prefix)
	return b.String()
}

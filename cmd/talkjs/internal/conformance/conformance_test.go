package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/openapi"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

// pending are checks of documented behaviour the local server does not
// implement yet, with the reason. A check listed here may fail in
// TestScenarioPassesOnLocalServer; every other check must pass. Remove an
// entry once the server does what TalkJS documents.
var pending = map[string]string{}

// local runs the scenario against a fresh talkjstest server whose handler
// is wrapped by wrap (when not nil).
func local(t *testing.T, wrap func(http.Handler) http.Handler, cfg Config) (*Report, *talkjstest.Server) {
	t.Helper()
	srv := talkjstest.NewServer(t)
	srv.AllowInvalidRequests() // the scenario sends invalid requests on purpose
	root := srv.URL + "/v1/" + srv.AppID
	if wrap != nil {
		wrapped := httptest.NewServer(wrap(srv.API))
		t.Cleanup(wrapped.Close)
		root = wrapped.URL + "/v1/" + srv.AppID
	}
	cfg.APIRoot, cfg.AppID, cfg.Secret = root, srv.AppID, srv.Secret
	rep, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep, srv
}

// notPassing lists the checks that did not pass.
func notPassing(rep *Report) []string {
	var out []string
	for _, c := range rep.Checks {
		if c.Verdict != Pass {
			out = append(out, c.Name)
		}
	}
	return out
}

func TestScenarioPassesOnLocalServer(t *testing.T) {
	rep, srv := local(t, nil, Config{})
	if len(rep.Checks) < 80 {
		t.Errorf("Run() ran %d checks, want at least 80", len(rep.Checks))
	}
	for _, c := range rep.Checks {
		if c.Verdict == Pass {
			if why, ok := pending[c.Name]; ok {
				t.Logf("pending check now passes, remove it from pending (%s): %s", why, c.Name)
			}
			continue
		}
		if _, ok := pending[c.Name]; ok {
			continue
		}
		t.Errorf("check %q = %s (source %s): observed %s, want %s", c.Name, c.Verdict, c.Source, c.Observed, c.Expected)
	}
	names := map[string]bool{}
	for _, c := range rep.Checks {
		if names[c.Name] {
			t.Errorf("two checks are named %q, want each name once", c.Name)
		}
		names[c.Name] = true
	}
	if rep.Capped || len(rep.Cleanup) > 0 {
		t.Errorf("Run() Capped, Cleanup = %v, %v; want false, none", rep.Capped, rep.Cleanup)
	}
	if len(pending) == 0 && rep.Failed() {
		t.Errorf("Failed() = true, want false")
	}
	plan := PlanFor(rep.Prefix)
	if !slices.Equal(rep.Created.Conversations, plan.Conversations) || !slices.Equal(rep.Created.Users, plan.Users) {
		t.Errorf("Run() Created = %+v, want PlanFor(%q) = %+v", rep.Created, rep.Prefix, plan)
	}
	assertCleanedUp(t, srv.API, rep)
}

// assertCleanedUp checks that the run left no conversation, message or
// file behind, and that each of its users is anonymised.
func assertCleanedUp(t *testing.T, srv *api.Server, rep *Report) {
	t.Helper()
	if len(rep.Created.Conversations) == 0 || len(rep.Created.Users) == 0 {
		t.Fatalf("Report.Created = %+v, want conversations and users", rep.Created)
	}
	for _, id := range rep.Created.Conversations {
		if _, ok := srv.Conversation(id); ok {
			t.Errorf("Conversation(%s) after the run exists, want it deleted", id)
		}
	}
	for _, id := range rep.Created.Users {
		if !strings.HasPrefix(id, rep.Prefix) {
			t.Errorf("created user %s, want it under the prefix %s", id, rep.Prefix)
		}
		u, ok := srv.User(id)
		if !ok {
			t.Errorf("User(%s) after the run does not exist, want the listed user, anonymised", id)
			continue
		}
		if u.Name == nil || *u.Name != anonymousName || (u.Email.IsSpecified() && !u.Email.IsNull()) || (u.Custom != nil && len(*u.Custom) > 0) {
			b, _ := json.Marshal(u)
			t.Errorf("User(%s) after the run = %s, want it anonymised (name %q, no email, no custom)", id, b, anonymousName)
		}
	}
	n := srv.Counts()
	if n.Messages != 0 || n.Files != 0 {
		t.Errorf("Counts() after the run = %+v, want no messages and no files", n)
	}
}

// rewriteBody lets a wrapper change a request body.
func rewriteBody(r *http.Request, f func(any) any) {
	b, _ := io.ReadAll(r.Body)
	var v any
	if json.Unmarshal(b, &v) == nil {
		b, _ = json.Marshal(f(v))
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
}

// dropIdempotencyKeys is a wrong server: it forgets the idempotency keys of
// sends.
func dropIdempotencyKeys(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") && !strings.Contains(r.URL.Path, "/import/") {
			rewriteBody(r, func(v any) any {
				msgs, _ := v.([]any)
				for _, m := range msgs {
					if o, ok := m.(map[string]any); ok {
						delete(o, "idempotencyKey")
					}
				}
				return v
			})
		}
		h.ServeHTTP(w, r)
	})
}

// reverseLists is a wrong server: every list comes back in reverse order.
func reverseLists(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var v map[string]any
		if r.Method == http.MethodGet && json.Unmarshal(body, &v) == nil {
			if data, ok := v["data"].([]any); ok {
				slices.Reverse(data)
				body, _ = json.Marshal(v)
			}
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// TestScenarioCatchesWrongServers runs the scenario against servers that
// break one documented behaviour each and checks that exactly the checks
// of that behaviour stop passing.
func TestScenarioCatchesWrongServers(t *testing.T) {
	baseline, _ := local(t, nil, Config{})
	before := notPassing(baseline)
	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
		want []string
	}{
		{"drops idempotency keys", dropIdempotencyKeys, []string{
			"messages: a repeated idempotencyKey answers the first message's id",
			"messages: a repeated idempotencyKey stores one message",
		}},
		{"reverses lists", reverseLists, []string{
			"conversations: orderBy createdAt, orderDirection ASC lists oldest first",
			"conversations: startingAfter continues where the page ended",
			"messages: the list is newest first",
			"conversations: by default the list is by last activity, newest first",
			"versions: before 2021-02-09 lists are createdAt DESC whatever the order asked",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, srv := local(t, tc.wrap, Config{})
			var got []string
			for _, name := range notPassing(rep) {
				if !slices.Contains(before, name) {
					got = append(got, name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("checks that stopped passing =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if rep.Failed() != true {
				t.Errorf("Failed() = false, want true")
			}
			assertCleanedUp(t, srv.API, rep)
		})
	}
}

func TestRecordCompareRoundTrip(t *testing.T) {
	first, _ := local(t, nil, Config{})
	second, _ := local(t, nil, Config{})
	if first.Prefix == second.Prefix {
		t.Fatalf("two runs' prefixes = %s, %s; want different ones", first.Prefix, second.Prefix)
	}
	dir := t.TempDir()
	if err := Record(dir, first); err != nil {
		t.Fatal(err)
	}
	recorded, err := ReadRecording(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(recorded) != first.Requests || len(recorded) != len(first.Exchanges) {
		t.Fatalf("ReadRecording() = %d exchanges, want the run's %d requests (%d exchanges)", len(recorded), first.Requests, len(first.Exchanges))
	}
	if diffs := Compare(recorded, second.Exchanges); len(diffs) != 0 {
		t.Errorf("Compare(recording, another local run) = %d differences, want 0:\n%v", len(diffs), diffs)
	}

	// One renamed field and one changed status.
	edit(t, dir, "users-get.json", func(ex *Exchange) {
		body := ex.Response.Body.(map[string]any)
		body["displayName"] = body["name"]
		delete(body, "name")
	})
	edit(t, dir, "conversations-get-missing.json", func(ex *Exchange) { ex.Response.Status = 400 })
	recorded, err = ReadRecording(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := Compare(recorded, second.Exchanges)
	want := []Difference{
		{Step: "users/get", Kind: DiffRenamed, Field: "name", Recorded: "displayName", Local: "name"},
		{Step: "conversations/get-missing", Kind: DiffStatus, Recorded: "400", Local: "404"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Compare(edited recording) =\n  %v\nwant\n  %v", got, want)
	}
}

// edit rewrites the recorded exchange whose file name ends in suffix.
func edit(t *testing.T, dir, suffix string, f func(*Exchange)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, exchangesDir, "*-"+suffix))
	if len(files) != 1 {
		t.Fatalf("%d recorded files end in %s, want 1", len(files), suffix)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var ex Exchange
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	f(&ex)
	if err := writeJSONFile(files[0], ex); err != nil {
		t.Fatal(err)
	}
}

func TestCompareKinds(t *testing.T) {
	t.Parallel()
	ex := func(step string, status int, body string) Exchange {
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		return Exchange{Step: step, Response: RecordedResp{Status: status, Body: v}}
	}
	recorded := []Exchange{
		ex("a", 200, `{"id":"x","n":1,"subject":null,"participants":{"u":{"access":"Read"}},"data":[{"k":1}]}`),
		ex("b", 404, `{"error":"x"}`),
		ex("only-recorded", 200, `{}`),
	}
	local := []Exchange{
		ex("a", 200, `{"id":"y","n":"1","participants":{"u":{"access":"Read","notify":true}},"data":[{"k":2},{"k":3}],"more":[]}`),
		ex("b", 404, `{"message":"other error shape"}`),
		ex("only-local", 200, `{}`),
	}
	got := Compare(recorded, local)
	want := []Difference{
		{Step: "a", Kind: DiffMissing, Field: "subject", Recorded: "null", Local: "absent"},
		{Step: "a", Kind: DiffExtra, Field: "more", Recorded: "absent", Local: "array"},
		{Step: "a", Kind: DiffType, Field: "n", Recorded: "number", Local: "string"},
		{Step: "a", Kind: DiffExtra, Field: "participants.u.notify", Recorded: "absent", Local: "boolean"},
		{Step: "only-recorded", Kind: DiffExchange, Recorded: "sent", Local: "not sent"},
		{Step: "only-local", Kind: DiffExchange, Recorded: "not sent", Local: "sent"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Compare(recorded, local) =\n  %v\nwant\n  %v", got, want)
	}
}

// TestRecordingHoldsNoSecrets looks for the secret key, any token sent and
// the prefix in every recorded file.
func TestRecordingHoldsNoSecrets(t *testing.T) {
	var mu sync.Mutex
	var tokens []string
	srv := talkjstest.NewServer(t)
	srv.AllowInvalidRequests()
	spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tokens = append(tokens, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		mu.Unlock()
		srv.API.ServeHTTP(w, r)
	}))
	defer spy.Close()
	rep, err := Run(t.Context(), Config{APIRoot: spy.URL + "/v1/" + srv.AppID, AppID: srv.AppID, Secret: srv.Secret})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Record(dir, rep); err != nil {
		t.Fatal(err)
	}
	var all []byte
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			all = append(all, b...)
		}
		return nil
	})
	for _, s := range append([]string{srv.Secret, rep.Prefix, "/v1/" + srv.AppID}, tokens...) {
		if s != "" && s != "not-a-token" && bytes.Contains(all, []byte(s)) {
			t.Errorf("the recording holds %q, want no secret, token, prefix or app path", s)
		}
	}
	for _, p := range []string{prefixPlaceholder, "{msg1}", "{file1}"} {
		if !bytes.Contains(all, []byte(p)) {
			t.Errorf("the recording lacks %s, want the placeholders for the prefix, messages and files", p)
		}
	}
}

// fakeClock is a clock that moves only when slept on.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// TestPacingAndCap runs against a stand-in app with a fake clock: requests
// are spaced by Interval, batches by BatchInterval, the cap holds with the
// cleanup included, and the cleanup still leaves nothing behind.
func TestPacingAndCap(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv := talkjstest.NewServer(t)
	srv.AllowInvalidRequests()
	// The app's own data, which the scenario must not touch.
	ctx := t.Context()
	if err := srv.Client.Users.Upsert(ctx, "customer", talkjs.UserInput{Name: "Real Customer"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client.Conversations.Upsert(ctx, "support", talkjs.ConversationInput{Participants: []string{"customer"}}); err != nil {
		t.Fatal(err)
	}
	type sent struct {
		at    time.Time
		batch bool
	}
	var mu sync.Mutex
	var log []sent
	counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		log = append(log, sent{clock.Now(), strings.HasSuffix(r.URL.Path, "/batch")})
		mu.Unlock()
		srv.API.ServeHTTP(w, r)
	}))
	defer counter.Close()
	// The subtests share the clock, the server and its log: they run one
	// after the other, as the loop did.
	for _, max := range []int{DefaultMaxRequests, 40} {
		t.Run(fmt.Sprintf("MaxRequests=%d", max), func(t *testing.T) {
			log = nil
			rep, err := Run(ctx, Config{APIRoot: counter.URL + "/v1/" + srv.AppID, AppID: srv.AppID, Secret: srv.Secret,
				MaxRequests: max, Interval: 200 * time.Millisecond, BatchInterval: 1100 * time.Millisecond,
				Now: clock.Now, Sleep: clock.Sleep})
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != rep.Requests || rep.Requests > max {
				t.Errorf("Run() Requests = %d, the server saw %d; want them equal and at most %d", rep.Requests, len(log), max)
			}
			if capped := max < 100; rep.Capped != capped {
				t.Errorf("Run() Capped = %v, want %v", rep.Capped, capped)
			}
			var lastBatch time.Time
			for i, s := range log {
				if i > 0 && s.at.Sub(log[i-1].at) < 200*time.Millisecond {
					t.Errorf("request %d came %v after the one before, want at least 200ms", i, s.at.Sub(log[i-1].at))
				}
				if s.batch {
					if !lastBatch.IsZero() && s.at.Sub(lastBatch) < 1100*time.Millisecond {
						t.Errorf("a batch (request %d) came %v after the one before, want at least 1.1s", i, s.at.Sub(lastBatch))
					}
					lastBatch = s.at
				}
			}
			if len(rep.Cleanup) > 0 {
				t.Errorf("Run() Cleanup = %v, want none", rep.Cleanup)
			}
			assertCleanedUp(t, srv.API, rep)
			if u, ok := srv.API.User("customer"); !ok || *u.Name != "Real Customer" {
				t.Errorf("User(customer) after the run = %+v, %v; want the app's own user unchanged (Real Customer)", u, ok)
			}
			if _, ok := srv.API.Conversation("support"); !ok {
				t.Error("Conversation(support) after the run = _, false; want the app's own conversation kept")
			}
		})
	}
}

// TestRecordingHidesTheAppsOwnData: an object the scenario did not create
// (a user of the app in GET /users, say) keeps its shape in a recording but
// none of its strings or unusual keys.
func TestRecordingHidesTheAppsOwnData(t *testing.T) {
	t.Parallel()
	r, err := newRunner(Config{APIRoot: "http://127.0.0.1:1/v1/app", AppID: "app", Secret: "sk_secret", Prefix: "cfk-x-"})
	if err != nil {
		t.Fatal(err)
	}
	var answer any
	json.Unmarshal([]byte(`{"data":[
		{"id":"customer-42","name":"Real Customer","email":["real@example.com"],"custom":{"ssn-1":"123","plan":"pro"},"createdAt":5},
		{"id":"cfk-x-alice","name":"Alice","custom":{"plan":"pro"}}]}`), &answer)
	got := normaliser{r: r}.value(answer)
	b, _ := json.Marshal(got)
	want := `{"data":[` +
		`{"createdAt":5,"custom":{"[not ours] 2":"[not ours]","plan":"[not ours]"},"email":["[not ours]"],"id":"[not ours]","name":"[not ours]"},` +
		`{"custom":{"plan":"pro"},"id":"{prefix}alice","name":"Alice"}]}`
	if string(b) != want {
		t.Errorf("normaliser.value(app's users) =\n  %s\nwant\n  %s", b, want)
	}
	// A recording of the app's data compares with nothing.
	if d := Compare([]Exchange{{Step: "s", Response: RecordedResp{Status: 200, Body: got}}},
		[]Exchange{{Step: "s", Response: RecordedResp{Status: 200, Body: map[string]any{"data": []any{map[string]any{"id": "x"}}}}}}); len(d) != 0 {
		t.Errorf("Compare with a foreign object = %v, want nothing", d)
	}
}

// TestInterruptedRunCleansUp cancels the run in the middle of the scenario:
// the cleanup still runs and leaves nothing behind.
func TestInterruptedRunCleansUp(t *testing.T) {
	srv := talkjstest.NewServer(t)
	srv.AllowInvalidRequests()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := 0
	rep, err := Run(ctx, Config{APIRoot: srv.URL + "/v1/" + srv.AppID, AppID: srv.AppID, Secret: srv.Secret,
		Observe: func(ex Exchange) {
			if n++; n == 40 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests >= 100 || len(rep.Cleanup) > 0 {
		t.Errorf("Run(cancelled after 40 exchanges) Requests, Cleanup = %d, %v; want fewer than 100, none", rep.Requests, rep.Cleanup)
	}
	assertCleanedUp(t, srv.API, rep)
}

// routeRecorder notes the operation of the spec each request matches.
type routeRecorder struct {
	next http.RoundTripper
	v    *openapi.Validator
	mu   sync.Mutex
	ops  map[string]bool
}

func (rr *routeRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if route, err := rr.v.FindRoute(r); err == nil {
		rr.mu.Lock()
		rr.ops[route.OperationID] = true
		rr.mu.Unlock()
	}
	return rr.next.RoundTrip(r)
}

// TestScenarioCoversEveryOperation: the scenario sends a request to every
// operation of the specification. The HEAD forms are the GETs without a
// body (RFC 9110), so one of them stands for all.
func TestScenarioCoversEveryOperation(t *testing.T) {
	v, err := openapi.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	rr := &routeRecorder{next: http.DefaultTransport, v: v, ops: map[string]bool{}}
	local(t, nil, Config{HTTPClient: &http.Client{Transport: rr}})
	all, err := openapi.OperationIDs()
	if err != nil {
		t.Fatal(err)
	}
	heads := 0
	for _, op := range all {
		switch {
		case rr.ops[op] && strings.HasSuffix(op, "Head"):
			heads++
		case !rr.ops[op] && !strings.HasSuffix(op, "Head"):
			t.Errorf("the scenario never sends %s, want a request to every operation", op)
		}
	}
	if heads == 0 {
		t.Errorf("the scenario sends no HEAD request, want at least one")
	}
}

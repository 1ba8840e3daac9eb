package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/histgen"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

func newServer(t *testing.T, opts ...api.Option) (*api.Server, *talkjs.Client) {
	t.Helper()
	ts := talkjstest.NewServer(t, talkjstest.WithServerOptions(opts...))
	c, err := talkjs.NewClient(ts.AppID, ts.Secret, talkjs.WithBaseURL(ts.URL),
		talkjs.WithRetryPolicy(talkjs.RetryPolicy{MaxRetries: 6, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return ts.API, c
}

type want struct {
	sender string
	ts     int64
	text   string
}

// expected reads the messages of an NDJSON history by conversation.
func expected(t *testing.T, data []byte) map[string]map[want]int {
	t.Helper()
	out := map[string]map[want]int{}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var m struct {
			Kind, ConversationID, Sender, Text string
			Timestamp                          int64
		}
		if json.Unmarshal(line, &m) != nil || m.Kind != "message" {
			continue
		}
		if out[m.ConversationID] == nil {
			out[m.ConversationID] = map[want]int{}
		}
		out[m.ConversationID][want{m.Sender, m.Timestamp, m.Text}]++
	}
	return out
}

// checkStored fails unless the server holds every expected message exactly
// once with its original timestamp, and nothing else.
func checkStored(t *testing.T, srv *api.Server, exp map[string]map[want]int) {
	t.Helper()
	total := 0
	for conv, msgs := range exp {
		got := map[want]int{}
		for _, m := range srv.Messages(conv) {
			got[want{m.SenderId.MustGet(), *m.CreatedAt, m.Text.MustGet()}]++
		}
		for k, n := range msgs {
			total += n
			if got[k] != n {
				t.Errorf("conversation %s: message %+v stored %d times, want %d", conv, k, got[k], n)
			}
		}
		if len(got) != len(msgs) {
			t.Errorf("conversation %s: %d distinct messages stored, want %d", conv, len(got), len(msgs))
		}
	}
	if n := srv.Counts().Messages; n != total {
		t.Errorf("server holds %d messages, want %d", n, total)
	}
}

func history(t *testing.T, s histgen.Spec) []byte {
	var b bytes.Buffer
	if err := histgen.Write(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportThroughFaultsIsExactlyOnce(t *testing.T) {
	data := history(t, histgen.Spec{Users: 150, Conversations: 100, Messages: 5000, Seed: 7})
	// Histories can hold true duplicates (same sender, time and text); they
	// must be stored as often as the input has them.
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	for i := len(lines) - 1; i > len(lines)-5000; i -= 97 {
		data = append(append(data, lines[i]...), '\n')
	}
	srv, c := newServer(t, api.WithFaults(api.Faults{Unavailable: 0.04, BadGateway: 0.04, Cut: 0.04, Seed: 11}))
	cp := filepath.Join(t.TempDir(), "history.checkpoint")
	var rejects, notes bytes.Buffer
	im := New(c, Options{Checkpoint: cp, Concurrency: 8, Rejects: &rejects, Notes: &notes})
	sum, err := im.Run(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Run(history, through faults) error = %v, want nil\nnotes:\n%s", err, notes.String())
	}
	if !sum.OK() || sum.Messages != 5052 || sum.Imported+sum.Found != 5052 || sum.Users != 150 || sum.Conversations != 100 {
		t.Fatalf("Run(history, through faults) = %+v, want OK with 5052 messages imported or found, 150 users, 100 conversations\nrejects:\n%s\nnotes:\n%s", sum, rejects.String(), notes.String())
	}
	if sum.Ambiguous == 0 || sum.Found == 0 {
		t.Errorf("the faults caused %d ambiguous failures and %d messages found by read-back; want some of each", sum.Ambiguous, sum.Found)
	}
	exp := expected(t, data)
	checkStored(t, srv, exp)
	t.Logf("%d import requests, %d ambiguous, %d messages found stored after an ambiguous failure, %s",
		sum.Requests, sum.Ambiguous, sum.Found, sum.Elapsed)

	// A second run adds nothing, even with the faults still on.
	sum2, err := New(c, Options{Checkpoint: cp, Concurrency: 8}).Run(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Requests != 0 || sum2.Earlier != 5052 || !sum2.OK() {
		t.Errorf("second run: %+v; want no import requests and 5052 already imported", sum2)
	}
	checkStored(t, srv, exp)
}

func TestChangedInputIsRefusedThenReconciled(t *testing.T) {
	data := history(t, histgen.Spec{Users: 4, Conversations: 2, Messages: 40, Seed: 1})
	srv, c := newServer(t)
	cp := filepath.Join(t.TempDir(), "cp")
	if _, err := New(c, Options{Checkpoint: cp}).Run(t.Context(), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	// Edit the text of an imported message of c000: the checkpoint belongs
	// to the old input, so the run is refused before anything is sent.
	changed := bytes.Replace(data, []byte(`"text":"message 0: `), []byte(`"text":"message 0 (edited): `), 1)
	if bytes.Equal(changed, data) {
		t.Fatal(`bytes.Replace(history, "message 0: ", edited) changed nothing, want one message's text edited`)
	}
	sum, err := New(c, Options{Checkpoint: cp}).Run(t.Context(), bytes.NewReader(changed))
	if !errors.Is(err, ErrCheckpointMismatch) || !strings.Contains(err.Error(), "SHA-256") || RerunHelps(err) {
		t.Fatalf("Run(changed input, old checkpoint) error = %v, want ErrCheckpointMismatch naming the hashes, and no advice to rerun", err)
	}
	if sum.Requests != 0 {
		t.Fatalf("Run(changed input, old checkpoint) sent %d import requests, want 0", sum.Requests)
	}
	// With a new checkpoint, every conversation is read back: c001 is
	// found complete, c000 holds messages the input no longer has in
	// order, so it is uncertain; nothing is sent twice.
	sum, err = New(c, Options{Checkpoint: cp + ".new"}).Run(t.Context(), bytes.NewReader(changed))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Uncertain) != 1 || sum.Uncertain[0].Conversation != "c000" || sum.Requests != 0 || sum.OK() {
		t.Fatalf("Run(changed input, new checkpoint) = %+v, want c000 uncertain and no request", sum)
	}
	checkStored(t, srv, expected(t, data))
}

func TestPendingRangeFromCrashedRunIsResolved(t *testing.T) {
	data := history(t, histgen.Spec{Users: 4, Conversations: 1, Messages: 25, Seed: 3})
	srv, c := newServer(t)
	cp := filepath.Join(t.TempDir(), "cp")
	// Run against a server that stores the first request and then the
	// process "dies": emulate with a context cancelled by a middleware
	// after the first import answer.
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	c2, err := talkjs.NewClient(c.AppID(), srv.Secret(), talkjs.WithBaseURL(strings.TrimSuffix(c.ServerURL(), "/v1/"+c.AppID()+"/")),
		talkjs.WithMiddleware(func(next http.RoundTripper) http.RoundTripper {
			return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(r)
				if strings.Contains(r.URL.Path, "/import/") {
					calls++
					if calls == 2 {
						// The second request is stored, then the process
						// "dies" before the answer is read.
						resp.Body.Close()
						cancel()
						return nil, context.Canceled
					}
				}
				return resp, err
			})
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(c2, Options{Checkpoint: cp, Concurrency: 1}).Run(ctx, bytes.NewReader(data)); err == nil {
		t.Fatal("Run(interrupted after the second import request) error = nil, want an error")
	}
	if n := srv.Counts().Messages; n != 20 {
		t.Fatalf("server holds %d messages after the interrupted run, want 20", n)
	}
	var notes bytes.Buffer
	sum, err := New(c, Options{Checkpoint: cp, Notes: &notes}).Run(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Found != 10 || sum.Imported != 5 || sum.Earlier != 10 || !sum.OK() {
		t.Fatalf("rerun = %+v, want OK with 10 found, 5 imported, 10 earlier\n%s", sum, notes.String())
	}
	if !strings.Contains(notes.String(), "were stored after all") {
		t.Errorf("rerun notes = %q, want a note that messages %q", notes.String(), "were stored after all")
	}
	checkStored(t, srv, expected(t, data))
}

func TestMalformedLinesAreRejectedByLineNumber(t *testing.T) {
	in := strings.Join([]string{
		`{"kind":"user","id":"a","name":"A"}`,
		`{"kind":"user","id":"b","name":"B"}`,
		`{"kind":"user","id":"x"}`,
		`not json at all`,
		`{"kind":"conversation","id":"c","participants":["a","b"]}`,
		`{"kind":"message","conversationId":"c","sender":"a","text":"one","timestamp":1552000000000}`,
		`{"kind":"message","conversationId":"c","sender":"a","text":"","timestamp":1552000001000}`,
		`{"kind":"message","conversationId":"c","sender":"b","text":"two","timestamp":"2019-03-08T00:00:05Z"}`,
		`{"kind":"message","conversationId":"c","sender":"b","text":"secs","timestamp":1552000000}`,
		`{"kind":"message","conversationId":"c","sender":"b","text":"typo","timestamp":1552000009000,"custon":{}}`,
		`{"kind":"reaction"}`,
		``,
		`{"kind":"message","conversationId":"nowhere","sender":"a","text":"lost","timestamp":1552000000000}`,
		`{"kind":"message","conversationId":"c","sender":"a","text":"three","timestamp":1552009999000}`,
	}, "\n")
	srv, c := newServer(t)
	var rejects bytes.Buffer
	sum, err := New(c, Options{Checkpoint: filepath.Join(t.TempDir(), "cp"), Rejects: &rejects}).Run(t.Context(), strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	wantLines := map[int]string{3: `needs a "name"`, 4: "not a JSON object", 7: `non-empty "text"`, 9: "looks like seconds",
		10: `unknown field "custon"`, 11: `unknown kind "reaction"`, 13: `conversation "nowhere" does not exist`}
	got := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(rejects.String()), "\n") {
		var r struct {
			Line          int
			Reason, Input string
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("json.Unmarshal(rejects line %q) = %v, want nil", line, err)
		}
		got[r.Line] = r.Reason
	}
	for n, frag := range wantLines {
		if !strings.Contains(got[n], frag) {
			t.Errorf("line %d: reason %q, want it to mention %q", n, got[n], frag)
		}
	}
	if len(got) != len(wantLines) || sum.Rejected != len(wantLines) {
		t.Errorf("rejected lines %v (summary says %d), want %d", got, sum.Rejected, len(wantLines))
	}
	if sum.Imported != 3 || sum.OK() {
		t.Errorf("Run() = %+v, want 3 imported and not OK", sum)
	}
	texts := []string{}
	for _, m := range srv.Messages("c") {
		texts = append(texts, m.Text.MustGet())
	}
	if strings.Join(texts, ",") != "one,two,three" {
		t.Errorf("stored %v, want one,two,three in time order", texts)
	}
}

func TestUnresolvableOutcomeIsUncertainThenSettledByNextRun(t *testing.T) {
	data := history(t, histgen.Spec{Users: 4, Conversations: 1, Messages: 30, Seed: 9})
	srv, c := newServer(t)
	cp := filepath.Join(t.TempDir(), "cp")
	// The second import request is stored but its answer lost, and every
	// read-back after the first import request fails: the importer cannot
	// know, so it must not resend.
	imports := 0
	broken, err := talkjs.NewClient(c.AppID(), srv.Secret(), talkjs.WithBaseURL(strings.TrimSuffix(c.ServerURL(), "/v1/"+c.AppID()+"/")),
		talkjs.WithMaxRetries(0),
		talkjs.WithMiddleware(func(next http.RoundTripper) http.RoundTripper {
			return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
				if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/messages") && imports > 0 {
					return nil, errors.New("read-back broken")
				}
				resp, err := next.RoundTrip(r)
				if strings.Contains(r.URL.Path, "/import/") {
					imports++
					if imports == 2 {
						resp.Body.Close()
						return nil, errors.New("connection reset after sending")
					}
				}
				return resp, err
			})
		}))
	if err != nil {
		t.Fatal(err)
	}
	var notes bytes.Buffer
	sum, err := New(broken, Options{Checkpoint: cp, Notes: &notes}).Run(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Uncertain) != 1 || len(sum.Uncertain[0].Lines) != 10 || sum.OK() || imports != 2 {
		t.Fatalf("Run(broken read-back) = %+v after %d import requests, want one uncertain range of 10 lines, not OK, after 2 requests\n%s", sum, imports, notes.String())
	}
	if n := srv.Counts().Messages; n != 20 {
		t.Fatalf("server holds %d messages, want 20", n)
	}
	// The next run, with a working read-back, finds the range stored and
	// sends only the rest.
	sum, err = New(c, Options{Checkpoint: cp}).Run(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK() || sum.Found != 10 || sum.Imported != 10 || sum.Earlier != 10 {
		t.Fatalf("second run = %+v, want OK with 10 found, 10 imported, 10 earlier", sum)
	}
	checkStored(t, srv, expected(t, data))
}

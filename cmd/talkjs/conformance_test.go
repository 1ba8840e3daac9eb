package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/conformance"
	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

// standIn is a local stand-in for a TalkJS app: a talkjstest server with
// data of its own, behind a handler that counts the requests.
type standIn struct {
	srv      *talkjstest.Server
	http     *httptest.Server
	requests atomic.Int64
	vars     map[string]string
}

func newStandIn(t *testing.T) *standIn {
	t.Helper()
	s := &standIn{srv: talkjstest.NewServer(t)}
	s.srv.AllowInvalidRequests() // the scenario sends invalid requests on purpose
	ctx := t.Context()
	if err := s.srv.Client.Users.Upsert(ctx, "customer", talkjs.UserInput{Name: "Real Customer"}); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Client.Conversations.Upsert(ctx, "support", talkjs.ConversationInput{Participants: []string{"customer"}}); err != nil {
		t.Fatal(err)
	}
	s.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.srv.API.ServeHTTP(w, r)
	}))
	t.Cleanup(s.http.Close)
	s.vars = map[string]string{talkjs.EnvAppID: s.srv.AppID, talkjs.EnvSecretKey: s.srv.Secret, talkjs.EnvBaseURL: s.http.URL}
	return s
}

// report decodes the --json output of a conformance run.
func decodeReport(t *testing.T, r result) *conformance.Report {
	t.Helper()
	var rep conformance.Report
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("talkjs conformance --json = exit %d, output not a JSON report (%v); want a report\n%s", r.code, err, r.streams())
	}
	return &rep
}

// assertClean checks that a run left none of its conversations, messages
// or files, anonymised its users, and left the app's own data alone.
func (s *standIn) assertClean(t *testing.T, rep *conformance.Report) {
	t.Helper()
	plan := conformance.PlanFor(rep.Prefix)
	for _, id := range plan.Conversations {
		if _, ok := s.srv.API.Conversation(id); ok {
			t.Errorf("after the run, Conversation(%s) still exists, want it deleted", id)
		}
	}
	for _, id := range append(plan.Users, plan.Refused...) {
		if u, ok := s.srv.API.User(id); ok && (u.Name == nil || *u.Name != "Deleted user" || (u.Email.IsSpecified() && !u.Email.IsNull())) {
			t.Errorf("after the run, User(%s) = %+v, want it anonymised: name \"Deleted user\", no email", id, u)
		}
	}
	if n := s.srv.API.Counts(); n.Messages != 0 || n.Files != 0 || n.Conversations != 1 {
		t.Errorf("after the run, Counts() = %+v, want no messages, no files and 1 conversation (the app's own)", n)
	}
	if u, ok := s.srv.API.User("customer"); !ok || *u.Name != "Real Customer" {
		t.Errorf("after the run, User(customer) = %+v, want the app's own user unchanged (Real Customer)", u)
	}
}

// TestConformanceLivePath runs the command against a stand-in treated as a
// real app: without --yes it prints the plan and sends nothing; with it, it
// stays under the request cap and cleans up.
func TestConformanceLivePath(t *testing.T) {
	s := newStandIn(t)

	r := runWith(t, s.vars, "", "conformance", "--live")
	if r.code != exitUsage || s.requests.Load() != 0 {
		t.Fatalf("talkjs conformance --live = exit %d after %d requests, want exit 2 and none (no --yes)\n%s", r.code, s.requests.Load(), r.streams())
	}
	for _, want := range []string{"will:", "-alice", "-shoes", "anonymised", "at most 250 requests", "--yes"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("talkjs conformance --live: stderr lacks %q, want the plan and the refusal to say it\n%s", want, r.err)
		}
	}

	live := "talkjs conformance --live --yes --rate 100000 --max-requests 60 --json"
	r = runWith(t, s.vars, "", "conformance", "--live", "--yes", "--rate", "100000", "--max-requests", "60", "--json")
	rep := decodeReport(t, r)
	if got := s.requests.Load(); got > 60 || got != int64(rep.Requests) {
		t.Errorf("%s = %d requests reported, %d seen by the stand-in; want the same number, at most 60", live, rep.Requests, got)
	}
	if !rep.Capped || len(rep.Cleanup) > 0 {
		t.Errorf("%s = a report with Capped %v, Cleanup %v; want true and no cleanup problems", live, rep.Capped, rep.Cleanup)
	}
	if !strings.Contains(r.err, "PUT  /users/{prefix}alice → 200") {
		t.Errorf("%s: stderr lacks \"PUT  /users/{prefix}alice → 200\", want every request shown\n%s", live, r.err)
	}
	s.assertClean(t, rep)
}

func TestConformanceRefusesRealAppWithoutYes(t *testing.T) {
	t.Parallel()
	vars := map[string]string{talkjs.EnvAppID: "app", talkjs.EnvSecretKey: "sk_test_secret"}
	for _, args := range [][]string{
		{"conformance"}, // TalkJS itself by default
		{"conformance", "--base-url", "https://api.talkjs.com"},
		{"conformance", "--api-root", "http://192.0.2.1:4010"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := runWith(t, vars, "", args...)
			if r.code != exitUsage || !strings.Contains(r.err, "needs --yes") || !strings.Contains(r.err, "will:") {
				t.Errorf("%s = exit %d, want 2 with the plan (will:) and \"needs --yes\" on stderr\n%s", commandLine(args...), r.code, r.streams())
			}
			if strings.Contains(r.err+r.out, "sk_test_secret") {
				t.Errorf("%s printed the secret key, want it never shown\n%s", commandLine(args...), r.streams())
			}
		})
	}
}

func TestConformanceUsage(t *testing.T) {
	t.Parallel()
	vars := map[string]string{talkjs.EnvAppID: "app", talkjs.EnvSecretKey: "sk"}
	for _, args := range [][]string{
		{"conformance", "--api-root", "http://127.0.0.1:1", "--base-url", "http://127.0.0.1:1"},
		{"conformance", "--api-root", "ftp://127.0.0.1"},
		{"conformance", "--base-url", "http://127.0.0.1:1/v1/app"},
		{"conformance", "--max-requests", "0"},
		{"conformance", "--rate", "0"},
		{"conformance", "--compare", "/nonexistent-recording"},
		{"conformance", "-o", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			if r := runWith(t, vars, "", args...); r.code != exitUsage {
				t.Errorf("%s = exit %d, want 2\n%s", commandLine(args...), r.code, r.streams())
			}
		})
	}
	if r := runWith(t, nil, "", "conformance", "--base-url", "http://127.0.0.1:1"); r.code != exitUsage || !strings.Contains(r.err, "missing an app id") {
		t.Errorf("talkjs conformance --base-url http://127.0.0.1:1 (no credentials) = exit %d, want 2 with \"missing an app id\" on stderr\n%s", r.code, r.streams())
	}
}

// TestConformanceRecordCompare records a run on loopback (no --yes needed,
// no pacing), then compares it with the embedded server: no differences.
func TestConformanceRecordCompare(t *testing.T) {
	s := newStandIn(t)
	dir := t.TempDir()
	r := runWith(t, s.vars, "", "conformance", "--record", dir)
	if !strings.Contains(r.out, "CHECK") || !strings.Contains(r.out, "requests; cleaned up 4 conversations and 3 users") ||
		!strings.Contains(r.out, "Recorded ") {
		t.Fatalf("talkjs conformance --record DIR = exit %d, want a CHECK table, \"cleaned up 4 conversations and 3 users\" and \"Recorded\" on stdout\n%s",
			r.code, r.streams())
	}
	if r.code != exitOK || strings.Contains(r.out, " FAIL\n") {
		t.Errorf("talkjs conformance --record DIR against the local server = exit %d, want 0 with no FAIL:\n%s", r.code, r.out)
	}

	r = runWith(t, nil, "", "conformance", "--compare", dir)
	if r.code != exitOK || !strings.Contains(r.out, "0 differences") {
		t.Errorf("talkjs conformance --compare DIR = exit %d, want 0 with \"0 differences\" on stdout\n%s", r.code, r.streams())
	}
	r = runWith(t, nil, "", "conformance", "--compare", dir, "--json")
	if want := "{\n  \"differences\": []\n}"; r.code != exitOK || strings.TrimSpace(r.out) != want {
		t.Errorf("talkjs conformance --compare DIR --json = exit %d, want 0 printing\n%s\n%s", r.code, want, r.streams())
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for root, want := range map[string]bool{
		"http://127.0.0.1:8080/v1/app": true,
		"http://127.9.9.9/v1/app":      true,
		"http://[::1]:8080":            true,
		"http://localhost:4010":        true,
		"https://api.talkjs.com/v1/x":  false,
		"http://10.0.0.1/v1/app":       false,
		"http://127.0.0.1.nip.io/":     false,
	} {
		t.Run(root, func(t *testing.T) {
			t.Parallel()
			if got := isLoopback(root); got != want {
				t.Errorf("isLoopback(%q) = %v, want %v", root, got, want)
			}
		})
	}
}

package importer

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/histgen"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

func TestCheckpointReplaysCompactsAndIgnoresATornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp")
	cp, err := openCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []record{
		{Conv: "a", Op: "send", From: 0, To: 10},
		{Conv: "a", Op: "done", To: 10, Hash: "h10"},
		{Conv: "a", Op: "send", From: 10, To: 20},
		{Conv: "b", Op: "send", From: 0, To: 3},
		{Conv: "b", Op: "reject", At: 1, Reason: "bad"},
		{Conv: "b", Op: "done", To: 3, Hash: "h3"},
		{Conv: "c", Op: "uncertain", From: 0, To: 5, Reason: "cut"},
	} {
		if err := cp.write(r); err != nil {
			t.Fatal(err)
		}
	}
	cp.close()
	// A crash mid-write leaves half a record at the end.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"conv":"a","op":"do`)
	f.Close()

	cp, err = openCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.close()
	a, b, c := cp.get("a"), cp.get("b"), cp.get("c")
	if a.Done != 10 || a.Hash != "h10" || a.Pending == nil || *a.Pending != [2]int{10, 20} || a.Uncertain != "" {
		t.Errorf("get(a) = %+v, want done to 10 (h10), 10..20 pending, not uncertain", a)
	}
	if b.Done != 3 || b.Pending != nil || b.Rejected[1] != "bad" {
		t.Errorf("get(b) = %+v, want done to 3, nothing pending, line 1 rejected as bad", b)
	}
	if c.Pending == nil || c.Uncertain != "cut" {
		t.Errorf("get(c) = %+v, want a pending range, uncertain because cut", c)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != 5 {
		t.Errorf("compacted journal has %d records, want 5:\n%s", n, data)
	}
}

func TestDamagedCheckpointIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp")
	os.WriteFile(path, []byte("{\"conv\":\"a\",\"op\":\"done\",\"to\":1}\nnot json\n{\"conv\":\"a\",\"op\":\"done\",\"to\":2}\n"), 0o644)
	if _, err := openCheckpoint(path); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("openCheckpoint(journal with a bad line 2) error = %v, want one naming line 2", err)
	}
}

// A checkpoint that lost records, or had old ones replayed into it, claims
// less than TalkJS holds: the next run must find the rest by reading back,
// and send nothing twice.
func TestDamagedCheckpointNeverCausesDuplicates(t *testing.T) {
	data := history(t, histgen.Spec{Users: 8, Conversations: 6, Messages: 600, Seed: 21})
	srv, c := newServer(t)
	dir := t.TempDir()
	cp := filepath.Join(dir, "cp")

	// A first run stops after 25 import requests; keep its checkpoint as
	// the "old" one.
	ctx, cancel := context.WithCancel(t.Context())
	imports := 0
	stopping, err := talkjs.NewClient(c.AppID(), srv.Secret(), talkjs.WithBaseURL(strings.TrimSuffix(c.ServerURL(), "/v1/"+c.AppID()+"/")),
		talkjs.WithMiddleware(func(next http.RoundTripper) http.RoundTripper {
			var mu sync.Mutex
			return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(r)
				if strings.Contains(r.URL.Path, "/import/") {
					mu.Lock()
					if imports++; imports == 25 {
						cancel()
					}
					mu.Unlock()
				}
				return resp, err
			})
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(stopping, Options{Checkpoint: cp, Concurrency: 3}).Run(ctx, bytes.NewReader(data)); err == nil {
		t.Fatal("Run(interrupted after 25 import requests) error = nil, want an error")
	}
	old, _ := os.ReadFile(cp)
	sum, err := New(c, Options{Checkpoint: cp, Concurrency: 3}).Run(t.Context(), bytes.NewReader(data))
	if err != nil || !sum.OK() {
		t.Fatalf("completing run = %+v, %v; want OK, nil", sum, err)
	}
	exp := expected(t, data)
	checkStored(t, srv, exp)
	final, _ := os.ReadFile(cp)
	lines := strings.SplitAfter(string(final), "\n")
	lines = lines[:len(lines)-1]
	if len(lines) < 10 || !strings.Contains(string(old), `"op":"done"`) {
		t.Fatalf("journals too short to damage, want at least 10 lines and a done record in the old one:\nold:\n%s\nfinal:\n%s", old, final)
	}

	for _, tc := range []struct {
		name    string
		journal string // "" with remove: no file
		remove  bool
	}{
		{"truncated to its first line", lines[0], false},
		{"truncated to half", strings.Join(lines[:len(lines)/2], ""), false},
		{"truncated by one line", strings.Join(lines[:len(lines)-1], ""), false},
		{"deleted", "", true},
		{"emptied", "", false},
		{"an older copy restored", string(old), false},
		{"old records appended", string(final) + string(old), false},
		{"old records appended and a torn line", string(final) + string(old) + `{"conv":"c0`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if !tc.remove {
				if err := os.WriteFile(path, []byte(tc.journal), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var notes bytes.Buffer
			sum, err := New(c, Options{Checkpoint: path, Concurrency: 3, Notes: &notes}).Run(t.Context(), bytes.NewReader(data))
			if err != nil || !sum.OK() {
				t.Fatalf("rerun = %+v, %v; want OK, nil\n%s", sum, err, notes.String())
			}
			if sum.Requests != 0 || sum.Earlier+sum.Found != sum.Messages {
				t.Errorf("rerun = %+v, want no import requests and every message earlier or found", sum)
			}
			checkStored(t, srv, exp)
			// The journal now proves everything: a third run finds nothing
			// to read back.
			sum, err = New(c, Options{Checkpoint: path}).Run(t.Context(), bytes.NewReader(data))
			if err != nil || sum.Earlier != sum.Messages || sum.Found != 0 {
				t.Errorf("third run = %+v, %v; want every message earlier, none found by reading back", sum, err)
			}
		})
	}
}

func TestDoneNeverMovesBackwards(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp")
	os.WriteFile(path, []byte(strings.Join([]string{
		`{"conv":"a","op":"done","to":30,"hash":"h30"}`,
		`{"conv":"a","op":"done","to":10,"hash":"h10"}`,
		`{"conv":"a","op":"send","from":10,"to":20}`,
		`{"conv":"a","op":"uncertain","from":20,"to":30,"reason":"old"}`,
		`{"conv":"b","op":"send","from":0,"to":10}`,
		`{"conv":"b","op":"done","to":10,"hash":"h10"}`,
	}, "\n")+"\n"), 0o600)
	cp, err := openCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.close()
	if a := cp.get("a"); a.Done != 30 || a.Hash != "h30" || a.Pending != nil || a.Uncertain != "" {
		t.Errorf("get(a) = %+v, want done to 30 (h30) and nothing pending or uncertain", a)
	}
	if b := cp.get("b"); b.Done != 10 || b.Pending != nil {
		t.Errorf("get(b) = %+v, want done to 10 and nothing pending", b)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/histgen"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/importer"
)

func writeHistory(t *testing.T, s histgen.Spec) string {
	t.Helper()
	var b bytes.Buffer
	if err := histgen.Write(&b, s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "history.ndjson")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportCommandThroughFaults(t *testing.T) {
	path := writeHistory(t, histgen.Spec{Users: 120, Conversations: 100, Messages: 5000, Seed: 5})
	e := newEnv(t, api.WithFaults(api.Faults{Unavailable: 0.05, BadGateway: 0.03, Cut: 0.03, Seed: 99}))
	var sum struct {
		Messages, Imported, Rejected, Earlier int
		Found                                 int `json:"foundAfterAmbiguousFailure"`
		Ambiguous                             int `json:"ambiguousFailures"`
		Earlier2                              int `json:"alreadyImported"`
	}
	e.okJSON(&sum, "import", "--concurrency", "8", path)
	if sum.Messages != 5000 || sum.Imported+sum.Found != 5000 || sum.Rejected != 0 || sum.Ambiguous == 0 {
		t.Fatalf("talkjs import --concurrency 8 history.ndjson --json = %+v, "+
			"want 5000 messages, imported + found after an ambiguous failure = 5000, none rejected, some ambiguous failures", sum)
	}
	if _, err := os.Stat(path + ".checkpoint"); err != nil {
		t.Errorf("after talkjs import, os.Stat(history.ndjson.checkpoint) = %v, want a checkpoint next to the input", err)
	}
	if _, err := os.Stat(path + ".rejects"); err == nil {
		t.Errorf("after a clean talkjs import, os.Stat(history.ndjson.rejects) = nil error, want no rejects file")
	}
	stored := e.srv.Counts().Messages
	if stored != 5000 {
		t.Fatalf("server holds %d messages, want 5000", stored)
	}
	// Original timestamps: every stored message of c000 has the time its
	// line gave.
	data, _ := os.ReadFile(path)
	times := map[string]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		var m struct {
			Kind, ConversationID, Text string
			Timestamp                  int64
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Kind == "message" && m.ConversationID == "c000" {
			times[m.Text] = m.Timestamp
		}
	}
	for _, m := range e.srv.Messages("c000") {
		if want := times[m.Text.MustGet()]; *m.CreatedAt != want {
			t.Errorf("message %q stored at %d, want %d", m.Text.MustGet(), *m.CreatedAt, want)
		}
	}

	// The same command again adds nothing.
	out := e.ok("import", path)
	if !strings.Contains(out, "imported by earlier runs  5000") || !strings.Contains(out, "import requests           0,") {
		t.Errorf("talkjs import history.ndjson, run again, printed\n%s\nwant \"imported by earlier runs  5000\" and \"import requests           0,\"", out)
	}
	if n := e.srv.Counts().Messages; n != 5000 {
		t.Errorf("after a second run the server holds %d messages, want 5000", n)
	}
}

func TestImportCommandReportsBadLines(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "h.ndjson")
	os.WriteFile(path, []byte(strings.Join([]string{
		`{"kind":"user","id":"a","name":"A"}`,
		`{"kind":"conversation","id":"c","participants":["a"]}`,
		`{"kind":"message","conversationId":"c","sender":"a","text":"hi","timestamp":1552000000000}`,
		`{oops`,
		`{"kind":"message","conversationId":"c","sender":"a","text":"again","timestamp":1552000001000}`,
	}, "\n")), 0o644)
	r := e.run("", "import", path)
	if r.code != 1 {
		t.Fatalf("talkjs import h.ndjson (line 4 not JSON) = exit %d, want 1\n%s", r.code, r.streams())
	}
	if !strings.Contains(r.err, "line 4: not a JSON object") || !strings.Contains(r.err, "1 lines rejected (see "+path+".rejects)") {
		t.Errorf("talkjs import h.ndjson: stderr =\n%s\nwant \"line 4: not a JSON object\" and \"1 lines rejected (see %s.rejects)\"", r.err, path)
	}
	rej, err := os.ReadFile(path + ".rejects")
	if err != nil || !strings.Contains(string(rej), `"line":4`) || !strings.Contains(string(rej), `"input":"{oops"`) {
		t.Errorf("after talkjs import h.ndjson, h.ndjson.rejects = %q (%v), want the record of line 4 with its input {oops", rej, err)
	}
	if n := len(e.srv.Messages("c")); n != 2 {
		t.Errorf("after talkjs import h.ndjson, %d messages are stored, want the 2 good ones", n)
	}
}

func TestImportFromStdinNeedsCheckpoint(t *testing.T) {
	e := newEnv(t)
	r := e.run(`{"kind":"user","id":"a","name":"A"}`, "import", "-")
	if r.code != 2 || !strings.Contains(r.err, "--checkpoint") {
		t.Fatalf("talkjs import - = exit %d, want 2 asking for --checkpoint on stderr\n%s", r.code, r.streams())
	}
	cp := filepath.Join(t.TempDir(), "cp")
	r = e.run(`{"kind":"user","id":"a","name":"A"}`, "import", "--checkpoint", cp, "-")
	if r.code != 0 {
		t.Fatalf("talkjs import --checkpoint CP - = exit %d, want 0\n%s", r.code, r.streams())
	}
	if _, ok := e.srv.User("a"); !ok {
		t.Error("after talkjs import --checkpoint CP -, user a is missing, want it imported")
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	got := progressLine(importerProgress(500, 1000, 500), 2e9, false, 0)
	if want := "import: 500/1000 messages (50%), 250 messages/s, ETA 2s"; got != want {
		t.Errorf("progressLine(500 of 1000 in 2s, no terminal) = %q, want %q", got, want)
	}
	bar := progressLine(importerProgress(500, 1000, 500), 2e9, true, 0)
	if want := "[███████████████░░░░░░░░░░░░░░░] 500/1000  50%"; !strings.HasPrefix(bar, want) || !strings.Contains(bar, "ETA 2s") {
		t.Errorf("progressLine(500 of 1000 in 2s, on a terminal) = %q, want it to start %q and hold \"ETA 2s\"", bar, want)
	}
}

func importerProgress(settled, total, imported int) importer.Progress {
	return importer.Progress{Phase: "messages", Total: total, Settled: settled, Imported: imported}
}

func TestImportRejectsFileIsPrivate(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "h.ndjson")
	os.WriteFile(path, []byte(`{"kind":"user","id":"a","name":"A"}`+"\n{oops\n"), 0o644)
	// A rejects file left by an earlier run, readable by everyone.
	os.WriteFile(path+".rejects", []byte("old"), 0o644)
	if r := e.run("", "import", path); r.code != 1 {
		t.Fatalf("talkjs import h.ndjson (line 2 not JSON) = exit %d, want 1\n%s", r.code, r.streams())
	}
	fi, err := os.Stat(path + ".rejects")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("after talkjs import, h.ndjson.rejects has mode %v (%v), want 0600: it holds chat text", fi.Mode(), err)
	}
}

// "Run the same command again" is said only where that can get further.
func TestImportAdvisesARerunOnlyWhereItHelps(t *testing.T) {
	path := writeHistory(t, histgen.Spec{Users: 3, Conversations: 2, Messages: 30, Seed: 2})
	e := newEnv(t)
	const again = "run the same command again"

	// Wrong credentials: rerunning fails the same way.
	vars := map[string]string{}
	for k, v := range e.vars {
		vars[k] = v
	}
	vars["TALKJS_SECRET_KEY"] = "sk_test_wrong"
	r := runWith(t, vars, "", "import", path)
	if r.code != 1 || strings.Contains(r.err, again) || !strings.Contains(r.err, "Check the app id and secret key") {
		t.Errorf("talkjs import history.ndjson with a wrong secret key = exit %d, want 1 saying \"Check the app id and secret key\", not %q\n%s", r.code, again, r.streams())
	}

	// A server that fails: a rerun may get further.
	down := newEnv(t, api.WithFaults(api.Faults{Unavailable: 1, Seed: 1}))
	if r := down.run("", "import", path); r.code != 1 || !strings.Contains(r.err, again) {
		t.Errorf("talkjs import history.ndjson against a server that answers 503 = exit %d, want 1 saying %q\n%s", r.code, again, r.streams())
	}

	// A checkpoint of another input: a usage error, nothing sent.
	e.ok("import", path)
	other := writeHistory(t, histgen.Spec{Users: 3, Conversations: 2, Messages: 31, Seed: 2})
	r = e.run("", "import", "--checkpoint", path+".checkpoint", other)
	if r.code != 2 || strings.Contains(r.err, again) || !strings.Contains(r.err, "belongs to another input") || r.out != "" {
		t.Errorf("talkjs import --checkpoint history.ndjson.checkpoint other.ndjson = exit %d, "+
			"want 2 with \"belongs to another input\", not %q, on stderr and nothing on stdout\n%s", r.code, again, r.streams())
	}

	// A damaged checkpoint: say how to start afresh, not to rerun.
	os.WriteFile(path+".checkpoint", []byte("garbage\n"), 0o600)
	r = e.run("", "import", path)
	if r.code != 1 || strings.Contains(r.err, again) || !strings.Contains(r.err, "move it away to start afresh") {
		t.Errorf("talkjs import history.ndjson with a damaged checkpoint = exit %d, want 1 saying \"move it away to start afresh\", not %q\n%s", r.code, again, r.streams())
	}
	if n := e.srv.Counts().Messages; n != 30 {
		t.Errorf("server holds %d messages, want 30", n)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/importer"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

func importCommand() *command {
	return &command{
		Name:    "import",
		Summary: "Migrate chat history (users, conversations, messages) from NDJSON",
		Args:    []string{"FILE"},
		Long: `FILE is a path, or - for standard input. It holds one JSON object a line:
  {"kind":"user","id":"u1","name":"Ann","email":["ann@example.com"],"role":"buyer","custom":{"plan":"pro"}}
  {"kind":"conversation","id":"c1","participants":["u1","u2"],"subject":"Order 42","custom":{"shop":"7"}}
  {"kind":"message","conversationId":"c1","sender":"u1","text":"Hi!","timestamp":1552000000000,"readBy":["u2"],"custom":{"src":"old"}}
Users may also have phone, photoUrl, headerPhotoUrl, locale, welcomeMessage and
availabilityText; conversations photoUrl and welcomeMessages. A timestamp is
Unix milliseconds or an RFC 3339 string. Unknown fields are errors, so that a
typo does not silently drop data.

It upserts the users (100 per request) and the conversations (adding each
message's sender as a participant, since TalkJS imports only participants'
messages), then imports each conversation's messages in timestamp order,
10 per request, several conversations at once. When TalkJS answers 429 (too
many requests), the command learns the rate it allows and keeps to it.
It reads the input twice (once to check every line, then conversation by
conversation) and keeps a few dozen bytes a message, not the messages: standard
input from a pipe is first copied to a temporary file beside the checkpoint, as
large as the input, and removed at the end (a file is read in place).

Exactly once: TalkJS does not deduplicate imported messages and an import
request has no idempotency key, so the command keeps a checkpoint journal of
what TalkJS acknowledged and, before sending anything for a conversation the
journal does not show complete, reads the conversation back and looks for the
input's messages by sender, timestamp and text: the ones found are not sent
again. An interrupted or repeated run goes on where the last one stopped, and
a checkpoint that lost records (a crash, a truncated, emptied or deleted file,
an old copy) costs read-backs, never duplicates. A request whose outcome is
unknown (a 5xx answer, a broken connection) is settled the same way. If that
cannot be decided, the range is reported as UNCERTAIN, nothing more is sent
for that conversation, and the next run checks again. The checkpoint records
the SHA-256 of its input and refuses another input. This assumes the
conversations hold no identical messages from elsewhere.

Lines that cannot be imported go to the rejects file (mode 0600: it holds
chat text) as {"line":N,"reason":"…","input":"<the line>"}; the exit status
is 1 when any line was rejected or any range is uncertain.`,
		Example: `talkjs import history.ndjson
talkjs import --concurrency 8 --checkpoint /var/tmp/h.checkpoint history.ndjson
zcat history.ndjson.gz | talkjs import --checkpoint h.checkpoint -`,
		Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
			f := &importFlags{client: addClientFlags(fs)}
			fs.StringVar(&f.checkpoint, "checkpoint", "", "checkpoint journal (default FILE.checkpoint; required when reading standard input)")
			fs.StringVar(&f.rejects, "rejects", "", "where rejected lines go (default FILE.rejects, or CHECKPOINT.rejects for standard input)")
			fs.IntVar(&f.concurrency, "concurrency", 4, "conversations imported at once")
			fs.BoolVar(&f.json, "json", false, "print the summary as JSON")
			fs.BoolVar(&f.verbose, "verbose", false, "also report each request whose outcome was unknown and how the read-back settled it")
			fs.DurationVar(&f.progressEvery, "progress-interval", 5*time.Second, "how often to print a progress line when standard error is not a terminal (0: never)")
			return func(ctx context.Context, args []string) error { return runImport(ctx, st, f, args[0]) }
		},
	}
}

// importFlags are the flags of talkjs import.
type importFlags struct {
	client        *clientFlags
	checkpoint    string
	rejects       string
	concurrency   int
	json          bool
	verbose       bool
	progressEvery time.Duration
}

func runImport(ctx context.Context, st *stdio, f *importFlags, file string) error {
	if f.concurrency < 1 || f.concurrency > 64 {
		return fmt.Errorf("%w: --concurrency must be between 1 and 64", errUsage)
	}
	if f.checkpoint == "" {
		if file == "-" {
			return fmt.Errorf("%w: reading standard input needs --checkpoint FILE, so that a rerun can go on where this run stops", errUsage)
		}
		f.checkpoint = file + ".checkpoint"
	}
	if f.rejects == "" {
		if file == "-" {
			f.rejects = f.checkpoint + ".rejects"
		} else {
			f.rejects = file + ".rejects"
		}
	}
	client, err := f.client.client(st, talkjs.WithMiddleware(importer.Pace()))
	if err != nil {
		return err
	}
	in, err := readInput(st, file)
	if err != nil {
		return err
	}
	defer in.Close()

	rej := &lazyFile{path: f.rejects}
	defer rej.close()
	pr := newProgressPrinter(st.Err, isTerminal(st.Err), f.progressEvery)
	im := importer.New(client, importer.Options{
		Checkpoint:  f.checkpoint,
		Concurrency: f.concurrency,
		Rejects:     io.MultiWriter(rej, pr.rejectEcho()),
		Notes:       noteFilter(pr, f.verbose),
	})
	stop := pr.start(im.Progress)
	sum, runErr := im.Run(ctx, in)
	stop()
	if err := rej.close(); err != nil && runErr == nil {
		runErr = err
	}
	if errors.Is(runErr, importer.ErrCheckpointMismatch) || errors.Is(runErr, importer.ErrCheckpointDamaged) {
		// Refused before anything was sent: there is nothing to sum up.
		if errors.Is(runErr, importer.ErrCheckpointMismatch) {
			return fmt.Errorf("%w: %w", errUsage, runErr)
		}
		return runErr
	}
	if f.json {
		if err := writeJSON(st.Out, sum); err != nil {
			return err
		}
	} else {
		printImportSummary(st.Out, file, sum, rej, f.checkpoint)
	}
	switch {
	case runErr == nil:
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted; run the same command again to go on (checkpoint %s)", f.checkpoint)
	case importer.RerunHelps(runErr):
		return fmt.Errorf("%w; run the same command again to go on (checkpoint %s)", runErr, f.checkpoint)
	default:
		// Rerunning would fail the same way (credentials, a damaged
		// checkpoint): the error says what to change.
		return runErr
	}
	if !sum.OK() {
		var parts []string
		if sum.Rejected > 0 {
			parts = append(parts, fmt.Sprintf("%d lines rejected (see %s)", sum.Rejected, f.rejects))
		}
		if len(sum.Uncertain) > 0 {
			parts = append(parts, fmt.Sprintf("%d uncertain", len(sum.Uncertain)))
		}
		if len(sum.Unfinished) > 0 {
			parts = append(parts, fmt.Sprintf("%d conversations unfinished", len(sum.Unfinished)))
		}
		return fmt.Errorf("import incomplete: %s", strings.Join(parts, ", "))
	}
	return nil
}

func printImportSummary(w io.Writer, file string, s *importer.Summary, rej *lazyFile, checkpoint string) {
	rate := 0.0
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = float64(s.Imported+s.Found) / secs
	}
	fmt.Fprintf(w, "Import of %s: %d lines in %s\n", file, s.Lines, s.Elapsed.Round(time.Millisecond))
	t := newTable(w)
	t.row("  users upserted", s.Users)
	t.row("  conversations upserted", s.Conversations)
	t.row("  messages in the input", s.Messages)
	t.row("  imported now", fmt.Sprintf("%d (%.0f messages/s)", s.Imported+s.Found, rate))
	t.row("  imported by earlier runs", s.Earlier)
	t.row("  import requests", fmt.Sprintf("%d, %d with an unknown outcome (read back: %d messages had arrived)", s.Requests, s.Ambiguous, s.Found))
	t.row("  lines rejected", s.Rejected)
	t.flush()
	if s.Rejected > 0 {
		fmt.Fprintf(w, "Rejected lines and the reasons: %s\n", rej.path)
	}
	for _, u := range s.Uncertain {
		lines := ""
		if len(u.Lines) > 0 {
			lines = fmt.Sprintf(" (lines %v)", u.Lines)
		}
		fmt.Fprintf(w, "UNCERTAIN: conversation %s%s: %s\n", u.Conversation, lines, u.Reason)
	}
	for _, u := range s.Unfinished {
		fmt.Fprintf(w, "UNFINISHED: conversation %s, %d messages left: %s\n", u.Conversation, u.Remaining, u.Reason)
	}
	if len(s.Uncertain)+len(s.Unfinished) > 0 {
		fmt.Fprintf(w, "Run the same command again to retry; the checkpoint %s keeps what is known.\n", checkpoint)
	}
}

// lazyFile creates its file on the first write, so that a clean run leaves
// no empty rejects file behind; a stale one from an earlier run is removed.
type lazyFile struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	n      int
	err    error
	closed bool
}

func (l *lazyFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return 0, l.err
	}
	if l.f == nil {
		// Rejected lines hold chat text: only the owner may read them.
		l.f, l.err = os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if l.err == nil {
			l.err = l.f.Chmod(0o600) // a file left by an earlier run keeps its mode otherwise
		}
		if l.err != nil {
			return 0, l.err
		}
	}
	l.n++
	return l.f.Write(p)
}

func (l *lazyFile) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.err
	}
	l.closed = true
	if l.f == nil {
		if l.err == nil {
			os.Remove(l.path) // a stale rejects file would mislead
		}
		return l.err
	}
	if err := l.f.Close(); err != nil && l.err == nil {
		l.err = err
	}
	return l.err
}

// progressPrinter draws a progress bar on a terminal, or prints a line now
// and then otherwise, and keeps notes from tearing the bar.
type progressPrinter struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	every    time.Duration
	drawn    bool
	echoed   int
	begun    time.Time
	lastLine string
}

func newProgressPrinter(w io.Writer, tty bool, every time.Duration) *progressPrinter {
	return &progressPrinter{w: w, tty: tty, every: every, begun: time.Now()}
}

// Write prints a note on its own line.
func (p *progressPrinter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	return p.w.Write(b)
}

func (p *progressPrinter) clear() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// rejectEcho returns a writer that shows the first rejected lines as they
// happen, as "line N: reason".
func (p *progressPrinter) rejectEcho() io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.echoed++
		if p.echoed > 20 {
			if p.echoed == 21 {
				p.clear()
				fmt.Fprintln(p.w, "(more rejected lines: see the rejects file)")
			}
			return len(b), nil
		}
		var r struct {
			Line   int    `json:"line"`
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal(bytes.TrimSpace(b), &r); err == nil {
			p.clear()
			fmt.Fprintf(p.w, "line %d: %s\n", r.Line, r.Reason)
		}
		return len(b), nil
	})
}

// noteFilter passes every note when verbose, else only those that need
// attention (uncertain ranges, conversations that stopped).
func noteFilter(w io.Writer, verbose bool) io.Writer {
	if verbose {
		return w
	}
	return writerFunc(func(b []byte) (int, error) {
		if bytes.Contains(b, []byte("UNCERTAIN")) || bytes.Contains(b, []byte("stopped with")) {
			return w.Write(b)
		}
		return len(b), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// start draws progress until the returned function is called.
func (p *progressPrinter) start(get func() importer.Progress) func() {
	interval := p.every
	if p.tty {
		interval = 200 * time.Millisecond
	}
	if interval <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.draw(get())
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		if p.tty {
			p.draw(get())
			p.mu.Lock()
			if p.drawn {
				fmt.Fprintln(p.w)
				p.drawn = false
			}
			p.mu.Unlock()
		}
	}
}

func (p *progressPrinter) draw(pr importer.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := progressLine(pr, time.Since(p.begun), p.tty, columns(p.w))
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+line)
		p.drawn = true
		return
	}
	if line != p.lastLine {
		fmt.Fprintln(p.w, line)
		p.lastLine = line
	}
}

// progressLine renders progress: a bar on a terminal cols wide (0: of
// unknown width), words elsewhere.
func progressLine(pr importer.Progress, elapsed time.Duration, bar bool, cols int) string {
	if pr.Phase != "messages" || pr.Total == 0 {
		return "import: " + pr.Phase + "…"
	}
	frac := float64(pr.Settled) / float64(pr.Total)
	rate := float64(pr.Imported) / elapsed.Seconds()
	eta := "?"
	if rate > 0 && pr.Settled < pr.Total {
		eta = time.Duration(float64(pr.Total-pr.Settled) / rate * float64(time.Second)).Round(time.Second).String()
	} else if pr.Settled >= pr.Total {
		eta = "0s"
	}
	if !bar {
		return fmt.Sprintf("import: %d/%d messages (%.0f%%), %.0f messages/s, ETA %s", pr.Settled, pr.Total, 100*frac, rate, eta)
	}
	figures := fmt.Sprintf("%d/%d %3.0f%%  %.0f msg/s  ETA %s", pr.Settled, pr.Total, 100*frac, rate, eta)
	// The line must stay shorter than the terminal: a line that wraps
	// leaves its first rows behind, as "\r" returns to the last row only.
	barWidth := 30
	if cols > 0 {
		barWidth = min(barWidth, cols-1-len("[] ")-displayWidth(figures))
	}
	line := figures
	if barWidth >= 5 {
		full := min(int(frac*float64(barWidth)), barWidth)
		line = "[" + strings.Repeat("█", full) + strings.Repeat("░", barWidth-full) + "] " + figures
	}
	if cols > 0 {
		line = clip(line, cols-1)
	}
	return line
}

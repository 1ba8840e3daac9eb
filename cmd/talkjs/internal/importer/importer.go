// Package importer migrates chat history into TalkJS from NDJSON: users,
// then conversations, then each conversation's messages in timestamp order,
// 10 per import request, several conversations at once.
//
// # Exactly once
//
// TalkJS stores every imported message it receives, duplicates included, and
// an import request has no idempotency key. So the importer keeps a
// checkpoint: an append-only journal of what TalkJS acknowledged, made
// durable in groups. A conversation the checkpoint shows complete is
// skipped; every other conversation is first read back from TalkJS (as
// below), so that a journal that lost records — a crash, a truncation, a
// deleted or emptied file, old records replayed — makes the importer read
// more, never send twice. The checkpoint records the SHA-256 of its input
// and refuses any other input. A request rejected with a 4xx status stored
// nothing and is not ambiguous.
//
// When the outcome of a request is unknown — a 5xx answer, a broken
// connection, a timeout, or a run that was killed after sending — the
// importer never sends it again blindly. It reads the conversation back with
// the list API and looks for each message of the range by sender, timestamp
// and text (an import keeps all three). Messages found are recorded as done;
// only the rest are sent again. If the read-back fails, or finds the range
// only partly and not as a prefix, the range is recorded as uncertain,
// reported, and the conversation stops there; the next run reads it back
// again before anything else is sent for that conversation.
//
// The guarantee holds as long as the conversation holds no copies of the
// same (sender, timestamp, text) from outside this import.
//
// # Memory
//
// The input is read twice. The first pass checks every line and keeps the
// users and conversations, but of each valid message only where its line
// is, its timestamp and its conversation (32 bytes); each conversation's
// messages are then read again from the input, a request's worth at a
// time. So memory grows with the number of messages by a small fixed
// amount each, not with what they hold. An input that cannot be read at an
// offset, such as a pipe, is copied to a temporary file beside the
// checkpoint while it is read the first time.
package importer

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// Options configure an import.
type Options struct {
	// Checkpoint is the journal's path; it is created when missing.
	Checkpoint string
	// Concurrency is how many conversations are imported at once (default 4).
	Concurrency int
	// Rejects receives one JSON object per line that cannot be imported:
	// {"line": N, "reason": "…", "input": "<the line>"}. It may be nil.
	Rejects io.Writer
	// Notes receives a line for people about each ambiguous failure and
	// how it was resolved. It may be nil.
	Notes io.Writer
	// MaxAttempts bounds how often one range of messages is sent after
	// failures that stored nothing (default 10).
	MaxAttempts int
}

// Summary says what an import did.
type Summary struct {
	Lines         int `json:"lines"`
	Users         int `json:"users"`
	Conversations int `json:"conversations"`
	// Messages counts the valid message lines.
	Messages int `json:"messages"`
	// Imported were acknowledged by TalkJS in this run; Found were sent
	// in a request that failed ambiguously and then found by a read-back;
	// Earlier were settled by an earlier run, according to the checkpoint.
	Imported int `json:"imported"`
	Found    int `json:"foundAfterAmbiguousFailure"`
	Earlier  int `json:"alreadyImported"`
	// Rejected counts the input lines that could not be imported.
	Rejected int `json:"rejected"`
	// Requests counts import requests; Ambiguous those whose outcome was
	// unknown and had to be read back.
	Requests  int `json:"importRequests"`
	Ambiguous int `json:"ambiguousFailures"`
	// Uncertain lists ranges whose outcome could not be found out.
	Uncertain []Uncertain `json:"uncertain"`
	// Unfinished lists conversations whose import stopped for another
	// reason (such as a server that kept failing); rerun to continue.
	Unfinished []Unfinished  `json:"unfinished"`
	Elapsed    time.Duration `json:"elapsedNs"`
}

// Uncertain is a request whose messages may or may not be stored.
type Uncertain struct {
	Conversation string `json:"conversation"`
	Lines        []int  `json:"lines"`
	Reason       string `json:"reason"`
}

// Unfinished is a conversation whose import stopped early.
type Unfinished struct {
	Conversation string `json:"conversation"`
	Remaining    int    `json:"remaining"`
	Reason       string `json:"reason"`
}

// OK reports whether everything valid was imported and nothing rejected.
func (s *Summary) OK() bool {
	return s.Rejected == 0 && len(s.Uncertain) == 0 && len(s.Unfinished) == 0
}

// Progress is a snapshot of a running import.
type Progress struct {
	Phase    string // "reading", "users", "conversations", "messages"
	Total    int    // messages to settle
	Settled  int    // messages imported, found, skipped or rejected so far
	Imported int    // messages imported in this run
}

// Importer runs one import; make it with New.
type Importer struct {
	c    *talkjs.Client
	opts Options

	phase    atomic.Value
	total    atomic.Int64
	settled  atomic.Int64
	imported atomic.Int64

	mu  sync.Mutex // guards sum and the writers
	sum Summary
	cp  *checkpoint
}

// New returns an importer that talks to TalkJS through c.
func New(c *talkjs.Client, opts Options) *Importer {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	im := &Importer{c: c, opts: opts}
	im.phase.Store("reading")
	return im
}

// Progress returns a snapshot of the import's progress; it is safe to call
// while Run runs.
func (im *Importer) Progress() Progress {
	return Progress{
		Phase:    im.phase.Load().(string),
		Total:    int(im.total.Load()),
		Settled:  int(im.settled.Load()),
		Imported: int(im.imported.Load()),
	}
}

// Run imports the NDJSON read from r. It returns the summary, and an error
// when the import could not go on at all (bad credentials, an unreachable
// server, a checkpoint that cannot be written); the summary then says how
// far it came, and a rerun continues from the checkpoint.
func (im *Importer) Run(ctx context.Context, r io.Reader) (*Summary, error) {
	start := time.Now()
	defer func() { im.sum.Elapsed = time.Since(start) }()
	if im.opts.Checkpoint == "" {
		return &im.sum, errors.New("importer: a checkpoint path is required")
	}
	cp, err := openCheckpoint(im.opts.Checkpoint)
	if err != nil {
		return &im.sum, err
	}
	im.cp = cp
	defer cp.close()

	src, err := openSource(r, filepath.Dir(im.opts.Checkpoint))
	if err != nil {
		return &im.sum, err
	}
	defer src.close()
	in, err := parse(src, im.reject)
	if err != nil {
		return &im.sum, err
	}
	if err := im.checkInput(src.id()); err != nil {
		return &im.sum, err
	}
	im.sum.Lines = in.lines
	im.sum.Messages = in.messages
	im.total.Store(int64(in.messages))

	im.phase.Store("users")
	if err := im.importUsers(ctx, in); err != nil {
		return &im.sum, err
	}
	im.phase.Store("conversations")
	if err := im.importConversations(ctx, in); err != nil {
		return &im.sum, err
	}
	im.phase.Store("messages")
	if err := im.importMessages(ctx, in); err != nil {
		return &im.sum, err
	}
	return &im.sum, nil
}

// checkInput refuses an input other than the one the checkpoint was written
// for, and records the input in a new checkpoint.
func (im *Importer) checkInput(id inputID) error {
	im.cp.mu.Lock()
	known := im.cp.input
	im.cp.mu.Unlock()
	if known == nil {
		return im.cp.write(record{Op: "input", Hash: id.Hash, Size: id.Size})
	}
	if *known == id {
		return nil
	}
	return fmt.Errorf("%w: %s was written for an input of %d bytes (SHA-256 %.12s…), and this input has %d bytes (SHA-256 %.12s…). "+
		"Give this input's own checkpoint, or "+startAfresh, ErrCheckpointMismatch, im.opts.Checkpoint, known.Size, known.Hash, id.Size, id.Hash)
}

// RerunHelps reports whether running the same import again may get further
// after Run returned err: not when the checkpoint is refused, nor when TalkJS
// refuses the credentials.
func RerunHelps(err error) bool {
	var ae *talkjs.ArgumentError
	switch {
	case err == nil, errors.Is(err, ErrCheckpointMismatch), errors.Is(err, ErrCheckpointDamaged), fatal(err), errors.As(err, &ae):
		return false
	}
	return true
}

func (im *Importer) reject(line int, raw, reason string) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.sum.Rejected++
	if im.opts.Rejects != nil {
		b, _ := json.Marshal(struct {
			Line   int    `json:"line"`
			Reason string `json:"reason"`
			Input  string `json:"input"`
		}{line, reason, raw})
		im.opts.Rejects.Write(append(b, '\n'))
	}
}

func (im *Importer) note(format string, args ...any) {
	if im.opts.Notes == nil {
		return
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	fmt.Fprintf(im.opts.Notes, format+"\n", args...)
}

// refused reports whether err means TalkJS refused the request without
// acting on it, and says why.
func refused(err error) (string, bool) {
	var ae *talkjs.ArgumentError
	if errors.As(err, &ae) {
		return ae.Error(), true
	}
	var te *talkjs.Error
	if errors.As(err, &te) && te.StatusCode >= 400 && te.StatusCode < 500 &&
		te.StatusCode != http.StatusTooManyRequests && te.StatusCode != http.StatusUnauthorized &&
		te.StatusCode != http.StatusForbidden && te.StatusCode != http.StatusRequestTimeout {
		msg := te.Message
		if msg == "" {
			msg = http.StatusText(te.StatusCode)
		}
		return fmt.Sprintf("TalkJS answered %d: %s", te.StatusCode, msg), true
	}
	return "", false
}

// fatal reports whether err means no request can succeed (bad credentials).
func fatal(err error) bool {
	var te *talkjs.Error
	return errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden)
}

func (im *Importer) importUsers(ctx context.Context, in *input) error {
	users := in.users
	ups := make([]talkjs.UserUpsert, len(users))
	for i, u := range users {
		ups[i] = u.up
	}
	for len(ups) > 0 {
		n, err := im.c.Users.UpsertMany(ctx, ups)
		im.sum.Users += n
		ups, users = ups[n:], users[n:]
		if err == nil {
			return nil
		}
		if _, ok := refused(err); !ok {
			return fmt.Errorf("upsert users: %w", err)
		}
		// One user of the next batch spoilt it: find which, one by one.
		batch := min(len(ups), talkjs.MaxUsersPerBatch)
		for i := range batch {
			err := im.c.Users.Upsert(ctx, ups[i].ID, ups[i].User)
			if err == nil {
				im.sum.Users++
				continue
			}
			why, ok := refused(err)
			if !ok {
				return fmt.Errorf("upsert user %q: %w", ups[i].ID, err)
			}
			im.reject(users[i].line, users[i].raw, why)
		}
		ups, users = ups[batch:], users[batch:]
	}
	return nil
}

// each runs f for every item with the importer's concurrency, stopping at
// the first error.
func each[T any](ctx context.Context, n int, items []T, f func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := f(ctx, it); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for _, it := range items {
		select {
		case work <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func (im *Importer) importConversations(ctx context.Context, in *input) error {
	for _, c := range in.convs {
		seen := map[string]bool{}
		for _, p := range c.participants {
			seen[p] = true
		}
		if at, ok := in.msgConvAt[c.id]; ok {
			for _, s := range in.msgConvs[at].senders {
				if !seen[s] {
					seen[s] = true
					c.participants = append(c.participants, s)
				}
			}
		}
		c.in.Participants = c.participants
	}
	var upserted atomic.Int64
	err := each(ctx, im.opts.Concurrency, in.convs, func(ctx context.Context, c *conversation) error {
		err := im.c.Conversations.Upsert(ctx, c.id, c.in)
		if err == nil {
			upserted.Add(1)
			return nil
		}
		if why, ok := refused(err); ok {
			c.rejected = why
			im.reject(c.line, c.raw, why)
			return nil
		}
		return fmt.Errorf("upsert conversation %q: %w", c.id, err)
	})
	im.sum.Conversations = int(upserted.Load())
	return err
}

func (im *Importer) importMessages(ctx context.Context, in *input) error {
	convs := make([]*msgConv, 0, len(in.msgConvs))
	for _, mc := range in.msgConvs {
		if c := in.convByID[mc.id]; c != nil && c.rejected != "" {
			// In the order of the input.
			refs := slices.SortedFunc(slices.Values(mc.refs), func(a, b msgRef) int { return cmp.Compare(a.line, b.line) })
			for _, ref := range refs {
				raw, err := in.raw(ref)
				if err != nil {
					return err
				}
				im.reject(int(ref.line), raw, fmt.Sprintf("its conversation %q (line %d) could not be created: %s", mc.id, c.line, c.rejected))
			}
			im.settled.Add(int64(len(mc.refs)))
			continue
		}
		convs = append(convs, mc)
	}
	slices.SortFunc(convs, func(a, b *msgConv) int { return strings.Compare(a.id, b.id) })
	return each(ctx, im.opts.Concurrency, convs, func(ctx context.Context, mc *msgConv) error {
		return im.importConversation(ctx, in, mc)
	})
}

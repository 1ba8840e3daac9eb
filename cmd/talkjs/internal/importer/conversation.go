package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sort"
	"time"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/sleep"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// convRun imports the messages of one conversation, in order. It holds
// the parsed messages of one request at a time: the others it knows by
// their references, and reads again when it needs them.
type convRun struct {
	im   *Importer
	in   *input
	id   string
	refs []msgRef
	// win holds the messages at positions winFrom… parsed last.
	win     []*message
	winFrom int
	// h fingerprints the first hashed messages.
	h      hash.Hash
	hashed int
	// skip marks positions refused by TalkJS (in this run or an earlier one).
	skip map[int]bool
}

// errStop ends a conversation's import without ending the others'.
var errStop = errors.New("stop this conversation")

func (im *Importer) importConversation(ctx context.Context, in *input, mc *msgConv) error {
	r := &convRun{im: im, in: in, id: mc.id, refs: mc.refs, skip: map[int]bool{}, h: sha256.New()}
	err := r.run(ctx)
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// load returns the messages at positions from…to-1 (at most a request's
// worth), reading them again from the input unless they were the last read.
func (r *convRun) load(from, to int) ([]*message, error) {
	if from >= r.winFrom && to <= r.winFrom+len(r.win) {
		return r.win[from-r.winFrom : to-r.winFrom], nil
	}
	r.win, r.winFrom = make([]*message, 0, to-from), from
	for _, ref := range r.refs[from:to] {
		m, err := r.in.message(ref)
		if err != nil {
			r.win = nil
			return nil, err
		}
		r.win = append(r.win, m)
	}
	return r.win, nil
}

// fingerprint returns the fingerprint of the first n messages: a SHA-256
// of their JSON, one a line. It is computed as the import goes forward.
func (r *convRun) fingerprint(n int) (string, error) {
	if n < r.hashed {
		r.h, r.hashed = sha256.New(), 0
	}
	for r.hashed < n {
		to := min(n, r.hashed+talkjs.MaxMessagesPerRequest)
		msgs, err := r.load(r.hashed, to)
		if err != nil {
			return "", err
		}
		for _, m := range msgs {
			b, _ := json.Marshal(m.msg)
			r.h.Write(b)
			r.h.Write([]byte{'\n'})
		}
		r.hashed = to
	}
	return hex.EncodeToString(r.h.Sum(nil)), nil
}

// raw returns the input line of the message at position i.
func (r *convRun) raw(i int) (string, error) {
	if i >= r.winFrom && i < r.winFrom+len(r.win) {
		return r.win[i-r.winFrom].raw, nil
	}
	return r.in.raw(r.refs[i])
}

func (r *convRun) run(ctx context.Context) error {
	im := r.im
	st := im.cp.get(r.id)
	changed := st.Done > len(r.refs)
	if !changed && st.Hash != "" {
		h, err := r.fingerprint(st.Done)
		if err != nil {
			return err
		}
		changed = h != st.Hash
	}
	if changed {
		im.uncertainNote(r.id, nil, "the checkpoint says messages of this conversation were imported that differ from the input's; "+
			"the input changed since then, so nothing was sent for it (use a new checkpoint only after checking what TalkJS holds)")
		im.settled.Add(int64(len(r.refs)))
		return errStop
	}
	for at, why := range st.Rejected {
		if at < len(r.refs) {
			r.skip[at] = true
			if at < st.Done {
				raw, err := r.raw(at)
				if err != nil {
					return err
				}
				im.reject(int(r.refs[at].line), raw, why+" (in an earlier run)")
			}
		}
	}
	im.mu.Lock()
	im.sum.Earlier += st.Done - r.skippedBelow(st.Done)
	im.mu.Unlock()
	im.settled.Add(int64(st.Done))
	pos := st.Done
	if pos < len(r.refs) {
		// The checkpoint does not show this conversation complete, and it
		// may claim less than is true (a crash, a truncated or lost
		// journal): read back what TalkJS holds before sending anything.
		if st.Pending != nil {
			im.note("%s: a request of an earlier run (lines %s) may or may not have been stored; reading the conversation back",
				r.id, r.lines(st.Pending[0], min(st.Pending[1], len(r.refs))))
		}
		next, err := r.reconcile(ctx, pos)
		if err != nil {
			return err
		}
		pos = next
	}
	for pos < len(r.refs) {
		next, err := r.send(ctx, pos, min(pos+talkjs.MaxMessagesPerRequest, len(r.refs)))
		if err != nil {
			return err
		}
		pos = next
	}
	return nil
}

func (r *convRun) skippedBelow(n int) int {
	k := 0
	for at := range r.skip {
		if at < n {
			k++
		}
	}
	return k
}

func (r *convRun) lines(from, to int) string {
	if to-from == 1 {
		return fmt.Sprint(r.refs[from].line)
	}
	return fmt.Sprintf("%d…%d", r.refs[from].line, r.refs[to-1].line)
}

func (r *convRun) lineList(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, int(r.refs[i].line))
	}
	return out
}

// done records msgs[:to] as settled. The record is made durable with
// others (group commit) when the conversation is complete; until then a
// lost record only makes the next run read the conversation back.
func (r *convRun) done(to int) error {
	h, err := r.fingerprint(to)
	if err != nil {
		return err
	}
	rec := record{Conv: r.id, Op: "done", To: to, Hash: h}
	if to == len(r.refs) {
		return r.im.cp.write(rec)
	}
	return r.im.cp.add(rec)
}

// send imports msgs[from:to] (all of them unsettled and none skipped),
// dealing with every failure, and returns the position to go on from.
func (r *convRun) send(ctx context.Context, from, to int) (int, error) {
	im := r.im
	for attempt := 1; ; attempt++ {
		msgs, err := r.load(from, to)
		if err != nil {
			return from, err
		}
		chunk := make([]talkjs.ImportMessage, 0, to-from)
		for _, m := range msgs {
			chunk = append(chunk, m.msg)
		}
		// No write-ahead record is needed: if this process dies before the
		// answer is recorded, the next run reads the conversation back.
		im.mu.Lock()
		im.sum.Requests++
		im.mu.Unlock()
		_, err = im.c.Import.Messages(ctx, r.id, chunk)
		if err == nil {
			if err := r.done(to); err != nil {
				return from, err
			}
			im.imported.Add(int64(to - from))
			im.settled.Add(int64(to - from))
			im.mu.Lock()
			im.sum.Imported += to - from
			im.mu.Unlock()
			return to, nil
		}
		if ctx.Err() != nil {
			// The next run reads back first.
			return from, ctx.Err()
		}
		if fatal(err) {
			return from, fmt.Errorf("import into %q: %w", r.id, err)
		}
		if why, ok := refused(err); ok {
			// Nothing was stored: find the message(s) TalkJS refuses by
			// sending them one by one.
			var te *talkjs.Error
			if errors.As(err, &te) && te.StatusCode == 404 {
				// The conversation does not exist: every message of it fails.
				for i := from; i < len(r.refs); i++ {
					raw, err := r.raw(i)
					if err != nil {
						return from, err
					}
					im.reject(int(r.refs[i].line), raw, fmt.Sprintf("conversation %q does not exist (it has no line in the input, nor in TalkJS): %s", r.id, why))
				}
				im.settled.Add(int64(len(r.refs) - from))
				return len(r.refs), errStop
			}
			if to-from > 1 {
				pos := from
				for pos < to {
					next, err := r.send(ctx, pos, pos+1)
					if err != nil {
						return pos, err
					}
					pos = next
				}
				return to, nil
			}
			raw, err := r.raw(from)
			if err != nil {
				return from, err
			}
			if err := im.cp.write(record{Conv: r.id, Op: "reject", At: from, Reason: why}); err != nil {
				return from, err
			}
			r.skip[from] = true
			if err := r.done(to); err != nil {
				return from, err
			}
			im.reject(int(r.refs[from].line), raw, why)
			im.settled.Add(1)
			return to, nil
		}
		var te *talkjs.Error
		if errors.As(err, &te) && te.StatusCode == 429 {
			// Rate limited even after the client's retries: TalkJS did not
			// act on it, so wait and send again.
			if attempt >= im.opts.MaxAttempts {
				return r.giveUp(from, fmt.Sprintf("still rate limited after %d attempts", attempt))
			}
			wait := max(te.RetryAfter, time.Second)
			if err := sleep.For(ctx, wait); err != nil {
				return from, err
			}
			continue
		}
		// The outcome is unknown: read back before sending anything again.
		im.mu.Lock()
		im.sum.Ambiguous++
		im.mu.Unlock()
		lastErr := err
		next, err := r.resolve(ctx, from, to, false)
		if err != nil || next == to {
			return next, err
		}
		from = next
		if attempt >= im.opts.MaxAttempts {
			return r.giveUp(from, fmt.Sprintf("import requests kept failing (%d attempts; last: %v)", attempt, lastErr))
		}
	}
}

func (r *convRun) giveUp(from int, reason string) (int, error) {
	im := r.im
	im.mu.Lock()
	im.sum.Unfinished = append(im.sum.Unfinished, Unfinished{Conversation: r.id, Remaining: len(r.refs) - from, Reason: reason})
	im.mu.Unlock()
	im.note("%s: stopped with %d messages left: %s; rerun to go on", r.id, len(r.refs)-from, reason)
	im.settled.Add(int64(len(r.refs) - from))
	return from, errStop
}

// reconcile finds out, before anything is sent, which of the messages from
// position from on TalkJS already holds, records them as done and returns
// the position to go on from.
func (r *convRun) reconcile(ctx context.Context, from int) (int, error) {
	next, err := r.resolve(ctx, from, len(r.refs), true)
	if err == nil && next > from {
		r.im.note("%s: lines %s were stored after all (the checkpoint did not show them): not sent again", r.id, r.lines(from, next))
	}
	return next, err
}

// resolve finds out which of msgs[from:to] TalkJS stored, when a request
// carrying them had an unknown outcome (or, quiet, when the checkpoint does
// not show what an earlier run did). It records the stored prefix as done
// and returns the position to go on from; a range it cannot settle is
// recorded as uncertain and ends the conversation's import (errStop).
func (r *convRun) resolve(ctx context.Context, from, to int, quiet bool) (int, error) {
	im := r.im
	var stored map[keySum]int
	var err error
	for attempt := 1; attempt <= 4; attempt++ {
		stored, err = r.readBack(ctx)
		if err == nil || ctx.Err() != nil {
			break
		}
		if sleep.For(ctx, time.Duration(attempt)*200*time.Millisecond) != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return from, ctx.Err()
	}
	if err != nil {
		what := "the request's outcome is unknown"
		if quiet {
			what = "the checkpoint does not show what an earlier run sent"
		}
		return r.uncertain(from, to, fmt.Sprintf("%s and reading the conversation back failed: %v", what, err))
	}
	prefix, extra := from, false
	if len(stored) > 0 {
		prefix, extra, err = r.storedPrefix(stored, from, to)
		if err != nil {
			return from, err
		}
	}
	if extra {
		return r.uncertain(from, to, "a read-back found some of the messages stored and others not, out of order")
	}
	if prefix > from {
		if err := r.done(prefix); err != nil {
			return from, err
		}
		n := int64(prefix - from)
		im.settled.Add(n)
		im.imported.Add(n)
		im.mu.Lock()
		im.sum.Found += prefix - from
		im.mu.Unlock()
	}
	if quiet {
		return prefix, nil
	}
	switch {
	case prefix == to:
		im.note("%s: lines %s were stored after all: not sent again", r.id, r.lines(from, to))
	case prefix == from:
		im.note("%s: lines %s were not stored: sending them again", r.id, r.lines(from, to))
	default:
		im.note("%s: lines %s were stored, lines %s were not: sending those again", r.id, r.lines(from, prefix), r.lines(prefix, to))
	}
	return prefix, nil
}

// storedPrefix walks msgs[from:to] and returns the end of the run of them
// that stored holds, and whether any message after that run is stored too.
func (r *convRun) storedPrefix(stored map[keySum]int, from, to int) (prefix int, extra bool, err error) {
	// want[k] counts how many copies of k the input holds up to the
	// message looked at; the message is stored when TalkJS holds as many.
	// Only earlier messages of the same time can be copies, and they come
	// just before from.
	want := map[keySum]int{}
	minTS := r.refs[from].ts
	same := sort.Search(from, func(i int) bool { return r.refs[i].ts >= minTS })
	if err := r.walk(same, from, func(i int, k keySum) bool {
		if !r.skip[i] {
			want[k]++
		}
		return true
	}); err != nil {
		return from, false, err
	}
	prefix = from
	err = r.walk(from, to, func(i int, k keySum) bool {
		if r.skip[i] {
			if prefix == i {
				prefix++
			}
			return true
		}
		want[k]++
		if stored[k] >= want[k] {
			if prefix == i {
				prefix++
			} else {
				extra = true
				return false
			}
		}
		return true
	})
	return prefix, extra, err
}

// walk calls f with the key of each message of msgs[from:to], a request's
// worth at a time, until f returns false.
func (r *convRun) walk(from, to int, f func(i int, k keySum) bool) error {
	for at := from; at < to; at += talkjs.MaxMessagesPerRequest {
		msgs, err := r.load(at, min(to, at+talkjs.MaxMessagesPerRequest))
		if err != nil {
			return err
		}
		for i, m := range msgs {
			if !f(at+i, m.key().sum()) {
				return nil
			}
		}
	}
	return nil
}

func (r *convRun) uncertain(from, to int, reason string) (int, error) {
	if err := r.im.cp.write(record{Conv: r.id, Op: "uncertain", From: from, To: to, Reason: reason}); err != nil {
		return from, err
	}
	r.im.uncertainNote(r.id, r.lineList(from, to), reason)
	r.im.settled.Add(int64(len(r.refs) - from))
	return from, errStop
}

func (im *Importer) uncertainNote(conv string, lines []int, reason string) {
	im.mu.Lock()
	im.sum.Uncertain = append(im.sum.Uncertain, Uncertain{Conversation: conv, Lines: lines, Reason: reason})
	im.mu.Unlock()
	im.note("%s: UNCERTAIN: %s", conv, reason)
}

// readBack counts the conversation's stored messages by key.
func (r *convRun) readBack(ctx context.Context) (map[keySum]int, error) {
	stored := map[keySum]int{}
	for m, err := range r.im.c.Messages.All(ctx, r.id, &talkjs.ListOptions{Limit: 100}) {
		if errors.Is(err, talkjs.ErrNotFound) {
			return map[keySum]int{}, nil // no such conversation: nothing stored
		}
		if err != nil {
			return nil, err
		}
		stored[msgKey{m.SenderID, m.CreatedAt, m.Text}.sum()]++
	}
	return stored, nil
}

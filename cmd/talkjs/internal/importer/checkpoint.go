package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// The checkpoint is an append-only journal of NDJSON records:
//
//	{"op":"input","hash":"…","size":N}                       the input it belongs to (SHA-256 and length)
//	{"conv":"c1","op":"done","to":30,"hash":"…"}             the first 30 messages are settled (imported, found or rejected)
//	{"conv":"c1","op":"uncertain","from":20,"to":30,"reason":"…"} a range whose outcome could not be found out
//	{"conv":"c1","op":"reject","at":25,"reason":"…"}         a message TalkJS refused (400), skipped from then on
//
// Positions count the conversation's messages in the order they are imported
// (by timestamp, then by line). Older journals also hold "send" records (a
// request about to be sent); they are read but no longer written.
//
// A record only ever states a fact that was true when it was written, and
// "done" never moves backwards: a journal that lost its last records (a
// crash, a truncation), lost everything (deleted, emptied) or had old
// records replayed into it claims less than is true, never more. So the
// importer trusts it only for conversations it proves complete, and reads
// every other conversation back from TalkJS before sending anything for it
// (see convRun.resolve). That is also why a "done" record needs no fsync of
// its own: records are made durable in groups, when a conversation is
// complete and when the import ends.
//
// A torn last line (a crash mid-write) is ignored. When a run starts, the
// journal is replayed and rewritten compactly into a new file that replaces
// the old one by rename.

type record struct {
	Conv   string `json:"conv,omitempty"`
	Op     string `json:"op"`
	From   int    `json:"from,omitempty"`
	To     int    `json:"to,omitempty"`
	At     int    `json:"at,omitempty"`
	Hash   string `json:"hash,omitempty"`
	Reason string `json:"reason,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// ErrCheckpointMismatch means the checkpoint was written for another input.
var ErrCheckpointMismatch = errors.New("the checkpoint belongs to another input")

// ErrCheckpointDamaged means the checkpoint holds something that is not a
// record of talkjs import.
var ErrCheckpointDamaged = errors.New("the checkpoint is damaged")

// startAfresh says what to do about a checkpoint that cannot be used.
const startAfresh = "move it away to start afresh: the import then reads each conversation back from TalkJS and sends only the messages it does not hold"

// inputID identifies an input: the SHA-256 of its bytes and their number.
type inputID struct {
	Hash string
	Size int64
}

// convState is what the journal says about one conversation.
type convState struct {
	// Done is how many messages, in import order, are settled: imported
	// or rejected.
	Done int
	// Hash fingerprints the first Done messages, so that a changed input
	// file is noticed.
	Hash string
	// Pending is the range of a request whose outcome is unknown, or nil.
	Pending *[2]int
	// Uncertain says the pending range could not be resolved.
	Uncertain string
	// Rejected holds the reasons of refused messages, by position.
	Rejected map[int]string
}

type checkpoint struct {
	path  string
	mu    sync.Mutex
	f     *os.File
	conv  map[string]*convState
	input *inputID // nil until known

	// Group commit: records queue in pending; one writer at a time writes
	// and fsyncs everything queued, and wakes those whose records it made
	// durable.
	cond           *sync.Cond
	pending        []byte
	queued, synced uint64
	syncing        bool
	err            error
	syncs          int // fsyncs done, for the benchmark
}

// openCheckpoint replays the journal at path (if any), compacts it and
// opens it for appending.
func openCheckpoint(path string) (*checkpoint, error) {
	cp := &checkpoint{path: path, conv: map[string]*convState{}}
	cp.cond = sync.NewCond(&cp.mu)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	lines := bytes.Split(data, []byte("\n"))
	// The part after the last newline is empty, or a record torn by a
	// crash mid-write: either way it is left out.
	lines = lines[:len(lines)-1]
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r record
		err := json.Unmarshal(line, &r)
		switch {
		case err == nil && r.Op == "input" && r.Hash != "":
			if cp.input != nil && *cp.input != (inputID{r.Hash, r.Size}) {
				return nil, fmt.Errorf("%w: %s line %d names a second input; %s", ErrCheckpointDamaged, path, i+1, startAfresh)
			}
			cp.input = &inputID{r.Hash, r.Size}
			continue
		case err != nil || r.Conv == "" || r.Op == "":
			return nil, fmt.Errorf("%w: %s line %d is not a record of talkjs import; %s", ErrCheckpointDamaged, path, i+1, startAfresh)
		}
		cp.apply(r)
	}
	if err := cp.compact(); err != nil {
		return nil, err
	}
	return cp, nil
}

func (cp *checkpoint) state(conv string) *convState {
	s := cp.conv[conv]
	if s == nil {
		s = &convState{}
		cp.conv[conv] = s
	}
	return s
}

// apply adds r to the state. A record that claims less than the state
// already holds (an old record replayed) changes nothing: "done" never
// moves backwards.
func (cp *checkpoint) apply(r record) {
	s := cp.state(r.Conv)
	switch r.Op {
	case "send":
		if r.From >= s.Done {
			s.Pending = &[2]int{r.From, r.To}
			s.Uncertain = ""
		}
	case "done":
		if r.To >= s.Done {
			s.Done, s.Hash = r.To, r.Hash
			s.Pending, s.Uncertain = nil, ""
		}
	case "uncertain":
		if r.From >= s.Done {
			s.Pending = &[2]int{r.From, r.To}
			s.Uncertain = r.Reason
		}
	case "reject":
		if s.Rejected == nil {
			s.Rejected = map[int]string{}
		}
		s.Rejected[r.At] = r.Reason
	}
}

// snapshot returns records that rebuild the current state.
func (cp *checkpoint) snapshot() []record {
	ids := make([]string, 0, len(cp.conv))
	for id := range cp.conv {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []record
	if cp.input != nil {
		out = append(out, record{Op: "input", Hash: cp.input.Hash, Size: cp.input.Size})
	}
	for _, id := range ids {
		s := cp.conv[id]
		ats := make([]int, 0, len(s.Rejected))
		for at := range s.Rejected {
			ats = append(ats, at)
		}
		sort.Ints(ats)
		for _, at := range ats {
			out = append(out, record{Conv: id, Op: "reject", At: at, Reason: s.Rejected[at]})
		}
		if s.Done > 0 {
			out = append(out, record{Conv: id, Op: "done", To: s.Done, Hash: s.Hash})
		}
		if s.Pending != nil {
			if s.Uncertain != "" {
				out = append(out, record{Conv: id, Op: "uncertain", From: s.Pending[0], To: s.Pending[1], Reason: s.Uncertain})
			} else {
				out = append(out, record{Conv: id, Op: "send", From: s.Pending[0], To: s.Pending[1]})
			}
		}
	}
	return out
}

// compact writes the state to a new file, fsyncs it, renames it over the
// journal and opens the result for appending.
func (cp *checkpoint) compact() error {
	dir := filepath.Dir(cp.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(cp.path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	for _, r := range cp.snapshot() {
		b, _ := json.Marshal(r)
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), cp.path); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	syncDir(dir)
	f, err := os.OpenFile(cp.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("open checkpoint: %w", err)
	}
	cp.f = f
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: not every system can sync a directory
		d.Close()
	}
}

// write appends r to the journal and makes it durable before returning.
// Concurrent writers share fsyncs.
func (cp *checkpoint) write(r record) error {
	if err := cp.add(r); err != nil {
		return err
	}
	return cp.sync()
}

// add appends r to the journal without waiting for it to be durable: a
// later sync (or write) makes it so. The state changes at once.
func (cp *checkpoint) add(r record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	cp.mu.Lock()
	if cp.err != nil {
		cp.mu.Unlock()
		return cp.err
	}
	cp.pending = append(append(cp.pending, b...), '\n')
	cp.queued++
	if r.Op == "input" {
		cp.input = &inputID{r.Hash, r.Size}
	} else {
		cp.apply(r)
	}
	full := len(cp.pending) >= 1<<16
	cp.mu.Unlock()
	if full {
		return cp.sync()
	}
	return nil
}

// sync makes every record added so far durable. One caller at a time
// writes and fsyncs everything queued; the others wait for it and find
// their records synced too (group commit).
func (cp *checkpoint) sync() error {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	mine := cp.queued
	for cp.synced < mine && cp.err == nil {
		if cp.syncing {
			cp.cond.Wait()
			continue
		}
		cp.syncing = true
		buf, upto := cp.pending, cp.queued
		cp.pending = nil
		cp.mu.Unlock()
		_, err := cp.f.Write(buf)
		if err == nil {
			err = cp.f.Sync()
		}
		cp.mu.Lock()
		cp.syncs++
		cp.syncing = false
		if err != nil {
			cp.err = fmt.Errorf("write checkpoint %s: %w", cp.path, err)
		} else {
			cp.synced = upto
		}
		cp.cond.Broadcast()
	}
	return cp.err
}

// get returns a copy of the state of conv.
func (cp *checkpoint) get(conv string) convState {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	s := *cp.state(conv)
	return s
}

// close makes what was added durable and closes the journal.
func (cp *checkpoint) close() error {
	err := cp.sync()
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cerr := cp.f.Close(); err == nil {
		err = cerr
	}
	return err
}

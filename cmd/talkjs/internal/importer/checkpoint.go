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

// The checkpoint is an append-only journal of NDJSON records, one per event
// of a conversation's import, each written and fsynced before the importer
// goes on:
//
//	{"conv":"c1","op":"send","from":20,"to":30}              before a request is sent
//	{"conv":"c1","op":"done","to":30,"hash":"…"}             after TalkJS acknowledged it (or a read-back found it)
//	{"conv":"c1","op":"uncertain","from":20,"to":30,"reason":"…"} when the outcome could not be found out
//	{"conv":"c1","op":"reject","at":25,"reason":"…"}         a message TalkJS refused (400), skipped from then on
//
// Positions count the conversation's messages in the order they are imported
// (by timestamp, then by line). A "send" without a later "done" means the
// request may or may not have been processed: the next run reads the
// conversation back before deciding. A torn last line (a crash mid-write)
// is ignored, which errs on the side of a read-back.
//
// When a run starts, the journal is replayed and rewritten compactly into a
// new file that replaces the old one by rename.

type record struct {
	Conv   string `json:"conv"`
	Op     string `json:"op"`
	From   int    `json:"from,omitempty"`
	To     int    `json:"to,omitempty"`
	At     int    `json:"at,omitempty"`
	Hash   string `json:"hash,omitempty"`
	Reason string `json:"reason,omitempty"`
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
	path string
	mu   sync.Mutex
	f    *os.File
	conv map[string]*convState

	// Group commit: records queue in pending; one writer at a time writes
	// and fsyncs everything queued, and wakes those whose records it made
	// durable.
	cond           *sync.Cond
	pending        []byte
	queued, synced uint64
	syncing        bool
	err            error
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
		if err := json.Unmarshal(line, &r); err != nil || r.Conv == "" || r.Op == "" {
			return nil, fmt.Errorf("checkpoint %s line %d is damaged, or the file is not a checkpoint of talkjs import", path, i+1)
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

func (cp *checkpoint) apply(r record) {
	s := cp.state(r.Conv)
	switch r.Op {
	case "send":
		s.Pending = &[2]int{r.From, r.To}
		s.Uncertain = ""
	case "done":
		s.Done, s.Hash = r.To, r.Hash
		s.Pending, s.Uncertain = nil, ""
	case "uncertain":
		s.Pending = &[2]int{r.From, r.To}
		s.Uncertain = r.Reason
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
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.pending = append(append(cp.pending, b...), '\n')
	cp.queued++
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
		cp.syncing = false
		if err != nil {
			cp.err = fmt.Errorf("write checkpoint %s: %w", cp.path, err)
		} else {
			cp.synced = upto
		}
		cp.cond.Broadcast()
	}
	if cp.err != nil {
		return cp.err
	}
	cp.apply(r)
	return nil
}

// get returns a copy of the state of conv.
func (cp *checkpoint) get(conv string) convState {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	s := *cp.state(conv)
	return s
}

func (cp *checkpoint) close() error {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return cp.f.Close()
}

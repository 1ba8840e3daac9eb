package importer

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
)

// source is the input, read once from start to end to check every line
// and index the messages, then again line by line at the offsets the index
// holds, one conversation at a time: the messages' content is never all in
// memory at once.
//
// A regular file (or any reader that can also be read at an offset, such
// as a bytes.Reader) is read in place. Anything else, such as a pipe on
// standard input, is copied to a temporary file while it is read the first
// time; the copy is removed when the import ends.
type source struct {
	first io.Reader   // what the first pass reads
	sum   *summer     // the SHA-256 and length of what it read
	at    io.ReaderAt // what the lines are read back from
	base  int64       // the offset in at of the input's first byte

	spool  *os.File
	spoolW *bufio.Writer
}

// readerAtSeeker is an input that can be read again at an offset.
type readerAtSeeker interface {
	io.Reader
	io.ReaderAt
	io.Seeker
}

// openSource prepares r for reading twice; a copy, if one is needed, goes
// into a temporary file in dir.
func openSource(r io.Reader, dir string) (*source, error) {
	s, err := openSourceUnhashed(r, dir)
	if err != nil {
		return nil, err
	}
	s.sum = &summer{h: sha256.New()}
	s.first = io.TeeReader(s.first, s.sum)
	return s, nil
}

// summer hashes and counts what is written to it.
type summer struct {
	h hash.Hash
	n int64
}

func (s *summer) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	return s.h.Write(p)
}

// id identifies the input by what the first pass read.
func (s *source) id() inputID {
	return inputID{Hash: hex.EncodeToString(s.sum.h.Sum(nil)), Size: s.sum.n}
}

func openSourceUnhashed(r io.Reader, dir string) (*source, error) {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if base, err := f.Seek(0, io.SeekCurrent); err == nil {
				return &source{first: f, at: f, base: base}, nil
			}
		}
	} else if rs, ok := r.(readerAtSeeker); ok {
		if base, err := rs.Seek(0, io.SeekCurrent); err == nil {
			return &source{first: rs, at: rs, base: base}, nil
		}
	}
	f, err := os.CreateTemp(dir, ".talkjs-import-*.ndjson")
	if err != nil {
		return nil, fmt.Errorf("copy the input to a temporary file: %w", err)
	}
	// Where a file open can be removed, it is removed now, so that even a
	// killed run leaves no copy behind; close removes it otherwise.
	os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<16)
	return &source{first: io.TeeReader(r, w), at: f, spool: f, spoolW: w}, nil
}

// firstPassDone ends the first pass: the copy, if any, is complete.
func (s *source) firstPassDone() error {
	if s.spoolW == nil {
		return nil
	}
	if err := s.spoolW.Flush(); err != nil {
		return fmt.Errorf("copy the input to a temporary file: %w", err)
	}
	s.spoolW = nil
	return nil
}

// line reads the n bytes at offset off of the input.
func (s *source) line(off int64, n uint32) ([]byte, error) {
	b := make([]byte, n)
	k, err := s.at.ReadAt(b, s.base+off)
	if k == len(b) {
		return b, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return nil, fmt.Errorf("read the input again: %w", err)
}

// close removes the copy, if any.
func (s *source) close() {
	if s.spool != nil {
		s.spool.Close()
		os.Remove(s.spool.Name())
	}
}

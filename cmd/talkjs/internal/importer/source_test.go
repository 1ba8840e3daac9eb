package importer

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/histgen"
)

func TestPipedInputIsCopiedAndTheCopyRemoved(t *testing.T) {
	data := history(t, histgen.Spec{Users: 4, Conversations: 3, Messages: 60, Seed: 2})
	srv, c := newServer(t)
	dir := t.TempDir()
	cp := filepath.Join(dir, "cp")
	// A reader that cannot be read at an offset, as standard input.
	pipe := struct{ io.Reader }{bytes.NewReader(data)}
	sum, err := New(c, Options{Checkpoint: cp}).Run(t.Context(), pipe)
	if err != nil || !sum.OK() || sum.Imported != 60 {
		t.Fatalf("Run(pipe) = %+v, %v; want OK with 60 imported", sum, err)
	}
	checkStored(t, srv, expected(t, data))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".talkjs-import-") {
			t.Errorf("after Run(pipe) %s is in the checkpoint's directory, want the copy of the input removed", e.Name())
		}
	}
}

func TestFileReadFromItsCurrentOffset(t *testing.T) {
	data := history(t, histgen.Spec{Users: 4, Conversations: 2, Messages: 30, Seed: 5})
	path := filepath.Join(t.TempDir(), "h.ndjson")
	junk := "this line was read before the import started\n"
	if err := os.WriteFile(path, append([]byte(junk), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(int64(len(junk)), io.SeekStart); err != nil {
		t.Fatal(err)
	}
	srv, c := newServer(t)
	sum, err := New(c, Options{Checkpoint: filepath.Join(t.TempDir(), "cp")}).Run(t.Context(), f)
	if err != nil || !sum.OK() || sum.Imported != 30 {
		t.Fatalf("Run(file past a junk line) = %+v, %v; want OK with 30 imported", sum, err)
	}
	checkStored(t, srv, expected(t, data))
}

// changingReader reads the first pass from one input and the lines again
// from another, as a file edited during the import would.
type changingReader struct {
	*bytes.Reader
	later *bytes.Reader
}

func (c changingReader) ReadAt(p []byte, off int64) (int, error) { return c.later.ReadAt(p, off) }

func TestInputChangedDuringTheImportStopsIt(t *testing.T) {
	data := history(t, histgen.Spec{Users: 4, Conversations: 1, Messages: 20, Seed: 6})
	i := bytes.Index(data, []byte(`"kind":"message"`))
	later := bytes.Clone(data)
	copy(later[i:], `"kind":"massage"`)
	_, c := newServer(t)
	_, err := New(c, Options{Checkpoint: filepath.Join(t.TempDir(), "cp")}).
		Run(t.Context(), changingReader{bytes.NewReader(data), bytes.NewReader(later)})
	if err == nil || !strings.Contains(err.Error(), "changed while it was being imported") {
		t.Fatalf("Run(input that changes) error = %v, want one saying the input changed", err)
	}
}

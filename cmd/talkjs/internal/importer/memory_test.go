package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/histgen"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// heapPeak samples the live heap (as the last garbage collection measured
// it) until stop, with the collector made eager so that the figure follows
// what is really held.
type heapPeak struct {
	base, peak uint64
	oldPercent int
	stopc      chan struct{}
	wg         sync.WaitGroup
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stopc: make(chan struct{}), oldPercent: debug.SetGCPercent(10)}
	runtime.GC()
	h.base = liveHeap()
	h.peak = h.base
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stopc:
				return
			case <-t.C:
				h.peak = max(h.peak, liveHeap())
			}
		}
	}()
	return h
}

// stop returns the peak growth of the live heap over the baseline.
func (h *heapPeak) stop() uint64 {
	close(h.stopc)
	h.wg.Wait()
	h.peak = max(h.peak, liveHeap())
	debug.SetGCPercent(h.oldPercent)
	return h.peak - h.base
}

// padText lengthens the text of every message line histgen writes by pad
// bytes, so that a history's size is mostly message content.
type padText struct {
	w       *bufio.Writer
	pad     []byte
	partial []byte
}

func (p *padText) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.partial = append(p.partial, b...)
			break
		}
		line := append(p.partial, b[:i+1]...)
		p.partial = p.partial[:0]
		b = b[i+1:]
		const field = `"text":"`
		if j := bytes.Index(line, []byte(field)); j >= 0 && bytes.Contains(line, []byte(`"kind":"message"`)) {
			j += len(field)
			p.w.Write(line[:j])
			p.w.Write(p.pad)
			line = line[j:]
		}
		if _, err := p.w.Write(line); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// writeLongHistory writes a generated history whose message texts are
// about text bytes long to a file, without holding it in memory.
func writeLongHistory(t *testing.T, s histgen.Spec, text int) (string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "long.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := histgen.Write(&padText{w: w, pad: bytes.Repeat([]byte("x"), text)}, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path, fi.Size()
}

// discardImports serves the API from an in-memory server, except message
// imports, which it checks for order and counts but does not store: the
// server shares the test's heap, and must not hold the history itself.
type discardImports struct {
	api *api.Server

	mu       sync.Mutex
	imported int
	last     map[string]int64
	disorder int
}

func (d *discardImports) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := strings.Index(r.URL.Path, "/import/conversations/")
	if i < 0 || r.Method != http.MethodPost {
		d.api.ServeHTTP(w, r)
		return
	}
	conv := strings.TrimSuffix(r.URL.Path[i+len("/import/conversations/"):], "/messages")
	var msgs []struct {
		Timestamp int64 `json:"timestamp"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msgs); err != nil || len(msgs) == 0 || len(msgs) > talkjs.MaxMessagesPerRequest {
		http.Error(w, `{"errorCode":"INVALID_REQUEST"}`, http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	for _, m := range msgs {
		if m.Timestamp < d.last[conv] {
			d.disorder++
		}
		d.last[conv] = m.Timestamp
	}
	d.imported += len(msgs)
	d.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "{}")
}

// heapOfImport imports the history read from open() into a server that
// keeps no messages, holding hold (if any) alive meanwhile, and returns
// the peak growth of the live heap during the import.
func heapOfImport(t *testing.T, messages int, open func() io.Reader, hold func() []byte) (uint64, time.Duration) {
	t.Helper()
	d := &discardImports{api: api.NewServer(), last: map[string]int64{}}
	hs := httptest.NewServer(d)
	defer hs.Close()
	c, err := talkjs.NewClient(d.api.AppID(), d.api.Secret(), talkjs.WithBaseURL(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	im := New(c, Options{Checkpoint: filepath.Join(t.TempDir(), "cp"), Concurrency: 4})
	h := startHeapPeak()
	var held []byte
	if hold != nil {
		held = hold()
	}
	sum, err := im.Run(t.Context(), open())
	peak := h.stop()
	runtime.KeepAlive(held)
	if err != nil || !sum.OK() || sum.Imported != messages || d.imported != messages || d.disorder != 0 {
		t.Fatalf("Run() = %+v, %v, the server took %d messages, %d out of time order; want OK, nil, %d messages, none out of order", sum, err, d.imported, d.disorder, messages)
	}
	return peak, sum.Elapsed
}

// envInt reads a size for the test from the environment, so that it can
// be run at a larger scale by hand.
func envInt(t *testing.T, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s=%q: %v, want a whole number", name, s, err)
		}
		return n
	}
	return def
}

// TestImportMemoryDoesNotGrowWithContent imports a history of long
// messages and checks that the importer's live heap stays far below the
// input's size, from a file and from a pipe (standard input). A control
// run that holds the input in memory shows that the measurement can fail.
//
// For a large measurement:
//
//	TALKJS_HEAP_MESSAGES=200000 TALKJS_HEAP_TEXT=1024 go test -run TestImportMemory -v ./cmd/talkjs/internal/importer
func TestImportMemoryDoesNotGrowWithContent(t *testing.T) {
	messages := envInt(t, "TALKJS_HEAP_MESSAGES", 5000)
	text := envInt(t, "TALKJS_HEAP_TEXT", 2048)
	path, size := writeLongHistory(t, histgen.Spec{Users: 60, Conversations: 50, Messages: messages, Seed: 4}, text)
	bound := uint64(size / 4)
	openFile := func() io.Reader {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	readAll := func() []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	file, took := heapOfImport(t, messages, openFile, nil)
	t.Logf("%d messages, input %.1f MB: peak live heap %.1f MB importing the file (%s)", messages, mb(size), mb(int64(file)), took.Round(time.Millisecond))
	if file > bound {
		t.Errorf("importing a %.1f MB file took %.1f MB of live heap, want at most %.1f MB", mb(size), mb(int64(file)), mb(int64(bound)))
	}

	// A pipe cannot be read twice: the importer copies it to a file.
	pipe, took := heapOfImport(t, messages, func() io.Reader { return struct{ io.Reader }{openFile()} }, nil)
	t.Logf("peak live heap %.1f MB importing from a pipe (%s)", mb(int64(pipe)), took.Round(time.Millisecond))
	if pipe > bound {
		t.Errorf("importing %.1f MB from a pipe took %.1f MB of live heap, want at most %.1f MB", mb(size), mb(int64(pipe)), mb(int64(bound)))
	}

	// The control: the same import with the whole input held in memory.
	held, took := heapOfImport(t, messages, openFile, readAll)
	t.Logf("peak live heap %.1f MB with the input held in memory (control, %s)", mb(int64(held)), took.Round(time.Millisecond))
	if held <= bound {
		t.Errorf("peak live heap with the %.1f MB input held in memory (the control) = %.1f MB, want above the bound of %.1f MB: otherwise the measurement cannot see what is held",
			mb(size), mb(int64(held)), mb(int64(bound)))
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

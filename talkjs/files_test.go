package talkjs

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// patternReader produces n bytes of a fixed pattern without holding them.
type patternReader struct {
	n, off   int64
	produced atomic.Int64
	// When gate is set, reading past gateAt waits until gate is closed
	// (or gives up after 5 s and sets stalled): the reader cannot run
	// ahead of the server.
	gate    chan struct{}
	gateAt  int64
	stalled atomic.Bool
}

func patternByte(i int64) byte { return byte(i % 251) }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if p.gate != nil && p.off >= p.gateAt {
		select {
		case <-p.gate:
		case <-time.After(5 * time.Second):
			p.stalled.Store(true)
		}
		p.gate = nil
	}
	k := min(int64(len(b)), p.n-p.off)
	for i := range k {
		b[i] = patternByte(p.off + i)
	}
	p.off += k
	p.produced.Store(p.off)
	return int(k), nil
}

// uploadHandler reads the multipart body part by part, checks the file
// against the pattern and answers a token. It calls during(n) after each
// chunk of the file part.
func uploadHandler(t *testing.T, wantName string, got *atomic.Int64, during func(n int64)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, op string) {
		ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
			t.Errorf("upload Content-Type = %q, want multipart/form-data with a boundary", r.Header.Get("Content-Type"))
		}
		mr, err := r.MultipartReader()
		if err != nil {
			t.Errorf("r.MultipartReader() = %v, want nil", err)
			return
		}
		var parts []string
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("multipart NextPart() = %v, want nil", err)
				return
			}
			parts = append(parts, part.FormName())
			switch part.FormName() {
			case "file":
				if part.FileName() != wantName {
					t.Errorf("file part filename = %q, want %q", part.FileName(), wantName)
				}
				buf := make([]byte, 64<<10)
				var n int64
				for {
					k, err := part.Read(buf)
					for i := range k {
						if buf[i] != patternByte(n+int64(i)) {
							t.Errorf("file byte %d = %d, want %d", n+int64(i), buf[i], patternByte(n+int64(i)))
							return
						}
					}
					n += int64(k)
					if during != nil && k > 0 {
						during(n)
					}
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Errorf("read the file part = %v, want nil", err)
						return
					}
				}
				got.Store(n)
			case "filename":
				b, _ := io.ReadAll(part)
				if string(b) != wantName {
					t.Errorf("filename part = %q, want %q", b, wantName)
				}
			}
		}
		if got := strings.Join(parts, ","); got != "file,filename" {
			t.Errorf("multipart parts = %s, want file,filename", got)
		}
		writeJSON(w, http.StatusOK, `{"attachmentToken":"tok_big"}`)
	}
}

// TestUploadStreamsTenMegabytes is not parallel: it reads the process's
// allocation count.
func TestUploadStreamsTenMegabytes(t *testing.T) {
	const size = 10 << 20
	// The reader stops at 2 MiB until the server has received 1 MiB: an
	// upload that read the file whole before sending would stall here.
	src := &patternReader{n: size, gate: make(chan struct{}), gateAt: 2 << 20}
	var got atomic.Int64
	var once sync.Once
	c, ts := newTestServer(t, uploadHandler(t, "big.bin", &got, func(n int64) {
		if n >= 1<<20 {
			once.Do(func() { close(src.gate) })
		}
	}))
	ts.skipBody = true // the validator would read the whole body into memory
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	token, err := c.Files.Upload(t.Context(), "big.bin", src)
	runtime.ReadMemStats(&after)
	if err != nil || token != "tok_big" {
		t.Fatalf("Files.Upload(big.bin, 10 MiB) = %q, %v; want %q, nil", token, err, "tok_big")
	}
	if got.Load() != size {
		t.Fatalf("Files.Upload(big.bin, 10 MiB): the server got %d bytes, want %d", got.Load(), size)
	}
	// Client and server together allocate far less than the file: nothing
	// holds it whole.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("Files.Upload(big.bin, %d bytes) allocated %d bytes, want at most %d", size, alloc, size/4)
	}
	if src.stalled.Load() {
		t.Error("Files.Upload(big.bin, 10 MiB) read 2 MiB before the server got 1 MiB, want a streamed upload")
	}
}

func TestUploadRetriesOnlyRewindableReaders(t *testing.T) {
	t.Parallel()
	for _, seekable := range []bool{true, false} {
		t.Run(readerName(seekable), func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var got atomic.Int64
			inner := uploadHandler(t, "f.bin", &got, nil)
			c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
				if calls.Add(1) == 1 {
					_, _ = io.Copy(io.Discard, r.Body)
					writeJSON(w, http.StatusServiceUnavailable, `{}`)
					return
				}
				inner(w, r, op)
			})
			data := make([]byte, 100_000)
			for i := range data {
				data[i] = patternByte(int64(i))
			}
			var r io.Reader = bytes.NewReader(data)
			if !seekable {
				r = io.MultiReader(r) // hides Seek
			}
			token, err := c.Files.Upload(t.Context(), "f.bin", r)
			if seekable {
				if err != nil || token != "tok_big" || calls.Load() != 2 || got.Load() != int64(len(data)) {
					t.Errorf("Files.Upload(f.bin, %s), first attempt 503 = %q, %v after %d requests, server got %d bytes; want %q, nil after 2, %d bytes",
						readerName(seekable), token, err, calls.Load(), got.Load(), "tok_big", len(data))
				}
			} else if err == nil || calls.Load() != 1 {
				t.Errorf("Files.Upload(f.bin, %s), first attempt 503 = %v after %d requests; want the 503 after 1 (no retry)",
					readerName(seekable), err, calls.Load())
			}
		})
	}
}

// readerName names an upload's reader in subtests and failures.
func readerName(seekable bool) string {
	if seekable {
		return "reader=seekable"
	}
	return "reader=plain"
}

func TestSendFile(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		switch op {
		case "uploadFile":
			writeJSON(w, http.StatusOK, `{"attachmentToken":"tok_1"}`)
		case "sendMessages":
			writeJSON(w, http.StatusOK, `[{"id":"m1"}]`)
		}
	})
	id, err := c.Files.SendFile(t.Context(), "c1", "alice", "a.txt", strings.NewReader("hello"))
	if err != nil || id != "m1" {
		t.Fatalf("Files.SendFile(c1, alice, a.txt) = %q, %v; want %q, nil", id, err, "m1")
	}
	reqs := ts.requests()
	if len(reqs) != 2 {
		t.Fatalf("Files.SendFile(c1, alice, a.txt) made %d requests, want 2 (upload, send)", len(reqs))
	}
	if body := string(reqs[1].Body); !strings.Contains(body, `"attachmentToken":"tok_1"`) || !strings.Contains(body, `"sender":"alice"`) {
		t.Errorf("Files.SendFile(c1, alice, a.txt) sent %s, want a message from alice with attachmentToken tok_1", body)
	}
}

func TestUploadRetriedAfterDialError(t *testing.T) {
	t.Parallel()
	for _, seekable := range []bool{true, false} {
		t.Run(readerName(seekable), func(t *testing.T) {
			t.Parallel()
			var dials atomic.Int32
			failDial := func(next http.RoundTripper) http.RoundTripper {
				return RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
					if dials.Add(1) == 1 {
						return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
					}
					return next.RoundTrip(r)
				})
			}
			var got atomic.Int64
			c, ts := newTestServer(t, uploadHandler(t, "f.bin", &got, nil), WithMiddleware(failDial))
			data := make([]byte, 50_000)
			for i := range data {
				data[i] = patternByte(int64(i))
			}
			var r io.Reader = bytes.NewReader(data)
			if !seekable {
				r = io.MultiReader(r)
			}
			token, err := c.Files.Upload(t.Context(), "f.bin", r)
			if err != nil || token != "tok_big" || got.Load() != int64(len(data)) || len(ts.requests()) != 1 {
				t.Errorf("Files.Upload(f.bin, %s), first dial refused = %q, %v, server got %d bytes in %d requests; want %q, nil, %d bytes in 1",
					readerName(seekable), token, err, got.Load(), len(ts.requests()), "tok_big", len(data))
			}
		})
	}
}

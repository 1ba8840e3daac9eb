package bench

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// Server answers the benchmarked operations with fixed payloads, as cheaply
// as it can, so that the client side dominates what is measured.
type Server struct {
	conversation []byte
	send         [11][]byte
	pages        [][]byte // pages[i] starts at message i*PageSize
	empty        []byte
	bufs         sync.Pool
	// UploadedBytes counts the file bytes received by POST /files.
	UploadedBytes int64
	mu            sync.Mutex
}

// NewServer prepares the answers. totalMessages is how many messages the
// conversation holds for paging (0 means a single page of PageSize).
func NewServer(totalMessages int) *Server {
	s := &Server{conversation: ConversationJSON(), empty: []byte(`{"data":[]}`)}
	for n := 1; n <= 10; n++ {
		s.send[n] = SendAnswerJSON(n)
	}
	if totalMessages <= 0 {
		totalMessages = PageSize
	}
	for first := 0; first < totalMessages; first += PageSize {
		s.pages = append(s.pages, MessagePageJSON(first, totalMessages))
	}
	s.bufs.New = func() any { return new(bytes.Buffer) }
	return s
}

var typeKey = []byte(`"type"`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/messages"):
		page := 0
		if after := r.URL.Query().Get("startingAfter"); after != "" {
			n, ok := MessageNumber(after)
			if !ok {
				http.Error(w, `{"error":"bad cursor"}`, http.StatusBadRequest)
				return
			}
			page = (n + 1) / PageSize
		}
		if page >= len(s.pages) {
			_, _ = w.Write(s.empty)
			return
		}
		_, _ = w.Write(s.pages[page])
	case r.Method == http.MethodGet && strings.Contains(path, "/conversations/"):
		_, _ = w.Write(s.conversation)
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/messages"):
		buf := s.bufs.Get().(*bytes.Buffer)
		buf.Reset()
		_, _ = buf.ReadFrom(r.Body)
		n := bytes.Count(buf.Bytes(), typeKey)
		s.bufs.Put(buf)
		if n < 1 || n > 10 {
			http.Error(w, `{"error":"send 1 to 10 messages"}`, http.StatusBadRequest)
			return
		}
		_, _ = w.Write(s.send[n])
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/files"):
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, `{"error":"read"}`, http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.UploadedBytes += n
		s.mu.Unlock()
		_, _ = w.Write([]byte(`{"attachmentToken":"tok_` + strconv.FormatInt(n, 10) + `"}`))
	default:
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
	}
}

// InMemory is a RoundTripper that hands each request straight to h, with
// no connection, no goroutines and no bytes on a socket. Benchmarks over it
// measure what a client does itself: building, encoding, signing, decoding.
func InMemory(h http.Handler) http.RoundTripper { return inMemory{h} }

type inMemory struct{ h http.Handler }

func (t inMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if r.Body != nil {
		_ = r.Body.Close()
	}
	res := rec.Result()
	res.Request = r
	return res, nil
}

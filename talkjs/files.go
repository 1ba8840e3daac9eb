package talkjs

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gotalkjs/talkjs-go/gen"
)

// FilesService uploads attachments; reach it as Client.Files.
type FilesService struct{ client *Client }

// Upload sends the bytes of r as the file filename and returns the
// attachment token to put in a message (see [AttachmentMessage] and
// [FilesService.SendFile]). The file is streamed as multipart/form-data:
// it is never held in memory whole, whatever its size.
//
// When r is an [io.ReadSeeker] the upload can be retried, starting again from
// r's current offset; any other reader is sent at most once after its first
// byte is read.
//
// Upload has stopped reading r when it returns.
//
// The timeout of the client's *http.Client (30 s by default) covers the
// whole upload: for large files, pass one with a longer timeout through
// [WithHTTPClient], and bound the call with ctx instead.
//
// TalkJS: POST /v1/{appId}/files (docs)
func (s *FilesService) Upload(ctx context.Context, filename string, r io.Reader) (string, error) {
	if filename == "" {
		return "", argError("filename", "must not be empty")
	}
	if strings.ContainsAny(filename, "\r\n") {
		return "", argError("filename", "must not hold line breaks")
	}
	if r == nil {
		return "", argError("r", "must not be nil")
	}
	seeker, rewindable := r.(io.ReadSeeker)
	var offset int64
	if rewindable {
		var err error
		if offset, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			rewindable = false // a ReadSeeker that cannot seek, such as a pipe
		}
	}
	// The boundary is fixed here, so the Content-Type is known before the
	// body is written; every attempt writes the same boundary.
	boundary := multipart.NewWriter(io.Discard).Boundary()
	contentType := "multipart/form-data; boundary=" + boundary

	var prev *lazyBody
	newBody := func() (*lazyBody, error) {
		if prev != nil {
			// Let the writer of the previous attempt finish with r
			// before it is rewound and read again.
			_ = prev.Close()
			prev.wait()
			// A reader that cannot be rewound is only sent again when the
			// previous attempt never read from it.
			if rewindable && prev.started.Load() {
				if _, err := seeker.Seek(offset, io.SeekStart); err != nil {
					return nil, fmt.Errorf("talkjs: rewind the upload: %w", err)
				}
			}
		}
		prev = &lazyBody{write: func(w io.Writer) error { return writeUpload(w, boundary, filename, r) }, done: make(chan struct{})}
		return prev, nil
	}
	first, _ := newBody()
	req, err := gen.NewUploadFileRequestWithBody(s.client.server, nil, contentType, first)
	call, err := newCall(ctx, req, err)
	if err != nil {
		return "", err
	}
	var out struct {
		AttachmentToken string `json:"attachmentToken"`
	}
	call.stream = func() (io.ReadCloser, *atomic.Bool, error) {
		if first != nil {
			b := first
			first = nil
			return b, &b.started, nil
		}
		b, err := newBody()
		if err != nil {
			return nil, nil, err
		}
		return b, &b.started, nil
	}
	call.rewindable, call.out = rewindable, &out
	defer func() {
		// Stop reading r before returning: the caller may close it.
		_ = prev.Close()
		prev.wait()
	}()
	if err := s.client.do(call); err != nil {
		return "", err
	}
	if out.AttachmentToken == "" {
		return "", fmt.Errorf("talkjs: upload answered no attachment token")
	}
	return out.AttachmentToken, nil
}

// SendFile uploads a file and sends it to the conversation as a message
// from sender. It returns the new message's id.
//
// TalkJS: POST /v1/{appId}/files (docs)
//
// TalkJS: POST /v1/{appId}/conversations/{conversationId}/messages (docs)
func (s *FilesService) SendFile(ctx context.Context, conversationID, sender, filename string, r io.Reader) (string, error) {
	if err := checkID("conversationID", conversationID); err != nil {
		return "", err
	}
	if err := checkID("sender", sender); err != nil {
		return "", err
	}
	token, err := s.Upload(ctx, filename, r)
	if err != nil {
		return "", err
	}
	return s.client.Messages.SendOne(ctx, conversationID, AttachmentMessage(sender, token))
}

func writeUpload(w io.Writer, boundary, filename string, r io.Reader) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	part, err := mw.CreateFormFile("file", filename)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return err
	}
	if err := mw.WriteField("filename", filename); err != nil {
		return err
	}
	return mw.Close()
}

// lazyBody is a request body that starts writing, through an io.Pipe, only
// when the transport first reads it: a request that fails before it is
// sent (a dial error) has not consumed the caller's reader.
type lazyBody struct {
	write   func(io.Writer) error
	started atomic.Bool
	once    sync.Once
	pr      *io.PipeReader
	mu      sync.Mutex
	closed  bool
	done    chan struct{} // closed when the writer goroutine ends
}

// wait blocks until the writer goroutine, if it was started, has ended.
func (b *lazyBody) wait() {
	if b.started.Load() {
		<-b.done
	}
}

func (b *lazyBody) start() {
	b.once.Do(func() {
		// Under the lock, so that after Close returns either the writer
		// has started (and wait waits for it) or it never will.
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.closed {
			return
		}
		pr, pw := io.Pipe()
		b.pr = pr
		b.started.Store(true)
		go func() {
			defer close(b.done)
			pw.CloseWithError(b.write(pw))
		}()
	})
}

func (b *lazyBody) Read(p []byte) (int, error) {
	b.start()
	b.mu.Lock()
	pr, closed := b.pr, b.closed
	b.mu.Unlock()
	if closed || pr == nil {
		return 0, io.ErrClosedPipe
	}
	return pr.Read(p)
}

func (b *lazyBody) Close() error {
	b.mu.Lock()
	b.closed = true
	pr := b.pr
	b.mu.Unlock()
	if pr != nil {
		return pr.CloseWithError(io.ErrClosedPipe)
	}
	return nil
}

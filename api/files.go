package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

// filesPrefix is where attachments are served: GET /files/{token}/{filename}.
// Our choice: outside /v1 and without authentication, like the CDN URLs
// TalkJS hands out; the token is 32 random characters.
const filesPrefix = "/files/"

// maxFilenameBytes bounds the filename part of an upload.
const maxFilenameBytes = 1024

// attach takes a reference to the uploaded file token for a message.
func (st *store) attach(token string) *attachment {
	f := st.files[token]
	f.refs++
	return &attachment{token: token, filename: f.filename, size: int64(len(f.data))}
}

// UploadFile stores a file sent as multipart/form-data with the parts "file"
// (which needs a filename in its Content-Disposition) and "filename", and
// answers its attachment token. The body is read as a stream and the file
// may be at most the server's file limit (413 beyond it).
func (h handlers) UploadFile(w http.ResponseWriter, r *http.Request, _ gen.UploadFileParams) {
	s := h.s
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "request body: must be multipart/form-data with a boundary in the Content-Type header (let the HTTP library set it)")
		return
	}
	var (
		data     []byte
		haveFile bool
		filename string
		haveName bool
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body: larger than the limit of %d bytes", s.maxFile))
				return
			}
			writeError(w, http.StatusBadRequest, "request body: not valid multipart data")
			return
		}
		switch part.FormName() {
		case "file":
			if part.FileName() == "" {
				writeError(w, http.StatusBadRequest, `request body: part "file" needs a filename in its Content-Disposition`)
				return
			}
			if msg := s.storeFull(0); msg != "" {
				writeError(w, http.StatusRequestEntityTooLarge, msg)
				return
			}
			var buf bytes.Buffer
			n, err := io.Copy(&buf, io.LimitReader(part, s.maxFile+1))
			if n > s.maxFile || isTooLarge(err) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body: part \"file\" is larger than the limit of %d bytes", s.maxFile))
				return
			}
			if err != nil {
				writeError(w, http.StatusBadRequest, `request body: part "file" could not be read`)
				return
			}
			// Stored without the buffer's spare capacity (up to twice the size).
			data = make([]byte, buf.Len())
			copy(data, buf.Bytes())
			haveFile = true
		case "filename":
			b, err := io.ReadAll(io.LimitReader(part, maxFilenameBytes+1))
			if err != nil || len(b) > maxFilenameBytes {
				writeError(w, http.StatusBadRequest, fmt.Sprintf(`request body: part "filename" must be at most %d bytes`, maxFilenameBytes))
				return
			}
			filename, haveName = string(b), true
		default:
			if _, err := io.Copy(io.Discard, part); isTooLarge(err) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body: larger than the limit of %d bytes", s.maxFile))
				return
			}
		}
	}
	switch {
	case !haveFile:
		writeError(w, http.StatusBadRequest, `request body: field "file": property "file" is missing`)
		return
	case !haveName:
		writeError(w, http.StatusBadRequest, `request body: field "filename": property "filename" is missing`)
		return
	case filename == "":
		writeError(w, http.StatusBadRequest, `request body: field "filename": must not be empty`)
		return
	}
	s.mu.Lock()
	now := s.nowMs()
	s.st.expireUploads(now, s.uploadTTL.Milliseconds())
	if msg := s.storeFullLocked(int64(len(data))); msg != "" {
		s.mu.Unlock()
		writeError(w, http.StatusRequestEntityTooLarge, msg)
		return
	}
	token := s.st.newID("", 32)
	f := &file{token: token, filename: filename, data: data, uploadedAt: now}
	s.st.files[token] = f
	s.st.fileBytes += int64(len(data))
	s.st.unclaimed = append(s.st.unclaimed, f)
	s.mu.Unlock()
	writeJSON(w, gen.AttachmentToken{AttachmentToken: token})
}

// storeFull says why n more bytes do not fit in the file store, or "".
func (s *Server) storeFull(n int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.expireUploads(s.nowMs(), s.uploadTTL.Milliseconds())
	return s.storeFullLocked(n)
}

func (s *Server) storeFullLocked(n int64) string {
	if s.st.fileBytes+n <= s.maxStored && (n > 0 || s.st.fileBytes < s.maxStored) {
		return ""
	}
	return fmt.Sprintf("the server's file store is full (%d of %d bytes used): send the uploaded files in messages or delete messages with attachments; "+
		"uploads no message carries are deleted %s after upload", s.st.fileBytes, s.maxStored, s.uploadTTL)
}

// claimable reports whether token names an upload a message may carry: it
// exists and, if no message carries it yet, has not expired.
func (s *Server) claimable(token string, now int64) bool {
	f := s.st.files[token]
	return f != nil && (f.refs > 0 || now-f.uploadedAt < s.uploadTTL.Milliseconds())
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// serveFile answers GET and HEAD /files/{token}/{filename} with the bytes of
// an uploaded file.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "attachments can only be downloaded")
		return
	}
	token, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, filesPrefix), "/")
	s.mu.RLock()
	var f *file
	if s.claimable(token, s.nowMs()) {
		f = s.st.files[token]
	}
	s.mu.RUnlock()
	if f == nil {
		writeError(w, http.StatusNotFound, "no such file")
		return
	}
	ctype := mime.TypeByExtension(path.Ext(f.filename))
	if ctype == "" {
		ctype = http.DetectContentType(f.data)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	// The file is someone's upload served from the API's origin: nothing in
	// it may run, and only plain images are shown in the browser.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
	disposition := "attachment"
	if mt, _, _ := mime.ParseMediaType(ctype); safeInlineTypes[mt] {
		disposition = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.filename}))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

// safeInlineTypes are the media types shown inline: raster images, which
// cannot carry script (SVG can, so it is an attachment like everything else).
var safeInlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/avif": true, "image/bmp": true,
}

package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// canonicalPath checks the path of an API request segment by segment and
// prepares it for routing, which is done on the raw (escaped) path:
//
//   - one trailing slash is dropped: TalkJS's team-chat tutorial PUTs
//     /conversations/{id}/ and TalkJS answers it like /conversations/{id};
//   - an empty, "." or ".." segment, sent raw or escaped, is refused with 400.
//     A router that cleans paths would redirect such a request to another
//     resource (DELETE …/participants/.. to the conversation itself), and an
//     id "." or ".." could never be addressed by a client that normalises
//     URLs;
//   - a segment that is not UTF-8 once unescaped is refused with 400, so no
//     id that JSON cannot carry is ever stored.
//
// The source of each rule is in the package documentation (ours, and the
// tutorial for the slash).
func canonicalPath(r *http.Request) *apiError {
	escaped := r.URL.EscapedPath()
	if strings.Count(escaped, "/") == 2 {
		// /v1/{appId}, the app as TalkJS documents its URL: the spec's "/".
		escaped += "/"
		u := *r.URL
		if err := setEscapedPath(&u, escaped); err != nil {
			return badRequest("path: not a valid URL path")
		}
		r.URL = &u
	} else if len(escaped) > 1 && strings.HasSuffix(escaped, "/") && strings.Count(escaped, "/") > 3 {
		escaped = strings.TrimSuffix(escaped, "/")
		u := *r.URL
		if err := setEscapedPath(&u, escaped); err != nil {
			return badRequest("path: not a valid URL path")
		}
		r.URL = &u
	}
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, seg := range segs {
		raw, err := url.PathUnescape(seg)
		switch {
		case err != nil:
			return badRequest("path: a segment is not validly percent-encoded")
		case raw == "" && i < len(segs)-1:
			return badRequest("path: empty segment (two slashes in a row)")
		case raw == "." || raw == "..":
			return badRequest(`path: a segment cannot be "." or ".." (ids must not be either)`)
		case !utf8.ValidString(raw):
			return badRequest("path: a segment is not valid UTF-8 once unescaped (ids must be UTF-8)")
		}
	}
	return nil
}

// setEscapedPath sets u's Path and RawPath from an escaped path.
func setEscapedPath(u *url.URL, escaped string) error {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = p, escaped
	if u.EscapedPath() != escaped {
		u.RawPath = ""
	}
	return nil
}

// handleSafely is handle that turns a panic of a handler into a JSON 500,
// where net/http would drop the connection without an answer. A panic with
// http.ErrAbortHandler (a deliberate cut) goes on.
func (s *Server) handleSafely(rec *recorder, r *http.Request) (out *recorder) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.logger.Error("handler panic", "method", r.Method, "path", r.URL.EscapedPath(), "panic", fmt.Sprint(v))
		if rec.sent {
			panic(http.ErrAbortHandler) // part of the answer is out: cut the connection
		}
		out = newRecorder()
		writeError(out, http.StatusInternalServerError, "the in-memory server failed on this request (a bug: please report it); nothing is guaranteed about its effect")
	}()
	if s.panicHook != nil {
		s.panicHook(r)
	}
	s.handle(rec, r, true)
	return rec
}

package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/gotalkjs/talkjs-go/gen"
)

// handlers implements gen.ServerInterface. Requests reach it only after the
// app check, authentication and validation against the spec, so handlers
// check only what the spec cannot express.
type handlers struct{ s *Server }

var _ gen.ServerInterface = handlers{}

// decodeBody decodes the (already validated) JSON body of r into v. An
// empty body leaves v as it is: validation lets one through only where the
// spec makes the body optional, and there it means {} (TalkJS's team-chat
// tutorial PUTs a conversation with Content-Type JSON and no body).
//
// The body is read once (see holdBody) but parsed twice: the validator
// parses it into a generic tree to check it against the schema (unknown
// fields, null against absent, oneOf), and this parses it into the
// handler's typed input. Building one from the other would need a
// schema-driven decoder of our own; the second parse is about 6% of a
// send's CPU (BenchmarkSendMessageHandler profile, 2026-12-02).
func decodeBody(r *http.Request, v any) *apiError {
	_, err := readBody(r, v)
	return err
}

// readBody is decodeBody that also returns the body's bytes.
func readBody(r *http.Request, v any) ([]byte, *apiError) {
	var b []byte
	if held, ok := r.Body.(*heldBody); ok {
		b = held.b // read once by the server, not copied again
	} else {
		var err error
		if b, err = io.ReadAll(r.Body); err != nil {
			return nil, badRequest("request body: could not be read")
		}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return b, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, badRequest("request body: " + err.Error())
	}
	return b, nil
}

// heldBody is a request body the server has read whole (it is bounded by
// the body limit): a reader over the bytes that also hands them out as they
// are, so the validator and the handler need not copy them again.
type heldBody struct {
	*bytes.Reader
	b []byte
}

func (*heldBody) Close() error { return nil }

// holdBody makes r's body b: r.Body reads it, and r.GetBody gives a fresh
// reader over the same bytes (which the validator uses to put the body
// back after checking it, instead of copying it).
func holdBody(r *http.Request, b []byte) {
	r.GetBody = func() (io.ReadCloser, error) { return &heldBody{bytes.NewReader(b), b}, nil }
	r.Body, _ = r.GetBody()
}

// marshal encodes v as JSON without escaping <, > and & (which would make
// text full of them up to six times longer). Rendered values share only
// data that is never changed in place, so marshal runs without the lock.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("api: encoding an answer: %v", err))
	}
	b := buf.Bytes()
	return b[:len(b)-1] // Encode ends with a newline
}

// pageBounds applies limit (default 10) to n items starting at from.
func pageBounds(from, n int, limit *int) (int, int) {
	l := 10
	if limit != nil {
		l = *limit
	}
	to := from + l
	if to > n {
		to = n
	}
	if from > n {
		from = n
	}
	return from, to
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

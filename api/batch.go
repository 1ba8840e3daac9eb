package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gotalkjs/talkjs-go/gen"
)

// batchOp is one checked operation of a batch.
type batchOp struct {
	seq     json.RawMessage
	method  string
	path    string
	payload json.RawMessage
	version string
}

// parseBatchOp checks one [seq, method, path, payload?, options?] entry.
func parseBatchOp(i int, raw []json.RawMessage) (*batchOp, string) {
	where := fmt.Sprintf("operation [%d]", i)
	op := &batchOp{seq: raw[0]}
	var seq float64
	if err := json.Unmarshal(raw[0], &seq); err != nil {
		return nil, where + ": the sequence number must be a number"
	}
	if err := json.Unmarshal(raw[1], &op.method); err != nil {
		return nil, where + ": the method must be a string"
	}
	op.method = strings.ToUpper(op.method)
	switch op.method {
	case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete:
	default:
		return nil, where + ": the method must be GET, PUT, POST, PATCH or DELETE"
	}
	if err := json.Unmarshal(raw[2], &op.path); err != nil || !strings.HasPrefix(op.path, "/") {
		return nil, where + `: the path must be a string starting with "/"`
	}
	if strings.HasPrefix(op.path, "/batch") {
		return nil, where + ": a batch cannot contain a batch"
	}
	if len(raw) > 3 && string(raw[3]) != "null" {
		op.payload = raw[3]
		if op.method == http.MethodGet {
			var q map[string]any
			if err := json.Unmarshal(raw[3], &q); err != nil {
				return nil, where + ": the payload of a GET must be an object of query parameters"
			}
		}
	}
	if len(raw) > 4 && string(raw[4]) != "null" {
		var opts struct {
			APIVersion *string `json:"api_version"`
		}
		if err := json.Unmarshal(raw[4], &opts); err != nil {
			return nil, where + ": the options must be an object"
		}
		if opts.APIVersion != nil {
			op.version = *opts.APIVersion
		}
	}
	return op, ""
}

// request builds the in-process request for op, below the app of outer.
func (s *Server) batchRequest(outer *http.Request, op *batchOp) (*http.Request, error) {
	target := "/v1/" + url.PathEscape(s.appID) + op.path
	var body *bytes.Reader
	if op.method == http.MethodGet && op.payload != nil {
		var q map[string]any
		_ = json.Unmarshal(op.payload, &q)
		u, err := url.Parse(target)
		if err != nil {
			return nil, err
		}
		vals := u.Query()
		for _, k := range sortedKeys(q) {
			switch v := q[k].(type) {
			case string:
				vals.Set(k, v)
			default:
				b, _ := json.Marshal(v)
				vals.Set(k, string(b))
			}
		}
		u.RawQuery = vals.Encode()
		target = u.String()
	} else if op.payload != nil {
		body = bytes.NewReader(op.payload)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(outer.Context(), op.method, target, body)
	} else {
		req, err = http.NewRequestWithContext(outer.Context(), op.method, target, http.NoBody)
	}
	if err != nil {
		return nil, err
	}
	req.Host = outer.Host
	req.RemoteAddr = outer.RemoteAddr
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if op.version != "" {
		req.Header.Set("TalkJS-REST-Version", op.version)
	} else if v := outer.Header.Get("TalkJS-REST-Version"); v != "" {
		req.Header.Set("TalkJS-REST-Version", v)
	}
	return req, nil
}

// BatchRequests runs up to 10 operations through the same validation and
// handlers as other requests, in the order given (TalkJS may run them in any
// order), and answers [seq, status, body] for each. Our reading: when any
// entry is malformed (sequence not a number, unknown method, path not
// starting with "/", a nested batch) the whole batch is 400 and nothing runs.
// Operations are already authenticated by the batch itself and are not rate
// limited one by one.
func (h handlers) BatchRequests(w http.ResponseWriter, r *http.Request, _ gen.BatchRequestsParams) {
	var in [][]json.RawMessage
	if err := decodeBody(r, &in); err != nil {
		writeAPIError(w, err)
		return
	}
	s := h.s
	ops := make([]*batchOp, len(in))
	for i, raw := range in {
		op, msg := parseBatchOp(i, raw)
		if msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
		ops[i] = op
	}
	out := make([][3]any, len(ops))
	for i, op := range ops {
		rec := newRecorder()
		req, err := s.batchRequest(r, op)
		if err != nil {
			writeError(rec, http.StatusBadRequest, "the path is not a valid URL path")
		} else {
			s.handle(rec, req, false)
		}
		out[i] = [3]any{op.seq, rec.status, batchOperationResponse(rec.bytes())}
	}
	writeJSON(w, out)
}

// batchOperationResponse is the third element of a batch answer's entry:
// TalkJS's Batch reference types operation_response as a string, so the
// operation's JSON answer is sent as a JSON text inside a string ("{}" when
// the operation answered nothing).
func batchOperationResponse(body []byte) string {
	if len(body) == 0 || !json.Valid(body) {
		return string(emptyObject)
	}
	return string(body)
}

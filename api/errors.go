package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// errorBody is the JSON of every error answer: the spec's Error schema.
type errorBody struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Errors  map[string]string `json:"errors,omitempty"`
}

// apiError is an error a handler answers with.
type apiError struct {
	status  int
	message string
	errors  map[string]string
}

func (e *apiError) Error() string { return e.message }

func badRequest(msg string) *apiError { return &apiError{status: http.StatusBadRequest, message: msg} }

// writeJSON answers 200 OK with v encoded as JSON (errors go through
// writeError, which gives their status).
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding the answer failed: "+err.Error())
		return
	}
	writeRawJSON(w, http.StatusOK, b)
}

// writeRawJSON answers status with b, which must be JSON.
func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if rec, ok := w.(*recorder); ok {
		rec.adopt(status, b)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

var emptyObject = []byte("{}")

// writeList answers 200 with {"data": items}, encoding one item at a time,
// so that a large page streams out instead of being built whole.
func writeList[T any](w http.ResponseWriter, items []T) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"data":[`)
	for i := range items {
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		_, _ = w.Write(marshal(items[i]))
	}
	_, _ = io.WriteString(w, "]}")
}

// writeEmpty answers 200 with {}, as TalkJS does for calls without data.
func writeEmpty(w http.ResponseWriter) { writeRawJSON(w, http.StatusOK, emptyObject) }

// writeError answers status with a JSON error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeErrorBody(w, status, errorBody{Error: errorTitle(status), Message: msg})
}

func writeErrorBody(w http.ResponseWriter, status int, body errorBody) {
	b, _ := json.Marshal(body)
	writeRawJSON(w, status, b)
}

// writeAPIError answers with err.
func writeAPIError(w http.ResponseWriter, err *apiError) {
	writeErrorBody(w, err.status, errorBody{Error: errorTitle(err.status), Message: err.message, Errors: err.errors})
}

// errorTitle is the short code in an error body's "error" field.
func errorTitle(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusBadGateway:
		return "bad_gateway"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "error"
}

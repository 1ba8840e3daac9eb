package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// HandlerFunc handles one verified, parsed event. Returning an error makes
// the Handler answer 500, so that TalkJS sends the event again.
type HandlerFunc func(ctx context.Context, ev Event) error

// NewHandler returns an http.Handler for TalkJS's webhook requests. For
// each POST it reads the body (at most DefaultMaxBodyBytes, or
// WithMaxBodyBytes), verifies its signature for secret (see Verify and its
// options), parses it (see Parse) and calls handle with the request's
// context. It answers:
//
//   - 200 when handle returned nil;
//   - 401 when the signature is missing, wrong, or its timestamp outside the
//     tolerance;
//   - 500 for every request while secret is empty (ErrNoSecret): a
//     misconfiguration, which TalkJS's retry may outlive;
//   - 400 when the body cannot be read or is not an event;
//   - 413 when the body is larger than the limit;
//   - 405 for a method other than POST;
//   - 500 when handle returned an error or panicked, so TalkJS retries.
//
// It writes nothing to any log; WithErrorHandler receives the reason for
// each answer but 200, never with the body or the secret.
func NewHandler(secret string, handle HandlerFunc, opts ...Option) http.Handler {
	c := newConfig(opts)
	return &handler{secret: secret, handle: handle, c: c}
}

type handler struct {
	secret string
	handle HandlerFunc
	c      config
}

// String describes the handler without its secret.
func (h *handler) String() string { return "webhook.Handler{secret: [redacted]}" }

// Format prints String whatever the verb, so that %#v and %x do not print
// the secret either.
func (h *handler) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, h.String()) }

func (h *handler) fail(w http.ResponseWriter, status int, err error) {
	if h.c.onError != nil {
		h.c.onError(err)
	}
	http.Error(w, http.StatusText(status), status)
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, http.StatusMethodNotAllowed, fmt.Errorf("webhook: method %s, want POST", r.Method))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.c.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("webhook: body larger than %d bytes", h.c.maxBody))
			return
		}
		h.fail(w, http.StatusBadRequest, errors.New("webhook: the body could not be read"))
		return
	}
	if err := h.c.verify(h.secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body); err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, ErrNoSecret) {
			status = http.StatusInternalServerError
		}
		h.fail(w, status, err)
		return
	}
	ev, err := Parse(body)
	if err != nil {
		h.fail(w, http.StatusBadRequest, err)
		return
	}
	if err := h.call(r.Context(), ev); err != nil {
		h.fail(w, http.StatusInternalServerError, fmt.Errorf("webhook: handling %s %s: %w", ev.EventType(), ev.EventID(), err))
		return
	}
	w.WriteHeader(http.StatusOK)
}

// call runs the user's function, turning a panic into an error so that the
// event is answered 500 and retried rather than dropping the connection.
func (h *handler) call(ctx context.Context, ev Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h.handle(ctx, ev)
}

package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	now := time.UnixMilli(1767225600000)
	body := Sample(TypeMessageSent, now)
	failing := errors.New("database down")
	tests := []struct {
		name   string
		mutate func(r *http.Request)
		body   []byte
		handle error
		panics bool
		want   int
		called bool
	}{
		{name: "signed and handled", want: 200, called: true},
		{name: "handler fails", handle: failing, want: 500, called: true},
		{name: "handler panics", panics: true, want: 500, called: true},
		{name: "wrong signature", mutate: func(r *http.Request) { r.Header.Set(HeaderSignature, strings.Repeat("AB", 32)) }, want: 401},
		{name: "no signature", mutate: func(r *http.Request) { r.Header.Del(HeaderSignature) }, want: 401},
		{name: "stale timestamp", mutate: func(r *http.Request) {
			ts := Timestamp(now.Add(-time.Hour))
			r.Header.Set(HeaderTimestamp, ts)
			r.Header.Set(HeaderSignature, Sign(testSecret, ts, body))
		}, want: 401},
		{name: "signed, not an event", body: []byte(`{"hello":1}`), want: 400},
		{name: "too large", body: bytes.Repeat([]byte(" "), 2<<20), want: 413},
		{name: "GET", mutate: func(r *http.Request) { r.Method = http.MethodGet }, want: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			called := false
			var reported []error
			h := NewHandler(testSecret, func(ctx context.Context, ev Event) error {
				called = true
				if tc.panics {
					panic("boom")
				}
				return tc.handle
			}, WithClock(func() time.Time { return now }), WithErrorHandler(func(err error) { reported = append(reported, err) }))
			b := body
			if tc.body != nil {
				b = tc.body
			}
			r, err := NewRequest(t.Context(), "http://example.com/talkjs", testSecret, b, now)
			if err != nil {
				t.Fatal(err)
			}
			if tc.mutate != nil {
				tc.mutate(r)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("ServeHTTP status = %d, want %d", w.Code, tc.want)
			}
			if called != tc.called {
				t.Errorf("ServeHTTP called the handler = %v, want %v", called, tc.called)
			}
			if (tc.want != 200) != (len(reported) == 1) {
				t.Errorf("ServeHTTP reported errors %v, want one for a refusal and none for a 200", reported)
			}
			for _, e := range append(reported, errors.New(w.Body.String())) {
				msg := fmt.Sprint(e)
				if strings.Contains(msg, testSecret) || strings.Contains(msg, "Hello, Bob") {
					t.Errorf("ServeHTTP reported or answered %q, want neither the secret nor the message text", msg)
				}
			}
			if tc.handle != nil && !errors.Is(reported[0], failing) {
				t.Errorf("ServeHTTP reported %v, want it to wrap the handler's error %v", reported[0], failing)
			}
		})
	}
}

func TestHandlerGivesTypedEvent(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var got Event
	h := NewHandler(testSecret, func(ctx context.Context, ev Event) error { got = ev; return nil })
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := NewRequest(t.Context(), srv.URL, testSecret, Sample(TypeUserCreated, now), now)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST signed user.created: status %d, want 200", resp.StatusCode)
	}
	if u, ok := got.(*UserCreated); !ok || u.Data.User.ID != "alice" {
		t.Errorf("handler got event %#v, want *UserCreated for alice", got)
	}
	if s := fmt.Sprint(h); strings.Contains(s, testSecret) {
		t.Errorf("fmt.Sprint(handler) = %q, want no secret", s)
	}
}

// String hid the secret, but %#v, %x and %d printed the handler's fields.
func TestHandlerNeverPrintsTheSecret(t *testing.T) {
	t.Parallel()
	const secret = "whsec_Sup3rS3cret"
	h := NewHandler(secret, func(context.Context, Event) error { return nil })
	holders := map[string]any{"handler": h, "struct{H http.Handler}": struct{ H http.Handler }{h}}
	for name, v := range holders {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, secret) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", secret)) {
				t.Errorf("Sprintf(%q, %s) = %s, want no secret", verb, name, out)
			}
		}
	}
}

// An empty secret (a missing environment variable) must not make forged
// events verify: an HMAC keyed with "" is something anyone can compute.
func TestEmptySecretTrustsNothing(t *testing.T) {
	t.Parallel()
	now := time.UnixMilli(1767225600000)
	body := Sample(TypeMessageSent, now)
	ts := Timestamp(now)
	forged := Sign("", ts, body)
	if err := Verify("", ts, forged, body, WithClock(func() time.Time { return now })); !errors.Is(err, ErrNoSecret) {
		t.Errorf("Verify with an empty secret = %v, want ErrNoSecret", err)
	}
	called := false
	h := NewHandler("", func(context.Context, Event) error { called = true; return nil }, WithClock(func() time.Time { return now }))
	r, err := NewRequest(t.Context(), "http://example.com/talkjs", "", body, now)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError || called {
		t.Errorf("ServeHTTP(event forged with an empty secret) = status %d, handler called %v; want 500, not called", w.Code, called)
	}
}

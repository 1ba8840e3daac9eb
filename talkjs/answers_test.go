package talkjs

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// A 2xx answer that cannot be what the operation returns used to decode
// into zero values and a nil error.
func TestWrongShapeAnswersAreErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		call   func(c *Client) error
		want   string // in the message; "" means the call must succeed
	}{
		{"Users.Get empty body", 200, "", func(c *Client) error { _, err := c.Users.Get(t.Context(), "a"); return err }, "empty"},
		{"Users.Get 204", 204, "", func(c *Client) error { _, err := c.Users.Get(t.Context(), "a"); return err }, "empty"},
		{"Users.Get null", 200, "null", func(c *Client) error { _, err := c.Users.Get(t.Context(), "a"); return err }, "null"},
		{"Users.Get not JSON", 200, "<html>", func(c *Client) error { _, err := c.Users.Get(t.Context(), "a"); return err }, "not the JSON"},
		{"Users.Get no id", 200, `{"name":"Alice"}`, func(c *Client) error { _, err := c.Users.Get(t.Context(), "a"); return err }, `no "id"`},
		{"Conversations.Get no id", 200, `{}`, func(c *Client) error { _, err := c.Conversations.Get(t.Context(), "c"); return err }, `no "id"`},
		{"Messages.Get no id", 200, `{"text":"hi"}`, func(c *Client) error { _, err := c.Messages.Get(t.Context(), "c", "m"); return err }, `no "id"`},
		{"Participants.Email no address", 200, `{}`, func(c *Client) error { _, err := c.Participants.Email(t.Context(), "c", "a"); return err }, `no "emailAddress"`},
		{"Users.List data null", 200, `{"data":null}`, func(c *Client) error { _, err := c.Users.List(t.Context(), nil); return err }, `no "data"`},
		{"Users.List no data", 200, `{}`, func(c *Client) error { _, err := c.Users.List(t.Context(), nil); return err }, `no "data"`},
		{"Users.List empty page", 200, `{"data":[]}`, func(c *Client) error { _, err := c.Users.List(t.Context(), nil); return err }, ""},
		{"Users.Conversations data null", 200, `{"data":null}`, func(c *Client) error {
			_, err := c.Users.Conversations(t.Context(), "a", nil)
			return err
		}, `no "data"`},
		{"Conversations.Get empty body", 200, "", func(c *Client) error { _, err := c.Conversations.Get(t.Context(), "c"); return err }, "empty"},
		{"Conversations.List data null", 200, `{"data":null}`, func(c *Client) error { _, err := c.Conversations.List(t.Context(), nil); return err }, `no "data"`},
		{"Messages.List data null", 200, `{"data":null}`, func(c *Client) error { _, err := c.Messages.List(t.Context(), "c", nil); return err }, `no "data"`},
		{"Messages.Get null", 200, `null`, func(c *Client) error { _, err := c.Messages.Get(t.Context(), "c", "m"); return err }, "null"},
		{"Messages.Send empty body", 200, "", func(c *Client) error {
			_, err := c.Messages.Send(t.Context(), "c", SystemMessage("hi"))
			return err
		}, "empty"},
		{"Presence.List data null", 200, `{"data":null}`, func(c *Client) error { _, err := c.Presence.List(t.Context(), nil); return err }, `no "data"`},
		{"Presence.List nobody", 200, `{"data":{}}`, func(c *Client) error { _, err := c.Presence.List(t.Context(), nil); return err }, ""},
		{"Batch.Do null", 200, `null`, func(c *Client) error { _, err := c.Batch.Do(t.Context(), BatchGetUser("a")); return err }, "null"},
		{"Import empty body", 200, "", func(c *Client) error {
			_, err := c.Import.Messages(t.Context(), "c", []ImportMessage{{Sender: "a", Text: "hi", Timestamp: 1}})
			return err
		}, ""},
		{"Conversations.Delete empty body", 200, "", func(c *Client) error { return c.Conversations.Delete(t.Context(), "c") }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
				writeJSON(w, tc.status, tc.body)
			})
			err := tc.call(c)
			if tc.want == "" {
				if err != nil {
					t.Errorf("answer %d %q: err = %v, want success", tc.status, tc.body, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != tc.status || !strings.Contains(e.Message, tc.want) {
				t.Errorf("answer %d %q: err = %v, want an *Error with status %d saying %q", tc.status, tc.body, err, tc.status, tc.want)
			}
		})
	}
}

// hugeAnswer serves a 200 answer of n bytes: one user whose name never ends,
// which a JSON decoder must buffer whole. With declareLength it announces
// its length.
func hugeAnswer(n int, declareLength bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		const head = `{"id":"a","name":"`
		w.Header().Set("Content-Type", "application/json")
		if declareLength {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat("a", 32<<10))
		if _, err := w.Write([]byte(head)); err != nil {
			return
		}
		for left := n - len(head); left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
				return
			}
		}
	}
}

// An answer longer than the limit ends the call with an error, and the
// heap never holds more than about the limit: a 32 MiB answer read with a
// 1 MiB limit allocates a few MiB, where it used to allocate over 64 MiB.
func TestLargeAnswerIsCapped(t *testing.T) {
	for _, declared := range []bool{false, true} {
		t.Run("Content-Length "+strconv.FormatBool(declared), func(t *testing.T) {
			srv := httptest.NewServer(hugeAnswer(32<<20, declared))
			defer srv.Close()
			c, err := NewClient(testAppID, testSecret, WithBaseURL(srv.URL), WithMaxResponseBytes(1<<20))
			if err != nil {
				t.Fatalf("NewClient(WithMaxResponseBytes(1 MiB)) = %v, want nil", err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err = c.Users.Get(t.Context(), "a")
			runtime.ReadMemStats(&after)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Message, "larger than the client's limit of 1048576 bytes") {
				t.Errorf("Users.Get of a 32 MiB answer = %v, want an *Error about the 1 MiB limit", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("reading a 32 MiB answer with a 1 MiB limit allocated %d MiB, want at most 8", alloc>>20)
			}
		})
	}
}

func TestAnswerAtTheLimitIsRead(t *testing.T) {
	t.Parallel()
	body := `{"id":"alice","name":"Alice"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, body)
	}))
	defer srv.Close()
	for limit, ok := range map[int64]bool{int64(len(body)): true, int64(len(body)) - 1: false} {
		c, err := NewClient(testAppID, testSecret, WithBaseURL(srv.URL), WithMaxResponseBytes(limit))
		if err != nil {
			t.Fatalf("NewClient(WithMaxResponseBytes(%d)) = %v, want nil", limit, err)
		}
		u, err := c.Users.Get(t.Context(), "alice")
		if got := err == nil && u.Name == "Alice"; got != ok {
			t.Errorf("limit %d for a %d-byte answer: Users.Get = %+v, %v; want success %v", limit, len(body), u, err, ok)
		}
	}
	if _, err := NewClient(testAppID, testSecret, WithMaxResponseBytes(0)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("WithMaxResponseBytes(0) = %v, want ErrInvalidArgument", err)
	}
}

// BenchmarkLargeAnswer shows the heap a 256 MiB answer costs: about the
// limit (B/op) instead of several times the answer.
//
//	go test -run '^$' -bench LargeAnswer -benchtime 3x ./talkjs/
func BenchmarkLargeAnswer(b *testing.B) {
	srv := httptest.NewServer(hugeAnswer(256<<20, false))
	defer srv.Close()
	for _, limit := range []int64{1 << 20, DefaultMaxResponseBytes} {
		b.Run("limit="+strconv.FormatInt(limit>>20, 10)+"MiB", func(b *testing.B) {
			c, err := NewClient(testAppID, testSecret, WithBaseURL(srv.URL), WithMaxResponseBytes(limit))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Users.Get(b.Context(), "a"); err == nil {
					b.Fatal("a 256 MiB answer was read")
				}
			}
		})
	}
}

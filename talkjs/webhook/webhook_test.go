package webhook

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const testSecret = "sk_test_webhook_4f7c1d"

var testBody = []byte(`{"id":"evt_1","type":"message.sent","createdAt":1767225600000,"data":{"message":{"id":"msg_1","text":"Hé, 🙂"}}}`)

// opensslSign signs timestamp.body with the openssl command, an
// implementation independent of this package's.
func opensslSign(t *testing.T, secret, timestamp string, body []byte) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	cmd := exec.Command(path, "dgst", "-sha256", "-hmac", secret)
	cmd.Stdin = bytes.NewReader(append([]byte(timestamp+"."), body...))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl dgst: %v", err)
	}
	// "SHA2-256(stdin)= 3a7b…" or "(stdin)= 3a7b…"
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		t.Fatalf("openssl dgst printed nothing")
	}
	return fields[len(fields)-1]
}

func TestVerifyAcceptsOpenSSLSignature(t *testing.T) {
	t.Parallel()
	at := time.UnixMilli(1767225600000)
	ts := Timestamp(at)
	lower := opensslSign(t, testSecret, ts, testBody)
	if len(lower) != 64 {
		t.Fatalf("openssl dgst signature = %q, want 64 hex digits", lower)
	}
	clock := WithClock(func() time.Time { return at.Add(time.Minute) })
	for name, sig := range map[string]string{
		"upper case, as TalkJS sends it": strings.ToUpper(lower),
		"lower case":                     lower,
		"mixed case":                     strings.ToUpper(lower[:32]) + lower[32:],
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := Verify(testSecret, ts, sig, testBody, clock); err != nil {
				t.Errorf("Verify(openssl signature) = %v, want nil", err)
			}
		})
	}
	if got := Sign(testSecret, ts, testBody); got != strings.ToUpper(lower) {
		t.Errorf("Sign(secret, %s, body) = %s, want openssl's %s in upper case", ts, got, strings.ToUpper(lower))
	}
}

func flip(s []byte, i int) []byte {
	out := append([]byte(nil), s...)
	out[i] ^= 0x01
	return out
}

func TestVerifyRefusesAnyFlippedByte(t *testing.T) {
	t.Parallel()
	at := time.UnixMilli(1767225600000)
	ts := Timestamp(at)
	sig := Sign(testSecret, ts, testBody)
	opts := []Option{WithTolerance(0)}
	if err := Verify(testSecret, ts, sig, testBody, opts...); err != nil {
		t.Fatalf("Verify(untouched) = %v, want nil", err)
	}
	for i := range testBody {
		if err := Verify(testSecret, ts, sig, flip(testBody, i), opts...); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify(body with byte %d flipped) = %v, want ErrBadSignature", i, err)
		}
	}
	for i := range ts {
		if err := Verify(testSecret, string(flip([]byte(ts), i)), sig, testBody, opts...); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify(timestamp with byte %d flipped) = %v, want ErrBadSignature", i, err)
		}
	}
	for i := range sig {
		if err := Verify(testSecret, ts, string(flip([]byte(sig), i)), testBody, opts...); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify(signature with byte %d flipped) = %v, want ErrBadSignature", i, err)
		}
	}
	if err := Verify(testSecret+"x", ts, sig, testBody, opts...); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Verify(other secret) = %v, want ErrBadSignature", err)
	}
	for name, s := range map[string]string{"truncated": sig[:62], "longer": sig + "00", "not hex": "ZZ" + sig[2:]} {
		t.Run(name+" signature", func(t *testing.T) {
			t.Parallel()
			if err := Verify(testSecret, ts, s, testBody, opts...); !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify(%s signature %q) = %v, want ErrBadSignature", name, s, err)
			}
		})
	}
}

func TestVerifyTolerance(t *testing.T) {
	t.Parallel()
	signedAt := time.UnixMilli(1767225600000)
	tests := []struct {
		name      string
		timestamp string
		now       time.Time
		opts      []Option
		want      error
	}{
		{"ms, just inside the default", Timestamp(signedAt), signedAt.Add(DefaultTolerance), nil, nil},
		{"ms, just past the default", Timestamp(signedAt), signedAt.Add(DefaultTolerance + time.Millisecond), nil, ErrBadTimestamp},
		{"ms, from the future", Timestamp(signedAt), signedAt.Add(-DefaultTolerance - time.Second), nil, ErrBadTimestamp},
		{"seconds, inside", "1767225600", signedAt.Add(4 * time.Minute), nil, nil},
		{"seconds, outside", "1767225600", signedAt.Add(6 * time.Minute), nil, ErrBadTimestamp},
		{"custom tolerance, outside", Timestamp(signedAt), signedAt.Add(2 * time.Second), []Option{WithTolerance(time.Second)}, ErrBadTimestamp},
		{"custom tolerance, inside", Timestamp(signedAt), signedAt.Add(time.Hour), []Option{WithTolerance(2 * time.Hour)}, nil},
		{"disabled, a day late", Timestamp(signedAt), signedAt.Add(24 * time.Hour), []Option{WithTolerance(0)}, nil},
		{"not a number", "yesterday", signedAt, nil, ErrBadTimestamp},
		{"not a number, tolerance disabled", "yesterday", signedAt, []Option{WithTolerance(0)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sig := Sign(testSecret, tc.timestamp, testBody)
			opts := append([]Option{WithClock(func() time.Time { return tc.now })}, tc.opts...)
			if err := Verify(testSecret, tc.timestamp, sig, testBody, opts...); !errors.Is(err, tc.want) || (err != nil) != (tc.want != nil) {
				t.Errorf("Verify(timestamp %q) %v after signing = %v, want %v", tc.timestamp, tc.now.Sub(signedAt), err, tc.want)
			}
		})
	}
}

func TestVerifyNotSigned(t *testing.T) {
	t.Parallel()
	if err := Verify(testSecret, "", "AB", testBody); !errors.Is(err, ErrNotSigned) {
		t.Errorf("Verify(no timestamp) = %v, want ErrNotSigned", err)
	}
	if err := Verify(testSecret, "1", "", testBody); !errors.Is(err, ErrNotSigned) {
		t.Errorf("Verify(no signature) = %v, want ErrNotSigned", err)
	}
}

// TestImportsOnlyTheStandardLibrary keeps the package light: a webhook
// receiver must not link the client's spec validator or the server.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps . error = %v, want nil", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(dep, "/")
		if strings.Contains(first, ".") && dep != "github.com/gotalkjs/talkjs-go/talkjs/webhook" {
			t.Errorf("go list -deps talkjs/webhook lists %s, want only the standard library", dep)
		}
	}
}

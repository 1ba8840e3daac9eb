package talkjs

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// fmtVerbs are the verbs a user may print a value with.
var fmtVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"}

// revealed says in which form s shows secret: raw, hex-encoded (as %x
// prints a string), quoted, JSON-escaped or percent-encoded; "" if none.
func revealed(s, secret string) string {
	forms := map[string]string{
		"raw":       secret,
		"hex":       hex.EncodeToString([]byte(secret)),
		"HEX":       strings.ToUpper(hex.EncodeToString([]byte(secret))),
		"base64url": "eyJ", // a JWT, which holds a signature made with the secret
	}
	for name, form := range forms {
		if strings.Contains(s, form) {
			return name
		}
	}
	if u, err := url.PathUnescape(s); err == nil && strings.Contains(u, secret) {
		return "percent-encoded"
	}
	var v any
	if json.Unmarshal([]byte(s), &v) == nil && strings.Contains(fmt.Sprint(v), secret) {
		return "JSON-escaped"
	}
	var js string
	if json.Unmarshal([]byte(`"`+s+`"`), &js) == nil && strings.Contains(js, secret) {
		return "JSON-escaped"
	}
	return ""
}

// Printing a client, or anything holding one, with any verb used to print
// the secret key: fmt.Sprintf("%v", *client) printed every field.
func TestClientNeverPrintsTheSecret(t *testing.T) {
	t.Parallel()
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if legacy {
				opts = append(opts, WithLegacySecretKeyAuth())
			}
			c, err := NewClient(testAppID, testSecret, opts...)
			if err != nil {
				t.Fatalf("NewClient(%s, secret) = %v, want nil", testAppID, err)
			}
			c.AppToken() // a token is cached in the client now
			holders := map[string]any{
				"*Client":                  c,
				"Client":                   *c,
				"struct{C *Client}":        struct{ C *Client }{c},
				"struct{C Client}":         struct{ C Client }{*c},
				"struct{c Client}":         struct{ c Client }{*c},
				"struct{c *Client}":        struct{ c *Client }{c},
				"[]Client":                 []Client{*c},
				"map[string]*Client":       map[string]*Client{"c": c},
				"*UsersService":            c.Users,
				"UsersService":             *c.Users,
				"*credentials":             c.cred(),
				"struct{m *tokenMinter}":   struct{ m *tokenMinter }{c.minter},
				"slog value of the client": c.LogValue(),
			}
			for name, v := range holders {
				for _, verb := range fmtVerbs {
					out := fmt.Sprintf(verb, v)
					if form := revealed(out, testSecret); form != "" {
						t.Errorf("fmt.Sprintf(%q, %s) = %s, shows the secret (%s), want it hidden", verb, name, out, form)
					}
				}
			}
			var logs strings.Builder
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", "c", c, "v", *c)
			if form := revealed(logs.String(), testSecret); form != "" {
				t.Errorf("slog of the client = %s, shows the secret (%s), want it hidden", logs.String(), form)
			}
		})
	}
}

// An answer that echoes the credentials, encoded in any way a server may
// encode them, leaves no trace of them in the error or the logs.
func TestEchoedCredentialsAreScrubbed(t *testing.T) {
	t.Parallel()
	jsonEscapeAll := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		return b.String()
	}
	percentAll := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
		return b.String()
	}
	encodings := map[string]func(string) string{
		"raw":                   func(s string) string { return s },
		"underscores \\u005f":   func(s string) string { return strings.ReplaceAll(s, "_", `\u005f`) },
		"underscores \\u005F":   func(s string) string { return strings.ReplaceAll(s, "_", `\u005F`) },
		"every rune \\u":        jsonEscapeAll,
		"underscores %5F":       func(s string) string { return strings.ReplaceAll(s, "_", "%5F") },
		"every byte %XX":        percentAll,
		"url.QueryEscape":       url.QueryEscape,
		"dots \\u002e, %2e mix": func(s string) string { return strings.NewReplacer(".", `\u002e`, "-", "%2d").Replace(s) },
	}
	for _, legacy := range []bool{false, true} {
		var opts []Option
		if legacy {
			opts = append(opts, WithLegacySecretKeyAuth())
		}
		for name, enc := range encodings {
			t.Run(fmt.Sprintf("legacy=%v/%s", legacy, name), func(t *testing.T) {
				t.Parallel()
				c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
					tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
					writeJSON(w, http.StatusUnauthorized, fmt.Sprintf(`{"message":"token %s, key %s","error":"%s"}`,
						enc(tok), enc(testSecret), enc(testSecret)))
				}, opts...)
				_, err := c.Users.Get(t.Context(), "alice")
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Users.Get = %v, want an *Error", err)
				}
				texts := map[string]string{"Message": e.Message, "Body": string(e.Body), "Error()": err.Error(),
					"%+v": fmt.Sprintf("%+v", err), "%#v": fmt.Sprintf("%#v", e), "log": ts.logs.String()}
				for what, s := range texts {
					if form := revealed(s, testSecret); form != "" {
						t.Errorf("%s of Users.Get's error = %s, shows the secret (%s), want it scrubbed", what, s, form)
					}
				}
				if !strings.Contains(e.Message, "[secret]") {
					t.Errorf("Message = %q, want the key replaced by [secret]", e.Message)
				}
				if !legacy && !strings.Contains(e.Message, "[token]") {
					t.Errorf("Message = %q, want the token replaced by [token]", e.Message)
				}
			})
		}
	}
}

func TestRedact(t *testing.T) {
	cases := []struct{ s, want, out string }{
		{"a sk_1 b", "sk_1", "a X b"},
		{`a sk\u005f1 b`, "sk_1", "a X b"},
		{`sk\u005F1sk_1`, "sk_1", "XX"},
		{"sk%5f1 sk%5F1 sk_%31", "sk_1", "X X X"},
		{"a+b", "a b", "X"},
		{`a\/b`, "a/b", "X"},
		{`\ud83d\ude00!`, "😀!", "X"},
		{"%F0%9F%98%80!", "😀!", "X"},
		{"sk_", "sk_1", "sk_"},
		{`sk\u005`, "sk_1", `sk\u005`},
		{"sk%5", "sk_1", "sk%5"},
		{"nothing here", "sk_1", "nothing here"},
	}
	for _, tc := range cases {
		if got := redact(tc.s, tc.want, "X"); got != tc.out {
			t.Errorf("redact(%q, %q) = %q, want %q", tc.s, tc.want, got, tc.out)
		}
	}
}

package api_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/gen"
)

func appToken(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	future := time.Now().Add(time.Minute).Unix()
	good := jwt.MapClaims{"tokenType": "app", "iss": testApp, "exp": future}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(testSecret)
	ok := []struct{ name, header string }{
		{"secret key (legacy)", "Bearer " + testSecret},
		{"app JWT", "Bearer " + appToken(t, jwt.SigningMethodHS256, secret, good)},
		{"app JWT without exp", "Bearer " + appToken(t, jwt.SigningMethodHS256, secret, with("exp", nil))},
		{"lower-case scheme", "bearer " + testSecret},
	}
	for _, c := range ok {
		t.Run("accepts "+c.name, func(t *testing.T) {
			r := e.in(t).rawWith("GET", "/v1/"+testApp+"/users/alice", "", map[string]string{"Authorization": c.header})
			if r.status != 200 {
				t.Errorf("GET /users/alice with %s = %d %s, want 200", c.name, r.status, r.body)
			}
		})
	}
	bad := []struct{ name, header, want string }{
		{"no header", "", "missing"},
		{"basic auth", "Basic dXNlcjpwYXNz", "not a bearer token"},
		{"empty bearer", "Bearer ", "not a bearer token"},
		{"wrong secret", "Bearer sk_test_other", "neither the secret key nor a JWT"},
		{"JWT with a wrong key", "Bearer " + appToken(t, jwt.SigningMethodHS256, []byte("other"), good), "signature"},
		{"alg none", "Bearer " + appToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good), `"none"`},
		{"HS512", "Bearer " + appToken(t, jwt.SigningMethodHS512, secret, good), `"HS512"`},
		{"RS256", "Bearer " + appToken(t, jwt.SigningMethodRS256, rsaKey, good), `"RS256"`},
		{"expired", "Bearer " + appToken(t, jwt.SigningMethodHS256, secret, with("exp", time.Now().Add(-time.Minute).Unix())), "expired"},
		{"user token", "Bearer " + appToken(t, jwt.SigningMethodHS256, secret, with("tokenType", "user")), `"user"`},
		{"no tokenType", "Bearer " + appToken(t, jwt.SigningMethodHS256, secret, with("tokenType", nil)), "tokenType"},
		{"wrong iss", "Bearer " + appToken(t, jwt.SigningMethodHS256, secret, with("iss", "other_app")), `"iss"`},
		{"no iss", "Bearer " + appToken(t, jwt.SigningMethodHS256, secret, with("iss", nil)), `"iss"`},
	}
	for _, c := range bad {
		t.Run("refuses "+c.name, func(t *testing.T) {
			hdr := map[string]string{}
			if c.header != "" {
				hdr["Authorization"] = c.header
			}
			r := e.in(t).rawWith("GET", "/v1/"+testApp+"/users/alice", "", hdr)
			if r.status != 401 {
				t.Fatalf("GET /users/alice with %s = %d %s, want 401", c.name, r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("GET /users/alice with %s: Content-Type = %q, want application/json", c.name, ct)
			}
			msg := r.message(t)
			if !strings.Contains(msg, c.want) {
				t.Errorf("GET /users/alice with %s: message = %q, want it to contain %q", c.name, msg, c.want)
			}
			if strings.Contains(msg, testSecret) {
				t.Errorf("GET /users/alice with %s: message = %q, want it without the secret", c.name, msg)
			}
		})
	}
}

func TestOtherAppIsNotFound(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	r := must(t, e.rawWith("GET", "/v1/other_app/users/alice", "", map[string]string{"Authorization": "Bearer " + testSecret}), 404)
	if msg := r.message(t); !strings.Contains(msg, "no app") {
		t.Errorf("GET /v1/other_app/users/alice: message = %q, want it to contain \"no app\"", msg)
	}
	must(t, e.rawWith("GET", "/users/alice", "", nil), 404)
	// /v1/{appId} is the app itself (GET /v1/{appId}), which needs auth.
	must(t, e.rawWith("GET", "/v1/"+testApp, "", nil), 401)
}

func TestInvalidRequestsAreReadable400s(t *testing.T) {
	e := newEnv(t)
	e.allowViolations = true
	e.conv("c1", "alice")
	cases := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/conversations/c1/messages", `[{"type":"Shout","text":"hi","sender":"alice"}]`, 400, `request body: field "[0].type": must be one of UserMessage, SystemMessage`},
		{"PUT", "/users/bob", `{"name":42}`, 400, `field "name": must be a string`},
		{"GET", "/conversations?limit=101", "", 400, `query parameter "limit": must be at most 100`},
		{"GET", "/conversations?orderBy=name", "", 400, `query parameter "orderBy": must be one of lastActivity, createdAt`},
		{"PUT", "/conversations/c1/participants/alice", `{"access":"None"}`, 400, `field "access": must be one of ReadWrite, Read`},
		{"GET", "/nothing", "", 404, "no operation has the path"},
		{"POST", "/users/alice", `{}`, 405, "POST is not allowed"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := e.in(t).raw(c.method, c.path, c.body)
			if r.status != c.status {
				t.Fatalf("%s %s %s = %d %s, want %d", c.method, c.path, c.body, r.status, r.body, c.status)
			}
			msg := r.message(t)
			if !strings.Contains(msg, c.want) {
				t.Errorf("%s %s %s: message = %q, want it to contain %q", c.method, c.path, c.body, msg, c.want)
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, "Schema") {
				t.Errorf("%s %s %s: message = %q, want one sentence without a schema dump", c.method, c.path, c.body, msg)
			}
		})
	}
	if got := len(e.srv.Violations()); got != len(cases) {
		t.Errorf("%d violations recorded, want %d: %v", got, len(cases), e.srv.Violations())
	}
	if _, ok := e.srv.User("bob"); ok {
		t.Error("User(\"bob\") exists after an invalid PUT /users/bob, want no such user")
	}
}

func TestSpecialCharactersInPathParameters(t *testing.T) {
	e := newEnv(t)
	ids := []string{"a/b", "what?", "hash#tag", "with space", "emoji 🎉", "100%", "dots.and-dashes_"}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			resp, err := e.c.CreateOrUpdateUserWithResponse(ctx, id, nil, gen.UserInput{Name: ptr(id)})
			check(t, resp, err, 200)
			got, err := e.c.GetUserWithResponse(ctx, id, nil)
			check(t, got, err, 200)
			if *got.JSON200.Id != id || *got.JSON200.Name != id {
				t.Errorf("GetUser(%q) = id %q name %q, want id and name %q", id, *got.JSON200.Id, *got.JSON200.Name, id)
			}
			if _, ok := e.srv.User(id); !ok {
				t.Errorf("User(%q) after PUT = not found, want the user stored under its decoded id", id)
			}
			// The raw escaped form reaches the same user.
			must(t, e.in(t).raw("GET", "/users/"+url.PathEscape(id), ""), 200)
		})
	}
	// a/b must not be confused with the conversations of user a.
	e.user("a")
	r := must(t, e.raw("GET", "/users/a%2Fb", ""), 200)
	var u gen.User
	r.json(t, &u)
	if *u.Id != "a/b" {
		t.Errorf("GET /users/a%%2Fb = user %q, want a/b", *u.Id)
	}
	// An emoji reaction path segment.
	e.conv("c 1/x", "a/b")
	id := e.send("c 1/x", userMsg("a/b", "hi"))[0]
	resp, err := e.c.AddReactionWithResponse(ctx, "c 1/x", id, "👍", "a/b", nil)
	check(t, resp, err, 200)
	m := e.getMsg("c 1/x", id)
	if got := (*m.Reactions)["👍"]; len(got) != 1 || got[0] != "a/b" {
		t.Errorf("after reacting 👍 as a/b: reactions = %v, want 👍: [a/b]", *m.Reactions)
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, api.WithMaxBodyBytes(100))
	e.user("alice")
	big := `{"name":"` + strings.Repeat("x", 200) + `"}`
	r := must(t, e.raw("PUT", "/users/alice", big), 413)
	if msg := r.message(t); !strings.Contains(msg, "100 bytes") {
		t.Errorf("PUT /users/alice with %d bytes: message = %q, want it to name the limit (100 bytes)", len(big), msg)
	}
	// Without a Content-Length (chunked) the limit holds too.
	req, _ := http.NewRequest("PUT", e.hs.URL+"/v1/"+testApp+"/users/alice", struct{ *strings.Reader }{strings.NewReader(big)})
	req.Header.Set("Authorization", "Bearer "+testSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("chunked PUT /users/alice with %d bytes = %d, want 413", len(big), resp.StatusCode)
	}
	if u, _ := e.srv.User("alice"); *u.Name != "User alice" {
		t.Errorf("after oversized PUTs: alice's name = %q, want %q (unchanged)", *u.Name, "User alice")
	}
}

func TestLoggerNeverLogsSecrets(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, api.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	e.user("alice")
	e.rawWith("GET", "/v1/"+testApp+"/users/alice", "", map[string]string{"Authorization": "Bearer wrong-secret"})
	out := buf.String()
	if !strings.Contains(out, "status=200") || !strings.Contains(out, "status=401") || !strings.Contains(out, "/users/alice") {
		t.Errorf("log = %s\nwant lines for GET /users/alice with status=200 and status=401", out)
	}
	if strings.Contains(out, testSecret) || strings.Contains(out, "wrong-secret") {
		t.Errorf("log = %s\nwant neither the secret nor the wrong token in it", out)
	}
}

func TestDefaults(t *testing.T) {
	s := api.NewServer()
	if s.AppID() != api.DefaultAppID || !strings.HasPrefix(s.Secret(), "sk_test_") || len(s.Secret()) < 24 {
		t.Errorf("NewServer() = app %q secret %q, want app %q and a generated sk_test_ secret of at least 24 characters", s.AppID(), s.Secret(), api.DefaultAppID)
	}
	if api.NewServer().Secret() == s.Secret() {
		t.Error("two NewServer() share a secret, want a fresh one each")
	}
}

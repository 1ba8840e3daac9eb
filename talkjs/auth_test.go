package talkjs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func parseAppToken(t *testing.T, header string) *appClaims {
	t.Helper()
	tok, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		t.Fatalf("Authorization %q is not a bearer token", header)
	}
	var claims appClaims
	parsed, err := jwt.ParseWithClaims(tok, &claims, func(tk *jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil || !parsed.Valid {
		t.Fatalf("token does not verify with the secret: %v", err)
	}
	return &claims
}

func TestAppTokenClaimsAndLifetime(t *testing.T) {
	for _, lifetime := range []time.Duration{0, 5 * time.Minute} {
		var opts []Option
		want := DefaultTokenLifetime
		if lifetime != 0 {
			opts = append(opts, WithTokenLifetime(lifetime))
			want = lifetime
		}
		c, ts := newTestServer(t, nil, opts...)
		before := time.Now().Truncate(time.Second)
		if err := c.Conversations.Delete(context.Background(), "c1"); err != nil {
			t.Fatal(err)
		}
		claims := parseAppToken(t, ts.requests()[0].Header.Get("Authorization"))
		if claims.TokenType != "app" || claims.Issuer != testAppID {
			t.Errorf("claims tokenType %q iss %q", claims.TokenType, claims.Issuer)
		}
		if claims.Subject != "" {
			t.Errorf("app token has sub %q", claims.Subject)
		}
		iat, exp := claims.IssuedAt.Time, claims.ExpiresAt.Time
		if iat.Before(before) || iat.After(time.Now()) {
			t.Errorf("iat %v is not now", iat)
		}
		if got := exp.Sub(iat); got != want {
			t.Errorf("lifetime %v, want %v", got, want)
		}
	}
}

func TestAppTokenRejectsWrongKey(t *testing.T) {
	m := newTokenMinter(testAppID, testSecret, time.Minute)
	h := m.authorization()
	tok := strings.TrimPrefix(h, "Bearer ")
	_, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte("other"), nil })
	if err == nil {
		t.Error("token verified with the wrong key")
	}
}

func TestAppTokenEscapesAppID(t *testing.T) {
	m := newTokenMinter(`app"with\quotes`, testSecret, time.Minute)
	h := m.authorization()
	var claims appClaims
	if _, err := jwt.ParseWithClaims(strings.TrimPrefix(h, "Bearer "), &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil }); err != nil {
		t.Fatal(err)
	}
	if claims.Issuer != `app"with\quotes` {
		t.Errorf("iss = %q", claims.Issuer)
	}
}

func TestAppTokenExpired(t *testing.T) {
	m := newTokenMinter(testAppID, testSecret, time.Second)
	m.now = func() time.Time { return time.Now().Add(-time.Hour) }
	h := m.authorization()
	_, err := jwt.Parse(strings.TrimPrefix(h, "Bearer "), func(*jwt.Token) (any, error) { return []byte(testSecret), nil })
	if err == nil {
		t.Error("a token minted an hour ago with a 1s lifetime still verifies")
	}
}

func TestLegacySecretKeyAuth(t *testing.T) {
	c, ts := newTestServer(t, nil, WithLegacySecretKeyAuth())
	if err := c.Conversations.Delete(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	if got := ts.requests()[0].Header.Get("Authorization"); got != "Bearer "+testSecret {
		t.Errorf("Authorization = %q, want the secret key", got)
	}
}

func TestUserToken(t *testing.T) {
	c := must[*Client](t)(NewClient(testAppID, testSecret))
	tok, err := c.UserToken("alice", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var claims userClaims
	if _, err := jwt.ParseWithClaims(tok, &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired()); err != nil {
		t.Fatal(err)
	}
	if claims.TokenType != "user" || claims.Issuer != testAppID || claims.Subject != "alice" {
		t.Errorf("claims %+v", claims)
	}
	if d := claims.ExpiresAt.Sub(claims.IssuedAt.Time); d != 10*time.Minute {
		t.Errorf("lifetime %v", d)
	}
	if _, err := c.UserToken("", 0); err == nil {
		t.Error("a token for an empty user id")
	}
}

func TestSignature(t *testing.T) {
	c := must[*Client](t)(NewClient(testAppID, testSecret))
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte("alice"))
	want := strings.ToUpper(hex.EncodeToString(mac.Sum(nil)))
	if got := c.Signature("alice"); got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
	if got := c.Signature("alice"); got != strings.ToUpper(got) || len(got) != 64 {
		t.Errorf("signature %q is not 64 uppercase hex digits", got)
	}
}

func TestNewTokenPerAttempt(t *testing.T) {
	n := 0
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		n++
		if n < 3 {
			writeJSON(w, http.StatusServiceUnavailable, `{}`)
			return
		}
		writeJSON(w, http.StatusOK, `{}`)
	})
	clock := time.Now().Add(-10 * time.Second)
	c.minter.now = func() time.Time { clock = clock.Add(2 * time.Second); return clock }
	if err := c.Conversations.Delete(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	reqs := ts.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		h := r.Header.Get("Authorization")
		if seen[h] {
			t.Error("a token was sent twice")
		}
		seen[h] = true
		parseAppToken(t, h)
	}
}

func TestAppTokenPublic(t *testing.T) {
	c := must[*Client](t)(NewClient(testAppID, testSecret, WithTokenLifetime(time.Minute)))
	before := time.Now().Truncate(time.Second)
	claims := parseAppToken(t, "Bearer "+c.AppToken())
	if claims.TokenType != "app" || claims.Issuer != testAppID || claims.IssuedAt.Before(before) {
		t.Errorf("claims %+v", claims)
	}
	if d := claims.ExpiresAt.Sub(claims.IssuedAt.Time); d != time.Minute {
		t.Errorf("lifetime %v, want the client's 1m", d)
	}
}

// TestAppTokenLongAppID: claims and token that outgrow the pooled scratch
// arrays still come out whole and signed.
func TestAppTokenLongAppID(t *testing.T) {
	for _, n := range []int{40, 60, 70, 100, 300} {
		app := strings.Repeat("a", n)
		m := newTokenMinter(app, testSecret, time.Minute)
		for range 3 { // the second and third reuse a pooled signer
			h := m.authorization()
			var claims appClaims
			if _, err := jwt.ParseWithClaims(strings.TrimPrefix(h, "Bearer "), &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil }); err != nil {
				t.Fatalf("app id of %d bytes: %v", n, err)
			}
			if claims.Issuer != app {
				t.Fatalf("app id of %d bytes came back as %d bytes", n, len(claims.Issuer))
			}
		}
	}
}

// TestAppTokenConcurrent mints from many goroutines at once: each token
// must verify, so no pooled HMAC state or buffer is shared by two.
func TestAppTokenConcurrent(t *testing.T) {
	c := must[*Client](t)(NewClient(testAppID, testSecret))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 200 {
				_, err := jwt.Parse(c.AppToken(), func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
					jwt.WithValidMethods([]string{"HS256"}))
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTokenOfTheSameSecond: within one second the minter may hand out the
// token it minted last, but only because a fresh one would be the same
// string; a new second, or a different exp, gets a new token.
func TestTokenOfTheSameSecond(t *testing.T) {
	for _, lifetime := range []time.Duration{30 * time.Second, 1500 * time.Millisecond} {
		m := newTokenMinter(testAppID, testSecret, lifetime)
		clock := time.Unix(1_800_000_000, 100e6)
		m.now = func() time.Time { return clock }
		mint := func() (string, *appClaims) {
			h := m.authorization()
			var claims appClaims
			if _, err := jwt.ParseWithClaims(strings.TrimPrefix(h, "Bearer "), &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
				jwt.WithoutClaimsValidation()); err != nil {
				t.Fatal(err)
			}
			fresh := m.sign(claims.IssuedAt.Unix(), claims.ExpiresAt.Unix())
			if h != fresh {
				t.Fatalf("handed out %s, a fresh token for its claims is %s", h, fresh)
			}
			return h, &claims
		}
		first, c1 := mint()
		clock = clock.Add(300 * time.Millisecond) // same second, same exp for both lifetimes
		second, c2 := mint()
		if second != first || c2.IssuedAt.Unix() != clock.Unix() {
			t.Errorf("lifetime %v: within a second got a different token (iat %v, %v)", lifetime, c1.IssuedAt, c2.IssuedAt)
		}
		clock = clock.Add(500 * time.Millisecond) // still the same second
		third, c3 := mint()
		wantExp := clock.Add(lifetime).Unix()
		if c3.ExpiresAt.Unix() != wantExp || c3.IssuedAt.Unix() != clock.Unix() {
			t.Errorf("lifetime %v: iat %d exp %d, want %d %d", lifetime, c3.IssuedAt.Unix(), c3.ExpiresAt.Unix(), clock.Unix(), wantExp)
		}
		if (third == second) != (c3.ExpiresAt.Unix() == c2.ExpiresAt.Unix()) {
			t.Errorf("lifetime %v: same token %t with exp %d and %d", lifetime, third == second, c2.ExpiresAt.Unix(), c3.ExpiresAt.Unix())
		}
		clock = clock.Add(time.Second)
		if fourth, c4 := mint(); fourth == third || c4.IssuedAt.Unix() != clock.Unix() {
			t.Errorf("lifetime %v: a new second kept the token of the last (iat %v)", lifetime, c4.IssuedAt)
		}
		clock = clock.Add(-5 * time.Second) // the clock stepped back
		if _, c5 := mint(); c5.IssuedAt.Unix() != clock.Unix() {
			t.Errorf("lifetime %v: after the clock stepped back, iat %v, want %v", lifetime, c5.IssuedAt.Unix(), clock.Unix())
		}
	}
}

// BenchmarkAppToken mints one app token: way=golang-jwt is the usual way
// (jwt.NewWithClaims(...).SignedString, as cmd/talkjs did); way=talkjs is
// Client.AppToken, which every request attempt pays for, and which signs
// once per second (see mintedToken); way=talkjs-sign is the signing alone,
// a new token every time.
func BenchmarkAppToken(b *testing.B) {
	b.Run("way=golang-jwt", func(b *testing.B) {
		b.ReportAllocs()
		key := []byte(testSecret)
		for b.Loop() {
			now := time.Now()
			if _, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
				"tokenType": "app", "iss": testAppID, "iat": now.Unix(), "exp": now.Add(DefaultTokenLifetime).Unix(),
			}).SignedString(key); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("way=talkjs", func(b *testing.B) {
		c := must[*Client](b)(NewClient(testAppID, testSecret))
		b.ReportAllocs()
		for b.Loop() {
			c.AppToken()
		}
	})
	b.Run("way=talkjs-sign", func(b *testing.B) {
		m := newTokenMinter(testAppID, testSecret, DefaultTokenLifetime)
		iat := time.Now().Unix()
		b.ReportAllocs()
		for b.Loop() {
			iat++
			if len(m.sign(iat, iat+30)) == 0 {
				b.Fatal("empty token")
			}
		}
	})
}

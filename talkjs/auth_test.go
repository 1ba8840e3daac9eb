package talkjs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
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
		t.Fatalf("Authorization = %q, want a bearer token", header)
	}
	var claims appClaims
	parsed, err := jwt.ParseWithClaims(tok, &claims, func(tk *jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil || !parsed.Valid {
		t.Fatalf("verify %q with the secret: %v, want a valid token", tok, err)
	}
	return &claims
}

func TestAppTokenClaimsAndLifetime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		lifetime time.Duration // 0: no WithTokenLifetime
		want     time.Duration
	}{
		{"default", 0, DefaultTokenLifetime},
		{"WithTokenLifetime(5m)", 5 * time.Minute, 5 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tc.lifetime != 0 {
				opts = append(opts, WithTokenLifetime(tc.lifetime))
			}
			c, ts := newTestServer(t, nil, opts...)
			before := time.Now().Truncate(time.Second)
			if err := c.Conversations.Delete(t.Context(), "c1"); err != nil {
				t.Fatalf("Conversations.Delete(c1) = %v, want nil", err)
			}
			claims := parseAppToken(t, ts.requests()[0].Header.Get("Authorization"))
			if claims.TokenType != "app" || claims.Issuer != testAppID {
				t.Errorf("token claims tokenType, iss = %q, %q; want %q, %q", claims.TokenType, claims.Issuer, "app", testAppID)
			}
			if claims.Subject != "" {
				t.Errorf("app token claim sub = %q, want none", claims.Subject)
			}
			iat, exp := claims.IssuedAt.Time, claims.ExpiresAt.Time
			if now := time.Now(); iat.Before(before) || iat.After(now) {
				t.Errorf("token claim iat = %v, want between %v and %v", iat, before, now)
			}
			if got := exp.Sub(iat); got != tc.want {
				t.Errorf("token exp - iat = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAppTokenRejectsWrongKey(t *testing.T) {
	t.Parallel()
	m := newTokenMinter(testAppID, testSecret, time.Minute)
	tok := strings.TrimPrefix(m.authorization(), "Bearer ")
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte("other"), nil }); err == nil {
		t.Error("jwt.Parse(token, wrong key) = nil error, want a signature error")
	}
}

func TestAppTokenEscapesAppID(t *testing.T) {
	t.Parallel()
	const app = `app"with\quotes`
	m := newTokenMinter(app, testSecret, time.Minute)
	var claims appClaims
	if _, err := jwt.ParseWithClaims(strings.TrimPrefix(m.authorization(), "Bearer "), &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil }); err != nil {
		t.Fatalf("jwt.ParseWithClaims(token of app %q) = %v, want nil", app, err)
	}
	if claims.Issuer != app {
		t.Errorf("token claim iss = %q, want %q", claims.Issuer, app)
	}
}

func TestAppTokenExpired(t *testing.T) {
	t.Parallel()
	m := newTokenMinter(testAppID, testSecret, time.Second)
	m.now = func() time.Time { return time.Now().Add(-time.Hour) }
	_, err := jwt.Parse(strings.TrimPrefix(m.authorization(), "Bearer "), func(*jwt.Token) (any, error) { return []byte(testSecret), nil })
	if err == nil {
		t.Error("jwt.Parse(token minted an hour ago with a 1s lifetime) = nil error, want an expiry error")
	}
}

func TestLegacySecretKeyAuth(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, nil, WithLegacySecretKeyAuth())
	if err := c.Conversations.Delete(t.Context(), "c1"); err != nil {
		t.Fatalf("Conversations.Delete(c1) = %v, want nil", err)
	}
	if got, want := ts.requests()[0].Header.Get("Authorization"), "Bearer "+testSecret; got != want {
		t.Errorf("Authorization = %q, want %q (the secret key)", got, want)
	}
}

func TestUserToken(t *testing.T) {
	t.Parallel()
	c := must[*Client](t)(NewClient(testAppID, testSecret))
	tok, err := c.UserToken("alice", 10*time.Minute)
	if err != nil {
		t.Fatalf("UserToken(alice, 10m) = %v, want nil", err)
	}
	var claims userClaims
	if _, err := jwt.ParseWithClaims(tok, &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired()); err != nil {
		t.Fatalf("jwt.ParseWithClaims(UserToken(alice, 10m)) = %v, want nil", err)
	}
	if claims.TokenType != "user" || claims.Issuer != testAppID || claims.Subject != "alice" {
		t.Errorf("UserToken(alice, 10m) claims tokenType, iss, sub = %q, %q, %q; want %q, %q, %q",
			claims.TokenType, claims.Issuer, claims.Subject, "user", testAppID, "alice")
	}
	if d := claims.ExpiresAt.Sub(claims.IssuedAt.Time); d != 10*time.Minute {
		t.Errorf("UserToken(alice, 10m) exp - iat = %v, want 10m", d)
	}
	if _, err := c.UserToken("", 0); err == nil {
		t.Error(`UserToken("", 0) = nil error, want an *ArgumentError`)
	}
}

func TestSignature(t *testing.T) {
	t.Parallel()
	c := must[*Client](t)(NewClient(testAppID, testSecret))
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte("alice"))
	want := strings.ToUpper(hex.EncodeToString(mac.Sum(nil)))
	if got := c.Signature("alice"); got != want {
		t.Errorf("Signature(alice) = %s, want %s", got, want)
	}
	if got := c.Signature("alice"); got != strings.ToUpper(got) || len(got) != 64 {
		t.Errorf("Signature(alice) = %q, want 64 uppercase hex digits", got)
	}
}

func TestNewTokenPerAttempt(t *testing.T) {
	t.Parallel()
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
	if err := c.Conversations.Delete(t.Context(), "c1"); err != nil {
		t.Fatalf("Conversations.Delete(c1) after two 503s = %v, want nil", err)
	}
	reqs := ts.requests()
	if len(reqs) != 3 {
		t.Fatalf("Conversations.Delete(c1) made %d attempts, want 3", len(reqs))
	}
	seen := map[string]bool{}
	for i, r := range reqs {
		h := r.Header.Get("Authorization")
		if seen[h] {
			t.Errorf("attempt %d sent the token of an earlier attempt, want a new token per attempt", i+1)
		}
		seen[h] = true
		parseAppToken(t, h)
	}
}

func TestAppTokenPublic(t *testing.T) {
	t.Parallel()
	c := must[*Client](t)(NewClient(testAppID, testSecret, WithTokenLifetime(time.Minute)))
	before := time.Now().Truncate(time.Second)
	claims := parseAppToken(t, "Bearer "+c.AppToken())
	if claims.TokenType != "app" || claims.Issuer != testAppID || claims.IssuedAt.Before(before) {
		t.Errorf("AppToken() claims tokenType, iss, iat = %q, %q, %v; want %q, %q, not before %v",
			claims.TokenType, claims.Issuer, claims.IssuedAt, "app", testAppID, before)
	}
	if d := claims.ExpiresAt.Sub(claims.IssuedAt.Time); d != time.Minute {
		t.Errorf("AppToken() exp - iat = %v, want the client's 1m", d)
	}
}

// TestAppTokenLongAppID: claims and token that outgrow the pooled scratch
// arrays still come out whole and signed.
func TestAppTokenLongAppID(t *testing.T) {
	t.Parallel()
	for _, n := range []int{40, 60, 70, 100, 300} {
		t.Run("bytes="+strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			app := strings.Repeat("a", n)
			m := newTokenMinter(app, testSecret, time.Minute)
			for i := range 3 { // the second and third reuse a pooled signer
				var claims appClaims
				if _, err := jwt.ParseWithClaims(strings.TrimPrefix(m.authorization(), "Bearer "), &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil }); err != nil {
					t.Fatalf("token %d: jwt.ParseWithClaims = %v, want nil", i+1, err)
				}
				if claims.Issuer != app {
					t.Fatalf("token %d: claim iss of %d bytes, want the app id of %d", i+1, len(claims.Issuer), n)
				}
			}
		})
	}
}

// TestAppTokenConcurrent mints from many goroutines at once: each token
// must verify, so no pooled HMAC state or buffer is shared by two.
func TestAppTokenConcurrent(t *testing.T) {
	t.Parallel()
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
		t.Errorf("jwt.Parse(AppToken()) from 8 goroutines = %v, want nil", err)
	}
}

// TestTokenOfTheSameSecond: within one second the minter may hand out the
// token it minted last, but only because a fresh one would be the same
// string; a new second, or a different exp, gets a new token.
func TestTokenOfTheSameSecond(t *testing.T) {
	t.Parallel()
	for _, lifetime := range []time.Duration{30 * time.Second, 1500 * time.Millisecond} {
		t.Run("lifetime="+lifetime.String(), func(t *testing.T) {
			t.Parallel()
			m := newTokenMinter(testAppID, testSecret, lifetime)
			clock := time.Unix(1_800_000_000, 100e6)
			m.now = func() time.Time { return clock }
			mint := func() (string, *appClaims) {
				t.Helper()
				h := m.authorization()
				var claims appClaims
				if _, err := jwt.ParseWithClaims(strings.TrimPrefix(h, "Bearer "), &claims, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
					jwt.WithoutClaimsValidation()); err != nil {
					t.Fatalf("jwt.ParseWithClaims(authorization()) = %v, want nil", err)
				}
				if fresh := m.sign(claims.IssuedAt.Unix(), claims.ExpiresAt.Unix()); h != fresh {
					t.Fatalf("authorization() = %s, want %s (a fresh token for its claims)", h, fresh)
				}
				return h, &claims
			}
			first, _ := mint()
			clock = clock.Add(300 * time.Millisecond) // same second, same exp for both lifetimes
			second, c2 := mint()
			if second != first || c2.IssuedAt.Unix() != clock.Unix() {
				t.Errorf("300ms later: token iat %d and same token %t, want iat %d and the same token",
					c2.IssuedAt.Unix(), second == first, clock.Unix())
			}
			clock = clock.Add(500 * time.Millisecond) // still the same second
			third, c3 := mint()
			wantExp := clock.Add(lifetime).Unix()
			if c3.ExpiresAt.Unix() != wantExp || c3.IssuedAt.Unix() != clock.Unix() {
				t.Errorf("800ms later: iat, exp = %d, %d; want %d, %d", c3.IssuedAt.Unix(), c3.ExpiresAt.Unix(), clock.Unix(), wantExp)
			}
			if sameExp := c3.ExpiresAt.Unix() == c2.ExpiresAt.Unix(); (third == second) != sameExp {
				t.Errorf("800ms later: same token %t with exp %d after %d, want %t", third == second, c3.ExpiresAt.Unix(), c2.ExpiresAt.Unix(), sameExp)
			}
			clock = clock.Add(time.Second)
			if fourth, c4 := mint(); fourth == third || c4.IssuedAt.Unix() != clock.Unix() {
				t.Errorf("a second later: iat %d and same token %t, want iat %d and a new token", c4.IssuedAt.Unix(), fourth == third, clock.Unix())
			}
			clock = clock.Add(-5 * time.Second) // the clock stepped back
			if _, c5 := mint(); c5.IssuedAt.Unix() != clock.Unix() {
				t.Errorf("after the clock stepped back: iat %d, want %d", c5.IssuedAt.Unix(), clock.Unix())
			}
		})
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

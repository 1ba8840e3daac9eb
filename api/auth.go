package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// appClaims are the claims of a TalkJS app-scoped token.
type appClaims struct {
	TokenType string `json:"tokenType"`
	jwt.RegisteredClaims
}

// authenticate checks the Authorization header. It accepts the secret key
// itself as bearer token (TalkJS's legacy form) or an HS256 JWT signed with
// the secret whose claims are tokenType "app", iss the app id and, when exp is
// given, an expiry in the future (by the server's clock). The error is a
// sentence for the 401 answer; it never echoes the token.
func (s *Server) authenticate(r *http.Request) error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return errors.New("the Authorization header is missing: send \"Authorization: Bearer <token>\"")
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return errors.New("the Authorization header is not a bearer token")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return errors.New("the bearer token is empty")
	}
	if subtle.ConstantTimeCompare([]byte(token), s.secretBytes) == 1 {
		return nil
	}
	if s.tokens.valid(token, time.Now()) {
		return nil
	}
	var claims appClaims
	_, err := s.jwtParser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) {
		return s.secretBytes, nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errors.New("the bearer token is neither the secret key nor a JWT")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if alg := unverifiedAlg(token); alg != jwt.SigningMethodHS256.Alg() {
			return fmt.Errorf("the token is signed with %q: only HS256 is accepted", alg)
		}
		return errors.New("the token's signature does not match the secret key")
	case errors.Is(err, jwt.ErrTokenExpired):
		return errors.New("the token has expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return errors.New("the token is not valid yet")
	case err != nil:
		return fmt.Errorf("the token is not valid (sign it with HS256 and the secret key)")
	}
	if claims.TokenType != "app" {
		if claims.TokenType == "" {
			return errors.New(`the token has no "tokenType" claim: the REST API needs an app token ("tokenType": "app")`)
		}
		return fmt.Errorf(`the token's "tokenType" is %q: the REST API needs an app token ("tokenType": "app")`, claims.TokenType)
	}
	if claims.Issuer != s.appID {
		return errors.New(`the token's "iss" claim is not this app's id`)
	}
	var exp time.Time
	if claims.ExpiresAt != nil {
		exp = claims.ExpiresAt.Time
	}
	s.tokens.put(token, exp)
	return nil
}

// tokenCache remembers tokens already verified, until they expire (by the
// wall clock, as the verification does): a client sends the same token for
// many requests, and the HMAC and claims need checking only once. It holds
// at most maxCachedTokens and starts over when full.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]time.Time // token -> expiry (zero: none)
}

const maxCachedTokens = 1024

func (c *tokenCache) valid(token string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.m[token]
	if !ok {
		return false
	}
	if !exp.IsZero() && !now.Before(exp) {
		delete(c.m, token)
		return false
	}
	return true
}

func (c *tokenCache) put(token string, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = make(map[string]time.Time, 64)
	}
	c.m[token] = exp
}

// unverifiedAlg reads the alg of a token's header without trusting it, to
// explain a rejection.
func unverifiedAlg(token string) string {
	t, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil || t == nil {
		return "an unknown algorithm"
	}
	if alg, ok := t.Header["alg"].(string); ok {
		return alg
	}
	return "no algorithm"
}

// newJWTParser accepts only HS256. Expiry is checked against the wall clock,
// not the server's injectable clock: a test that moves the data clock a day
// ahead must not make every client token look expired.
func newJWTParser() *jwt.Parser {
	return jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}))
}

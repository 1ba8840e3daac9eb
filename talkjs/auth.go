package talkjs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultTokenLifetime is how long the app token minted for each request
// attempt stays valid, unless WithTokenLifetime says otherwise. TalkJS
// recommends a short lifetime; its own example uses 30 seconds.
const DefaultTokenLifetime = 30 * time.Second

// appClaims are the claims of an app-scoped token, which authenticates REST
// calls. The client encodes them by hand on the hot path (see tokenMinter);
// this type documents them and is what tests decode into.
type appClaims struct {
	TokenType string `json:"tokenType"`
	jwt.RegisteredClaims
}

// userClaims are the claims of a user-scoped token, which a browser
// session of the TalkJS UI presents.
type userClaims struct {
	TokenType string `json:"tokenType"`
	jwt.RegisteredClaims
}

// jwtHeader is the base64url form of {"alg":"HS256","typ":"JWT"}.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// tokenMinter mints app tokens. It is lean because it runs on every request
// attempt: the header and the constant part of the claims are encoded once,
// and only the timestamps and the signature are computed per token.
type tokenMinter struct {
	key      any // the secret as []byte, boxed once rather than per token
	lifetime time.Duration
	prefix   []byte // `{"tokenType":"app","iss":"<appID>","iat":`
	now      func() time.Time
}

func newTokenMinter(appID, secret string, lifetime time.Duration) *tokenMinter {
	iss, _ := json.Marshal(appID) // a string always marshals
	prefix := make([]byte, 0, 48+len(iss))
	prefix = append(prefix, `{"tokenType":"app","iss":`...)
	prefix = append(prefix, iss...)
	prefix = append(prefix, `,"iat":`...)
	return &tokenMinter{key: any([]byte(secret)), lifetime: lifetime, prefix: prefix, now: time.Now}
}

// authorization returns the value of the Authorization header: "Bearer "
// and a fresh HS256 token.
func (m *tokenMinter) authorization() (string, error) {
	now := m.now()
	iat := now.Unix()
	exp := now.Add(m.lifetime).Unix()
	if exp <= iat {
		exp = iat + 1
	}
	var claims [96]byte
	c := append(claims[:0], m.prefix...)
	c = strconv.AppendInt(c, iat, 10)
	c = append(c, `,"exp":`...)
	c = strconv.AppendInt(c, exp, 10)
	c = append(c, '}')

	enc := base64.RawURLEncoding
	var b strings.Builder
	b.Grow(len("Bearer ") + len(jwtHeader) + 1 + enc.EncodedLen(len(c)) + 1 + enc.EncodedLen(sha256.Size))
	b.WriteString("Bearer ")
	b.WriteString(jwtHeader)
	b.WriteByte('.')
	var payload [160]byte
	p := payload[:enc.EncodedLen(len(c))]
	if len(c) > 112 {
		p = make([]byte, enc.EncodedLen(len(c)))
	}
	enc.Encode(p, c)
	b.Write(p)
	signing := b.String()[len("Bearer "):]
	sig, err := jwt.SigningMethodHS256.Sign(signing, m.key)
	if err != nil {
		return "", err
	}
	var sigB64 [64]byte
	s := sigB64[:enc.EncodedLen(len(sig))]
	enc.Encode(s, sig)
	b.WriteByte('.')
	b.Write(s)
	return b.String(), nil
}

// UserToken mints a user-scoped token for userID, valid for lifetime (one
// hour when lifetime is 0 or less). Hand it to the browser so that the
// TalkJS UI can authenticate the session as that user. It is signed with the
// secret key and carries tokenType "user", iss (the app id), sub (the user
// id), iat and exp.
func (c *Client) UserToken(userID string, lifetime time.Duration) (string, error) {
	if err := checkUserTokenID(userID); err != nil {
		return "", err
	}
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	now := time.Now()
	claims := userClaims{
		TokenType: "user",
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    c.appID,
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(c.secret))
}

func checkUserTokenID(userID string) error {
	if userID == "" {
		return argError("userID", "must not be empty")
	}
	return nil
}

// Signature returns the legacy identity-verification signature of userID:
// the uppercase hex HMAC-SHA256 of the user id, keyed with the secret key.
// New integrations should use UserToken instead.
func (c *Client) Signature(userID string) string {
	mac := hmac.New(sha256.New, []byte(c.secret))
	mac.Write([]byte(userID))
	return strings.ToUpper(hex.EncodeToString(mac.Sum(nil)))
}

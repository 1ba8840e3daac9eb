package talkjs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultTokenLifetime is how long the app token minted for each request
// attempt stays valid, unless [WithTokenLifetime] says otherwise. TalkJS
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

const bearer = "Bearer "

// tokenMinter mints app tokens. It is lean because it runs on every request
// attempt: the header and the constant part of the claims are encoded once,
// only the timestamps and the signature are computed per token, and the
// keyed HMAC states and scratch buffers are pooled, so that a token costs
// one allocation (its string) and no key schedule.
type tokenMinter struct {
	lifetime time.Duration
	prefix   []byte // `{"tokenType":"app","iss":"<appID>","iat":`
	now      func() time.Time
	signers  sync.Pool // of *tokenSigner, keyed with the secret
	last     atomic.Pointer[mintedToken]
}

// mintedToken is the last token minted, as an Authorization header value.
//
// A token is a pure function of its claims, and its claims of iat and exp,
// which are whole seconds: every token minted within one second (with the
// same exp) is the same string, byte for byte. So when the claims of the
// token to mint equal the last one's, the minter hands out that string
// rather than computing it again. This is not token reuse: the token has
// exactly the iat and exp a fresh one would have, and a token minted a
// second earlier is never returned. A client sending thousands of requests
// a second signs once per second instead of once per request.
type mintedToken struct {
	iat, exp int64
	header   []string // {"Bearer <token>"}, shared like the other header values
}

// tokenSigner is an HMAC-SHA256 keyed with the secret, with room to build
// one token in. Reset returns the HMAC to its keyed initial state, which is
// what hmac.New would compute again.
type tokenSigner struct {
	mac    hash.Hash
	claims [128]byte // the claims JSON
	token  [256]byte // "Bearer " + header + claims + signature, base64url
	sum    [sha256.Size]byte
}

func newTokenMinter(appID, secret string, lifetime time.Duration) *tokenMinter {
	iss, _ := json.Marshal(appID) // a string always marshals
	prefix := make([]byte, 0, 48+len(iss))
	prefix = append(prefix, `{"tokenType":"app","iss":`...)
	prefix = append(prefix, iss...)
	prefix = append(prefix, `,"iat":`...)
	m := &tokenMinter{lifetime: lifetime, prefix: prefix, now: time.Now}
	key := []byte(secret)
	m.signers.New = func() any { return &tokenSigner{mac: hmac.New(sha256.New, key)} }
	return m
}

// authorization returns the value of the Authorization header: "Bearer "
// and a fresh HS256 token.
func (m *tokenMinter) authorization() string { return m.header()[0] }

// header is authorization as a header value slice, which the requests of
// one second share; see mintedToken.
func (m *tokenMinter) header() []string {
	now := m.now()
	iat := now.Unix()
	exp := now.Add(m.lifetime).Unix()
	if exp <= iat {
		exp = iat + 1
	}
	if last := m.last.Load(); last != nil && last.iat == iat && last.exp == exp {
		return last.header
	}
	t := &mintedToken{iat: iat, exp: exp, header: []string{m.sign(iat, exp)}}
	m.last.Store(t)
	return t.header
}

// sign mints the token with the given iat and exp.
func (m *tokenMinter) sign(iat, exp int64) string {
	s := m.signers.Get().(*tokenSigner)
	defer m.signers.Put(s)

	// With an app id of more than about 60 bytes the claims or the token
	// outgrow the scratch arrays and append moves them to the heap.
	enc := base64.RawURLEncoding
	claims := append(s.claims[:0], m.prefix...)
	claims = strconv.AppendInt(claims, iat, 10)
	claims = append(claims, `,"exp":`...)
	claims = strconv.AppendInt(claims, exp, 10)
	claims = append(claims, '}')
	b := s.token[:0]
	b = append(b, bearer...)
	b = append(b, jwtHeader...)
	b = append(b, '.')
	b = enc.AppendEncode(b, claims)

	s.mac.Reset()
	s.mac.Write(b[len(bearer):])
	sig := s.mac.Sum(s.sum[:0])
	b = append(b, '.')
	b = enc.AppendEncode(b, sig)
	return string(b)
}

// AppToken mints an app-scoped token, the kind the client sends with every
// request: HS256, signed with the secret key, with the claims tokenType
// "app", iss (the app id), iat and exp, valid for the client's token
// lifetime ([WithTokenLifetime]; 30 seconds by default). Use it to call the
// REST API with another HTTP client, such as curl.
//
// Minting cannot fail: [NewClient] has checked the app id and the secret key,
// and signing is an HMAC over bytes, so there is no error to return.
func (c *Client) AppToken() string {
	return c.minter.authorization()[len(bearer):]
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
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(c.cred().secret))
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
	mac := hmac.New(sha256.New, []byte(c.cred().secret))
	mac.Write([]byte(userID))
	return strings.ToUpper(hex.EncodeToString(mac.Sum(nil)))
}

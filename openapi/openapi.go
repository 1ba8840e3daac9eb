// Package openapi embeds the TalkJS REST API specification, the single source
// of truth of this module, and hands it out parsed.
//
// Other packages never read the YAML from disk: the generated client in gen/
// is produced from it, the in-memory server in api/ routes and validates
// requests with it, and the talkjs package can validate outgoing requests
// against it.
package openapi

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Spec is the raw YAML of the specification.
//
//go:embed talkjs-openapi.yml
var Spec []byte

// BasePath is the path prefix every operation is served under; {appId} is the
// TalkJS application id.
const BasePath = "/v1/{appId}"

// Parse loads and validates the embedded specification. The document is the
// one the file describes, with the absolute server URL
// (https://api.talkjs.com/v1/{appId}); use Load for one ready for routing.
func Parse() (*openapi3.T, error) {
	return ParseBytes(Spec)
}

// ParseBytes loads and validates a specification from data. It is exported so
// that tests can prove a broken copy of the spec is rejected.
func ParseBytes(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: load spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: invalid spec: %w", err)
	}
	return doc, nil
}

var (
	loadOnce sync.Once
	loaded   *openapi3.T
	loadErr  error
)

// Load returns the parsed specification with its servers rewritten to the
// relative BasePath (/v1/{appId}), which is what kin-openapi routers need to
// match requests served on any host. The document is parsed once and shared:
// callers must treat it as read-only.
func Load() (*openapi3.T, error) {
	loadOnce.Do(func() {
		doc, err := Parse()
		if err != nil {
			loadErr = err
			return
		}
		doc.Servers = openapi3.Servers{{
			URL:         BasePath,
			Description: "Relative to any host, for routing and validation.",
			Variables: map[string]*openapi3.ServerVariable{
				"appId": {Default: "YOUR_APP_ID", Description: "The TalkJS application id."},
			},
		}}
		loaded = doc
	})
	return loaded, loadErr
}

// MustLoad is Load for package initialisation: it panics if the embedded
// specification is invalid, which a test in this package rules out.
func MustLoad() *openapi3.T {
	doc, err := Load()
	if err != nil {
		panic(err)
	}
	return doc
}

// ServerURL returns the URL every operation of appID is resolved against:
// root (the host root, such as https://api.talkjs.com, optionally with a path
// prefix of a proxy) joined with /v1/{appId}/. The app id is escaped as one
// path segment, and the result ends in a slash, which the generated request
// builders need to keep the last segment (without it, .../v1/APPID plus
// users/alice resolves to .../v1/users/alice).
func ServerURL(root, appID string) (string, error) {
	if appID == "" {
		return "", fmt.Errorf("openapi: empty app id")
	}
	u, err := url.Parse(root)
	if err != nil {
		return "", fmt.Errorf("openapi: base URL %q: %w", root, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("openapi: base URL %q is not an absolute http(s) URL", root)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("openapi: base URL %q must not carry a query, fragment or credentials", root)
	}
	return strings.TrimRight(u.String(), "/") + "/v1/" + url.PathEscape(appID) + "/", nil
}

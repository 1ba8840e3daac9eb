// Package validate checks the requests a talkjs.Client sends against the
// OpenAPI specification of the TalkJS REST API, before they are sent.
//
// It is meant for tests and CI: a request that breaks the specification is
// not sent, and the call fails with a *talkjs.ArgumentError wrapping an
// *openapi.ValidationError that says what is wrong in one sentence. It lives
// in its own package so that programs which do not validate do not link the
// specification and its validator (kin-openapi):
//
//	client, err := talkjs.NewClient(appID, secretKey, validate.Requests())
package validate

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/gotalkjs/talkjs-go/openapi"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// validator is built on first use and shared: building it parses the
// specification, and it is safe for concurrent use.
var validator = sync.OnceValues(openapi.NewValidator)

// Requests returns an option that checks every request against the
// specification before it is sent.
func Requests() talkjs.Option {
	return talkjs.WithRequestCheck(Request)
}

// Request checks one request against the specification: r's path starts at
// /v1/{appId}, and a nil Body is a payload that is not checked (a streamed
// upload), as [talkjs.RequestCheck] describes. The error is an
// *openapi.ValidationError, or says that the specification failed to load.
func Request(r *http.Request) error {
	v, err := validator()
	if err != nil {
		return fmt.Errorf("validate: load the specification: %w", err)
	}
	if _, err := v.ValidateRequest(r, r.Body == nil); err != nil {
		return fmt.Errorf("breaks the API specification: %w", err)
	}
	return nil
}

// Package testhttp holds what the tests of this repository's modules share
// about HTTP. (The library's own packages, talkjs, gen and talkjs/webhook,
// keep a copy of Main in their main_test.go: the library module requires
// nothing from the others.)
package testhttp

import (
	"net/http"
	"os"
	"testing"
)

// Main runs the tests of m with http.DefaultTransport wrapped so that
// httptest.Server.Close cannot reach its CloseIdleConnections. Every Close
// calls that method on the default transport, and a test running in
// parallel whose request has just taken an idle connection from the shared
// pool then fails with "http: CloseIdleConnections called" when nothing
// retries it (a PUT, a DELETE). Servers still close their own connections;
// the pool drops them when they are next tried. Call it from TestMain.
func Main(m *testing.M) {
	http.DefaultTransport = sharedTransport{http.DefaultTransport}
	os.Exit(m.Run())
}

// sharedTransport is http.DefaultTransport without CloseIdleConnections.
type sharedTransport struct{ http.RoundTripper }

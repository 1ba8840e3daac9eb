package talkjs

import (
	"net/http"
	"os"
	"testing"
)

// TestMain keeps the tests that run in parallel from breaking each other's
// requests (a copy of internal/testhttp.Main, which the library module
// cannot require). Their clients use http.DefaultTransport (no WithHTTPClient),
// and every httptest.Server.Close calls CloseIdleConnections on it: a
// request of another test that has just taken an idle connection from the
// shared pool then fails with "http: CloseIdleConnections called" (seen in
// TestWritesAreNeverRedirected, where nothing retries). The wrapper below
// hides that method from httptest; the server closes its own connections,
// and the pool drops them when they are next tried.
func TestMain(m *testing.M) {
	http.DefaultTransport = sharedTransport{http.DefaultTransport}
	os.Exit(m.Run())
}

// sharedTransport is http.DefaultTransport without CloseIdleConnections.
type sharedTransport struct{ http.RoundTripper }

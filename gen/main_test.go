package gen_test

import (
	"net/http"
	"os"
	"testing"
)

// TestMain hides CloseIdleConnections of http.DefaultTransport from
// httptest.Server.Close, which calls it: a test running in parallel that has
// just taken an idle connection from the shared pool would fail with
// "http: CloseIdleConnections called" (a copy of internal/testhttp.Main,
// which the library module cannot require).
func TestMain(m *testing.M) {
	http.DefaultTransport = sharedTransport{http.DefaultTransport}
	os.Exit(m.Run())
}

// sharedTransport is http.DefaultTransport without CloseIdleConnections.
type sharedTransport struct{ http.RoundTripper }

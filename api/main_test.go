package api_test

import (
	"testing"

	"github.com/gotalkjs/talkjs-go/internal/testhttp"
)

// TestMain keeps parallel tests from closing each other's idle
// connections (see testhttp.Main).
func TestMain(m *testing.M) { testhttp.Main(m) }

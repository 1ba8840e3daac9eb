//go:build tools

// Package tools pins the code generator so that `go generate ./...` needs
// nothing installed by hand: `go run` builds it from the module cache.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)

//go:build tools

// Package tools pins the code generator so that `go generate ./...` needs
// nothing installed by hand: `go run -C ../tools` (see gen/doc.go) builds it
// from the module cache. It is a module of its own: the generator's
// dependencies (web frameworks among them) stay out of the library's go.mod,
// and so out of every program that imports the library.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)

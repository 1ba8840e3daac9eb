// Package gen holds the raw client, types and server interface that
// oapi-codegen generates from openapi/talkjs-openapi.yml. Nothing here is
// edited by hand: change the spec, then run `go generate ./...` (or
// `make generate`); `make test` fails while the committed code differs from
// what the generator makes. Most users want the idiomatic package talkjs.
//
// Choices made in the *.cfg.yaml files, each against a known generator trap:
// nullable fields are nullable.Nullable[T] so an explicit null can be sent;
// a plain `number` is float64; enum constants carry their type's name
// (AccessReadWrite); the oneOf fields notify and readUntil are named schemas
// in the spec, so each is one Go type (Notify, ReadUntil). Error bodies are
// kept as json.RawMessage, so a body of any shape never costs the status.
//
// Nullable references (Conversation.lastMessage, Message.attachment) are
// written `anyOf: [$ref, NullOnly]`, the form OpenAPI 3.0.3 validators accept
// (`nullable: true` beside `allOf: [$ref]` does not admit null there). Of the
// forms tried, anyOf or oneOf alone generate an opaque union
// (json.RawMessage with As/From methods), a nullable copy of the referenced
// schema duplicates the type; so the property also carries
// `x-go-type: nullable.Nullable[T]` and `x-go-type-skip-optional-pointer`,
// which keeps the Go field exactly as before. Rules across fields (a
// UserMessage has a sender, an import has a time) sit in an `allOf` on the
// list's items with `x-go-type` naming the item type, so no union type is
// generated either. HEAD operations are excluded from generation
// (exclude-operation-ids): the GET handlers answer them.
//
// The exported NewXxxRequest builders resolve paths against the server URL,
// which must end in a slash; build it with openapi.ServerURL.
package gen

//go:generate go run -C ../tools github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../gen/types.cfg.yaml -o ../gen/types.gen.go ../openapi/talkjs-openapi.yml
//go:generate go run -C ../tools github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../gen/client.cfg.yaml -o ../gen/client.gen.go ../openapi/talkjs-openapi.yml
//go:generate go run -C ../tools github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../gen/server.cfg.yaml -o ../gen/server.gen.go ../openapi/talkjs-openapi.yml

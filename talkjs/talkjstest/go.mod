module github.com/gotalkjs/talkjs-go/talkjs/talkjstest

go 1.26.0

require (
	github.com/gotalkjs/talkjs-go v0.0.0-00010101000000-000000000000
	github.com/gotalkjs/talkjs-go/api v0.0.0-00010101000000-000000000000
	github.com/gotalkjs/talkjs-go/internal v0.0.0-00010101000000-000000000000
)

require (
	github.com/apapsch/go-jsonmerge/v2 v2.0.0 // indirect
	github.com/getkin/kin-openapi v0.152.0 // indirect
	github.com/go-openapi/jsonpointer v0.23.1 // indirect
	github.com/go-openapi/swag/jsonname v0.26.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/google/btree v1.1.3 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/gotalkjs/talkjs-go/openapi v0.0.0-00010101000000-000000000000 // indirect
	github.com/oapi-codegen/nullable v1.2.0 // indirect
	github.com/oapi-codegen/runtime v1.9.0 // indirect
	github.com/oasdiff/yaml v0.1.1 // indirect
	github.com/oasdiff/yaml3 v0.0.14 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	golang.org/x/text v0.40.0 // indirect
)

// The repository's own modules, from this checkout.
replace (
	github.com/gotalkjs/talkjs-go => ../..
	github.com/gotalkjs/talkjs-go/api => ../../api
	github.com/gotalkjs/talkjs-go/internal => ../../internal
	github.com/gotalkjs/talkjs-go/openapi => ../../openapi
)

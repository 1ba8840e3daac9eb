// Package examples holds the code of the README: every Go snippet there is
// kept here verbatim (readme_test.go checks), where it compiles and runs as
// an example against the in-memory server. The first program of the README
// is the command in examples/hello.
package examples

#!/usr/bin/env bash
# make footprint: what a program that imports only package talkjs gets.
# Builds a hello-world consumer module (replace => this checkout) and a plain
# net/http program doing the same request (GET a user, app JWT signed by
# hand, JSON decoded), then prints binary sizes, init times and the
# consumer's module list. Fails when the consumer's module graph holds a
# module that talkjs's packages (with their go.mod requirements) do not
# account for: a dependency that leaked in. The library is the root module;
# the validator, server, CLI and tests are modules of their own (go.work), so
# this repository's go.mod requires only what talkjs links.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
goline=$(grep -m1 '^go ' "$root/go.mod")
mkdir -p "$tmp/consumer" "$tmp/plain"
cat > "$tmp/consumer/go.mod" <<MOD
module example.com/consumer

$goline

require github.com/gotalkjs/talkjs-go v0.0.0

replace github.com/gotalkjs/talkjs-go => $root
MOD
cat > "$tmp/consumer/main.go" <<'GO'
package main

import (
	"context"
	"fmt"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func main() {
	client, err := talkjs.NewClient("app", "sk_test_footprint", talkjs.WithBaseURL("http://127.0.0.1:9"), talkjs.WithMaxRetries(0))
	if err != nil {
		panic(err)
	}
	u, err := client.Users.Get(context.Background(), "alice")
	fmt.Println(u, err != nil)
}
GO
printf 'module example.com/plain\n\n%s\n' "$goline" > "$tmp/plain/go.mod"
cat > "$tmp/plain/main.go" <<'GO'
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

type user struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func main() {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims := enc.EncodeToString([]byte(`{"tokenType":"app","iss":"app","exp":` + strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10) + `}`))
	mac := hmac.New(sha256.New, []byte("sk_test_footprint"))
	mac.Write([]byte(head + "." + claims))
	req, _ := http.NewRequest("GET", "http://127.0.0.1:9/v1/app/users/alice", nil)
	req.Header.Set("Authorization", "Bearer "+head+"."+claims+"."+enc.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(nil, true)
		return
	}
	defer resp.Body.Close()
	var u user
	fmt.Println(json.NewDecoder(resp.Body).Decode(&u))
}
GO
(cd "$tmp/consumer" && go mod tidy >/dev/null 2>&1 && go build -o bin .)
(cd "$tmp/plain" && go build -o bin .)
size() { stat -c %s "$1"; }
initms() { # median of 5 runs of the summed GODEBUG=inittrace clock times
	for _ in 1 2 3 4 5; do GODEBUG=inittrace=1 "$1" 2>&1 >/dev/null | awk '/^init /{s+=$5} END{printf "%.3f\n", s}'; done | sort -n | sed -n 3p
}
cs=$(size "$tmp/consumer/bin"); ps=$(size "$tmp/plain/bin")
echo "binary: talkjs hello-world $cs bytes, plain net/http $ps bytes, difference $(( (cs-ps)/1024 )) KiB"
echo "init (GODEBUG=inittrace=1, median of 5): talkjs $(initms "$tmp/consumer/bin") ms, plain $(initms "$tmp/plain/bin") ms"
mods=$(cd "$tmp/consumer" && go list -m all | tail -n +2 | awk '{print $1}')
echo "consumer go list -m all: $(echo "$mods" | wc -l) modules besides its own"
# What accounts for a module: the modules of talkjs's packages and all they
# require (the module graph reachable from them).
used=$(cd "$tmp/consumer" && go list -deps -f '{{with .Module}}{{.Path}}{{end}}' github.com/gotalkjs/talkjs-go/talkjs | sort -u)
graph=$(cd "$tmp/consumer" && go mod graph | sed 's/@[^ ]*//g')
# The library's own module is the start, not a step: its requirements are
# this repository's go.mod, told apart below.
frontier=$(echo "$used" | grep -vx 'github.com/gotalkjs/talkjs-go')
reach=$used
while [ -n "$frontier" ]; do
	next=$(for m in $frontier; do echo "$graph" | awk -v m="$m" '$1 == m {print $2}'; done | sort -u | comm -23 - <(echo "$reach" | sort -u))
	reach=$(printf '%s\n%s\n' "$reach" "$next" | sed '/^$/d' | sort -u)
	frontier=$next
done
leaked=$(comm -23 <(echo "$mods" | sort -u) <(echo "$reach" | sort -u))
echo "$mods" | while read -r m; do
	if echo "$used" | grep -qx "$m"; then echo "  $m (linked by talkjs)"
	elif echo "$reach" | grep -qx "$m"; then echo "  $m (required by what talkjs links)"
	else echo "  $m (nothing talkjs links requires it)"; fi
done
if [ -n "$leaked" ]; then
	echo "footprint: modules no requirement accounts for:"; echo "$leaked"; exit 1
fi
# Every module a consumer sees, named here on purpose: a new one fails this
# target until someone decides it belongs (and says why in the commit).
allowed="
github.com/gotalkjs/talkjs-go
github.com/golang-jwt/jwt/v5
github.com/oapi-codegen/runtime
github.com/oapi-codegen/nullable
github.com/google/uuid
github.com/apapsch/go-jsonmerge/v2
github.com/RaveNoX/go-jsoncommentstrip
github.com/bmatcuk/doublestar
github.com/juju/gnuflag
github.com/spkg/bom
github.com/stretchr/testify
github.com/stretchr/objx
github.com/davecgh/go-spew
github.com/pmezard/go-difflib
go.yaml.in/yaml/v3
"
unlisted=$(comm -23 <(echo "$mods" | sort -u) <(echo "$allowed" | sed '/^$/d' | sort -u))
if [ -n "$unlisted" ]; then
	echo "footprint: a consumer now also gets these modules, which bench/footprint/footprint.sh does not allow:"
	echo "$unlisted"; exit 1
fi

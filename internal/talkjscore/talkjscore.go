// Package talkjscore runs the conversation-filter evaluator of TalkJS's
// official @talkjs/core package (1.12.0) under Node.js, for the tests that
// compare this module's filters with it (api/convfilter, talkjs/filter).
// `make validate-talkjs-core` installs the package and sets TALKJS_CORE to
// its dist/talkSession.cjs; without it the tests skip.
package talkjscore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// EnvVar names the package's dist/talkSession.cjs.
const EnvVar = "TALKJS_CORE"

// SkipMessage is what a test says when EnvVar is not set.
const SkipMessage = EnvVar + " is not set: `make validate-talkjs-core` installs @talkjs/core 1.12.0 (npm) and runs this test"

// harness loads the package's CommonJS build and exposes its internal
// conversation-predicate evaluator (minified name Xe in 1.12.0; any other
// build is refused).
const harness = `
const Module = require("module"), fs = require("fs"), path = require("path");
const file = process.argv[2];
const src = fs.readFileSync(file, "utf8");
const sig = "function Xe(e,t){return Array.isArray(t)?t[1].some(t=>et(e,t)):et(e,t)}";
if (!src.includes(sig)) {
  console.error("not the @talkjs/core 1.12.0 build this harness knows: evaluator not found");
  process.exit(3);
}
const m = new Module(file);
m.filename = file;
m.paths = Module._nodeModulePaths(path.dirname(file));
m._compile(src + "\n;module.exports.__talkjsGoEvaluate = Xe;", file);
const evaluate = m.exports.__talkjsGoEvaluate;
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(c => evaluate(c.conv, c.pred))));
`

// Conversation is a conversation as the evaluator sees it.
type Conversation struct {
	Custom        map[string]string `json:"custom"`
	Subject       *string           `json:"subject"`
	Access        string            `json:"access,omitempty"`
	IsUnread      bool              `json:"isUnread"`
	LastMessageAt int64             `json:"lastMessageAt"`
	JoinedAt      int64             `json:"joinedAt"`
	CreatedAt     int64             `json:"createdAt"`
}

// Case is one evaluation: a predicate in the package's language.
type Case struct {
	Conv Conversation `json:"conv"`
	Pred any          `json:"pred"`
}

// Evaluate runs every case through the package at corePath.
func Evaluate(corePath string, cases []Case) ([]bool, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH: %w", err)
	}
	dir, err := os.MkdirTemp("", "talkjscore")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	h := filepath.Join(dir, "harness.cjs")
	if err := os.WriteFile(h, []byte(harness), 0o600); err != nil {
		return nil, err
	}
	in, err := json.Marshal(cases)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(node, h, corePath)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node: %w: %s", err, stderr.String())
	}
	var got []bool
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(cases) {
		return nil, fmt.Errorf("node answered %d results for %d cases (%v)", len(got), len(cases), err)
	}
	return got, nil
}

// Translate turns a filter of the REST language into the package's Data API
// language: hasUnreadMessages is isUnread, lastMessageTs is lastActivityAt;
// custom, access, subject, createdAt and any are the same.
func Translate(rest []byte) (any, error) {
	var v any
	if err := json.Unmarshal(rest, &v); err != nil {
		return nil, err
	}
	var tr func(v any) any
	tr = func(v any) any {
		switch v := v.(type) {
		case []any: // ["any", [filters…]]
			if len(v) == 2 {
				if list, ok := v[1].([]any); ok {
					out := make([]any, len(list))
					for i, f := range list {
						out[i] = tr(f)
					}
					return []any{v[0], out}
				}
			}
			return v
		case map[string]any:
			out := map[string]any{}
			for k, x := range v {
				switch k {
				case "hasUnreadMessages":
					out["isUnread"] = x
				case "lastMessageTs":
					out["lastActivityAt"] = x
				default:
					out[k] = x
				}
			}
			return out
		}
		return v
	}
	return tr(v), nil
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func batchCommands() []*command {
	return []*command{
		{
			Name: "batch", Summary: "Run REST operations from a JSON file in batch requests",
			Long: `FILE holds a JSON array of operations, as objects:
  [{"method":"PUT","path":"/users/alice","payload":{"name":"Alice"}},
   {"method":"GET","path":"/conversations/order-1042"},
   {"method":"DELETE","path":"/conversations/old-1","apiVersion":"2021-02-09"}]
or in TalkJS's own form, [sequence_number, method, path, payload?, options?]:
  [[1,"PUT","/users/alice",{"name":"Alice"}],
   [2,"DELETE","/conversations/old-1",null,{"api_version":"2021-02-09"}]]
(the sequence numbers are the file's; the command numbers the requests it
sends itself). Paths are below /v1/{appId}. TalkJS runs at most 10 operations per request,
in any order; longer lists are sent 10 at a time. A batch request is never
retried once TalkJS may have received it. The exit status is 1 when any
operation failed.`,
			Example: "talkjs batch ops.json\ntalkjs batch ops.json --json | jq '.[] | select(.status != 200)'",
			Args:    []string{"FILE"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &batchOptions{apiIO: addAPIFlags(fs, st), st: st}
				return func(ctx context.Context, args []string) error {
					opts.file = args[0]
					return runBatch(ctx, opts)
				}
			},
		},
	}
}

type batchOptions struct {
	apiIO
	st   *stdio // standard input, for FILE "-"
	file string
}

// batchResult is one operation's outcome, as --json prints it.
type batchResult struct {
	Index    int             `json:"index"`
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

func runBatch(ctx context.Context, opts *batchOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	in, err := readInput(opts.st, opts.file)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(in)
	in.Close()
	if err != nil {
		return err
	}
	ops, err := parseBatchOps(data)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, opts.file, err)
	}
	var results []batchResult
	failed := 0
	for start := 0; start < len(ops); start += talkjs.MaxBatchOperations {
		chunk := ops[start:min(start+talkjs.MaxBatchOperations, len(ops))]
		rs, err := client.Batch.Do(ctx, chunk...)
		if err != nil {
			return fmt.Errorf("batch request with operations %d to %d (the earlier ones ran): %w", start, start+len(chunk)-1, err)
		}
		for i, r := range rs {
			if !r.OK() {
				failed++
			}
			results = append(results, batchResult{start + i, chunk[i].Method, chunk[i].Path, r.Status, r.Response})
		}
	}
	if opts.output.json {
		err = writeJSON(opts.out, results)
	} else {
		err = printBatchResults(opts.out, results)
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d operations failed", failed, len(ops))
	}
	return nil
}

func printBatchResults(w io.Writer, results []batchResult) error {
	t := newTable(w, "#", "METHOD", "PATH", "STATUS", "RESPONSE")
	for _, r := range results {
		t.row(r.Index, r.Method, r.Path, r.Status, clip(string(r.Response), 70))
	}
	return t.flush()
}

// batchObject is an operation in the object form of a batch file.
type batchObject struct {
	Method     string          `json:"method"`
	Path       string          `json:"path"`
	Payload    json.RawMessage `json:"payload"`
	APIVersion string          `json:"apiVersion"`
}

// parseBatchOps reads a batch file: a JSON array whose operations are
// objects or TalkJS's [sequence_number, method, path, payload?, options?]
// tuples, in any mix.
func parseBatchOps(data []byte) ([]talkjs.BatchOperation, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("not a JSON array of operations: %v", err)
	}
	if len(items) == 0 {
		return nil, errors.New("holds no operations")
	}
	ops := make([]talkjs.BatchOperation, len(items))
	for i, item := range items {
		var op batchObject
		if t := bytes.TrimSpace(item); len(t) > 0 && t[0] == '[' {
			var err error
			if op, err = batchTuple(t); err != nil {
				return nil, fmt.Errorf("operation %d: %v", i, err)
			}
		} else {
			dec := json.NewDecoder(bytes.NewReader(item))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&op); err != nil {
				return nil, fmt.Errorf("operation %d is neither an object with method, path, payload and apiVersion nor a [seq, method, path, payload, options] array: %v", i, err)
			}
		}
		if op.Method == "" || !strings.HasPrefix(op.Path, "/") {
			return nil, fmt.Errorf("operation %d needs a method and a path starting with /", i)
		}
		ops[i] = talkjs.BatchOperation{Method: strings.ToUpper(op.Method), Path: op.Path, APIVersion: op.APIVersion}
		if len(op.Payload) > 0 && string(op.Payload) != "null" {
			ops[i].Payload = op.Payload
		}
	}
	return ops, nil
}

// batchTuple reads [sequence_number, method, path, payload?, options?].
func batchTuple(data []byte) (batchObject, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil {
		return batchObject{}, err
	}
	if len(parts) < 3 || len(parts) > 5 {
		return batchObject{}, fmt.Errorf("has %d elements; want [sequence_number, method, path, payload?, options?]", len(parts))
	}
	var seq float64
	var op batchObject
	if json.Unmarshal(parts[0], &seq) != nil {
		return op, errors.New("the sequence number is not a number")
	}
	if json.Unmarshal(parts[1], &op.Method) != nil || json.Unmarshal(parts[2], &op.Path) != nil {
		return op, errors.New("method and path must be strings")
	}
	if len(parts) > 3 {
		op.Payload = parts[3]
	}
	if len(parts) > 4 && string(bytes.TrimSpace(parts[4])) != "null" {
		var opts struct {
			APIVersion string `json:"api_version"`
		}
		dec := json.NewDecoder(bytes.NewReader(parts[4]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&opts); err != nil {
			return op, fmt.Errorf("options must be {\"api_version\": \"…\"}: %v", err)
		}
		op.APIVersion = opts.APIVersion
	}
	return op, nil
}

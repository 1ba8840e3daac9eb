package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func init() {
	reg(&command{
		Name: "batch", Summary: "Run REST operations from a JSON file in batch requests", Usage: `[flags] FILE|-

FILE holds a JSON array of operations:
  [{"method":"PUT","path":"/users/alice","payload":{"name":"Alice"}},
   {"method":"GET","path":"/conversations/order-1042"},
   {"method":"DELETE","path":"/conversations/old-1","apiVersion":"2021-02-09"}]
Paths are below /v1/{appId}. TalkJS runs at most 10 operations per request,
in any order; longer lists are sent 10 at a time. A batch request is never
retried once TalkJS may have received it. The exit status is 1 when any
operation failed.`,
		Example: "talkjs batch ops.json\ntalkjs batch ops.json --json | jq '.[] | select(.status != 200)'",
	}, func(ctx context.Context, st *stdio, c *command, args []string) error {
		fs := newFlagSet(c, st)
		cf, out := addClientFlags(fs), addOutputFlags(fs)
		cl, rest, err := setup(st, fs, cf, out, args, "FILE")
		if err != nil {
			return err
		}
		in, err := readInput(st, rest[0])
		if err != nil {
			return err
		}
		data, err := io.ReadAll(in)
		in.Close()
		if err != nil {
			return err
		}
		var raw []struct {
			Method     string          `json:"method"`
			Path       string          `json:"path"`
			Payload    json.RawMessage `json:"payload"`
			APIVersion string          `json:"apiVersion"`
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%w: %s is not a JSON array of operations: %v", errUsage, rest[0], err)
		}
		if len(raw) == 0 {
			return fmt.Errorf("%w: %s holds no operations", errUsage, rest[0])
		}
		ops := make([]talkjs.BatchOperation, len(raw))
		for i, r := range raw {
			if r.Method == "" || !strings.HasPrefix(r.Path, "/") {
				return fmt.Errorf("%w: operation %d needs a \"method\" and a \"path\" starting with /", errUsage, i)
			}
			ops[i] = talkjs.BatchOperation{Method: strings.ToUpper(r.Method), Path: r.Path, APIVersion: r.APIVersion}
			if len(r.Payload) > 0 && string(r.Payload) != "null" {
				ops[i].Payload = r.Payload
			}
		}
		type result struct {
			Index    int             `json:"index"`
			Method   string          `json:"method"`
			Path     string          `json:"path"`
			Status   int             `json:"status"`
			Response json.RawMessage `json:"response,omitempty"`
		}
		var results []result
		failed := 0
		for start := 0; start < len(ops); start += talkjs.MaxBatchOperations {
			chunk := ops[start:min(start+talkjs.MaxBatchOperations, len(ops))]
			rs, err := cl.Batch.Do(ctx, chunk...)
			if err != nil {
				return fmt.Errorf("batch request with operations %d to %d (the earlier ones ran): %w", start, start+len(chunk)-1, err)
			}
			for i, r := range rs {
				if !r.OK() {
					failed++
				}
				results = append(results, result{start + i, chunk[i].Method, chunk[i].Path, r.Status, r.Response})
			}
		}
		if out.json {
			if err := writeJSON(st.Out, results); err != nil {
				return err
			}
		} else {
			t := newTable(st.Out, "#", "METHOD", "PATH", "STATUS", "RESPONSE")
			for _, r := range results {
				t.row(r.Index, r.Method, r.Path, r.Status, clip(string(r.Response), 70))
			}
			if err := t.flush(); err != nil {
				return err
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d operations failed", failed, len(ops))
		}
		return nil
	})
}

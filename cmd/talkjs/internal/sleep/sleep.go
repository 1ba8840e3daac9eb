// Package sleep waits for a while unless a context ends first: the one
// wait of the importer's pacer and retries and of the conformance
// scenario's pacing. (Package talkjs keeps its own: the library does not
// import the command's packages.)
package sleep

import (
	"context"
	"time"
)

// For waits for d, or until ctx is done, and returns ctx.Err() in that
// case; a d of zero or less does not wait and returns ctx.Err().
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

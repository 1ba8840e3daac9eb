package talkjs

import (
	"context"
	"fmt"
	"iter"
)

// ListOptions pages through a list. The zero value asks for the first page
// of the server's default size (10).
type ListOptions struct {
	// Limit is the page size, 1 to 100; 0 means the server's default.
	// The iterators (All…) ask for 100 per page when it is 0.
	Limit int
	// StartingAfter is the id of the item the page starts after.
	StartingAfter string
}

func (o *ListOptions) check() error {
	if o == nil {
		return nil
	}
	if o.Limit < 0 || o.Limit > 100 {
		return argError("opts.Limit", fmt.Sprintf("must be between 1 and 100 (or 0 for the default), not %d", o.Limit))
	}
	return nil
}

// ptrIf returns &v, or nil for the zero value, for optional query parameters.
func ptrIf[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// iterPageSize is the page size iterators use when the caller chose none.
const iterPageSize = 100

// paginate walks a cursor-paged list lazily: nothing is requested until the
// sequence is ranged over, and ranging stops at a short page, an empty page,
// a break, or an error. fetch gets the page size and cursor each time; the
// caller's options are never touched. A server that hands back a cursor
// that does not move on ends the walk with an error instead of looping.
func paginate[T any](ctx context.Context, limit int, startingAfter string, fetch func(ctx context.Context, limit int, startingAfter string) ([]T, error), id func(*T) string) iter.Seq2[T, error] {
	if limit == 0 {
		limit = iterPageSize
	}
	return func(yield func(T, error) bool) {
		cursor := startingAfter
		seen := map[string]bool{}
		if cursor != "" {
			seen[cursor] = true
		}
		for {
			page, err := fetch(ctx, limit, cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if len(page) == 0 {
				return
			}
			for i := range page {
				if !yield(page[i], nil) {
					return
				}
			}
			if len(page) < limit {
				return
			}
			next := id(&page[len(page)-1])
			if next == "" || seen[next] {
				var zero T
				yield(zero, fmt.Errorf("talkjs: the list did not advance past %q: stopping instead of looping", next))
				return
			}
			seen[next] = true
			cursor = next
		}
	}
}

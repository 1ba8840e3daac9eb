package sleep

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFor(t *testing.T) {
	t.Parallel()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"a short wait", context.Background(), time.Millisecond, nil},
		{"no wait", context.Background(), 0, nil},
		{"a negative wait", context.Background(), -time.Second, nil},
		{"a done context ends an hour's wait", done, time.Hour, context.Canceled},
		{"a done context and no wait", done, 0, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan error, 1)
			go func() { got <- For(tc.ctx, tc.d) }()
			select {
			case err := <-got:
				if !errors.Is(err, tc.want) {
					t.Errorf("For(ctx, %v) = %v, want %v", tc.d, err, tc.want)
				}
			case <-time.After(time.Minute): // far beyond any wait above but the hour
				t.Fatalf("For(ctx, %v) still waits after a minute; want %v at once", tc.d, tc.want)
			}
		})
	}
}

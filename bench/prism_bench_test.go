package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/bench"
	"github.com/gotalkjs/talkjs-go/internal/prism"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

// BenchmarkPrism sends the same request mix — get-conversation and
// send-message, one of each in turn — through the talkjs client, with the
// app JWT it signs (one per second), to the in-memory server and to Prism's
// stateless mock of openapi/talkjs-openapi.yml, and reports each one's
// requests per second. Both sides get the same requests and the client
// decodes both answers into the same talkjs types; the server checks each
// request against the spec, verifies the JWT (cached for its lifetime),
// stores the message and renders the conversation, while Prism validates the
// request against the spec, checks only that a bearer token is present and
// answers the spec's example. Prism serves the paths at / rather than
// /v1/{appId}, so a middleware, on both sides alike, drops that prefix for
// Prism (as `talkjs conformance --api-root` does).
//
// Skipped unless TALKJS_PRISM names Prism: `make bench-prism` installs it.
// Run it with -benchtime Nx; Prism is started once for all sub-benchmarks.
func BenchmarkPrism(b *testing.B) {
	mock := prism.Start(b, "bench-prism", "mock", prism.Spec(b))
	e := newAPIEnv(b)
	targets := []struct{ name, base, prefix string }{
		{"server", e.srv.URL, ""},
		{"prism", mock, "/v1/" + bench.AppID},
	}
	msg := talkjs.UserMessage("user_1", "Your parcel is on its way and should arrive on Thursday.")
	for _, clients := range []int{1, 8} {
		for _, t := range targets {
			b.Run(fmt.Sprintf("op=get+send/clients=%d/target=%s", clients, t.name), func(b *testing.B) {
				hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				b.Cleanup(hc.CloseIdleConnections)
				tj, err := talkjs.NewClient(bench.AppID, bench.Secret, talkjs.WithBaseURL(t.base),
					talkjs.WithHTTPClient(hc), talkjs.WithMiddleware(dropPrefix(t.prefix)))
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				load(b, clients, func(i int) (int, error) {
					if i%2 == 0 {
						_, err := tj.Conversations.Get(ctx, bench.ConversationID)
						return 200, err
					}
					_, err := tj.Messages.Send(ctx, bench.ConversationID, msg)
					return 200, err
				})
			})
		}
	}
}

// dropPrefix removes prefix from each request's path, on a copy of the
// request; with "" it copies the request all the same, so that both targets
// of BenchmarkPrism pay the same.
func dropPrefix(prefix string) talkjs.Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return talkjs.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			r2 := r.Clone(r.Context())
			r2.URL.Path = strings.TrimPrefix(r2.URL.Path, prefix)
			r2.URL.RawPath = ""
			return next.RoundTrip(r2)
		})
	}
}

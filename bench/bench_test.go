package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gotalkjs/talkjs-go/bench"
	"github.com/gotalkjs/talkjs-go/gen"
	"github.com/gotalkjs/talkjs-go/openapi"
	"github.com/gotalkjs/talkjs-go/talkjs"
)

type env struct {
	srv   *httptest.Server
	fixed *bench.Server
	hc    *http.Client
	floor *bench.Floor
	gen   *gen.ClientWithResponses
	tj    *talkjs.Client
}

func newEnv(tb testing.TB, totalMessages int) *env {
	return newEnvOver(tb, totalMessages, false)
}

// newEnvOver is newEnv; with inMemory, the three clients' requests go
// straight to the handler (bench.InMemory) instead of over loopback.
func newEnvOver(tb testing.TB, totalMessages int, inMemory bool) *env {
	tb.Helper()
	fixed := bench.NewServer(totalMessages)
	srv := httptest.NewServer(fixed)
	tb.Cleanup(srv.Close)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if inMemory {
		hc = &http.Client{Transport: bench.InMemory(fixed)}
	}
	server, err := openapi.ServerURL(srv.URL, bench.AppID)
	if err != nil {
		tb.Fatal(err)
	}
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+bench.Secret)
		return nil
	}
	g, err := gen.NewClientWithResponses(server, gen.WithHTTPClient(hc), gen.WithRequestEditorFn(auth))
	if err != nil {
		tb.Fatal(err)
	}
	tj, err := talkjs.NewClient(bench.AppID, bench.Secret, talkjs.WithBaseURL(srv.URL), talkjs.WithHTTPClient(hc))
	if err != nil {
		tb.Fatal(err)
	}
	return &env{
		srv: srv, fixed: fixed, hc: hc, gen: g, tj: tj,
		floor: &bench.Floor{HTTP: hc, Base: srv.URL + "/v1/" + bench.AppID, Token: bench.Secret},
	}
}

// fixedKey is the idempotency key of message i for the floor and gen:
// as long as the keys talkjs generates (32 hex digits), so that all three
// send the same bytes. They are made before the timed loop; the keys
// talkjs makes per call are part of what it is measured doing.
func fixedKey(i int) string {
	return fmt.Sprintf("%016x%016x", 0x5eed_0000_0000_0000, i)
}

func floorMessages(n int) []bench.FloorSend {
	msgs := make([]bench.FloorSend, n)
	for i := range msgs {
		msgs[i] = bench.FloorSend{Type: "UserMessage", Sender: "user_1", Text: "Your parcel is on its way and should arrive on Thursday.", IdempotencyKey: fixedKey(i)}
	}
	return msgs
}

func talkjsMessages(n int) []talkjs.MessageInput {
	msgs := make([]talkjs.MessageInput, n)
	for i := range msgs {
		msgs[i] = talkjs.UserMessage("user_1", "Your parcel is on its way and should arrive on Thursday.")
	}
	return msgs
}

func genMessages(n int) gen.SendMessagesInput {
	msgs := make(gen.SendMessagesInput, n)
	for i := range msgs {
		sender, text, key := "user_1", "Your parcel is on its way and should arrive on Thursday.", fixedKey(i)
		msgs[i] = gen.SendMessageInput{Type: gen.MessageTypeUserMessage, Sender: &sender, Text: &text, IdempotencyKey: &key}
	}
	return msgs
}

func BenchmarkGetConversation(b *testing.B) { benchGet(b, newEnv(b, 0)) }

func BenchmarkSendMessage(b *testing.B) { benchSend(b, newEnv(b, 0)) }

// BenchmarkInMemory runs get-conversation and send-message with every
// request handed straight to the fixed-answer handler: no sockets, no
// transport goroutines. What is left is each client's own work (plus the
// handler's, the same for all three), so the ratios show the library's
// cost without the loopback round trip that dilutes it in the benchmarks
// above.
func BenchmarkInMemory(b *testing.B) {
	e := newEnvOver(b, 0, true)
	b.Run("op=get-conversation", func(b *testing.B) { benchGet(b, e) })
	b.Run("op=send-message", func(b *testing.B) { benchSend(b, e) })
}

func benchGet(b *testing.B, e *env) {
	ctx := context.Background()
	b.Run("way=floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := e.floor.GetConversation(ctx, bench.ConversationID)
			if err != nil || len(c.Participants) != 10 {
				b.Fatal(err)
			}
		}
	})
	b.Run("way=gen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := e.gen.GetConversationWithResponse(ctx, bench.ConversationID, nil)
			if err != nil || res.JSON200 == nil || len(*res.JSON200.Participants) != 10 {
				b.Fatal(err)
			}
		}
	})
	b.Run("way=talkjs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := e.tj.Conversations.Get(ctx, bench.ConversationID)
			if err != nil || len(c.Participants) != 10 {
				b.Fatal(err)
			}
		}
	})
}

func benchSend(b *testing.B, e *env) {
	ctx := context.Background()
	for _, n := range []int{1, 10} {
		fm, gm, tm := floorMessages(n), genMessages(n), talkjsMessages(n)
		b.Run("n="+itoa(n)+"/way=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ids, err := e.floor.Send(ctx, bench.ConversationID, fm)
				if err != nil || len(ids) != n {
					b.Fatal(err)
				}
			}
		})
		b.Run("n="+itoa(n)+"/way=gen", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := e.gen.SendMessagesWithResponse(ctx, bench.ConversationID, nil, gm)
				if err != nil || res.JSON200 == nil || len(*res.JSON200) != n {
					b.Fatal(err)
				}
			}
		})
		b.Run("n="+itoa(n)+"/way=talkjs", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ids, err := e.tj.Messages.Send(ctx, bench.ConversationID, tm...)
				if err != nil || len(ids) != n {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListMessagesPage(b *testing.B) {
	e := newEnv(b, 0)
	ctx := context.Background()
	b.Run("way=floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page, err := e.floor.ListMessages(ctx, bench.ConversationID, "", bench.PageSize)
			if err != nil || len(page) != bench.PageSize {
				b.Fatal(err)
			}
		}
	})
	b.Run("way=gen", func(b *testing.B) {
		b.ReportAllocs()
		limit := bench.PageSize
		for b.Loop() {
			res, err := e.gen.ListMessagesWithResponse(ctx, bench.ConversationID, &gen.ListMessagesParams{Limit: &limit})
			if err != nil || res.JSON200 == nil || len(*res.JSON200.Data) != bench.PageSize {
				b.Fatal(err)
			}
		}
	})
	b.Run("way=talkjs", func(b *testing.B) {
		b.ReportAllocs()
		opts := &talkjs.ListOptions{Limit: bench.PageSize}
		for b.Loop() {
			page, err := e.tj.Messages.List(ctx, bench.ConversationID, opts)
			if err != nil || len(page) != bench.PageSize {
				b.Fatal(err)
			}
		}
	})
}

func itoa(n int) string {
	if n == 10 {
		return "10"
	}
	return string(rune('0' + n))
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

func tokenCommands() []*command {
	return []*command{
		{
			Name: "token app", Summary: "Print a freshly minted app token (for curl and other REST clients)",
			Example: `curl -H "Authorization: Bearer $(talkjs token app)" https://api.talkjs.com/v1/$TALKJS_APP_ID/users/alice`,
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &tokenOptions{out: st.Out, client: clientMaker(fs, st)}
				fs.DurationVar(&opts.lifetime, "lifetime", talkjs.DefaultTokenLifetime, "how long the token is valid, 1s to 24h")
				return func(ctx context.Context, _ []string) error { return runTokenApp(ctx, opts) }
			},
		},
		{
			Name: "token user", Summary: "Print a freshly minted user token, for the TalkJS UI in a browser",
			Example: "talkjs token user --user-id alice --lifetime 2h",
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				opts := &tokenOptions{out: st.Out, client: clientMaker(fs, st)}
				fs.StringVar(&opts.userID, "user-id", "", "the user the token authenticates (required)")
				fs.DurationVar(&opts.lifetime, "lifetime", time.Hour, "how long the token is valid")
				return func(ctx context.Context, _ []string) error { return runTokenUser(ctx, opts) }
			},
		},
	}
}

// clientMaker defines the client flags and returns what builds the client
// from them, with extra options after the common ones.
func clientMaker(fs *pflag.FlagSet, st *stdio) func(extra ...talkjs.Option) (*talkjs.Client, error) {
	cf := addClientFlags(fs)
	return func(extra ...talkjs.Option) (*talkjs.Client, error) { return cf.client(st, extra...) }
}

// tokenOptions are the options of token app and token user.
type tokenOptions struct {
	out      io.Writer
	client   func(extra ...talkjs.Option) (*talkjs.Client, error)
	userID   string // token user only
	lifetime time.Duration
}

func runTokenApp(_ context.Context, opts *tokenOptions) error {
	if opts.lifetime < time.Second || opts.lifetime > 24*time.Hour {
		return fmt.Errorf("%w: --lifetime must be between 1s and 24h", errUsage)
	}
	client, err := opts.client(talkjs.WithTokenLifetime(opts.lifetime))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.out, client.AppToken())
	return err
}

func runTokenUser(_ context.Context, opts *tokenOptions) error {
	if opts.userID == "" {
		return fmt.Errorf("%w: --user-id is required", errUsage)
	}
	if opts.lifetime <= 0 {
		return fmt.Errorf("%w: --lifetime must be positive", errUsage)
	}
	client, err := opts.client()
	if err != nil {
		return err
	}
	tok, err := client.UserToken(opts.userID, opts.lifetime)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.out, tok)
	return err
}

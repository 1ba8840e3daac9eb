package main

import (
	"context"
	"fmt"
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
				cf := addClientFlags(fs)
				lifetime := fs.Duration("lifetime", talkjs.DefaultTokenLifetime, "how long the token is valid, 1s to 24h")
				return func(ctx context.Context, _ []string) error {
					if *lifetime < time.Second || *lifetime > 24*time.Hour {
						return fmt.Errorf("%w: --lifetime must be between 1s and 24h", errUsage)
					}
					cl, err := cf.client(st, talkjs.WithTokenLifetime(*lifetime))
					if err != nil {
						return err
					}
					_, err = fmt.Fprintln(st.Out, cl.AppToken())
					return err
				}
			},
		},
		{
			Name: "token user", Summary: "Print a freshly minted user token, for the TalkJS UI in a browser",
			Example: "talkjs token user --user-id alice --lifetime 2h",
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf := addClientFlags(fs)
				user := fs.String("user-id", "", "the user the token authenticates (required)")
				lifetime := fs.Duration("lifetime", time.Hour, "how long the token is valid")
				return func(ctx context.Context, _ []string) error {
					if *user == "" {
						return fmt.Errorf("%w: --user-id is required", errUsage)
					}
					if *lifetime <= 0 {
						return fmt.Errorf("%w: --lifetime must be positive", errUsage)
					}
					cl, err := cf.client(st)
					if err != nil {
						return err
					}
					tok, err := cl.UserToken(*user, *lifetime)
					if err != nil {
						return err
					}
					_, err = fmt.Fprintln(st.Out, tok)
					return err
				}
			},
		},
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
)

func filesCommands() []*command {
	return []*command{
		{
			Name: "files upload", Summary: "Upload a file and print its attachment token",
			Example: `talkjs files upload ./receipt.pdf
token=$(talkjs files upload ./receipt.pdf)   # then send it with the API, or use 'messages send --attachment-file'`,
			Args: []string{"PATH"},
			Setup: func(fs *pflag.FlagSet, st *stdio) runFunc {
				cf, out := addClientFlags(fs), addOutputFlags(fs)
				name := fs.String("filename", "", "file name to store (default: the base name of PATH)")
				return func(ctx context.Context, rest []string) error {
					cl, err := setup(st, cf, out)
					if err != nil {
						return err
					}
					f, err := os.Open(rest[0])
					if err != nil {
						return err
					}
					defer f.Close()
					if *name == "" {
						*name = filepath.Base(rest[0])
					}
					token, err := cl.Files.Upload(ctx, *name, f)
					if err != nil {
						return err
					}
					if out.json {
						return writeJSON(st.Out, map[string]string{"attachmentToken": token, "filename": *name})
					}
					_, err = fmt.Fprintln(st.Out, token)
					return err
				}
			},
		},
	}
}

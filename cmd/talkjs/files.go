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
				opts := &filesUploadOptions{apiIO: addAPIFlags(fs, st)}
				fs.StringVar(&opts.filename, "filename", "", "file name to store (default: the base name of PATH)")
				return func(ctx context.Context, args []string) error {
					opts.path = args[0]
					return runFilesUpload(ctx, opts)
				}
			},
		},
	}
}

type filesUploadOptions struct {
	apiIO
	path, filename string
}

func runFilesUpload(ctx context.Context, opts *filesUploadOptions) error {
	client, err := opts.client()
	if err != nil {
		return err
	}
	f, err := os.Open(opts.path)
	if err != nil {
		return err
	}
	defer f.Close()
	name := opts.filename
	if name == "" {
		name = filepath.Base(opts.path)
	}
	token, err := client.Files.Upload(ctx, name, f)
	if err != nil {
		return err
	}
	if opts.output.json {
		return writeJSON(opts.out, map[string]string{"attachmentToken": token, "filename": name})
	}
	_, err = fmt.Fprintln(opts.out, token)
	return err
}

package main

import (
	"encoding/json"
	"fmt"
	"iter"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// listFlag is a flag that may be repeated or given comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Type() string   { return "strings" }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// customFlag collects key=value pairs; "key=" with nothing after the "="
// removes the key.
type customFlag map[string]talkjs.Nullable[string]

func (c customFlag) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (c customFlag) Type() string { return "key=value" }

func (c customFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, not %q", v)
	}
	if val == "" {
		c[k] = talkjs.Null[string]()
	} else {
		c[k] = talkjs.Value(val)
	}
	return nil
}

func (c customFlag) input() talkjs.Nullable[talkjs.CustomInput] {
	if len(c) == 0 {
		return talkjs.Nullable[talkjs.CustomInput]{}
	}
	return talkjs.Value(talkjs.CustomInput(c))
}

// optString is a string flag that knows whether it was given, so that an
// update can tell "leave as is" from "clear" (an empty value).
type optString struct {
	set bool
	v   string
}

func (o *optString) String() string { return o.v }
func (o *optString) Type() string   { return "string" }
func (o *optString) Set(v string) error {
	o.set, o.v = true, v
	return nil
}

// nullable turns the flag into an update field: left out when not given,
// null when given empty.
func (o *optString) nullable() talkjs.Nullable[string] {
	switch {
	case !o.set:
		return talkjs.Nullable[string]{}
	case o.v == "":
		return talkjs.Null[string]()
	}
	return talkjs.Value(o.v)
}

// pageFlags select a page of a list, or every page.
type pageFlags struct {
	limit         int
	startingAfter string
	all           bool
}

func addPageFlags(fs *pflag.FlagSet) *pageFlags {
	p := &pageFlags{}
	fs.IntVar(&p.limit, "limit", 0, "page size, 1 to 100 (default: the server's, 10)")
	fs.StringVar(&p.startingAfter, "starting-after", "", "start after this id")
	fs.BoolVar(&p.all, "all", false, "walk every page")
	return p
}

func (p *pageFlags) options() (talkjs.ListOptions, error) {
	if p.limit < 0 || p.limit > 100 {
		return talkjs.ListOptions{}, fmt.Errorf("%w: --limit must be between 1 and 100, not %d", errUsage, p.limit)
	}
	return talkjs.ListOptions{Limit: p.limit, StartingAfter: p.startingAfter}, nil
}

// conversationListFlags order and filter a conversation list.
type conversationListFlags struct {
	page                *pageFlags
	orderBy, direction  string
	filter              string
	before, after, from int64
}

func addConversationListFlags(fs *pflag.FlagSet) *conversationListFlags {
	f := &conversationListFlags{page: addPageFlags(fs)}
	fs.StringVar(&f.orderBy, "order-by", "", "lastActivity (the default) or createdAt")
	fs.StringVar(&f.direction, "direction", "", "DESC (the default) or ASC")
	fs.StringVar(&f.filter, "filter", "", `filter as JSON, such as '{"custom":{"category":["==","shoes"]}}'`)
	fs.Int64Var(&f.before, "last-message-before", 0, "keep conversations whose last message is before this Unix time in ms")
	fs.Int64Var(&f.after, "last-message-after", 0, "keep conversations whose last message is after this Unix time in ms")
	fs.Int64Var(&f.from, "offset-ts", 0, "start after this Unix time in ms, in the list's order")
	return f
}

func (f *conversationListFlags) options() (talkjs.ConversationListOptions, error) {
	page, err := f.page.options()
	if err != nil {
		return talkjs.ConversationListOptions{}, err
	}
	o := talkjs.ConversationListOptions{
		ListOptions:       page,
		OffsetTs:          f.from,
		LastMessageBefore: f.before,
		LastMessageAfter:  f.after,
	}
	switch strings.ToLower(f.orderBy) {
	case "":
	case "lastactivity":
		o.OrderBy = talkjs.OrderByLastActivity
	case "createdat":
		o.OrderBy = talkjs.OrderByCreatedAt
	default:
		return o, fmt.Errorf("%w: --order-by must be lastActivity or createdAt, not %q", errUsage, f.orderBy)
	}
	switch strings.ToUpper(f.direction) {
	case "":
	case "DESC":
		o.OrderDirection = talkjs.Descending
	case "ASC":
		o.OrderDirection = talkjs.Ascending
	default:
		return o, fmt.Errorf("%w: --direction must be ASC or DESC, not %q", errUsage, f.direction)
	}
	if f.filter != "" {
		if !json.Valid([]byte(f.filter)) {
			return o, fmt.Errorf("%w: --filter is not valid JSON: %s", errUsage, f.filter)
		}
		o.Filter = talkjs.RawFilter(f.filter)
	}
	return o, nil
}

// collect gathers a list: every page when all is set, else one page.
func collect[T any](all bool, seq iter.Seq2[T, error], page func() ([]T, error)) ([]T, error) {
	if !all {
		items, err := page()
		if items == nil {
			items = []T{}
		}
		return items, err
	}
	items := []T{}
	for it, err := range seq {
		if err != nil {
			return items, err
		}
		items = append(items, it)
	}
	return items, nil
}

func parseAccess(s string) (talkjs.Access, error) {
	switch strings.ToLower(s) {
	case "":
		return "", nil
	case "readwrite":
		return talkjs.AccessReadWrite, nil
	case "read":
		return talkjs.AccessRead, nil
	case "none":
		return talkjs.AccessNone, nil
	}
	return "", fmt.Errorf("%w: --access must be ReadWrite, Read or None, not %q", errUsage, s)
}

func parseNotify(s string) (talkjs.Notify, error) {
	switch strings.ToLower(s) {
	case "":
		return talkjs.NotifyDefault, nil
	case "true", "on":
		return talkjs.NotifyOn, nil
	case "false", "off":
		return talkjs.NotifyOff, nil
	case "mentionsonly", "mentions":
		return talkjs.NotifyMentionsOnly, nil
	}
	return 0, fmt.Errorf("%w: --notify must be true, false or MentionsOnly, not %q", errUsage, s)
}

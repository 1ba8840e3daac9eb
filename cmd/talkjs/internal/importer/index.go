package importer

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/gotalkjs/talkjs-go/talkjs"
)

// msgRef is all the importer keeps of a valid message line between the
// first pass and the import of its conversation, which reads the line
// again: 32 bytes, whatever the message holds.
type msgRef struct {
	off  int64  // where the line (without surrounding white space) starts
	ts   int64  // the message's timestamp, the order of import
	n    uint32 // the line's length
	line uint32 // its line number
	conv uint32 // its conversation's index in input.msgConvs
}

// msgConv is a conversation that messages name.
type msgConv struct {
	id string
	// senders are the senders of its messages, in the order of the
	// input.
	senders []string
	// refs are its messages in the order of import: by timestamp, and
	// in the order of the input for equal timestamps.
	refs []msgRef
}

// indexer collects the message references during the first pass.
type indexer struct {
	in   *input
	refs []msgRef
	seen map[convSender]bool
}

type convSender struct {
	conv   int
	sender string
}

func newIndexer(in *input) *indexer {
	return &indexer{in: in, seen: map[convSender]bool{}}
}

// add indexes the valid message m, found on line n at offset off, size
// bytes long; it returns a problem when the line cannot be indexed.
func (ix *indexer) add(m *messageLine, n int, off int64, size int) string {
	if int64(size) > math.MaxUint32 || int64(n) > math.MaxUint32 || int64(len(ix.in.msgConvs)) >= math.MaxUint32 {
		return "the input is too large to import in one run: split it"
	}
	in := ix.in
	ci, ok := in.msgConvAt[m.ConversationID]
	if !ok {
		ci = len(in.msgConvs)
		in.msgConvAt[m.ConversationID] = ci
		in.msgConvs = append(in.msgConvs, &msgConv{id: m.ConversationID})
	}
	if k := (convSender{ci, m.Sender}); !ix.seen[k] {
		ix.seen[k] = true
		in.msgConvs[ci].senders = append(in.msgConvs[ci].senders, m.Sender)
	}
	ix.refs = append(ix.refs, msgRef{off: off, ts: int64(*m.Timestamp), n: uint32(size), line: uint32(n), conv: uint32(ci)})
	return ""
}

// finish sorts the references and hands each conversation its own.
func (ix *indexer) finish() error {
	refs := slices.Clip(ix.refs)
	slices.SortFunc(refs, func(a, b msgRef) int {
		return cmp.Or(cmp.Compare(a.conv, b.conv), cmp.Compare(a.ts, b.ts), cmp.Compare(a.line, b.line))
	})
	for len(refs) > 0 {
		c := refs[0].conv
		end := 1
		for end < len(refs) && refs[end].conv == c {
			end++
		}
		ix.in.msgConvs[c].refs = refs[:end:end]
		refs = refs[end:]
	}
	ix.refs, ix.seen = nil, nil
	return ix.in.src.firstPassDone()
}

// raw reads the line of ref again.
func (in *input) raw(ref msgRef) (string, error) {
	b, err := in.src.line(ref.off, ref.n)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// message reads the line of ref again and decodes it.
func (in *input) message(ref msgRef) (*message, error) {
	b, err := in.src.line(ref.off, ref.n)
	if err != nil {
		return nil, err
	}
	conv := in.msgConvs[ref.conv].id
	m, problem := parseMessage(b)
	if problem != "" || m.Kind != "message" || m.ConversationID != conv || int64(*m.Timestamp) != ref.ts {
		return nil, fmt.Errorf("line %d of the input changed while it was being imported; run again", ref.line)
	}
	return &message{line: int(ref.line), raw: string(b), conv: conv, msg: talkjs.ImportMessage{
		Type:      talkjs.UserMessageType,
		Sender:    m.Sender,
		Text:      m.Text,
		Timestamp: int64(*m.Timestamp),
		ReadBy:    m.ReadBy,
		Custom:    m.Custom,
	}}, nil
}

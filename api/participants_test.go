package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

func notifyOf(t *testing.T, p gen.Participant) string {
	t.Helper()
	return string(mustJSON(t, p.Notify))
}

func TestJoinOverwritesWithDefaults(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice")
	e.user("bob")
	var n gen.Notify
	_ = n.FromNotifyLevel(gen.NotifyLevelMentionsOnly)
	acc := gen.JoinAccessRead
	resp, err := e.c.JoinConversationWithResponse(ctx, "c1", "bob", nil, gen.ParticipationInput{Access: &acc, Notify: &n})
	check(t, resp, err, 200)
	p := (*e.getConv("c1").Participants)["bob"]
	if *p.Access != gen.AccessRead || notifyOf(t, p) != `"MentionsOnly"` || *p.JoinedAt != t0.UnixMilli() {
		t.Errorf("JoinConversation(c1, bob, Read, MentionsOnly) = access %s notify %s joinedAt %d, want Read, \"MentionsOnly\", %d", *p.Access, notifyOf(t, p), *p.JoinedAt, t0.UnixMilli())
	}
	// PUT again without fields: back to the defaults, joinedAt kept.
	e.clock.Advance(time.Hour)
	must(t, e.raw("PUT", "/conversations/c1/participants/bob", ""), 200)
	p = (*e.getConv("c1").Participants)["bob"]
	if *p.Access != gen.AccessReadWrite || notifyOf(t, p) != "true" || *p.JoinedAt != t0.UnixMilli() {
		t.Errorf("PUT …/participants/bob without body = access %s notify %s joinedAt %d, want ReadWrite, true, %d (kept)", *p.Access, notifyOf(t, p), *p.JoinedAt, t0.UnixMilli())
	}
	// Missing conversation or user: 404.
	must(t, e.raw("PUT", "/conversations/ghost/participants/bob", ""), 404)
	must(t, e.raw("PUT", "/conversations/c1/participants/ghost", `{}`), 404)
	// A user listed by a later conversation PUT keeps the overwritten state.
	must(t, e.raw("PUT", "/conversations/c1/participants/bob", `{"notify":false}`), 200)
	must(t, e.raw("PUT", "/conversations/c1", `{"participants":["bob"]}`), 200)
	if p := (*e.getConv("c1").Participants)["bob"]; notifyOf(t, p) != "false" {
		t.Errorf("bob's notify after the conversation PUT lists him = %s, want false (kept)", notifyOf(t, p))
	}
}

func TestUpdateParticipantChangesOnlySentFields(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	must(t, e.raw("PATCH", "/conversations/c1/participants/bob", `{"notify":"MentionsOnly"}`), 200)
	none := gen.AccessNone
	ok200(t)(e.c.UpdateParticipantWithResponse(ctx, "c1", "bob", nil, gen.ParticipationUpdate{Access: &none}))
	p := (*e.getConv("c1").Participants)["bob"]
	if *p.Access != gen.AccessNone || notifyOf(t, p) != `"MentionsOnly"` {
		t.Errorf("after PATCH notify MentionsOnly, then access None: access %s notify %s, want None, \"MentionsOnly\"", *p.Access, notifyOf(t, p))
	}
	must(t, e.raw("PATCH", "/conversations/c1/participants/carol", `{"access":"Read"}`), 404)
	must(t, e.raw("PATCH", "/conversations/ghost/participants/bob", `{"access":"Read"}`), 404)
}

func TestLeaveConversation(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	resp, err := e.c.LeaveConversationWithResponse(ctx, "c1", "bob", nil)
	check(t, resp, err, 200)
	if _, in := (*e.getConv("c1").Participants)["bob"]; in {
		t.Error("c1's participants after LeaveConversation(c1, bob) include bob, want him gone")
	}
	if _, ok := e.srv.User("bob"); !ok {
		t.Error("User(bob) after leaving = not found, want the user kept")
	}
	// Participation calls are idempotent (TalkJS's Participation reference).
	resp, err = e.c.LeaveConversationWithResponse(ctx, "c1", "bob", nil)
	check(t, resp, err, 200)
	// A user who left cannot send.
	r := must(t, e.raw("POST", "/conversations/c1/messages", `[{"type":"UserMessage","sender":"bob","text":"hi"}]`), 400)
	if msg := r.message(t); !strings.Contains(msg, "not a participant") {
		t.Errorf("send as bob after he left: message = %q, want it to say not a participant", msg)
	}
}

func TestParticipantEmail(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	resp, err := e.c.GetParticipantEmailWithResponse(ctx, "c1", "alice", nil)
	check(t, resp, err, 200)
	a := *resp.JSON200.EmailAddress
	resp, err = e.c.GetParticipantEmailWithResponse(ctx, "c1", "bob", nil)
	check(t, resp, err, 200)
	if b := *resp.JSON200.EmailAddress; a == b || !strings.Contains(a, "@") {
		t.Errorf("GetParticipantEmail alice, bob = %q, %q; want two different addresses", a, b)
	}
	again, err := e.c.GetParticipantEmailWithResponse(ctx, "c1", "alice", nil)
	check(t, again, err, 200)
	if *again.JSON200.EmailAddress != a {
		t.Errorf("GetParticipantEmail(c1, alice) again = %q, want %q (stable)", *again.JSON200.EmailAddress, a)
	}
	resp, err = e.c.GetParticipantEmailWithResponse(ctx, "c1", "carol", nil)
	check(t, resp, err, 404)
}

func TestReadStateMovesWithMarkReadAndUnread(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob", "carol")
	ids := e.send("c1", userMsg("alice", "one"))
	e.clock.Advance(time.Second)
	ids = append(ids, e.send("c1", userMsg("alice", "two"))...)
	e.clock.Advance(time.Second)
	ids = append(ids, e.send("c1", systemMsg("three"))...)
	unread := func(user string) (bool, int) {
		t.Helper()
		r := must(t, e.raw("GET", "/users/"+user+"/conversations", ""), 200)
		var l gen.UserConversationList
		r.json(t, &l)
		uc := (*l.Data)[0]
		return *uc.IsUnread, *uc.UnreadMessageCount
	}
	if u, n := unread("bob"); !u || n != 3 {
		t.Errorf("bob's c1: isUnread %v unreadMessageCount %d, want true, 3", u, n)
	}
	// The sender has read up to their own message; the system message is new.
	if u, n := unread("alice"); !u || n != 1 {
		t.Errorf("alice's c1: isUnread %v unreadMessageCount %d, want true, 1 (the system message)", u, n)
	}
	// Mark read: everything read, every message lists bob.
	ok200(t)(e.c.MarkConversationReadByUserWithResponse(ctx, "c1", "bob", nil))
	if u, n := unread("bob"); u || n != 0 {
		t.Errorf("bob's c1 after MarkConversationReadByUser: isUnread %v unreadMessageCount %d, want false, 0", u, n)
	}
	for _, id := range ids {
		if rb := *e.getMsg("c1", id).ReadBy; !contains(rb, "bob") || contains(rb, "carol") {
			t.Errorf("message %s readBy = %v, want bob and not carol", id, rb)
		}
	}
	// Mark unread: move the marker back to the first message.
	var ru gen.ReadUntil
	_ = ru.FromReadUntil0(t0.UnixMilli())
	ok200(t)(e.c.MarkConversationReadWithResponse(ctx, "bob", "c1", nil, gen.ReadMarkerInput{ReadUntil: ru}))
	if u, n := unread("bob"); !u || n != 2 {
		t.Errorf("bob's c1 after readUntil %d: isUnread %v unreadMessageCount %d, want true, 2", t0.UnixMilli(), u, n)
	}
	if rb := *e.getMsg("c1", ids[0]).ReadBy; !contains(rb, "bob") {
		t.Errorf("first message readBy after readUntil its time = %v, want bob in it", rb)
	}
	if rb := *e.getMsg("c1", ids[1]).ReadBy; contains(rb, "bob") {
		t.Errorf("second message readBy after readUntil the first = %v, want bob not in it", rb)
	}
	p := (*e.getConv("c1").Participants)["bob"]
	if p.ReadUntil.MustGet() != t0.UnixMilli() || !*p.IsUnread {
		t.Errorf("bob in c1 = readUntil %v isUnread %v, want %d, true", p.ReadUntil, *p.IsUnread, t0.UnixMilli())
	}
	// "sent" reads everything again.
	_ = ru.FromReadUntilSent(gen.ReadUntilSentSent)
	ok200(t)(e.c.MarkConversationReadWithResponse(ctx, "bob", "c1", nil, gen.ReadMarkerInput{ReadUntil: ru}))
	if u, n := unread("bob"); u || n != 0 {
		t.Errorf("bob's c1 after readUntil sent: isUnread %v unreadMessageCount %d, want false, 0", u, n)
	}
	// A message after the marker is unread again, even in the same millisecond.
	e.send("c1", userMsg("alice", "four"))
	if u, n := unread("bob"); !u || n != 1 {
		t.Errorf("bob's c1 after a new message: isUnread %v unreadMessageCount %d, want true, 1", u, n)
	}
	// Not a participant, or no conversation: 404.
	must(t, e.raw("POST", "/conversations/c1/readBy/dave", ""), 404)
	must(t, e.raw("PATCH", "/users/bob/conversations/ghost", `{"readUntil":"sent"}`), 404)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ok200 checks that a generated call answered 200: ok200(t)(e.c.Call(…)).
func ok200(t testing.TB) func(statusCoder, error) {
	return func(r statusCoder, err error) {
		t.Helper()
		check(t, r, err, 200)
	}
}

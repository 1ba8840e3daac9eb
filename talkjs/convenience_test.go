package talkjs

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestTimeHelpers(t *testing.T) {
	t.Parallel()
	const ms = 1700000000123
	at := time.UnixMilli(ms)
	cases := []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"User.CreatedTime", (&User{CreatedAt: ms}).CreatedTime(), at},
		{"Conversation.CreatedTime", (&Conversation{CreatedAt: ms}).CreatedTime(), at},
		{"Conversation.EveryoneReadUntilTime", (&Conversation{EveryoneReadUntil: ms}).EveryoneReadUntilTime(), at},
		{"UserConversation.ReadUntilTime", (&UserConversation{ReadUntil: ms}).ReadUntilTime(), at},
		{"UserConversation.CreatedTime", (&UserConversation{Conversation: Conversation{CreatedAt: ms}}).CreatedTime(), at},
		{"Message.CreatedTime", (&Message{CreatedAt: ms}).CreatedTime(), at},
		{"Message.EditedTime", (&Message{EditedAt: ms}).EditedTime(), at},
		{"Message.EditedTime never edited", (&Message{}).EditedTime(), time.Time{}},
		{"Participant.JoinedTime", (&Participant{JoinedAt: ms}).JoinedTime(), at},
		{"Participant.ReadUntilTime", (&Participant{ReadUntil: ms}).ReadUntilTime(), at},
		{"Participant.ReadUntilTime nothing read", (&Participant{}).ReadUntilTime(), time.Time{}},
		{"Presence.LastChangedTime", (&Presence{LastChanged: ms}).LastChangedTime(), at},
		{"Time", Time(ms), at},
	}
	for _, tc := range cases {
		if !tc.got.Equal(tc.want) || tc.got.IsZero() != tc.want.IsZero() {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := Millis(at); got != ms {
		t.Errorf("Millis(%v) = %d, want %d", at, got, ms)
	}
}

// A user's conversations used to need a three-level literal to carry a
// filter: UserConversationListOptions{ConversationListOptions:
// ConversationListOptions{Filter: …}}.
func TestUserConversationFilterInOneLiteral(t *testing.T) {
	t.Parallel()
	c, ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, op string) {
		writeJSON(w, http.StatusOK, `{"data":[]}`)
	})
	const f = `{"subject":["==","Support"]}`
	opts := &UserConversationListOptions{Filter: RawFilter(f), UnreadsOnly: true, OrderBy: OrderByCreatedAt}
	if _, err := c.Users.Conversations(t.Context(), "alice", opts); err != nil {
		t.Fatalf("Users.Conversations(alice, %+v) = %v, want nil", *opts, err)
	}
	q, _ := url.ParseQuery(ts.requests()[0].Query)
	want := url.Values{"filter": {f}, "unreadsOnly": {"true"}, "orderBy": {"createdAt"}}
	for k, v := range want {
		if q.Get(k) != v[0] {
			t.Errorf("query %s = %q, want %q (whole query %s)", k, q.Get(k), v[0], ts.requests()[0].Query)
		}
	}
}

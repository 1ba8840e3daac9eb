package api_test

import (
	"net/http"
	"reflect"
	"testing"
)

// GET and PUT /v1/{appId} (TalkJS's getting-started authentication example
// calls the GET), with and without the trailing slash.
func TestApp(t *testing.T) {
	e := newEnv(t)
	var app struct {
		ID            string
		Custom        map[string]string
		DefaultLocale *string
	}
	hdr := map[string]string{"Authorization": "Bearer " + testSecret}
	must(t, e.rawWith(http.MethodGet, "/v1/"+testApp, "", hdr), 200).json(t, &app)
	if app.ID != testApp || len(app.Custom) != 0 || app.DefaultLocale != nil {
		t.Errorf("GET /v1/%s = %+v, want id %s, no custom, no defaultLocale", testApp, app, testApp)
	}
	must(t, e.raw(http.MethodPut, "/", `{"custom":{"tier":"gold","x":"y"},"defaultLocale":"nl-NL"}`), 200)
	must(t, e.rawWith(http.MethodPut, "/v1/"+testApp, `{"custom":{"x":null}}`, hdr), 200)
	must(t, e.raw(http.MethodGet, "/", ""), 200).json(t, &app)
	if !reflect.DeepEqual(app.Custom, map[string]string{"tier": "gold"}) || app.DefaultLocale == nil || *app.DefaultLocale != "nl-NL" {
		t.Errorf("GET / after the PUTs = %+v, want custom {tier: gold}, defaultLocale nl-NL", app)
	}
	must(t, e.raw(http.MethodPut, "/", `{"defaultLocale":null}`), 200)
	must(t, e.raw(http.MethodHead, "/", ""), 200)
	must(t, e.rawWith(http.MethodGet, "/v1/other_app", "", hdr), 404)
}

// POST /conversations/{id}/notifications (TalkJS's REST reference,
// Notifications) is recorded and answered {}.
func TestNotifications(t *testing.T) {
	e := newEnv(t)
	e.conv("c1", "alice", "bob")
	must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":["email"]}`), 200)
	must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":["sms","email"],"recipients":["bob"],"smsSettings":{"x":1}}`), 200)
	n := e.srv.Notifications("c1")
	if len(n) != 2 || !reflect.DeepEqual(n[0].Recipients, []string{"alice", "bob"}) || !reflect.DeepEqual(n[1].Channels, []string{"sms", "email"}) ||
		!reflect.DeepEqual(n[1].Recipients, []string{"bob"}) {
		t.Errorf("Notifications(c1) = %+v, want [email to alice and bob, sms+email to bob]", n)
	}
	r := must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":["email"],"recipients":["carol"]}`), 400)
	r.message(t)
	must(t, e.raw("POST", "/conversations/ghost/notifications", `{"channels":["email"]}`), 404)
	e.allowViolations = true
	must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":[]}`), 400)
	must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":["pigeon"]}`), 400)
}

// The legacy GET /users/{id}/sessions lists a user's live sessions. The
// server derives them from the stored presence, as POST /presences does: one
// session, not typing and showing no conversation, while the user is online
// (visible or in the background); none before a presence is stored, and none
// while it is offline, however visible.
func TestUserSessions(t *testing.T) {
	tests := []struct {
		name      string
		presences []string // bodies of PUT /users/{id}/presence, in order
		want      int      // sessions listed afterwards
	}{
		{name: "no presence stored", want: 0},
		{name: "online and visible", presences: []string{`{"visible":true,"availability":"online"}`}, want: 1},
		{name: "online in the background", presences: []string{`{"visible":false,"availability":"online"}`}, want: 1},
		{name: "offline and visible", presences: []string{`{"visible":true,"availability":"offline"}`}, want: 0},
		{name: "visible, availability left at its default", presences: []string{`{"visible":true}`}, want: 0},
		{name: "online, then offline", presences: []string{`{"visible":true,"availability":"online"}`, `{"availability":"offline"}`}, want: 0},
		{name: "offline, then online again", presences: []string{`{"availability":"offline"}`, `{"availability":"online"}`}, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.user("alice")
			for _, body := range tc.presences {
				must(t, e.raw("PUT", "/users/alice/presence", body), 200)
			}
			var sessions []map[string]any
			must(t, e.raw("GET", "/users/alice/sessions", ""), 200).json(t, &sessions)
			if len(sessions) != tc.want {
				t.Fatalf("GET /users/alice/sessions after PUT presence %v = %v, want %d session(s)", tc.presences, sessions, tc.want)
			}
			for _, s := range sessions {
				if want := map[string]any{"isTyping": false, "currentConversationId": nil}; !reflect.DeepEqual(s, want) {
					t.Errorf("GET /users/alice/sessions session = %v, want %v", s, want)
				}
			}
			// POST /presences, the documented form, agrees: the user is
			// listed exactly when it has a session.
			var list struct{ Data map[string]any }
			must(t, e.raw("POST", "/presences", `{"includeBackgroundSessions":true}`), 200).json(t, &list)
			if _, listed := list.Data["alice"]; listed != (tc.want > 0) {
				t.Errorf("POST /presences lists alice = %v, want %v (as GET …/sessions has %d)", listed, tc.want > 0, tc.want)
			}
		})
	}
	t.Run("missing user", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		must(t, e.raw("GET", "/users/ghost/sessions", ""), 404)
	})
}

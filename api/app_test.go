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
		t.Errorf("app %+v", app)
	}
	must(t, e.raw(http.MethodPut, "/", `{"custom":{"tier":"gold","x":"y"},"defaultLocale":"nl-NL"}`), 200)
	must(t, e.rawWith(http.MethodPut, "/v1/"+testApp, `{"custom":{"x":null}}`, hdr), 200)
	must(t, e.raw(http.MethodGet, "/", ""), 200).json(t, &app)
	if !reflect.DeepEqual(app.Custom, map[string]string{"tier": "gold"}) || app.DefaultLocale == nil || *app.DefaultLocale != "nl-NL" {
		t.Errorf("app after update %+v", app)
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
		t.Errorf("notifications %+v", n)
	}
	r := must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":["email"],"recipients":["carol"]}`), 400)
	r.message(t)
	must(t, e.raw("POST", "/conversations/ghost/notifications", `{"channels":["email"]}`), 404)
	e.allowViolations = true
	must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":[]}`), 400)
	must(t, e.raw("POST", "/conversations/c1/notifications", `{"channels":["pigeon"]}`), 400)
}

// The legacy GET /users/{id}/sessions.
func TestUserSessions(t *testing.T) {
	e := newEnv(t)
	e.user("alice")
	var sessions []map[string]any
	must(t, e.raw("GET", "/users/alice/sessions", ""), 200).json(t, &sessions)
	if len(sessions) != 0 {
		t.Errorf("sessions %v", sessions)
	}
	must(t, e.raw("PUT", "/users/alice/presence", `{"visible":true,"availability":"online"}`), 200)
	must(t, e.raw("GET", "/users/alice/sessions", ""), 200).json(t, &sessions)
	if len(sessions) != 1 || sessions[0]["isTyping"] != false || sessions[0]["currentConversationId"] != nil {
		t.Errorf("sessions %v", sessions)
	}
	must(t, e.raw("GET", "/users/ghost/sessions", ""), 404)
}

package talkjstest_test

import (
	"testing"

	"github.com/gotalkjs/talkjs-go/talkjs"
	"github.com/gotalkjs/talkjs-go/talkjs/talkjstest"
)

// The app, notifications and sessions, end to end against the server.
func TestAppNotifySessions(t *testing.T) {
	t.Parallel()
	srv := talkjstest.NewServer(t)
	c, ctx := srv.Client, t.Context()
	if err := c.App.Update(ctx, talkjs.AppInput{Custom: talkjs.Custom(map[string]string{"tier": "gold"}), DefaultLocale: talkjs.Value("nl-NL")}); err != nil {
		t.Fatal(err)
	}
	app, err := c.App.Get(ctx)
	if err != nil || app.ID != srv.AppID || app.Custom["tier"] != "gold" || app.DefaultLocale != "nl-NL" {
		t.Fatalf("App.Get() = %+v, %v; want app %s with custom tier gold and locale nl-NL", app, err, srv.AppID)
	}
	if err := c.Users.Upsert(ctx, "a", talkjs.UserInput{Name: "A"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Conversations.Upsert(ctx, "c", talkjs.ConversationInput{Participants: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Conversations.Notify(ctx, "c", talkjs.Notification{Channels: []talkjs.NotificationChannel{talkjs.EmailChannel}}); err != nil {
		t.Fatal(err)
	}
	if n := srv.API.Notifications("c"); len(n) != 1 || n[0].Recipients[0] != "a" {
		t.Errorf("API.Notifications(c) = %+v, want one, to a", n)
	}
	//lint:ignore SA1019 the legacy endpoint is what is tested (staticcheck reads lint:ignore, not nolint)
	sessions, err := c.Users.Sessions(ctx, "a")
	if err != nil || len(sessions) != 0 {
		t.Errorf("Users.Sessions(a) = %+v, %v; want none, nil (a is offline)", sessions, err)
	}
}

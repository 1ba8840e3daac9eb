package main

import (
	"strings"
	"testing"
)

func TestAppNotifySessionsCommands(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "app", "update", "--custom", "tier=gold", "--default-locale", "nl-NL")
	if r.code != 0 || !strings.Contains(r.out, "custom.tier") || !strings.Contains(r.out, "nl-NL") {
		t.Fatalf("app update: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = e.run("", "app", "get", "--json")
	if r.code != 0 || !strings.Contains(r.out, `"tier": "gold"`) && !strings.Contains(r.out, `"tier":"gold"`) {
		t.Fatalf("app get: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := e.run("", "users", "upsert", "bob", "--name", "Bob"); r.code != 0 {
		t.Fatal(r.err)
	}
	if r := e.run("", "conversations", "upsert", "c1", "--participant", "bob"); r.code != 0 {
		t.Fatal(r.err)
	}
	r = e.run("", "conversations", "notify", "c1", "--channel", "email,sms", "--recipient", "bob")
	if r.code != 0 {
		t.Fatalf("notify: exit %d %s", r.code, r.err)
	}
	if n := e.srv.Notifications("c1"); len(n) != 1 || len(n[0].Channels) != 2 {
		t.Errorf("notifications %+v", n)
	}
	if r := e.run("", "conversations", "notify", "c1"); r.code != 2 || !strings.Contains(r.err, "--channel") {
		t.Errorf("notify without channel: exit %d %s", r.code, r.err)
	}
	r = e.run("", "users", "sessions", "bob")
	if r.code != 0 || !strings.Contains(r.out, "SESSION") {
		t.Errorf("sessions: exit %d\n%s%s", r.code, r.out, r.err)
	}
}

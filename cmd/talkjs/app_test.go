package main

import (
	"strings"
	"testing"
)

func TestAppNotifySessionsCommands(t *testing.T) {
	e := newEnv(t)
	args := []string{"app", "update", "--custom", "tier=gold", "--default-locale", "nl-NL"}
	r := e.run("", args...)
	if r.code != 0 || !strings.Contains(r.out, "custom.tier") || !strings.Contains(r.out, "nl-NL") {
		t.Fatalf("%s = exit %d, want 0 with custom.tier and nl-NL on stdout\n%s", commandLine(args...), r.code, r.streams())
	}
	args = []string{"app", "get", "--json"}
	r = e.run("", args...)
	if r.code != 0 || !strings.Contains(r.out, `"tier": "gold"`) && !strings.Contains(r.out, `"tier":"gold"`) {
		t.Fatalf(`%s = exit %d, want 0 with "tier": "gold" on stdout`+"\n%s", commandLine(args...), r.code, r.streams())
	}
	if r := e.run("", "users", "upsert", "bob", "--name", "Bob"); r.code != 0 {
		t.Fatal(r.err)
	}
	if r := e.run("", "conversations", "upsert", "c1", "--participant", "bob"); r.code != 0 {
		t.Fatal(r.err)
	}
	args = []string{"conversations", "notify", "c1", "--channel", "email,sms", "--recipient", "bob"}
	r = e.run("", args...)
	if r.code != 0 {
		t.Fatalf("%s = exit %d, want 0\n%s", commandLine(args...), r.code, r.streams())
	}
	if n := e.srv.Notifications("c1"); len(n) != 1 || len(n[0].Channels) != 2 {
		t.Errorf("after %s, server's Notifications(c1) = %+v, want one with 2 channels", commandLine(args...), n)
	}
	args = []string{"conversations", "notify", "c1"}
	if r := e.run("", args...); r.code != 2 || !strings.Contains(r.err, "--channel") {
		t.Errorf("%s = exit %d, want 2 with --channel on stderr\n%s", commandLine(args...), r.code, r.streams())
	}
	args = []string{"users", "sessions", "bob"}
	r = e.run("", args...)
	if r.code != 0 || !strings.Contains(r.out, "SESSION") {
		t.Errorf("%s = exit %d, want 0 with a SESSION column on stdout\n%s", commandLine(args...), r.code, r.streams())
	}
}

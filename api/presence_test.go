//lint:file-ignore SA1019 this file covers the deprecated presence operations on purpose

package api_test

import (
	"sort"
	"testing"

	"github.com/gotalkjs/talkjs-go/gen"
	"github.com/oapi-codegen/nullable"
)

func TestPresence(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"on", "bg", "off", "never"} {
		e.user(u)
	}
	online, offline := gen.AvailabilityOnline, gen.AvailabilityOffline
	ok200(t)(e.c.SetUserPresenceWithResponse(ctx, "on", nil, gen.Presence{Visible: ptr(true), Availability: &online}))
	ok200(t)(e.c.SetUserPresenceWithResponse(ctx, "bg", nil, gen.Presence{Visible: ptr(false), Availability: &online}))
	ok200(t)(e.c.SetUserPresenceWithResponse(ctx, "off", nil, gen.Presence{Visible: ptr(true), Availability: &offline, LastChanged: ptr(int64(5))}))
	g, err := e.c.GetUserPresenceWithResponse(ctx, "on", nil)
	check(t, g, err, 200)
	if p := g.JSON200; !*p.Visible || *p.Availability != online || *p.LastChanged != t0.UnixMilli() {
		t.Errorf("on: %+v", p)
	}
	g, err = e.c.GetUserPresenceWithResponse(ctx, "off", nil)
	check(t, g, err, 200)
	if *g.JSON200.LastChanged != 5 {
		t.Errorf("lastChanged %d", *g.JSON200.LastChanged)
	}
	g, err = e.c.GetUserPresenceWithResponse(ctx, "never", nil)
	check(t, g, err, 200)
	if *g.JSON200.Visible || *g.JSON200.Availability != offline {
		t.Errorf("never: %+v", g.JSON200)
	}
	g, err = e.c.GetUserPresenceWithResponse(ctx, "ghost", nil)
	check(t, g, err, 404)
	s, err := e.c.SetUserPresenceWithResponse(ctx, "ghost", nil, gen.Presence{})
	check(t, s, err, 404)

	list := func(q gen.PresenceQuery) []string {
		t.Helper()
		resp, err := e.c.ListPresencesWithResponse(ctx, nil, q)
		check(t, resp, err, 200)
		var ids []string
		for id, up := range *resp.JSON200.Data {
			if *up.Status != "online" {
				t.Errorf("%s status %s", id, *up.Status)
			}
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return ids
	}
	if got := list(gen.PresenceQuery{}); !eq(got, "on") {
		t.Errorf("default: %v", got)
	}
	if got := list(gen.PresenceQuery{IncludeBackgroundSessions: ptr(true)}); !eq(got, "bg", "on") {
		t.Errorf("with background: %v", got)
	}
	if got := list(gen.PresenceQuery{IncludeBackgroundSessions: ptr(true), UserIds: &[]string{"bg", "off", "ghost"}}); !eq(got, "bg") {
		t.Errorf("userIds: %v", got)
	}
	if got := list(gen.PresenceQuery{IncludeBackgroundSessions: ptr(true), HasFocus: ptr(false)}); !eq(got, "bg") {
		t.Errorf("hasFocus false: %v", got)
	}
	if got := list(gen.PresenceQuery{IsTyping: ptr(true)}); len(got) != 0 {
		t.Errorf("typing: %v", got)
	}
	if got := list(gen.PresenceQuery{SelectedConversationId: nullable.NewNullNullable[string]()}); !eq(got, "on") {
		t.Errorf("selected null: %v", got)
	}
	if got := list(gen.PresenceQuery{SelectedConversationId: nullable.NewNullableWithValue("c1")}); len(got) != 0 {
		t.Errorf("selected c1: %v", got)
	}
	// No body at all.
	must(t, e.raw("POST", "/presences", ""), 200)
}

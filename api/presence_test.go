//lint:file-ignore SA1019 this file covers the deprecated presence operations on purpose

package api_test

import (
	"encoding/json"
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
		t.Errorf("GetUserPresence(on) = %+v, want visible, online, changed at %d", p, t0.UnixMilli())
	}
	g, err = e.c.GetUserPresenceWithResponse(ctx, "off", nil)
	check(t, g, err, 200)
	if *g.JSON200.LastChanged != 5 {
		t.Errorf("GetUserPresence(off).LastChanged = %d, want 5 (as set)", *g.JSON200.LastChanged)
	}
	g, err = e.c.GetUserPresenceWithResponse(ctx, "never", nil)
	check(t, g, err, 200)
	if *g.JSON200.Visible || *g.JSON200.Availability != offline {
		t.Errorf("GetUserPresence(never) = %+v, want not visible, offline", g.JSON200)
	}
	g, err = e.c.GetUserPresenceWithResponse(ctx, "ghost", nil)
	check(t, g, err, 404)
	s, err := e.c.SetUserPresenceWithResponse(ctx, "ghost", nil, gen.Presence{})
	check(t, s, err, 404)

	list := func(t *testing.T, q gen.PresenceQuery) []string {
		t.Helper()
		resp, err := e.c.ListPresencesWithResponse(ctx, nil, q)
		check(t, resp, err, 200)
		var ids []string
		for id, up := range *resp.JSON200.Data {
			if *up.Status != "online" {
				t.Errorf("ListPresences(%s)[%s].Status = %q, want online", jsonText(q), id, *up.Status)
			}
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return ids
	}
	for _, c := range []struct {
		name string
		q    gen.PresenceQuery
		want []string
	}{
		{"default", gen.PresenceQuery{}, []string{"on"}},
		{"with background", gen.PresenceQuery{IncludeBackgroundSessions: ptr(true)}, []string{"bg", "on"}},
		{"userIds", gen.PresenceQuery{IncludeBackgroundSessions: ptr(true), UserIds: &[]string{"bg", "off", "ghost"}}, []string{"bg"}},
		{"hasFocus false", gen.PresenceQuery{IncludeBackgroundSessions: ptr(true), HasFocus: ptr(false)}, []string{"bg"}},
		{"typing", gen.PresenceQuery{IsTyping: ptr(true)}, nil},
		{"selected null", gen.PresenceQuery{SelectedConversationId: nullable.NewNullNullable[string]()}, []string{"on"}},
		{"selected c1", gen.PresenceQuery{SelectedConversationId: nullable.NewNullableWithValue("c1")}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := list(t, c.q); !eq(got, c.want...) {
				t.Errorf("ListPresences(%s) = %v, want %v", jsonText(c.q), got, c.want)
			}
		})
	}
	// No body at all.
	must(t, e.raw("POST", "/presences", ""), 200)
}

// jsonText is v as JSON, for failure messages.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

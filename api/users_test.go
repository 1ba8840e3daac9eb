package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

func TestUserUpsertMergesOnlySentFields(t *testing.T) {
	e := newEnv(t)
	must(t, e.raw("PUT", "/users/alice", `{"name":"Alice","email":["a@x.test"],"role":"buyer","photoUrl":"https://p/a.png","custom":{"a":"1","b":"2"},"pushTokens":{"fcm:t1":true,"apns:t2":true}}`), 200)
	r := must(t, e.raw("GET", "/users/alice", ""), 200)
	var u gen.User
	r.json(t, &u)
	if *u.Name != "Alice" || u.Email.MustGet()[0] != "a@x.test" || u.Role.MustGet() != "buyer" || (*u.Custom)["b"] != "2" || *u.CreatedAt != t0.UnixMilli() {
		t.Fatalf("created user %s", r.body)
	}
	e.clock.Advance(time.Hour)
	// Only the fields sent change; null clears; a custom key or push token set to null goes.
	must(t, e.raw("PUT", "/users/alice", `{"role":null,"custom":{"a":null,"c":"3"},"pushTokens":{"fcm:t1":null},"locale":"nl-NL"}`), 200)
	u, _ = e.srv.User("alice")
	if *u.Name != "Alice" || u.Email.MustGet()[0] != "a@x.test" || u.PhotoUrl.MustGet() != "https://p/a.png" {
		t.Errorf("fields not sent changed: %+v", u)
	}
	if !u.Role.IsNull() || u.Locale.MustGet() != "nl-NL" {
		t.Errorf("role %v locale %v", u.Role, u.Locale)
	}
	if c := *u.Custom; len(c) != 2 || c["b"] != "2" || c["c"] != "3" {
		t.Errorf("custom %v", c)
	}
	if pt := u.PushTokens.MustGet(); len(pt) != 1 || !pt["apns:t2"] {
		t.Errorf("push tokens %v", pt)
	}
	if *u.CreatedAt != t0.UnixMilli() {
		t.Error("createdAt moved on update")
	}
	// null for the whole of custom and pushTokens clears them.
	must(t, e.raw("PUT", "/users/alice", `{"custom":null,"pushTokens":null,"email":null}`), 200)
	u, _ = e.srv.User("alice")
	if len(*u.Custom) != 0 || !u.PushTokens.IsNull() || !u.Email.IsNull() {
		t.Errorf("not cleared: custom %v push %v email %v", *u.Custom, u.PushTokens, u.Email)
	}
}

func TestUserCreationNeedsName(t *testing.T) {
	e := newEnv(t)
	r := must(t, e.raw("PUT", "/users/bob", `{"email":["b@x.test"]}`), 400)
	if !strings.Contains(r.message(t), "name is required") {
		t.Errorf("message %s", r.body)
	}
	if _, ok := e.srv.User("bob"); ok {
		t.Error("user created without a name")
	}
	e.user("bob")
	must(t, e.raw("PUT", "/users/bob", `{"email":["b@x.test"]}`), 200) // updating needs no name
}

func TestGetUnknownUserIs404(t *testing.T) {
	e := newEnv(t)
	resp, err := e.c.GetUserWithResponse(ctx, "ghost", nil)
	check(t, resp, err, 404)
}

func TestBatchUserUpsertIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.user("existing")
	resp, err := e.c.BatchUpdateUsersWithResponse(ctx, nil, gen.BatchUserInput{
		"new1":     {Name: ptr("New 1")},
		"existing": {Role: nullableOf("admin")},
		"noname":   {Locale: nullableOf("en")},
		"noname2":  {},
	})
	check(t, resp, err, 400)
	r := reply{status: 400, body: resp.Body}
	var body struct {
		Errors map[string]string `json:"errors"`
	}
	r.json(t, &body)
	if len(body.Errors) != 2 || body.Errors["noname"] == "" || body.Errors["noname2"] == "" {
		t.Errorf("errors %v", body.Errors)
	}
	if _, ok := e.srv.User("new1"); ok {
		t.Error("a valid entry of a rejected batch was stored")
	}
	if u, _ := e.srv.User("existing"); !u.Role.IsNull() {
		t.Error("an existing user of a rejected batch was changed")
	}
	resp, err = e.c.BatchUpdateUsersWithResponse(ctx, nil, gen.BatchUserInput{
		"new1": {Name: ptr("New 1")}, "existing": {Role: nullableOf("admin")},
	})
	check(t, resp, err, 200)
	if u, _ := e.srv.User("existing"); u.Role.MustGet() != "admin" {
		t.Error("batch did not update")
	}
	if _, ok := e.srv.User("new1"); !ok {
		t.Error("batch did not create")
	}
}

func TestBatchUserUpsertOver100Is400(t *testing.T) {
	e := newEnv(t)
	e.allowViolations = true
	in := gen.BatchUserInput{}
	for i := 0; i < 101; i++ {
		in[fmt.Sprintf("u%d", i)] = gen.UserInput{Name: ptr("x")}
	}
	resp, err := e.c.BatchUpdateUsersWithResponse(ctx, nil, in)
	check(t, resp, err, 400)
	if n := e.srv.Counts().Users; n != 0 {
		t.Errorf("%d users stored", n)
	}
}

func TestListUsersPages(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 25; i++ {
		e.user(fmt.Sprintf("u%02d", i))
	}
	var got []string
	var after *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not stop")
		}
		resp, err := e.c.ListUsersWithResponse(ctx, &gen.ListUsersParams{Limit: ptr(10), StartingAfter: after})
		check(t, resp, err, 200)
		data := *resp.JSON200.Data
		for _, u := range data {
			got = append(got, *u.Id)
		}
		if len(data) < 10 {
			break
		}
		after = data[len(data)-1].Id
	}
	if len(got) != 25 || got[0] != "u24" || got[24] != "u00" {
		t.Errorf("listed %v", got)
	}
	// Default limit 10.
	resp, err := e.c.ListUsersWithResponse(ctx, nil)
	check(t, resp, err, 200)
	if n := len(*resp.JSON200.Data); n != 10 {
		t.Errorf("default page has %d users", n)
	}
	// Unknown cursor.
	resp, err = e.c.ListUsersWithResponse(ctx, &gen.ListUsersParams{StartingAfter: ptr("ghost")})
	check(t, resp, err, 400)
}

func nullableOf[T any](v T) nullableT[T] { return newNullable(v) }

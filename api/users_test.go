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
		t.Fatalf("GET /users/alice after PUT = %s, want the fields sent, createdAt %d", r.body, t0.UnixMilli())
	}
	e.clock.Advance(time.Hour)
	// Only the fields sent change; null clears; a custom key or push token set to null goes.
	must(t, e.raw("PUT", "/users/alice", `{"role":null,"custom":{"a":null,"c":"3"},"pushTokens":{"fcm:t1":null},"locale":"nl-NL"}`), 200)
	u, _ = e.srv.User("alice")
	if *u.Name != "Alice" || u.Email.MustGet()[0] != "a@x.test" || u.PhotoUrl.MustGet() != "https://p/a.png" {
		t.Errorf("after a PUT without name, email, photoUrl: name %q email %v photoUrl %v, want Alice, [a@x.test], https://p/a.png (unchanged)", *u.Name, u.Email, u.PhotoUrl)
	}
	if !u.Role.IsNull() || u.Locale.MustGet() != "nl-NL" {
		t.Errorf("after PUT role null, locale nl-NL: role %v locale %v, want null and nl-NL", u.Role, u.Locale)
	}
	if c := *u.Custom; len(c) != 2 || c["b"] != "2" || c["c"] != "3" {
		t.Errorf("after PUT custom {a: null, c: 3}: custom = %v, want {b: 2, c: 3}", c)
	}
	if pt := u.PushTokens.MustGet(); len(pt) != 1 || !pt["apns:t2"] {
		t.Errorf("after PUT pushTokens {fcm:t1: null}: pushTokens = %v, want {apns:t2: true}", pt)
	}
	if *u.CreatedAt != t0.UnixMilli() {
		t.Errorf("createdAt after an update an hour later = %d, want %d (unchanged)", *u.CreatedAt, t0.UnixMilli())
	}
	// null for the whole of custom and pushTokens clears them.
	must(t, e.raw("PUT", "/users/alice", `{"custom":null,"pushTokens":null,"email":null}`), 200)
	u, _ = e.srv.User("alice")
	if len(*u.Custom) != 0 || !u.PushTokens.IsNull() || !u.Email.IsNull() {
		t.Errorf("after PUT custom, pushTokens, email null: custom %v pushTokens %v email %v, want {}, null, null", *u.Custom, u.PushTokens, u.Email)
	}
}

func TestUserCreationNeedsName(t *testing.T) {
	e := newEnv(t)
	r := must(t, e.raw("PUT", "/users/bob", `{"email":["b@x.test"]}`), 400)
	if msg := r.message(t); !strings.Contains(msg, "name is required") {
		t.Errorf("PUT /users/bob without name: message = %q, want it to say name is required", msg)
	}
	if _, ok := e.srv.User("bob"); ok {
		t.Error("User(bob) after a refused PUT = found, want not created")
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
		t.Errorf("BatchUpdateUsers: errors = %v, want one for noname and one for noname2", body.Errors)
	}
	if _, ok := e.srv.User("new1"); ok {
		t.Error("User(new1) after a rejected batch = found, want nothing stored")
	}
	if u, _ := e.srv.User("existing"); !u.Role.IsNull() {
		t.Errorf("existing's role after a rejected batch = %v, want null (unchanged)", u.Role)
	}
	resp, err = e.c.BatchUpdateUsersWithResponse(ctx, nil, gen.BatchUserInput{
		"new1": {Name: ptr("New 1")}, "existing": {Role: nullableOf("admin")},
	})
	check(t, resp, err, 200)
	if u, _ := e.srv.User("existing"); u.Role.MustGet() != "admin" {
		t.Errorf("existing's role after the batch = %v, want admin", u.Role)
	}
	if _, ok := e.srv.User("new1"); !ok {
		t.Error("User(new1) after the batch = not found, want created")
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
		t.Errorf("Counts().Users after a batch of 101 = %d, want 0", n)
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
			t.Fatalf("ListUsers pages of 10 over 25 users: still going after %d pages, want 3", pages)
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
		t.Errorf("ListUsers over all pages = %v, want u24 … u00 (25, newest first)", got)
	}
	// Default limit 10.
	resp, err := e.c.ListUsersWithResponse(ctx, nil)
	check(t, resp, err, 200)
	if n := len(*resp.JSON200.Data); n != 10 {
		t.Errorf("ListUsers without limit = %d users, want 10", n)
	}
	// Unknown cursor.
	resp, err = e.c.ListUsersWithResponse(ctx, &gen.ListUsersParams{StartingAfter: ptr("ghost")})
	check(t, resp, err, 400)
}

func nullableOf[T any](v T) nullableT[T] { return newNullable(v) }

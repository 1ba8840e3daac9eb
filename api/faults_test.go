package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/api"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, api.WithRateLimit(2, 3))
	for i := 0; i < 3; i++ {
		must(t, e.raw("GET", "/users", ""), 200)
	}
	r := must(t, e.raw("GET", "/users", ""), 429)
	if ra := r.header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q", ra)
	}
	if msg := r.message(t); !strings.Contains(msg, "rate limit") {
		t.Errorf("message %q", msg)
	}
	e.clock.Advance(500 * time.Millisecond) // one token back
	must(t, e.raw("GET", "/users", ""), 200)
	must(t, e.raw("GET", "/users", ""), 429)
	e.clock.Advance(time.Hour) // refills to the burst, not beyond
	for i := 0; i < 3; i++ {
		must(t, e.raw("GET", "/users", ""), 200)
	}
	must(t, e.raw("GET", "/users", ""), 429)

	slow := newEnv(t, api.WithRateLimit(0.1, 1))
	must(t, slow.raw("GET", "/users", ""), 200)
	if ra := must(t, slow.raw("GET", "/users", ""), 429).header.Get("Retry-After"); ra != "10" {
		t.Errorf("slow Retry-After %q", ra)
	}
}

// outcome sends PUT /users/{id} and names what happened.
func outcome(e *env, id string) string {
	req, _ := http.NewRequest("PUT", e.hs.URL+"/v1/"+testApp+"/users/"+id, strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Authorization", "Bearer "+testSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.hs.Client().Do(req)
	if err != nil {
		return "cut"
	}
	resp.Body.Close()
	return fmt.Sprint(resp.StatusCode)
}

func TestFaultKinds(t *testing.T) {
	cases := []struct {
		faults api.Faults
		want   string
		stored bool
	}{
		{api.Faults{Unavailable: 1}, "503", false},
		{api.Faults{BadGateway: 1}, "502", true},
		{api.Faults{Cut: 1}, "cut", true},
	}
	for _, c := range cases {
		e := newEnv(t, api.WithFaults(c.faults))
		if got := outcome(e, "u1"); got != c.want {
			t.Errorf("%+v: got %s, want %s", c.faults, got, c.want)
		}
		if _, ok := e.srv.User("u1"); ok != c.stored {
			t.Errorf("%+v: stored %v, want %v", c.faults, ok, c.stored)
		}
	}
}

func TestFaultsAreSeededAndReplay(t *testing.T) {
	f := api.Faults{Unavailable: 0.2, BadGateway: 0.1, Cut: 0.1, Seed: 42}
	run := func() []string {
		e := newEnv(t, api.WithFaults(f))
		var out []string
		for i := 0; i < 100; i++ {
			out = append(out, outcome(e, fmt.Sprint("u", i)))
		}
		return out
	}
	a, b := run(), run()
	if !eq(a, b...) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	n := map[string]int{}
	for _, o := range a {
		n[o]++
	}
	if n["503"] < 10 || n["502"] < 3 || n["cut"] < 3 || n["200"] < 40 {
		t.Errorf("shares far from the configured ones: %v", n)
	}
	f.Seed = 43
	e := newEnv(t, api.WithFaults(f))
	var c []string
	for i := 0; i < 100; i++ {
		c = append(c, outcome(e, fmt.Sprint("u", i)))
	}
	if eq(a, c...) {
		t.Error("another seed gave the same faults")
	}
}

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
		t.Errorf("4th GET with rate 2/s, burst 3: Retry-After = %q, want 1", ra)
	}
	if msg := r.message(t); !strings.Contains(msg, "rate limit") {
		t.Errorf("4th GET with rate 2/s, burst 3: message = %q, want it to contain \"rate limit\"", msg)
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
		t.Errorf("2nd GET with rate 0.1/s, burst 1: Retry-After = %q, want 10", ra)
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
		name   string
		faults api.Faults
		want   string
		stored bool
	}{
		{"unavailable", api.Faults{Unavailable: 1}, "503", false},
		{"bad gateway", api.Faults{BadGateway: 1}, "502", true},
		{"cut", api.Faults{Cut: 1}, "cut", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, api.WithFaults(c.faults))
			if got := outcome(e, "u1"); got != c.want {
				t.Errorf("PUT /users/u1 with faults %+v = %s, want %s", c.faults, got, c.want)
			}
			if _, ok := e.srv.User("u1"); ok != c.stored {
				t.Errorf("User(u1) after PUT with faults %+v: stored = %v, want %v", c.faults, ok, c.stored)
			}
		})
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
		t.Fatalf("outcomes of 100 PUTs with seed 42, run twice = \n%v\n%v\nwant the same twice", a, b)
	}
	n := map[string]int{}
	for _, o := range a {
		n[o]++
	}
	if n["503"] < 10 || n["502"] < 3 || n["cut"] < 3 || n["200"] < 40 {
		t.Errorf("outcomes of 100 PUTs with faults %+v = %v, want at least 10 503s, 3 502s, 3 cuts and 40 200s", f, n)
	}
	f.Seed = 43
	e := newEnv(t, api.WithFaults(f))
	var c []string
	for i := 0; i < 100; i++ {
		c = append(c, outcome(e, fmt.Sprint("u", i)))
	}
	if eq(a, c...) {
		t.Error("outcomes of 100 PUTs with seed 43 = those with seed 42, want other faults")
	}
}

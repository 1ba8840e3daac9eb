package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A handler that panics answers a JSON 500 instead of a dropped connection.
func TestPanicIsJSON500(t *testing.T) {
	s := NewServer(WithAppID("a"), WithSecret("sk"))
	s.panicHook = func(r *http.Request) {
		if r.URL.Path == "/v1/a/users/boom" {
			panic("boom")
		}
	}
	hs := httptest.NewServer(s)
	defer hs.Close()
	req, _ := http.NewRequest("GET", hs.URL+"/v1/a/users/boom", nil)
	req.Header.Set("Authorization", "Bearer sk")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error, Message string }
	if resp.StatusCode != 500 || resp.Header.Get("Content-Type") != "application/json" || json.NewDecoder(resp.Body).Decode(&body) != nil || body.Message == "" {
		t.Errorf("GET of a panicking handler = %d %s %+v, want 500 application/json with a message", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

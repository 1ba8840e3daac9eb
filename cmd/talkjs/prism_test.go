package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gotalkjs/talkjs-go/api"
	"github.com/gotalkjs/talkjs-go/cmd/talkjs/internal/conformance"
	"github.com/gotalkjs/talkjs-go/internal/prism"
)

// TestConformanceThroughPrism runs the conformance scenario (every
// operation of the spec) through Prism in `proxy --errors` mode in front of
// the in-memory server, and requires that Prism finds no answer of the
// server that breaks the spec (a problem+json answer of type VIOLATIONS).
// Requests the scenario sends invalid on purpose are refused by Prism with
// 422 and counted apart; HEAD is not checked by Prism (it parses the empty
// body of a HEAD answer as JSON). Skipped unless TALKJS_PRISM names Prism:
// run `make validate-prism`.
func TestConformanceThroughPrism(t *testing.T) {
	srv := api.NewServer(api.WithAppID("prism_app"), api.WithSecret("sk_prism"))
	up := httptest.NewServer(srv)
	defer up.Close()
	base := prism.Start(t, "validate-prism", "proxy", "--errors", prism.Spec(t), up.URL+"/v1/prism_app")
	var violations, refused int
	rep, err := conformance.Run(t.Context(), conformance.Config{
		APIRoot: base, AppID: "prism_app", Secret: "sk_prism",
		Observe: func(x conformance.Exchange) {
			body, _ := x.Response.Body.(map[string]any)
			typ, _ := body["type"].(string)
			switch {
			case strings.HasSuffix(typ, "errors#VIOLATIONS"):
				violations++
				t.Errorf("%s %s %s: Prism finds the server's answer breaks the spec (%v), want an answer the spec allows", x.Step, x.Request.Method, x.Request.Path, body["validation"])
			case strings.HasSuffix(typ, "errors#UNPROCESSABLE_ENTITY"):
				refused++
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests through Prism: %d answers break the spec, %d invalid-on-purpose requests refused by Prism", rep.Requests, violations, refused)
	if rep.Requests < 50 {
		t.Errorf("conformance.Run through Prism = %d requests, want 50 or more (the whole scenario)", rep.Requests)
	}
}

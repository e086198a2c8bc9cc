package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/store"
)

// withQuery returns ev with its query parameters replaced, keeping
// rawQueryString consistent: the sample's code and state are placeholders,
// a live run needs a code the sandbox issued and a state signed now.
func withQuery(ev events.APIGatewayV2HTTPRequest, params map[string]string) events.APIGatewayV2HTTPRequest {
	q := url.Values{}
	ev.QueryStringParameters = map[string]string{}
	for k, v := range params {
		q.Set(k, v)
		ev.QueryStringParameters[k] = v
	}
	ev.RawQueryString = q.Encode()
	return ev
}

// TestSampleEvents runs every events/app-install sample through Handle with
// the webhook clock pinned to the samples' timestamp, in the order a person
// would send them, and checks each answer and the state it leaves.
func TestSampleEvents(t *testing.T) {
	t.Parallel()
	pinned, _ := time.Parse(time.RFC3339, fixtureTime)
	e := newEnv(t, envOptions{verifierNow: func() time.Time { return pinned }, noAppWebhooks: true})
	ctx := t.Context()
	// The uninstalled location had a token secret.
	if _, err := e.secrets.Client().CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(locationSecret(fixtureLoc)), SecretString: aws.String(`{"private_integration_token":"pit-sample","location_id":"` + fixtureLoc + `"}`),
	}); err != nil {
		t.Fatal(err)
	}
	loc, err := e.sb.AddLocation(ghlsandbox.LocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		in, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: loc.ID})
		if err != nil {
			t.Fatal(err)
		}
		return in.Code
	}
	key := install.StateKey(e.flow.App.ClientSecret)
	state, err := install.SignState(key, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}

	awaiting := func(id, co string, company bool, secret string) store.Installation {
		return store.Installation{LocationID: id, CompanyID: co, Company: company, Status: store.InstallReauthRequired, SecretName: secret, Reason: install.ReasonAwaitingAuthorization}
	}
	tests := []struct {
		name       string
		file       string
		edit       func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest
		wantStatus int
		wantBody   string
		id         string // installation to check afterwards
		want       *store.Installation
	}{
		{name: "agency INSTALL", file: "webhook-install-agency.json", wantStatus: 200, wantBody: `"outcome":"awaiting_authorization"`,
			id: fixtureAgency, want: ptr(awaiting(fixtureAgency, fixtureAgency, true, companySecret(fixtureAgency)))},
		{name: "location INSTALL (agency not authorized yet)", file: "webhook-install-location.json", wantStatus: 200, wantBody: `"outcome":"awaiting_authorization"`,
			id: fixtureLoc, want: ptr(awaiting(fixtureLoc, fixtureAgency, false, locationSecret(fixtureLoc)))},
		{name: "location INSTALL again (duplicate)", file: "webhook-install-location.json", wantStatus: 200, wantBody: `"replayed":true`,
			id: fixtureLoc, want: ptr(awaiting(fixtureLoc, fixtureAgency, false, locationSecret(fixtureLoc)))},
		{name: "UNINSTALL", file: "webhook-uninstall-location.json", wantStatus: 200, wantBody: `"outcome":"uninstalled"`,
			id: fixtureLoc, want: &store.Installation{LocationID: fixtureLoc, CompanyID: fixtureAgency, Status: store.InstallUninstalled,
				SecretName: locationSecret(fixtureLoc), Reason: install.ReasonUninstalled}},
		{name: "callback with the sample's placeholder state", file: "oauth-callback-with-state.json", wantStatus: 400, wantBody: `"error":"bad_state"`},
		{name: "callback without state, sample's placeholder code", file: "oauth-callback-without-state.json", wantStatus: 400, wantBody: `"error":"code_rejected"`},
		{name: "callback with a live state and code", file: "oauth-callback-with-state.json",
			edit: func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
				return withQuery(ev, map[string]string{"code": code(), "state": state})
			}, wantStatus: 200, wantBody: "ghlsync installed for location " + loc.ID,
			id: loc.ID, want: &store.Installation{LocationID: loc.ID, CompanyID: e.sb.CompanyID(), Status: store.InstallActive,
				SecretName: locationSecret(loc.ID), Reason: install.ReasonAuthorized}},
		{name: "callback without state, live code", file: "oauth-callback-without-state.json",
			edit: func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
				return withQuery(ev, map[string]string{"code": code()})
			}, wantStatus: 200, wantBody: "ghlsync installed for location " + loc.ID},
	}
	for _, tt := range tests { // in order: each step builds on the previous state
		ev := loadEvent(t, tt.file)
		if tt.edit != nil {
			ev = tt.edit(ev)
		}
		resp, err := e.h.Handle(ctx, ev)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if resp.StatusCode != tt.wantStatus || !strings.Contains(resp.Body, tt.wantBody) {
			t.Errorf("%s: %d %s, want %d containing %s", tt.name, resp.StatusCode, resp.Body, tt.wantStatus, tt.wantBody)
		}
		if tt.want != nil {
			got, err := e.st.GetInstallation(ctx, tt.id)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if d := cmp.Diff(*tt.want, *got, ignoreUpdated); d != "" {
				t.Errorf("%s: installation (-want +got):\n%s", tt.name, d)
			}
		}
	}
	if e.secretString(t, locationSecret(fixtureLoc)) != "" {
		t.Error("the uninstalled location's secret is still readable")
	}
	var lines int
	for _, l := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		for _, k := range []string{"route", "status", "outcome", "location_id", "webhook_id", "duration_ms"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line lacks %s: %s", k, l)
			}
		}
		lines++
	}
	if lines != len(tests) {
		t.Errorf("%d log lines for %d requests", lines, len(tests))
	}
}

// TestUnknownRoute answers 404 JSON.
func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noAppWebhooks: true})
	ev := loadEvent(t, "oauth-callback-without-state.json")
	ev.RouteKey, ev.RequestContext.RouteKey = "GET /nope", "GET /nope"
	resp, err := e.h.Handle(t.Context(), ev)
	if err != nil || resp.StatusCode != 404 || resp.Headers["Content-Type"] != "application/json" || !strings.Contains(resp.Body, `"error":"not_found"`) {
		t.Errorf("unknown route = %+v, %v", resp, err)
	}
}

func ptr[T any](v T) *T { return &v }

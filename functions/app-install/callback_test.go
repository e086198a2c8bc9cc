package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

var ignoreUpdated = cmpopts.IgnoreFields(store.Installation{}, "UpdatedAt")

func callbackQuery(code, state string) string {
	q := url.Values{"code": {code}}
	if state != "" {
		q.Set("state", state)
	}
	return "/oauth/callback?" + q.Encode()
}

// TestCallback drives GET /oauth/callback against the sandbox: a location
// install succeeds with or without state; bad, expired and missing-but-
// required state, and a replayed code, answer 400 and store nothing.
func TestCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		requireState bool
		state        func(key []byte) string
		replay       bool // exchange the code once before the request
		wantStatus   int
		wantBody     string
	}{
		{name: "signed state", state: func(k []byte) string { s, _ := install.SignState(k, time.Now(), nil); return s },
			wantStatus: 200, wantBody: "ghlsync installed for location "},
		{name: "no state (marketplace install)", state: func([]byte) string { return "" }, wantStatus: 200, wantBody: "ghlsync installed for location "},
		{name: "bad state", state: func([]byte) string { return "eyJleHAiOjF9.bm90LWEtc2lnbmF0dXJl" }, wantStatus: 400, wantBody: `"error":"bad_state"`},
		{name: "state signed with another key", state: func([]byte) string {
			s, _ := install.SignState(install.StateKey("not-the-client-secret"), time.Now(), nil)
			return s
		}, wantStatus: 400, wantBody: `"error":"bad_state"`},
		{name: "expired state", state: func(k []byte) string { s, _ := install.SignState(k, time.Now().Add(-16*time.Minute), nil); return s },
			wantStatus: 400, wantBody: `"error":"state_expired"`},
		{name: "state required but missing", requireState: true, state: func([]byte) string { return "" }, wantStatus: 400, wantBody: `"error":"state_required"`},
		{name: "replayed code", replay: true, state: func([]byte) string { return "" }, wantStatus: 400, wantBody: `"error":"code_rejected"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{requireState: tt.requireState, noAppWebhooks: true})
			loc, err := e.sb.AddLocation(ghlsandbox.LocationOptions{})
			if err != nil {
				t.Fatal(err)
			}
			in, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: loc.ID})
			if err != nil {
				t.Fatal(err)
			}
			if tt.replay {
				if _, _, err := e.flow.OAuth.ExchangeCode(t.Context(), e.flow.App, &ghl.ExchangeCodeRequest{Code: in.Code}); err != nil {
					t.Fatalf("first exchange: %v", err)
				}
			}
			got := e.get(t, callbackQuery(in.Code, tt.state(install.StateKey(e.flow.App.ClientSecret))))
			if got.Status != tt.wantStatus || !strings.Contains(got.Body, tt.wantBody) {
				t.Fatalf("callback = %d %s, want %d containing %q", got.Status, got.Body, tt.wantStatus, tt.wantBody)
			}
			if strings.Contains(got.Body, in.Code) {
				t.Error("the response repeats the authorization code")
			}
			if tt.wantStatus != 200 {
				if n := e.writes(); n != 0 {
					t.Errorf("secret writes = %d, want 0", n)
				}
				if all := e.installations(t); len(all) != 0 {
					t.Errorf("installations = %+v, want none", all)
				}
				return
			}
			if !strings.Contains(got.Body, loc.ID) {
				t.Errorf("page does not name location %s: %s", loc.ID, got.Body)
			}
			sec, err := tokens.ParseOAuthSecret([]byte(e.secretString(t, locationSecret(loc.ID))))
			if err != nil {
				t.Fatalf("location secret: %v", err)
			}
			if sec.LocationID != loc.ID || sec.AccessToken == "" || sec.RefreshToken == "" || sec.UserType != tokens.UserTypeLocation {
				t.Errorf("location secret = %v", sec)
			}
			if strings.Contains(got.Body, sec.AccessToken.Reveal()) || strings.Contains(e.logs.String(), sec.AccessToken.Reveal()) {
				t.Error("a token reached the response or the log")
			}
			want := []store.Installation{{LocationID: loc.ID, CompanyID: e.sb.CompanyID(), Status: store.InstallActive,
				SecretName: locationSecret(loc.ID), Reason: install.ReasonAuthorized}}
			if d := cmp.Diff(want, e.installations(t), ignoreUpdated); d != "" {
				t.Errorf("installations (-want +got):\n%s", d)
			}
		})
	}
}

// approvedLocations decorates the sandbox's POST /oauth/token answer for
// an agency grant with approvedLocations, as GHL's real answer carries
// them (the sandbox leaves the field out).
func approvedLocations(locs ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/oauth/token" {
				next.ServeHTTP(w, r)
				return
			}
			rec := &recorder{header: http.Header{}}
			next.ServeHTTP(rec, r)
			var body map[string]any
			if rec.status == http.StatusOK && json.Unmarshal(rec.body.Bytes(), &body) == nil && body["userType"] == "Company" {
				body["approvedLocations"] = locs
				b, _ := json.Marshal(body)
				rec.body = *bytes.NewBuffer(b)
				rec.header.Del("Content-Length")
			}
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.status)
			_, _ = io.Copy(w, &rec.body)
		})
	}
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// TestAgencyCallback installs the app on the agency: the company secret is
// stored, a token is minted for the approved location and for the location
// whose INSTALL webhook arrived before the agency token, and all are active.
func TestAgencyCallback(t *testing.T) {
	t.Parallel()
	approvedID, waitingID := "LocApprovedByAgency1", "LocWaitingForAgency1"
	e := newEnv(t, envOptions{ghl: approvedLocations(approvedID)})
	for _, id := range []string{approvedID, waitingID} {
		if _, err := e.sb.AddLocation(ghlsandbox.LocationOptions{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	// The waiting location is installed first: its INSTALL finds no agency token.
	if _, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: waitingID}); err != nil {
		t.Fatal(err)
	}
	e.flush(t)
	co := e.sb.CompanyID()
	want := []store.Installation{{LocationID: waitingID, CompanyID: co, Status: store.InstallReauthRequired,
		SecretName: locationSecret(waitingID), Reason: install.ReasonAwaitingAuthorization}}
	if d := cmp.Diff(want, e.installations(t), ignoreUpdated); d != "" {
		t.Fatalf("after the location INSTALL (-want +got):\n%s", d)
	}

	agency, err := e.sb.InstallApp(ghlsandbox.InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.flush(t) // the agency INSTALL arrives first: the company waits for its token
	got := e.get(t, callbackQuery(agency.Code, ""))
	if got.Status != 200 || !strings.Contains(got.Body, "ghlsync installed for agency "+co) ||
		!strings.Contains(got.Body, approvedID) || !strings.Contains(got.Body, waitingID) {
		t.Fatalf("callback = %d %s", got.Status, got.Body)
	}

	csec, err := tokens.ParseOAuthSecret([]byte(e.secretString(t, companySecret(co))))
	if err != nil || csec.UserType != tokens.UserTypeCompany || csec.CompanyID != co || csec.RefreshToken == "" {
		t.Fatalf("company secret = %v, %v", csec, err)
	}
	for _, loc := range []string{approvedID, waitingID} {
		sec, err := tokens.ParseOAuthSecret([]byte(e.secretString(t, locationSecret(loc))))
		if err != nil || sec.LocationID != loc || sec.CompanyID != co || sec.AccessToken == "" {
			t.Errorf("minted secret of %s = %v, %v", loc, sec, err)
		}
	}
	want = []store.Installation{
		{LocationID: approvedID, CompanyID: co, Status: store.InstallActive, SecretName: locationSecret(approvedID), Reason: install.ReasonMinted},
		{LocationID: waitingID, CompanyID: co, Status: store.InstallActive, SecretName: locationSecret(waitingID), Reason: install.ReasonMinted},
		{LocationID: co, CompanyID: co, Company: true, Status: store.InstallActive, SecretName: companySecret(co), Reason: install.ReasonAuthorized},
	}
	got2 := e.installations(t)
	if d := cmp.Diff(want, got2, ignoreUpdated, cmpopts.SortSlices(func(a, b store.Installation) bool { return a.LocationID < b.LocationID })); d != "" {
		t.Errorf("installations (-want +got):\n%s", d)
	}

	// A location installed later under the agency is activated by its INSTALL webhook.
	late, err := e.sb.AddLocation(ghlsandbox.LocationOptions{ID: "LocInstalledLater001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: late.ID}); err != nil {
		t.Fatal(err)
	}
	e.flush(t)
	in, err := e.st.GetInstallation(t.Context(), late.ID)
	if err != nil || in.Status != store.InstallActive || in.Reason != install.ReasonMinted {
		t.Fatalf("late location = %+v, %v", in, err)
	}
	if _, err := tokens.ParseOAuthSecret([]byte(e.secretString(t, locationSecret(late.ID)))); err != nil {
		t.Errorf("late location secret: %v", err)
	}
}

package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
)

// lastDelivery returns the newest delivery of an event type.
func lastDelivery(t *testing.T, sb *ghlsandbox.Sandbox, typ string) ghlsandbox.Delivery {
	t.Helper()
	ds := sb.Deliveries()
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].Type == typ {
			return ds[i]
		}
	}
	t.Fatalf("no %s delivery in %d", typ, len(ds))
	return ghlsandbox.Delivery{}
}

// TestWebhookLifecycle delivers the sandbox's signed INSTALL and UNINSTALL
// webhooks for an OAuth-installed location, then redelivers them: the
// installation goes active → uninstalled, DeleteSecret is called once with
// the recovery window, and duplicates answer 200 without a second effect.
// It runs on the embedded store and on DynamoDB Local.
func TestWebhookLifecycle(t *testing.T) {
	t.Parallel()
	for _, dynamo := range []bool{false, true} {
		name := "memstore"
		if dynamo {
			name = "dynamostore"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{dynamo: dynamo})
			loc, err := e.sb.AddLocation(ghlsandbox.LocationOptions{})
			if err != nil {
				t.Fatal(err)
			}
			in, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: loc.ID})
			if err != nil {
				t.Fatal(err)
			}
			e.flush(t)
			install1 := lastDelivery(t, e.sb, "INSTALL")
			if install1.Status != 200 || !strings.Contains(string(install1.Body), loc.ID) {
				t.Fatalf("INSTALL delivery = %d %s", install1.Status, install1.Body)
			}
			got, err := e.st.GetInstallation(t.Context(), loc.ID)
			if err != nil || got.Status != store.InstallReauthRequired || got.Reason != install.ReasonAwaitingAuthorization {
				t.Fatalf("after INSTALL: %+v, %v", got, err)
			}
			if r := e.get(t, callbackQuery(in.Code, "")); r.Status != 200 {
				t.Fatalf("callback = %d %s", r.Status, r.Body)
			}
			// Redelivered INSTALL: the stored answer, the install stays active.
			r := e.post(t, install1.Body, true)
			var res install.WebhookResult
			if err := json.Unmarshal([]byte(r.Body), &res); err != nil || r.Status != 200 {
				t.Fatalf("redelivered INSTALL = %d %s", r.Status, r.Body)
			}
			if d := cmp.Diff(install.WebhookResult{Type: "INSTALL", LocationID: loc.ID, CompanyID: e.sb.CompanyID(), WebhookID: install1.WebhookID,
				Outcome: install.OutcomeAwaitingAuthorization, Replayed: true}, res); d != "" {
				t.Errorf("redelivered INSTALL result (-want +got):\n%s", d)
			}
			if got, _ := e.st.GetInstallation(t.Context(), loc.ID); got.Status != store.InstallActive {
				t.Errorf("redelivered INSTALL changed the install: %+v", got)
			}

			if err := e.sb.UninstallApp("", loc.ID); err != nil {
				t.Fatal(err)
			}
			e.flush(t)
			un := lastDelivery(t, e.sb, "UNINSTALL")
			if un.Status != 200 {
				t.Fatalf("UNINSTALL delivery = %d", un.Status)
			}
			want := store.Installation{LocationID: loc.ID, CompanyID: e.sb.CompanyID(), Status: store.InstallUninstalled,
				SecretName: locationSecret(loc.ID), Reason: install.ReasonUninstalled}
			got, err = e.st.GetInstallation(t.Context(), loc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, *got, ignoreUpdated); d != "" {
				t.Errorf("after UNINSTALL (-want +got):\n%s", d)
			}
			desc, err := e.secrets.Client().DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(locationSecret(loc.ID))})
			if err != nil || desc.DeletedDate == nil {
				t.Fatalf("secret not scheduled for deletion: %+v, %v", desc, err)
			}
			if days := time.Until(*desc.DeletedDate).Hours() / 24; days < deletionDays-0.1 || days > deletionDays+0.1 {
				t.Errorf("deletion in %.2f days, want %d", days, deletionDays)
			}
			if n := e.secrets.Calls(secretstest.OpDeleteSecret); n != 1 {
				t.Errorf("DeleteSecret calls = %d, want 1", n)
			}
			// Redelivered UNINSTALL: 200, no second DeleteSecret.
			if r := e.post(t, un.Body, true); r.Status != 200 || !strings.Contains(r.Body, `"replayed":true`) {
				t.Errorf("redelivered UNINSTALL = %d %s", r.Status, r.Body)
			}
			if n := e.secrets.Calls(secretstest.OpDeleteSecret); n != 1 {
				t.Errorf("DeleteSecret calls after redelivery = %d, want 1", n)
			}

			// Reinstall: the callback restores the secret and activates again.
			again, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: loc.ID})
			if err != nil {
				t.Fatal(err)
			}
			if r := e.get(t, callbackQuery(again.Code, "")); r.Status != 200 {
				t.Fatalf("reinstall callback = %d %s", r.Status, r.Body)
			}
			if got, _ := e.st.GetInstallation(t.Context(), loc.ID); got.Status != store.InstallActive {
				t.Errorf("after reinstall: %+v", got)
			}
			if e.secretString(t, locationSecret(loc.ID)) == "" {
				t.Error("reinstalled secret is not readable")
			}
		})
	}
}

// TestWebhookRejects checks the answers to deliveries that must change
// nothing: unsigned, tampered, malformed, unsupported, and a duplicate still
// in progress.
func TestWebhookRejects(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	valid := `{"type":"INSTALL","locationId":"LocRejectCase000001","companyId":"CmpRejectCase000001","webhookId":"whReject1","timestamp":"` + now + `"}`
	tests := []struct {
		name       string
		body       string
		sign       bool
		tamper     bool
		inProgress bool
		wantStatus int
		wantError  string
	}{
		{name: "unsigned", body: valid, wantStatus: 401, wantError: "bad_signature"},
		{name: "tampered body", body: valid, sign: true, tamper: true, wantStatus: 401, wantError: "bad_signature"},
		{name: "stale timestamp", body: strings.Replace(valid, now, "2020-01-01T00:00:00Z", 1), sign: true, wantStatus: 401, wantError: "bad_signature"},
		{name: "malformed JSON", body: `{"type":"INSTALL",`, sign: true, wantStatus: 400, wantError: "bad_payload"},
		{name: "no type", body: `{"locationId":"LocRejectCase000001","timestamp":"` + now + `"}`, sign: true, wantStatus: 400, wantError: "bad_payload"},
		{name: "no ids", body: `{"type":"UNINSTALL","timestamp":"` + now + `"}`, sign: true, wantStatus: 400, wantError: "bad_payload"},
		{name: "id with a slash", body: `{"type":"UNINSTALL","locationId":"../x","timestamp":"` + now + `"}`, sign: true, wantStatus: 400, wantError: "bad_payload"},
		{name: "other event", body: `{"type":"ContactCreate","locationId":"LocRejectCase000001","timestamp":"` + now + `"}`, sign: true, wantStatus: 400, wantError: "unsupported_event"},
		{name: "duplicate in progress", body: valid, sign: true, inProgress: true, wantStatus: 429, wantError: "in_progress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{})
			if tt.inProgress {
				_, err := e.st.ClaimIdempotency(t.Context(), store.IdempotencyRecord{Scope: install.IdempotencyScope, Key: "whReject1",
					Expiration: time.Now().Add(time.Hour).Unix(), InProgressExpiration: time.Now().Add(time.Minute).UnixMilli()}, time.Now())
				if err != nil {
					t.Fatal(err)
				}
			}
			body := []byte(tt.body)
			req := body
			if tt.tamper {
				req = []byte(strings.Replace(tt.body, "LocRejectCase000001", "LocRejectCase000002", 1))
			}
			var r response
			if tt.tamper {
				r = e.postSigned(t, req, signBody(e.priv, body))
			} else {
				r = e.post(t, req, tt.sign)
			}
			var got struct{ Error, Message string }
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != tt.wantStatus || got.Error != tt.wantError || got.Message == "" {
				t.Fatalf("answer = %d %s, want %d %s with a message", r.Status, r.Body, tt.wantStatus, tt.wantError)
			}
			if all := e.installations(t); len(all) != 0 {
				t.Errorf("installations = %+v, want none", all)
			}
			if n := e.writes() + e.secrets.Calls(secretstest.OpDeleteSecret); n != 0 {
				t.Errorf("secret calls = %d, want 0", n)
			}
			if log := e.logs.String(); strings.Count(log, "\n") != 1 || !strings.Contains(log, `"status":`+itoa(tt.wantStatus)) ||
				(tt.sign && strings.Contains(log, signBody(e.priv, body))) {
				t.Errorf("log = %s", log)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestAgencyUninstall uninstalls the agency: the company and each location
// recorded under it become uninstalled and their secrets are scheduled for
// deletion.
func TestAgencyUninstall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{ghl: approvedLocations("LocAgencyUninstall01")})
	if _, err := e.sb.AddLocation(ghlsandbox.LocationOptions{ID: "LocAgencyUninstall01"}); err != nil {
		t.Fatal(err)
	}
	agency, err := e.sb.InstallApp(ghlsandbox.InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.flush(t)
	if r := e.get(t, callbackQuery(agency.Code, "")); r.Status != 200 {
		t.Fatalf("callback = %d %s", r.Status, r.Body)
	}
	if err := e.sb.UninstallApp("", ""); err != nil {
		t.Fatal(err)
	}
	e.flush(t)
	if d := lastDelivery(t, e.sb, "UNINSTALL"); d.Status != 200 || !strings.Contains(string(d.Body), e.sb.CompanyID()) {
		t.Fatalf("UNINSTALL delivery = %d %s", d.Status, d.Body)
	}
	for _, in := range e.installations(t) {
		if in.Status != store.InstallUninstalled || in.Reason != install.ReasonCompanyUninstalled {
			t.Errorf("after agency UNINSTALL: %+v", in)
		}
	}
	if n := len(e.installations(t)); n != 2 {
		t.Errorf("installations = %d, want company + 1 location", n)
	}
	if n := e.secrets.Calls(secretstest.OpDeleteSecret); n != 2 {
		t.Errorf("DeleteSecret calls = %d, want 2", n)
	}
	for _, name := range []string{companySecret(e.sb.CompanyID()), locationSecret("LocAgencyUninstall01")} {
		if e.secretString(t, name) != "" {
			t.Errorf("%s is still readable", name)
		}
	}
}

package securitytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/apptest"
	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/install/installapp"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// lockedBuffer is a log sink for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// secretSet collects every credential and signature value the flows use.
type secretSet map[string]string // value → what it is

func (s secretSet) add(what, v string) {
	v = strings.TrimSpace(v)
	if len(v) >= 8 {
		s[v] = what
	}
}

// addSignatures records the signature header values of a request (the
// whole value and each v1 part).
func (s secretSet) addSignatures(ev events.APIGatewayV2HTTPRequest) {
	for k, v := range ev.Headers {
		switch strings.ToLower(k) {
		case "x-ghl-signature", "x-wh-signature", "webhook-signature":
			s.add(k, v)
			for _, part := range strings.Fields(v) {
				_, sig, _ := strings.Cut(part, ",")
				s.add(k, sig)
			}
		}
	}
}

// addSecretJSON records every string value of a Secrets Manager secret.
func (s secretSet) addSecretJSON(t *testing.T, sm *secretsmanager.Client, name string) map[string]any {
	t.Helper()
	out, err := sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("secret %s: %v", name, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range m {
		if str, ok := v.(string); ok && (strings.Contains(k, "token") || strings.Contains(k, "secret") || strings.Contains(k, "key")) {
			s.add(name+"#"+k, str)
		}
	}
	return m
}

// TestNoSecretsInLogsOrErrors runs the end-to-end flows — GHL→peer for
// every domain, peer→GHL, the pull API, the OAuth install (code exchange,
// INSTALL/UNINSTALL webhooks) and a token refresh through the sync path,
// and their error paths (forged, stale and malformed deliveries, wrong
// pull key, GHL failing, a reused or bogus OAuth code) — with the
// handlers logging to a buffer, and scans every log line, response body
// and returned error for every token, refresh token, client secret,
// signing secret (whsec_ and raw base64), pull key and signature value
// used: there must be none.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := apptest.New(t, apptest.Options{Dynamo: true, Logger: logger, Seed: 9, SeedContacts: 10, AccessTokenTTL: time.Minute})
	ctx := t.Context()
	secrets := secretSet{}
	secrets.add("private integration token", a.Token)
	secrets.add("peer signing secret", a.PeerSecret.Encode())
	secrets.add("peer signing secret (base64)", strings.TrimPrefix(a.PeerSecret.Encode(), "whsec_"))
	secrets.add("pull key", a.PullKey)
	app := a.Sandbox.App()
	secrets.add("client secret", app.ClientSecret)

	var seen []string // response bodies and returned errors
	invoke := func(h interface {
		Handle(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	}, ev events.APIGatewayV2HTTPRequest, want int) events.APIGatewayV2HTTPResponse {
		t.Helper()
		secrets.addSignatures(ev)
		resp, err := h.Handle(ctx, ev)
		if err != nil {
			seen = append(seen, err.Error())
		}
		seen = append(seen, resp.Body)
		if want != 0 && resp.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", ev.RouteKey, resp.StatusCode, resp.Body, want)
		}
		return resp
	}
	pool := a.Sandbox.Contacts(a.Location.ID)
	hook := func(change func()) events.APIGatewayV2HTTPRequest {
		hooks := a.CaptureGHL(t, change)
		if len(hooks) != 1 {
			t.Fatalf("%d webhooks, want 1", len(hooks))
		}
		return hooks[0].Request()
	}

	// GHL → peer, every domain.
	due := time.Now().Add(48 * time.Hour).UTC()
	for _, ev := range []events.APIGatewayV2HTTPRequest{
		hook(func() {
			_, _ = a.Sandbox.UpdateContact(a.Location.ID, pool[0].ID, func(c *ghlsandbox.Contact) { c.City = "Oslo" })
		}),
		hook(func() {
			_, _ = a.Sandbox.CreateTask(a.Location.ID, pool[0].ID, ghlsandbox.Task{Title: "Call", DueDate: due})
		}),
		hook(func() { _, _ = a.Sandbox.CreateNote(a.Location.ID, pool[0].ID, ghlsandbox.Note{Body: "Note"}) }),
		hook(func() {
			_, _ = a.Sandbox.CreateAppointment(a.Location.ID, ghlsandbox.Appointment{ContactID: pool[0].ID})
		}),
	} {
		invoke(a.Handler, ev, http.StatusOK)
	}
	// Peer → GHL.
	for i, d := range []struct {
		typ  crmsync.EventType
		data map[string]any
	}{
		{crmsync.ContactUpserted, map[string]any{"peerId": "cust_s1", "email": "s1@example.com", "firstName": "Sam"}},
		{crmsync.ContactTagged, map[string]any{"peerId": "cust_s1", "tags": []string{"vip"}}},
		{crmsync.TaskUpserted, map[string]any{"peerId": "task_s1", "contactPeerId": "cust_s1", "title": "Quote", "dueDate": due}},
		{crmsync.NoteUpserted, map[string]any{"peerId": "note_s1", "contactPeerId": "cust_s1", "body": "Hello"}},
		{crmsync.AppointmentUpserted, map[string]any{"peerId": "mtg_s1", "contactPeerId": "cust_s1", "calendarId": a.Location.CalendarID,
			"startTime": due, "endTime": due.Add(time.Hour)}},
	} {
		invoke(a.Handler, a.PeerDelivery(t, fmt.Sprintf("msg_s%d", i), d.typ, d.data), http.StatusOK)
	}
	// Pull API.
	invoke(a.Handler, a.PullContact(pool[0].ID), http.StatusOK)
	bad := a.PullContact(pool[0].ID)
	bad.Headers["authorization"] = "Bearer " + a.PullKey + "x"
	secrets.add("wrong pull key", a.PullKey+"x")
	invoke(a.Handler, bad, http.StatusUnauthorized)

	// Error paths: forged, stale, malformed deliveries; GHL failing.
	forged := hook(func() {
		_, _ = a.Sandbox.UpdateContact(a.Location.ID, pool[1].ID, func(c *ghlsandbox.Contact) { c.City = "Rome" })
	})
	forged.Body = strings.Replace(forged.Body, "Rome", "Roma", 1)
	invoke(a.Handler, forged, http.StatusUnauthorized)
	stale := a.PeerDelivery(t, "msg_stale", crmsync.ContactUpserted, map[string]any{"peerId": "cust_s2", "email": "s2@example.com"})
	stale.Body = strings.Replace(stale.Body, "s2@", "s3@", 1)
	invoke(a.Handler, stale, http.StatusUnauthorized)
	malformed := a.PeerDelivery(t, "msg_bad", crmsync.ContactUpserted, map[string]any{"peerId": 42})
	invoke(a.Handler, malformed, http.StatusBadRequest)
	a.Sandbox.SetFaults(ghlsandbox.Faults{Seed: 1, Global: ghlsandbox.FaultRates{ServerError: 1}})
	failing := hook(func() {
		_, _ = a.Sandbox.UpdateContact(a.Location.ID, pool[2].ID, func(c *ghlsandbox.Contact) { c.City = "Lima" })
	})
	invoke(a.Handler, failing, http.StatusTooManyRequests)
	a.Sandbox.SetFaults(ghlsandbox.Faults{})

	// OAuth: app-install's handler (code exchange, INSTALL/UNINSTALL) and
	// a token refresh on the sync path, sharing Secrets Manager and store.
	sm := secretstest.Start(t)
	const prefix = "ghlsync/sec"
	appJSON, _ := json.Marshal(map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret})
	peerJSON, _ := json.Marshal(map[string]string{"signing_secret": a.PeerSecret.Encode(), "pull_api_key": a.PullKey, "webhook_url": a.PeerURL})
	for name, value := range map[string]string{prefix + "/app": string(appJSON), prefix + "/peer": string(peerJSON)} {
		if _, err := sm.Client().CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Config{Stage: "sec", TableName: "unused", SecretPrefix: prefix, AppSecretName: prefix + "/app", PeerSecretName: prefix + "/peer",
		GHLBaseURL: a.GHLURL, GHLWebhookEd25519PEM: string(a.PublicKeyPEM(t)), GHLWebhookWindow: apptest.Window, SecretDeletionWindow: 7}
	st := memstore.New()
	installer, err := installapp.New(ctx, cfg, sm.Client(), st, logger)
	if err != nil {
		t.Fatal(err)
	}
	loc2, err := a.Sandbox.AddLocation(ghlsandbox.LocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	grant, err := a.Sandbox.InstallApp(ghlsandbox.InstallOptions{LocationID: loc2.ID})
	if err != nil {
		t.Fatal(err)
	}
	callback := func(code string) events.APIGatewayV2HTTPRequest {
		secrets.add("OAuth code", code)
		ev := apptest.Request(installapp.RouteCallback, nil, nil)
		ev.QueryStringParameters = map[string]string{"code": code}
		return ev
	}
	invoke(installer, callback(grant.Code), http.StatusOK)
	invoke(installer, callback(grant.Code), http.StatusBadRequest) // single use
	invoke(installer, callback("bogus-code-0123456789"), http.StatusBadRequest)
	locSecret, err := tokens.LocationSecretName(prefix, loc2.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := secrets.addSecretJSON(t, sm.Client(), locSecret)
	installBody, _ := json.Marshal(map[string]any{"type": "INSTALL", "appId": app.ID, "locationId": loc2.ID, "companyId": a.Sandbox.CompanyID(),
		"webhookId": "wh-sec-INSTALL", "timestamp": time.Now().UTC().Format(time.RFC3339Nano)})
	invoke(installer, apptest.Request(installapp.RouteWebhook, http.Header{"X-Ghl-Signature": {a.SignGHL(installBody)}}, installBody), http.StatusOK)
	// The sync path on the OAuth installation: the access token lives a
	// minute, inside the provider's refresh margin, so it is refreshed.
	syncer, err := syncapp.New(ctx, cfg, sm.Client(), st)
	if err != nil {
		t.Fatal(err)
	}
	syncHandler := &syncapp.Handler{Routes: syncapp.SyncRoutes(syncer), Logger: logger}
	c2, err := a.Sandbox.CreateContact(loc2.ID, ghlsandbox.Contact{Email: "oauth@example.com", FirstName: "Olu"})
	if err != nil {
		t.Fatal(err)
	}
	ev := hook(func() {
		_, _ = a.Sandbox.UpdateContact(loc2.ID, c2.ID, func(c *ghlsandbox.Contact) { c.City = "Accra" })
	})
	invoke(syncHandler, ev, http.StatusOK)
	after := secrets.addSecretJSON(t, sm.Client(), locSecret)
	if fmt.Sprint(before) == fmt.Sprint(after) {
		t.Errorf("the location's token secret did not change: no refresh ran")
	}
	body, _ := json.Marshal(map[string]any{"type": "UNINSTALL", "appId": app.ID, "locationId": loc2.ID, "companyId": a.Sandbox.CompanyID(),
		"webhookId": "wh-sec-UNINSTALL", "timestamp": time.Now().UTC().Format(time.RFC3339Nano)})
	invoke(installer, apptest.Request(installapp.RouteWebhook, http.Header{"X-Ghl-Signature": {a.SignGHL(body)}}, body), http.StatusOK)
	// The sync path after the uninstall: a failure (its status is the
	// flows' business; its error is scanned).
	ev = hook(func() {
		_, _ = a.Sandbox.UpdateContact(loc2.ID, c2.ID, func(c *ghlsandbox.Contact) { c.City = "Kumasi" })
	})
	invoke(syncHandler, ev, 0)

	// The scan.
	out := logs.String()
	if strings.Count(out, "\n") < 20 || !strings.Contains(out, "bad_signature") || !strings.Contains(out, `"error"`) {
		t.Fatalf("the flows logged too little to scan (%d lines):\n%s", strings.Count(out, "\n"), out)
	}
	haystacks := append([]string{out}, seen...)
	hits := 0
	for v, what := range secrets {
		for _, h := range haystacks {
			if strings.Contains(h, v) {
				hits++
				t.Errorf("%s found in a log line, response or error", what)
				break
			}
		}
	}
	t.Logf("scanned %d log lines and %d responses/errors for %d secret values: %d hits", strings.Count(out, "\n"), len(seen), len(secrets), hits)
}

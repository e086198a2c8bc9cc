package syncapp_test

// Peer selection: the App built from the environment (config.FromEnv and
// config.PeerFromEnv) with a peer secret in the Secrets Manager double runs
// the connector PEER names, end to end through the route handler, against
// the GHL sandbox and, for incident.io, the incident.io fake.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiospec"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

const (
	// peerTestAPIKey is the TEST-ONLY incident.io API key the fake accepts.
	peerTestAPIKey = "iio-test-only-key-0123456789abcdef"
	peerTestPull   = "test-only-pull-key-0123"
	peerSecretName = "ghlsync/test/peer" // PEER_SECRET_NAME for STAGE=test
)

// peerEnv is a GHL sandbox location with its token in the Secrets Manager
// double, and the environment of a deployment using them.
type peerEnv struct {
	t   *testing.T
	sb  *ghlsandbox.Sandbox
	loc string
	sm  *secretsmanager.Client
	env map[string]string
}

func newPeerEnv(t *testing.T, env map[string]string) *peerEnv {
	t.Helper()
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := ghlsandbox.New(ghlsandbox.Options{Ed25519Key: edPriv, RateLimit: ghlsandbox.RateLimitOptions{Disabled: true},
		Webhooks: ghlsandbox.WebhookOptions{RetryInterval: 30 * time.Millisecond, RetryJitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	loc, err := sb.AddLocation(ghlsandbox.LocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pit, err := sb.IssuePrivateToken(loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sb.PublicKeysPEM()
	if err != nil {
		t.Fatal(err)
	}
	ghlSrv := httptest.NewServer(sb)
	t.Cleanup(ghlSrv.Close)
	e := &peerEnv{t: t, sb: sb, loc: loc.ID, sm: secretstest.Start(t).Client(), env: map[string]string{
		"STAGE": "test", "TABLE_NAME": "unused", "SECRET_PREFIX": "ghlsync/test", "DEFAULT_LOCATION_ID": loc.ID,
		"GHL_BASE_URL": ghlSrv.URL, "GHL_WEBHOOK_ED25519_PUBLIC_KEY": string(keys.Ed25519),
	}}
	for k, v := range env {
		e.env[k] = v
	}
	e.putSecret("ghlsync/test/locations/"+loc.ID, map[string]any{"private_integration_token": pit, "location_id": loc.ID})
	return e
}

func (e *peerEnv) putSecret(name string, doc map[string]any) {
	e.t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.sm.CreateSecret(e.t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(string(b))}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *peerEnv) getenv(k string) string { return e.env[k] }

// build reads the configuration as LoadApp does and builds the App on an
// in-memory store.
func (e *peerEnv) build() (*syncapp.App, error) {
	e.t.Helper()
	cfg, err := config.FromEnv(e.getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	pc, err := config.PeerFromEnv(e.getenv)
	if err != nil {
		e.t.Fatal(err)
	}
	return syncapp.NewApp(e.t.Context(), cfg, e.sm, memstore.New(), syncapp.WithPeer(pc))
}

// serve builds the App and serves its sync routes through the route
// handler over HTTP, as API Gateway would; GHL's webhooks go there.
func (e *peerEnv) serve() string {
	e.t.Helper()
	app, err := e.build()
	if err != nil {
		e.t.Fatal(err)
	}
	h := &syncapp.Handler{Routes: syncapp.SyncRoutes(app.Syncer), Logger: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := apigw.FromHTTP(r, r.Method+" "+r.URL.Path, nil, 1<<20)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, _ := h.Handle(r.Context(), ev)
		apigw.WriteHTTP(w, resp)
	}))
	e.t.Cleanup(srv.Close)
	for _, d := range ghlsandbox.Domains {
		e.sb.SetWebhookURL(d, srv.URL+"/ghl/webhooks/"+string(d))
	}
	return srv.URL
}

func (e *peerEnv) flushGHL() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
	defer cancel()
	if err := e.sb.Flush(ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *peerEnv) notes(contactID string) []string {
	var out []string
	for _, n := range e.sb.Notes(e.loc, contactID) {
		out = append(out, n.Body)
	}
	slices.Sort(out)
	return out
}

func newSigningSecret(t *testing.T) webhook.Secret {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAppWithIncidentIOPeer: PEER=incidentio with every incident.io setting
// and the peer secret's incidentio_api_key and incidentio_signing_secrets
// (one per webhook endpoint): a GHL contact becomes an entry of the
// configured catalog type, and an incident naming it in the configured
// field, delivered Svix-signed by incident.io to the contacts and notes
// endpoints, tags the GHL contact and adds its incident note.
func TestAppWithIncidentIOPeer(t *testing.T) {
	t.Parallel()
	spec, err := incidentiospec.Shared()
	if err != nil {
		t.Fatal(err)
	}
	fake, err := incidentiofake.New(incidentiofake.Options{APIKey: peerTestAPIKey, Examples: spec.WebhookExample})
	if err != nil {
		t.Fatal(err)
	}
	iioSrv := httptest.NewServer(incidentiospec.Checked(t, fake))
	t.Cleanup(iioSrv.Close)

	e := newPeerEnv(t, map[string]string{"PEER": "incidentio", "INCIDENTIO_BASE_URL": iioSrv.URL,
		"INCIDENTIO_CATALOG_TYPE": "Customers", "INCIDENTIO_CUSTOM_FIELD": "Affected customers", "GHL_APP_URL": "https://crm.example.com"})
	contactsSecret, notesSecret, tasksSecret := newSigningSecret(t), newSigningSecret(t), newSigningSecret(t)
	e.putSecret(peerSecretName, map[string]any{"signing_secret": newSigningSecret(t).Encode(), "pull_api_key": peerTestPull,
		"incidentio_api_key": peerTestAPIKey, "incidentio_signing_secrets": []string{contactsSecret.Encode(), notesSecret.Encode(), tasksSecret.Encode()}})
	appURL := e.serve()
	incidentEvents := []string{"public_incident.incident_created_v2", "public_incident.incident_updated_v2"}
	fake.AddEndpoint(incidentiofake.Endpoint{URL: appURL + "/peer/webhooks/contacts", Secret: contactsSecret, EventTypes: incidentEvents})
	fake.AddEndpoint(incidentiofake.Endpoint{URL: appURL + "/peer/webhooks/notes", Secret: notesSecret, EventTypes: incidentEvents})
	fake.AddEndpoint(incidentiofake.Endpoint{URL: appURL + "/peer/webhooks/tasks", Secret: tasksSecret,
		EventTypes: []string{"public_incident.follow_up_created_v2"}})

	// GHL → incident.io: the contact becomes a catalog entry.
	ada, err := e.sb.CreateContact(e.loc, ghlsandbox.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	e.flushGHL()
	entry, ok := fake.Entries("Customers")[ada.ID]
	if !ok || entry.Name != "Ada Lovelace" {
		t.Fatalf("entries of Customers after the GHL contact: %+v", fake.Entries("Customers"))
	}
	if link := entry.Attributes["GHL link"]; len(link) != 1 || !strings.HasPrefix(link[0], "https://crm.example.com/") {
		t.Errorf("GHL link %q, want one under GHL_APP_URL", link)
	}

	// incident.io → GHL: the signed incident webhooks reach the routes.
	if _, err := fake.CreateCustomField("Affected customers", "multi_select", "Customers"); err != nil {
		t.Fatal(err)
	}
	_, ref, err := fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Checkout down", Contacts: map[string][]string{"Affected customers": {ada.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ds, err := fake.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, d := range ds {
		routes = append(routes, strings.TrimPrefix(d.URL, appURL))
		if d.Status != http.StatusOK {
			t.Errorf("%s to %s answered %d", d.EventType, d.URL, d.Status)
		}
	}
	slices.Sort(routes)
	if want := []string{"/peer/webhooks/contacts", "/peer/webhooks/notes"}; !slices.Equal(routes, want) {
		t.Fatalf("incident.io delivered to %q, want %q", routes, want)
	}
	e.flushGHL() // GHL's webhooks about ghlsync's own writes
	c, _ := e.sb.Contact(e.loc, ada.ID)
	for _, tag := range []string{"vip", "incident.io", "incident:" + strings.ToLower(ref)} {
		if !slices.Contains(c.Tags, tag) {
			t.Errorf("contact tags %v, want %s among them", c.Tags, tag)
		}
	}
	if got, want := e.notes(ada.ID), []string{"Incident " + ref + ": Checkout down — Investigating"}; !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}

	// A delivery signed with a secret that is not in the peer secret is
	// refused.
	body := ds[0].Body
	h := newSigningSecret(t).SignedHeaders("msg_forged", time.Now(), body)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, appURL+"/peer/webhooks/contacts", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged delivery answered %d, want 401", resp.StatusCode)
	}
}

// recorder is a Standard Webhooks peer endpoint that records the event
// types it receives.
type recorder struct {
	mu    sync.Mutex
	types []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var env struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(b, &env)
	r.mu.Lock()
	r.types = append(r.types, env.Type)
	r.mu.Unlock()
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.types)
}

// TestAppWithStdWebhooksPeer: PEER=stdwebhooks (and PEER unset, the
// default) still builds the Standard Webhooks peer: a signed peer
// contact.upserted creates the GHL contact, and a GHL contact is delivered
// to the peer's webhook_url.
func TestAppWithStdWebhooksPeer(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{"PEER=stdwebhooks": {"PEER": "stdwebhooks"}, "PEER unset": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			peer := &recorder{}
			peerSrv := httptest.NewServer(peer)
			t.Cleanup(peerSrv.Close)
			e := newPeerEnv(t, env)
			secret := newSigningSecret(t)
			e.putSecret(peerSecretName, map[string]any{"signing_secret": secret.Encode(), "pull_api_key": peerTestPull, "webhook_url": peerSrv.URL})
			appURL := e.serve()

			body := []byte(`{"type":"contact.upserted","timestamp":"` + time.Now().UTC().Format(time.RFC3339) + `","locationId":"` + e.loc +
				`","data":{"peerId":"peer-grace","firstName":"Grace","lastName":"Hopper","email":"grace@example.com"}}`)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, appURL+"/peer/webhooks/contacts", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = secret.SignedHeaders("msg_grace", time.Now(), body)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("peer delivery answered %d", resp.StatusCode)
			}
			var found bool
			for _, c := range e.sb.Contacts(e.loc) {
				found = found || (c.Email == "grace@example.com" && c.FirstName == "Grace")
			}
			if !found {
				t.Errorf("contact not created in GHL: %+v", e.sb.Contacts(e.loc))
			}

			if _, err := e.sb.CreateContact(e.loc, ghlsandbox.Contact{FirstName: "Ada", Email: "ada@example.com"}); err != nil {
				t.Fatal(err)
			}
			e.flushGHL()
			if got := peer.seen(); !slices.Contains(got, "contact.upserted") {
				t.Errorf("peer received %q, want a contact.upserted", got)
			}
		})
	}
}

// TestAppIncidentIOPeerNeedsKeys: PEER=incidentio with a peer secret that
// lacks the incident.io fields fails at startup, naming the secret and the
// fields, never a value.
func TestAppIncidentIOPeerNeedsKeys(t *testing.T) {
	t.Parallel()
	signing, endpoint := newSigningSecret(t), newSigningSecret(t)
	tests := []struct {
		name  string
		extra map[string]any
		want  string
	}{
		{"neither", nil, "peer secret ghlsync/test/peer: PEER=incidentio needs incidentio_api_key (the incident.io API key) and " +
			"incidentio_signing_secrets (the signing secret of each incident.io webhook endpoint)"},
		{"no API key", map[string]any{"incidentio_signing_secrets": []string{endpoint.Encode()}},
			"peer secret ghlsync/test/peer: PEER=incidentio needs incidentio_api_key (the incident.io API key)"},
		{"no signing secrets", map[string]any{"incidentio_api_key": peerTestAPIKey, "incidentio_signing_secrets": []string{}},
			"peer secret ghlsync/test/peer: PEER=incidentio needs incidentio_signing_secrets (the signing secret of each incident.io webhook endpoint)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newPeerEnv(t, map[string]string{"PEER": "incidentio"})
			doc := map[string]any{"signing_secret": signing.Encode(), "pull_api_key": peerTestPull}
			for k, v := range tt.extra {
				doc[k] = v
			}
			e.putSecret(peerSecretName, doc)
			_, err := e.build()
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant %s", err, tt.want)
			}
			for _, v := range []string{signing.Encode(), endpoint.Encode(), peerTestAPIKey, peerTestPull} {
				if strings.Contains(err.Error(), strings.TrimPrefix(v, "whsec_")) {
					t.Errorf("the error holds a secret value: %v", err)
				}
			}
		})
	}
}

// TestLoadAppReadsPeer: LoadApp reads PEER with the rest of the
// configuration, and refuses an unknown connector before anything is built.
func TestLoadAppReadsPeer(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TABLE_NAME": "t", "PEER": "zapier"}
	_, _, err := syncapp.LoadApp(t.Context(), func(k string) string { return env[k] })
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "PEER: want stdwebhooks or incidentio") {
		t.Errorf("err = %v, want the PEER problem", err)
	}
}

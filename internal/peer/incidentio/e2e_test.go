package incidentio_test

// End to end: the GHL sandbox (real signed webhooks), the sync flows
// (crmsync.Syncer) with links and idempotency records in DynamoDB Local,
// this connector, and the incident.io fake delivering Svix-signed webhooks
// to three endpoints (contacts, notes, tasks) as incident.io would.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	iio "github.com/ghlsync/ghlsync/internal/incidentio"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiospec"
	"github.com/ghlsync/ghlsync/internal/peer/incidentio"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

type e2e struct {
	t    *testing.T
	sb   *ghlsandbox.Sandbox
	loc  string
	fake *incidentiofake.Fake
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	if testing.Short() {
		t.Skip("DynamoDB Local in -short mode")
	}
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := ghlsandbox.New(ghlsandbox.Options{Ed25519Key: edPriv, RSAKey: rsaKey, RateLimit: ghlsandbox.RateLimitOptions{Disabled: true},
		Webhooks: ghlsandbox.WebhookOptions{RetryInterval: 30 * time.Millisecond, RetryJitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	loc, err := sb.AddLocation(ghlsandbox.LocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	token, err := sb.IssuePrivateToken(loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	ghlSrv := httptest.NewServer(sb)
	t.Cleanup(ghlSrv.Close)

	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
		t.Fatal(err)
	}
	st := dynamostore.New(client, table)

	v, err := incidentiospec.Shared()
	if err != nil {
		t.Fatal(err)
	}
	fake, err := incidentiofake.New(incidentiofake.Options{APIKey: apiKey, PrivateAccess: true, Examples: v.WebhookExample})
	if err != nil {
		t.Fatal(err)
	}
	iioSrv := httptest.NewServer(incidentiospec.Checked(t, fake))
	t.Cleanup(iioSrv.Close)
	secrets := map[crmsync.Kind]webhook.Secret{}
	for i, k := range []crmsync.Kind{crmsync.KindContact, crmsync.KindNote, crmsync.KindTask} {
		secrets[k] = webhook.Secret([]byte(strings.Repeat(string(rune('a'+i)), 32)))
	}
	conn, err := incidentio.New(incidentio.Config{APIKey: apiKey, BaseURL: iioSrv.URL, HTTPClient: iioSrv.Client(),
		Secrets: []webhook.Secret{secrets[crmsync.KindContact], secrets[crmsync.KindNote], secrets[crmsync.KindTask]}})
	if err != nil {
		t.Fatal(err)
	}

	keys, err := sb.PublicKeysPEM()
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: keys.Ed25519, RSAPEM: keys.RSA})
	if err != nil {
		t.Fatal(err)
	}
	verifier.Window = 5 * time.Minute
	hc := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})}}
	syncer, err := crmsync.New(crmsync.Options{
		GHL: crmsync.GHLFactoryFunc(func(_ context.Context, locationID string) (crmsync.GHL, error) {
			c, err := ghl.NewClient(hc, ghl.WithBaseURL(ghlSrv.URL), ghl.WithLocationID(locationID),
				ghl.WithBackoff(ghl.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}), ghl.WithMaxRetries(1))
			if err != nil {
				return crmsync.GHL{}, err
			}
			return crmsync.ClientGHL(c), nil
		}),
		Links: st, Idempotency: idempotency.New(st), Peer: conn, Verifier: verifier, DefaultLocationID: loc.ID,
		EchoSettle: crmsync.DefaultEchoSettle,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, res crmsync.Result) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.Status)
		_ = json.NewEncoder(w).Encode(res.Body)
	}
	mux.HandleFunc("POST /ghl/webhooks/{domain}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		serve(w, syncer.HandleGHLWebhook(r.Context(), crmsync.Kind(strings.TrimSuffix(r.PathValue("domain"), "s")), r.Header, body))
	})
	mux.HandleFunc("POST /peer/webhooks/{domain}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		serve(w, syncer.HandlePeerWebhook(r.Context(), crmsync.Kind(strings.TrimSuffix(r.PathValue("domain"), "s")), r.Header, body))
	})
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	for _, d := range []ghlsandbox.Domain{ghlsandbox.DomainContacts, ghlsandbox.DomainTasks, ghlsandbox.DomainNotes, ghlsandbox.DomainAppointments} {
		sb.SetWebhookURL(d, app.URL+"/ghl/webhooks/"+string(d))
	}
	incidentEvents := []string{"public_incident.incident_created_v2", "public_incident.incident_updated_v2",
		"private_incident.incident_created_v2", "private_incident.incident_updated_v2"}
	fake.AddEndpoint(incidentiofake.Endpoint{URL: app.URL + "/peer/webhooks/contacts", Secret: secrets[crmsync.KindContact], EventTypes: incidentEvents})
	fake.AddEndpoint(incidentiofake.Endpoint{URL: app.URL + "/peer/webhooks/notes", Secret: secrets[crmsync.KindNote], EventTypes: incidentEvents})
	fake.AddEndpoint(incidentiofake.Endpoint{URL: app.URL + "/peer/webhooks/tasks", Secret: secrets[crmsync.KindTask], EventTypes: []string{
		"public_incident.follow_up_created_v2", "public_incident.follow_up_updated_v2", "private_incident.follow_up_created_v2",
		"private_incident.follow_up_updated_v2", "public_incident.action_created_v1", "public_incident.action_updated_v1"}})
	return &e2e{t: t, sb: sb, loc: loc.ID, fake: fake}
}

// settle delivers every pending webhook both ways until none is left.
func (e *e2e) settle() []incidentiofake.Delivery {
	e.t.Helper()
	var all []incidentiofake.Delivery
	for range 10 {
		ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
		if err := e.sb.Flush(ctx); err != nil {
			cancel()
			e.t.Fatal(err)
		}
		ds, err := e.fake.Flush(ctx)
		cancel()
		if err != nil {
			e.t.Fatal(err)
		}
		for _, d := range ds {
			if d.Status != http.StatusOK {
				e.t.Errorf("%s to %s answered %d", d.EventType, d.URL, d.Status)
			}
		}
		if len(ds) == 0 {
			return all
		}
		all = append(all, ds...)
	}
	e.t.Fatal("webhooks did not settle")
	return nil
}

func (e *e2e) notes(contactID string) []string {
	var out []string
	for _, n := range e.sb.Notes(e.loc, contactID) {
		out = append(out, n.Body)
	}
	slices.Sort(out)
	return out
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	sb, loc, fake := e.sb, e.loc, e.fake

	// GHL contacts → catalog entries (the type is created on first use).
	ada, err := sb.CreateContact(loc, ghlsandbox.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "+15555550100", Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	grace, err := sb.CreateContact(loc, ghlsandbox.Contact{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com", CompanyName: "Navy"})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	entries := fake.Entries("GHL Contact")
	if len(entries) != 2 || entries[ada.ID].Name != "Ada Lovelace" || entries[grace.ID].Attributes["Company"][0] != "Navy" {
		t.Fatalf("catalog after the GHL contacts: %+v", entries)
	}
	if _, err := fake.CreateCustomField("GHL contacts", "multi_select", "GHL Contact"); err != nil {
		t.Fatal(err)
	}

	// An incident naming both → both upserted, tagged and noted once.
	incID, ref, err := fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Checkout down", Contacts: map[string][]string{"GHL contacts": {ada.ID, grace.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	created := e.settle()
	wantNote := "Incident " + ref + ": Checkout down — Investigating"
	tag := "incident:" + strings.ToLower(ref)
	for _, id := range []string{ada.ID, grace.ID} {
		c, _ := sb.Contact(loc, id)
		if !slices.Contains(c.Tags, "incident.io") || !slices.Contains(c.Tags, tag) {
			t.Errorf("contact %s tags %v", id, c.Tags)
		}
		if got := e.notes(id); !slices.Equal(got, []string{wantNote}) {
			t.Errorf("contact %s notes %q", id, got)
		}
	}
	if c, _ := sb.Contact(loc, ada.ID); !slices.Contains(c.Tags, "vip") || c.FirstName != "Ada" {
		t.Errorf("Ada lost data: %+v", c)
	} else {
		t.Logf("after %s: Ada's tags %v, notes %q", ref, c.Tags, e.notes(ada.ID))
	}
	// Redelivered webhooks change nothing.
	before := sb.RequestCounts()
	for _, d := range created {
		re, err := fake.Redeliver(t.Context(), d.ID)
		if err != nil || re.Status != http.StatusOK {
			t.Fatalf("redeliver %s: %d %v", d.ID, re.Status, err)
		}
	}
	e.settle()
	if got := e.notes(ada.ID); len(got) != 1 {
		t.Errorf("notes after redelivery: %q", got)
	}
	for op, n := range sb.RequestCounts() {
		if n != before[op] && !strings.HasPrefix(op, "get-") {
			t.Errorf("redelivery wrote to GHL: %s %d → %d", op, before[op], n)
		}
	}

	// The incident moves: the note is updated, not duplicated; the update
	// becomes a note of its own.
	if err := fake.UpdateIncident(incID, iioChange("Fixing", "Rolled back the deploy")); err != nil {
		t.Fatal(err)
	}
	e.settle()
	want := []string{"Incident " + ref + " update — Fixing: Rolled back the deploy", "Incident " + ref + ": Checkout down — Fixing"}
	if got := e.notes(grace.ID); !slices.Equal(got, want) {
		t.Errorf("notes after the update: %q", got)
	}

	// A follow-up → a GHL task on each contact.
	fuID, err := fake.CreateFollowUp(incID, "Call the customer", "Explain the outage")
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	tasks := map[string]ghlsandbox.Task{}
	for _, id := range []string{ada.ID, grace.ID} {
		ts := sb.Tasks(loc, id)
		if len(ts) != 1 || ts[0].Title != "Call the customer" || ts[0].Completed || !strings.HasPrefix(ts[0].Body, "Explain the outage") {
			t.Fatalf("tasks of %s: %+v", id, ts)
		}
		tasks[id] = ts[0]
	}

	// GHL task completed → follow-up completed, and no echo back.
	puts := func() int { return fake.Stats().ByOperation["PUT /v2/follow_ups/{id}"] }
	if _, err := sb.SetTaskCompleted(loc, ada.ID, tasks[ada.ID].ID, true); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if _, status, _ := fake.FollowUp(fuID); status != iio.StatusCompleted {
		t.Errorf("follow-up status %q, want completed", status)
	}
	if n := puts(); n != 1 {
		t.Errorf("follow-up written %d times, want once", n)
	}
	for _, id := range []string{ada.ID, grace.ID} {
		if ts := sb.Tasks(loc, id); len(ts) != 1 || !ts[0].Completed {
			t.Errorf("tasks of %s after completion: %+v", id, ts)
		}
	}
	e.settle()
	if n := puts(); n != 1 {
		t.Errorf("echo: follow-up written %d times", n)
	}
	t.Logf("follow-up %s completed from GHL with %d PUT; incident.io requests so far %d", fuID, puts(), fake.Stats().Requests)

	// GHL contact renamed → catalog entry updated.
	if _, err := sb.UpdateContact(loc, ada.ID, func(c *ghlsandbox.Contact) { c.FirstName = "Augusta Ada"; c.Name = "" }); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if got := fake.Entries("GHL Contact")[ada.ID]; !strings.HasPrefix(got.Name, "Augusta Ada") || got.Attributes["First name"][0] != "Augusta Ada" {
		t.Errorf("entry after rename: %+v", got)
	}
	if n := len(fake.Entries("GHL Contact")); n != 2 {
		t.Errorf("%d entries, want 2", n)
	}
	// A GHL note on Ada → a link on her open incident, once.
	if _, err := sb.CreateNote(loc, ada.ID, ghlsandbox.Note{Body: "Customer called back"}); err != nil {
		t.Fatal(err)
	}
	e.settle()
	var links []string
	for _, a := range fake.Attachments(incID) {
		links = append(links, a.Title)
	}
	if !slices.Equal(links, []string{"GHL note: Customer called back"}) {
		t.Errorf("attachments %q", links)
	}
}

// A second, private incident on Ada keeps the first incident's tag.
func TestEndToEndSecondPrivateIncident(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	ada, err := e.sb.CreateContact(e.loc, ghlsandbox.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	if _, err := e.fake.CreateCustomField("GHL contacts", "multi_select", "GHL Contact"); err != nil {
		t.Fatal(err)
	}
	_, ref1, err := e.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Checkout down", Contacts: map[string][]string{"GHL contacts": {ada.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	_, ref2, err := e.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Data export", Private: true, Contacts: map[string][]string{"GHL contacts": {"ada@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	ds := e.settle()
	if len(ds) == 0 || !strings.HasPrefix(ds[0].EventType, "private_incident.") {
		t.Fatalf("deliveries %+v", ds)
	}
	c, _ := e.sb.Contact(e.loc, ada.ID)
	want := []string{"incident.io", "incident:" + strings.ToLower(ref1), "incident:" + strings.ToLower(ref2), "vip"}
	got := slices.Clone(c.Tags)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	if n := len(e.notes(ada.ID)); n != 2 {
		t.Errorf("notes %q, want one per incident", e.notes(ada.ID))
	}
}

func iioChange(status, msg string) incidentiofake.IncidentChange {
	return incidentiofake.IncidentChange{Status: status, Message: msg}
}

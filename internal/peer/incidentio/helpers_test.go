package incidentio_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	iio "github.com/ghlsync/ghlsync/internal/incidentio"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiospec"
	"github.com/ghlsync/ghlsync/internal/peer/incidentio"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

const (
	apiKey   = "iio-test-key-0123456789abcdef"
	location = "loc-1"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a connector wired to a spec-checked incident.io fake on a virtual
// clock.
type env struct {
	fake   *incidentiofake.Fake
	chk    *incidentiospec.Checker
	clock  *incidentiofake.Clock
	api    *iio.Client
	conn   *incidentio.Connector
	secret webhook.Secret
	srv    *httptest.Server
}

type envOptions struct {
	noPrivateAccess bool
	customField     string
	svix            bool
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	chkV, err := incidentiospec.Shared()
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	clock := incidentiofake.NewClock(epoch)
	fake, err := incidentiofake.New(incidentiofake.Options{APIKey: apiKey, Clock: clock, PrivateAccess: !o.noPrivateAccess, Examples: chkV.WebhookExample})
	if err != nil {
		t.Fatal(err)
	}
	chk := incidentiospec.Checked(t, fake)
	srv := httptest.NewServer(chk)
	t.Cleanup(srv.Close)
	api, err := iio.NewClient(srv.Client(), iio.WithBaseURL(srv.URL), iio.WithAPIKey(apiKey), iio.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	secret := webhook.Secret([]byte("0123456789abcdef0123456789abcdef"))
	fake.AddEndpoint(incidentiofake.Endpoint{URL: "http://127.0.0.1:1/unused", Secret: secret, SvixHeaders: o.svix})
	conn, err := incidentio.New(incidentio.Config{Client: api, Secrets: []webhook.Secret{secret}, DefaultLocationID: location,
		CustomField: o.customField, Now: clock.Now, GHLAppURL: "https://app.ghl.example"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, chk: chk, clock: clock, api: api, conn: conn, secret: secret, srv: srv}
}

// sendContact sends contact.upserted and returns the peer id.
func (e *env) sendContact(t *testing.T, k crmsync.Contact) string {
	t.Helper()
	res, err := e.conn.Send(t.Context(), crmsync.Event{ID: "evt-" + k.GHLID, Type: crmsync.ContactUpserted, LocationID: location, Time: e.clock.Now(), Contact: &k})
	if err != nil {
		t.Fatalf("send contact %s: %v", k.GHLID, err)
	}
	if res.PeerID == "" {
		t.Fatalf("send contact %s: no peer id", k.GHLID)
	}
	return res.PeerID
}

// contactsField creates the "GHL contacts" field once the type exists.
func (e *env) contactsField(t *testing.T) string {
	t.Helper()
	id, err := e.fake.CreateCustomField("GHL contacts", "multi_select", "GHL Contact")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// receive hands every queued delivery to the connector on domain.
func (e *env) receive(t *testing.T, domain crmsync.Kind) []crmsync.Change {
	t.Helper()
	var out []crmsync.Change
	for _, d := range e.fake.Pending() {
		in, err := e.conn.Receive(t.Context(), domain, d.Header, d.Body)
		if err != nil {
			t.Fatalf("receive %s on %s: %v", d.EventType, domain, err)
		}
		if in.DeliveryID != d.ID {
			t.Errorf("delivery id %q, want %q", in.DeliveryID, d.ID)
		}
		out = append(out, in.Changes...)
	}
	return out
}

func ada() crmsync.Contact {
	return crmsync.Contact{GHLID: "ghl-ada", LocationID: location, FirstName: "Ada", LastName: "Lovelace", Name: "Ada Lovelace",
		Email: "Ada@Example.com", Phone: "+15550001", CompanyName: "Engines Ltd", Tags: []string{"VIP", "customer"}}
}

func grace() crmsync.Contact {
	return crmsync.Contact{GHLID: "ghl-grace", LocationID: location, FirstName: "Grace", LastName: "Hopper", Name: "Grace Hopper",
		Email: "grace@example.com", Tags: []string{"customer"}}
}

// stubAPI answers every request with status and the documented error body.
func stubAPI(t *testing.T, status int) *iio.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"type":"stub","status":0,"request_id":"r","errors":[{"code":"c","message":"refused"}]}`))
	}))
	t.Cleanup(srv.Close)
	api, err := iio.NewClient(srv.Client(), iio.WithBaseURL(srv.URL), iio.WithAPIKey(apiKey), iio.WithMaxRetries(0),
		iio.WithClock(incidentiofake.NewClock(epoch)))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

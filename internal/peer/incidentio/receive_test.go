package incidentio_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiospec"
	"github.com/ghlsync/ghlsync/internal/peer/incidentio"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// incidentWithTwo seeds Ada and Grace, the field, and an incident naming
// both; it returns the incident id and reference.
func incidentWithTwo(t *testing.T, e *env, private bool) (string, string, map[string]string) {
	t.Helper()
	peers := map[string]string{"ghl-ada": e.sendContact(t, ada()), "ghl-grace": e.sendContact(t, grace())}
	e.contactsField(t)
	id, ref, err := e.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Checkout down", Private: private,
		Contacts: map[string][]string{"GHL contacts": {"ghl-ada", "grace@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	return id, ref, peers
}

func TestReceiveIncident(t *testing.T) {
	t.Parallel()
	for _, private := range []bool{false, true} {
		name := "public"
		if private {
			name = "private"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{})
			incID, ref, peers := incidentWithTwo(t, e, private)
			pending := e.fake.Pending()
			if len(pending) != 1 || pending[0].EventType != map[bool]string{false: "public_incident.incident_created_v2", true: "private_incident.incident_created_v2"}[private] {
				t.Fatalf("deliveries %+v", pending)
			}
			d := pending[0]
			if private && !strings.Contains(string(d.Body), `{"id":"`+incID+`"}`) {
				t.Errorf("private payload carries more than the id: %s", d.Body)
			}
			in, err := e.conn.Receive(t.Context(), crmsync.KindContact, d.Header, d.Body)
			if err != nil {
				t.Fatal(err)
			}
			tags := []string{"incident.io", "incident:" + strings.ToLower(ref)}
			ts := time.Unix(epoch.Unix(), 0)
			entries := e.fake.Entries("GHL Contact")
			wantContacts := []crmsync.Change{
				{Type: crmsync.ContactUpserted, LocationID: location, Time: ts, Contact: &crmsync.Contact{GHLID: "ghl-ada", PeerID: peers["ghl-ada"],
					LocationID: location, FirstName: "Ada", LastName: "Lovelace", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+15550001",
					CompanyName: "Engines Ltd", Tags: append([]string{"customer"}, append(tags, "vip")...)}},
				{Type: crmsync.ContactUpserted, LocationID: location, Time: ts, Contact: &crmsync.Contact{GHLID: "ghl-grace", PeerID: peers["ghl-grace"],
					LocationID: location, FirstName: "Grace", LastName: "Hopper", Name: "Grace Hopper", Email: "grace@example.com",
					Tags: append([]string{"customer"}, tags...)}},
			}
			ignoreTime := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".UpdatedAt" }, cmp.Ignore())
			if d := cmp.Diff(wantContacts, in.Changes, ignoreTime); d != "" {
				t.Errorf("contact changes (-want +got):\n%s", d)
			}
			if len(entries) != 2 {
				t.Errorf("entries %v", entries)
			}
			in, err = e.conn.Receive(t.Context(), crmsync.KindNote, d.Header, d.Body)
			if err != nil {
				t.Fatal(err)
			}
			body := "Incident " + ref + ": Checkout down — Investigating"
			wantNotes := []crmsync.Change{
				{Type: crmsync.NoteUpserted, LocationID: location, Time: ts, Note: &crmsync.Note{PeerID: "incident:" + incID + ":ghl-ada", ContactGHLID: "ghl-ada", Body: body}},
				{Type: crmsync.NoteUpserted, LocationID: location, Time: ts, Note: &crmsync.Note{PeerID: "incident:" + incID + ":ghl-grace", ContactGHLID: "ghl-grace", Body: body}},
			}
			if d := cmp.Diff(wantNotes, in.Changes, ignoreTime); d != "" {
				t.Errorf("note changes (-want +got):\n%s", d)
			}
			for _, dom := range []crmsync.Kind{crmsync.KindTask, crmsync.KindAppointment} {
				if in, err := e.conn.Receive(t.Context(), dom, d.Header, d.Body); err != nil || len(in.Changes) != 0 {
					t.Errorf("%s route: %d changes, %v", dom, len(in.Changes), err)
				}
			}

			// The incident moves: the same note id with the new status,
			// plus a note for the incident update.
			e.clock.Advance(time.Minute)
			if err := e.fake.UpdateIncident(incID, incidentiofake.IncidentChange{Status: "Fixing", Message: "Rolling back the deploy"}); err != nil {
				t.Fatal(err)
			}
			notes := e.receive(t, crmsync.KindNote)
			var bodies []string
			for _, c := range notes {
				if c.Note.ContactGHLID == "ghl-ada" {
					bodies = append(bodies, c.Note.PeerID[:strings.LastIndex(c.Note.PeerID, ":")]+" "+c.Note.Body)
				}
			}
			if len(bodies) == 0 || bodies[0] != "incident:"+incID+" Incident "+ref+": Checkout down — Fixing" ||
				!strings.HasPrefix(bodies[len(bodies)-1], "incident_update:") || !strings.HasSuffix(bodies[len(bodies)-1], "Incident "+ref+" update — Fixing: Rolling back the deploy") {
				t.Errorf("notes for Ada after the update: %q", bodies)
			}
		})
	}
}

// TestReceivePrivateWithoutAccess: a key that cannot read private
// incidents gets a clear, permanent error.
func TestReceivePrivateWithoutAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noPrivateAccess: true})
	incidentWithTwo(t, e, true)
	d := e.fake.Pending()[0]
	_, err := e.conn.Receive(t.Context(), crmsync.KindContact, d.Header, d.Body)
	var bad *crmsync.BadEventError
	if !errors.As(err, &bad) || !strings.Contains(bad.Problem, "private incidents") {
		t.Errorf("err = %v", err)
	}
}

// TestReceiveTasks: follow-ups and actions become tasks on each contact of
// the incident, completed when done; private ones are fetched.
func TestReceiveTasks(t *testing.T) {
	t.Parallel()
	for _, private := range []bool{false, true} {
		t.Run(map[bool]string{false: "public", true: "private"}[private], func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{})
			incID, ref, _ := incidentWithTwo(t, e, private)
			e.fake.Pending()
			fuID, err := e.fake.CreateFollowUp(incID, "Call the customer", "Explain the outage")
			if err != nil {
				t.Fatal(err)
			}
			var changes []crmsync.Change
			for _, d := range e.fake.Pending() {
				if in, err := e.conn.Receive(t.Context(), crmsync.KindContact, d.Header, d.Body); err != nil || len(in.Changes) != 0 {
					t.Errorf("follow-up on the contact route: %+v %v", in, err)
				}
				in, err := e.conn.Receive(t.Context(), crmsync.KindTask, d.Header, d.Body)
				if err != nil {
					t.Fatal(err)
				}
				changes = append(changes, in.Changes...)
			}
			due := epoch.Add(incidentio.DefaultTaskDue)
			permalink := "https://app.incident.io/incidents/" + strings.TrimPrefix(ref, "INC-")
			want := crmsync.Change{Type: crmsync.TaskUpserted, LocationID: location, Time: time.Unix(epoch.Unix(), 0), Task: &crmsync.Task{
				PeerID: "follow_up:" + fuID + ":ghl-ada", ContactGHLID: "ghl-ada", Title: "Call the customer",
				Body: "Explain the outage\n\nincident.io follow-up on " + ref + " (" + permalink + ")", DueDate: due, UpdatedAt: epoch}}
			if len(changes) != 2 {
				t.Fatalf("%d changes, want 2 (one follow-up, two contacts): %+v", len(changes), changes)
			}
			if d := cmp.Diff(want, changes[0]); d != "" {
				t.Errorf("task change (-want +got):\n%s", d)
			}
			if changes[1].Task.PeerID != "follow_up:"+fuID+":ghl-grace" {
				t.Errorf("second contact's task %q", changes[1].Task.PeerID)
			}
			if err := e.fake.SetFollowUpStatus(fuID, "not_doing"); err != nil {
				t.Fatal(err)
			}
			changes = e.receive(t, crmsync.KindTask)
			if len(changes) != 2 || changes[0].Type != crmsync.TaskCompleted || !changes[0].Task.Completed {
				t.Errorf("not_doing: %+v", changes)
			}
			if err := e.fake.SetFollowUpStatus(fuID, "deleted"); err != nil {
				t.Fatal(err)
			}
			changes = e.receive(t, crmsync.KindTask)
			if len(changes) != 2 || changes[0].Type != crmsync.TaskDeleted || changes[0].Deleted.PeerID != "follow_up:"+fuID+":ghl-ada" {
				t.Errorf("deleted: %+v", changes)
			}
			actID, err := e.fake.CreateAction(incID, "Restart the workers\nthen watch the queue")
			if err != nil {
				t.Fatal(err)
			}
			changes = e.receive(t, crmsync.KindTask)
			if len(changes) != 2 || changes[0].Task.PeerID != "action:"+actID+":ghl-ada" || changes[0].Task.Title != "Restart the workers" || changes[0].Task.Completed {
				t.Errorf("action: %+v", changes)
			}
		})
	}
}

// TestReceiveSpecExamples: every x-webhooks example of the spec, signed,
// is verified and parsed: types the sync does not use, and incidents whose
// custom fields name no GHL contact, give no changes; objects that need a
// fetch and do not exist give a *BadEventError. Nothing else.
func TestReceiveSpecExamples(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.sendContact(t, ada())
	e.contactsField(t)
	v, err := incidentiospec.Shared()
	if err != nil {
		t.Fatal(err)
	}
	types := v.WebhookEventTypes()
	if len(types) != 33 {
		t.Errorf("%d example event types, want 33", len(types))
	}
	for _, et := range types {
		body, err := v.WebhookExample(et)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.ValidateWebhook(body); err != nil {
			t.Errorf("%s example: %v", et, err)
		}
		h := e.secret.SignedHeaders("msg_"+et, e.clock.Now(), body)
		for _, dom := range []crmsync.Kind{crmsync.KindContact, crmsync.KindTask, crmsync.KindNote, crmsync.KindAppointment} {
			in, err := e.conn.Receive(t.Context(), dom, h, body)
			var bad *crmsync.BadEventError
			switch {
			case err == nil && len(in.Changes) == 0 && in.DeliveryID == "msg_"+et:
			case errors.As(err, &bad) && strings.Contains(bad.Problem, "cannot be read"):
			default:
				t.Errorf("%s on %s: %d changes, err %v", et, dom, len(in.Changes), err)
			}
		}
	}
}

// TestReceiveVerification: only deliveries signed by a configured secret,
// on the exact bytes, inside the window, pass; svix-* names are accepted.
func TestReceiveVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{svix: true})
	incidentWithTwo(t, e, false)
	d := e.fake.Pending()[0]
	if d.Header.Get("Svix-Signature") == "" || d.Header.Get("Webhook-Signature") != "" {
		t.Fatalf("headers %v", d.Header)
	}
	if _, err := e.conn.Receive(t.Context(), crmsync.KindContact, d.Header, d.Body); err != nil {
		t.Fatalf("svix-signed delivery: %v", err)
	}
	other := webhook.Secret([]byte("another-secret-another-secret!!"))
	cases := map[string]struct {
		h    http.Header
		body []byte
	}{
		"tampered body":   {d.Header, []byte(strings.Replace(string(d.Body), "Checkout down", "Checkout d0wn", 1))},
		"other secret":    {other.SignedHeaders(d.ID, e.clock.Now(), d.Body), d.Body},
		"no headers":      {http.Header{}, d.Body},
		"stale":           {e.secret.SignedHeaders(d.ID, e.clock.Now().Add(-time.Hour), d.Body), d.Body},
		"from the future": {e.secret.SignedHeaders(d.ID, e.clock.Now().Add(time.Hour), d.Body), d.Body},
	}
	before := e.fake.Stats().Requests
	for name, tc := range cases {
		if _, err := e.conn.Receive(t.Context(), crmsync.KindContact, tc.h, tc.body); !errors.Is(err, crmsync.ErrUnauthenticated) {
			t.Errorf("%s: err = %v, want ErrUnauthenticated", name, err)
		}
	}
	if n := e.fake.Stats().Requests; n != before {
		t.Errorf("unverified deliveries caused %d API requests", n-before)
	}
	// A rotation: the previous secret still verifies.
	conn, err := incidentio.New(incidentio.Config{Client: e.api, Secrets: []webhook.Secret{other, e.secret}, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Receive(t.Context(), crmsync.KindAppointment, d.Header, d.Body); err != nil {
		t.Errorf("second secret: %v", err)
	}
	// Malformed but signed bodies are bad events.
	for _, body := range []string{`not json`, `{"event_type":""}`, `{"event_type":"public_incident.incident_created_v2"}`} {
		h := e.secret.SignedHeaders("m", e.clock.Now(), []byte(body))
		var bad *crmsync.BadEventError
		if _, err := e.conn.Receive(t.Context(), crmsync.KindContact, h, []byte(body)); !errors.As(err, &bad) {
			t.Errorf("%s: err = %v, want *BadEventError", body, err)
		}
	}
}

func TestPeerIDs(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		want incidentio.PeerID
		ok   bool
	}{
		"follow_up:01F:ghl-1":     {incidentio.PeerID{Kind: "follow_up", ObjectID: "01F", ContactID: "ghl-1"}, true},
		"action:01A:ghl-1":        {incidentio.PeerID{Kind: "action", ObjectID: "01A", ContactID: "ghl-1"}, true},
		"incident:01I:ghl-1":      {incidentio.PeerID{Kind: "incident", ObjectID: "01I", ContactID: "ghl-1"}, true},
		"incident_update:01U:ghl": {incidentio.PeerID{Kind: "incident_update", ObjectID: "01U", ContactID: "ghl"}, true},
		"follow_up:01F":           {incidentio.PeerID{Kind: "follow_up", ObjectID: "01F"}, true},
		"task-123":                {},
		"follow_up::ghl-1":        {},
		"catalog_entry:01E:ghl-1": {},
	}
	for in, tc := range cases {
		got, ok := incidentio.ParsePeerID(in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParsePeerID(%q) = %+v, %t", in, got, ok)
		}
		if ok && got.ContactID != "" && got.String() != in {
			t.Errorf("String() = %q, want %q", got.String(), in)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	t.Parallel()
	s := []webhook.Secret{[]byte("0123456789abcdef")}
	for name, cfg := range map[string]incidentio.Config{
		"no secret":   {APIKey: "k"},
		"no key":      {Secrets: s},
		"bad app URL": {APIKey: "k", Secrets: s, GHLAppURL: "ftp://x"},
	} {
		if _, err := incidentio.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	cfg := incidentio.Config{APIKey: "very-secret-key", Secrets: s}
	c, err := incidentio.New(cfg)
	if err != nil || c.Name() != "incidentio" {
		t.Fatalf("%v", err)
	}
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%+v", cfg)} {
		if strings.Contains(out, "very-secret-key") || strings.Contains(out, "0123456789abcdef") {
			t.Errorf("configuration printed its secrets: %s", out)
		}
	}
}

// TestReceiveFetchErrors: when the object of an id-only (private or v1)
// webhook cannot be fetched now (429, 5xx), Receive wraps
// crmsync.ErrPeerUnavailable, so that the flows answer 503 and incident.io
// delivers again; a 404 (no access) stays a permanent bad event.
func TestReceiveFetchErrors(t *testing.T) {
	t.Parallel()
	secret := webhook.Secret([]byte("0123456789abcdef0123456789abcdef"))
	events := []struct {
		eventType string
		domain    crmsync.Kind
	}{
		{"private_incident.incident_created_v2", crmsync.KindContact},
		{"private_incident.incident_updated_v2", crmsync.KindNote},
		{"private_incident.follow_up_created_v2", crmsync.KindTask},
		{"private_incident.action_updated_v1", crmsync.KindTask},
		{"public_incident.follow_up_updated_v1", crmsync.KindTask},
	}
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusTooManyRequests, http.StatusNotFound} {
		conn, err := incidentio.New(incidentio.Config{Client: stubAPI(t, status), Secrets: []webhook.Secret{secret}})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			body := []byte(fmt.Sprintf(`{"event_type":%q,%q:{"id":"01HPRIVATE0000000000000000"}}`, ev.eventType, ev.eventType))
			_, err := conn.Receive(t.Context(), ev.domain, secret.SignedHeaders("msg_"+ev.eventType, time.Now(), body), body)
			var bad *crmsync.BadEventError
			switch {
			case status == http.StatusNotFound && !errors.As(err, &bad):
				t.Errorf("%s, API %d: err = %v, want *BadEventError", ev.eventType, status, err)
			case status != http.StatusNotFound && !errors.Is(err, crmsync.ErrPeerUnavailable):
				t.Errorf("%s, API %d: err = %v, want ErrPeerUnavailable", ev.eventType, status, err)
			}
		}
	}
}

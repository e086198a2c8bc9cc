package incidentio_test

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
	"github.com/ghlsync/ghlsync/internal/peer/incidentio"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// TestSendContact: the first send creates the catalog type and its schema,
// then upserts; a repeat updates the same entry; a rename updates it; the
// delete removes it, and a second delete is a success.
func TestSendContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	k := ada()
	id := e.sendContact(t, k)
	ops := e.chk.Operations()
	want := map[string]int{"GET /v3/catalog_types": 1, "POST /v3/catalog_types": 1, "POST /v3/catalog_types/{id}/actions/update_schema": 1, "POST /v3/catalog_entries": 1}
	if d := cmp.Diff(want, ops); d != "" {
		t.Errorf("first send (-want +got):\n%s", d)
	}
	wantEntry := incidentiofake.Entry{ID: id, Name: "Ada Lovelace", ExternalID: "ghl-ada", Aliases: []string{"ada@example.com", "+15550001"},
		Attributes: map[string][]string{"First name": {"Ada"}, "Last name": {"Lovelace"}, "Email": {"ada@example.com"}, "Phone": {"+15550001"},
			"Company": {"Engines Ltd"}, "Tags": {"customer", "vip"}, "GHL location": {location},
			"GHL link": {"https://app.ghl.example/v2/location/loc-1/contacts/detail/ghl-ada"}}}
	entries := e.fake.Entries("GHL Contact")
	if d := cmp.Diff(map[string]incidentiofake.Entry{"ghl-ada": wantEntry}, entries, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".TypeID" }, cmp.Ignore())); d != "" {
		t.Errorf("entries (-want +got):\n%s", d)
	}

	if again := e.sendContact(t, k); again != id {
		t.Errorf("second send peer id %s, want %s (the same entry)", again, id)
	}
	k.FirstName, k.Name = "Augusta Ada", "Augusta Ada Lovelace"
	if renamed := e.sendContact(t, k); renamed != id {
		t.Errorf("rename peer id %s, want %s", renamed, id)
	}
	entries = e.fake.Entries("GHL Contact")
	if len(entries) != 1 || entries["ghl-ada"].Name != "Augusta Ada Lovelace" || entries["ghl-ada"].Attributes["First name"][0] != "Augusta Ada" {
		t.Errorf("after rename: %+v", entries)
	}
	ops = e.chk.Operations()
	if ops["POST /v3/catalog_types"] != 1 || ops["GET /v3/catalog_types"] != 1 || ops["POST /v3/catalog_entries"] != 3 {
		t.Errorf("type ensured more than once, or entries not upserted: %v", ops)
	}
	if e.fake.CatalogTypes()["GHL Contact"] != 2 {
		t.Errorf("schema versions: %v", e.fake.CatalogTypes())
	}

	del := crmsync.Event{Type: crmsync.ContactDeleted, LocationID: location, Deleted: &crmsync.Ref{Kind: crmsync.KindContact, GHLID: "ghl-ada", PeerID: id}}
	for i := range 2 {
		if _, err := e.conn.Send(t.Context(), del); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	if n := len(e.fake.Entries("GHL Contact")); n != 0 {
		t.Errorf("%d entries after delete", n)
	}
	// A delete naming only the GHL id finds the entry by external_id.
	e.sendContact(t, grace())
	if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.ContactDeleted, Deleted: &crmsync.Ref{Kind: crmsync.KindContact, GHLID: "ghl-grace"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Entries("GHL Contact")); n != 0 {
		t.Errorf("%d entries after delete by GHL id", n)
	}
}

// TestSendContactConcurrentFirstUse: many first sends at once create one
// catalog type.
func TestSendContactConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			k := crmsync.Contact{GHLID: fmt.Sprintf("ghl-%02d", i), Name: fmt.Sprintf("Contact %d", i), Email: fmt.Sprintf("c%d@example.com", i)}
			if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.ContactUpserted, LocationID: location, Contact: &k}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.chk.Operations()["POST /v3/catalog_types"]; n != 1 {
		t.Errorf("catalog type created %d times", n)
	}
	if n := len(e.fake.Entries("GHL Contact")); n != 16 {
		t.Errorf("%d entries, want 16", n)
	}
}

// TestSendErrors: the API's answers become the flows' error classes.
func TestSendErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status      int
		unavailable bool
	}{
		{http.StatusTooManyRequests, true},
		{http.StatusServiceUnavailable, true},
		{http.StatusUnprocessableEntity, false},
		{http.StatusUnauthorized, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			conn, err := incidentio.New(incidentio.Config{Client: stubAPI(t, tc.status), Secrets: []webhook.Secret{[]byte("0123456789abcdef")}})
			if err != nil {
				t.Fatal(err)
			}
			k := ada()
			_, err = conn.Send(t.Context(), crmsync.Event{Type: crmsync.ContactUpserted, Contact: &k})
			var rej *crmsync.PeerRejectedError
			switch {
			case tc.unavailable && !errors.Is(err, crmsync.ErrPeerUnavailable):
				t.Errorf("err = %v, want ErrPeerUnavailable", err)
			case !tc.unavailable && (!errors.As(err, &rej) || rej.Status != tc.status):
				t.Errorf("err = %v, want *PeerRejectedError %d", err, tc.status)
			}
		})
	}
}

// TestSendTask: completing a GHL task completes its follow-up or action
// once; reopening makes it outstanding; a GHL-only task is not mirrored.
func TestSendTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.sendContact(t, ada())
	e.contactsField(t)
	incID, _, err := e.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Checkout down", Contacts: map[string][]string{"GHL contacts": {"ghl-ada"}}})
	if err != nil {
		t.Fatal(err)
	}
	fuID, err := e.fake.CreateFollowUp(incID, "Call the customer", "Explain the outage")
	if err != nil {
		t.Fatal(err)
	}
	actID, err := e.fake.CreateAction(incID, "Restart the workers")
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Pending()
	send := func(typ crmsync.EventType, peerID string, completed bool) crmsync.SendResult {
		t.Helper()
		res, err := e.conn.Send(t.Context(), crmsync.Event{Type: typ, LocationID: location,
			Task: &crmsync.Task{GHLID: "task-1", PeerID: peerID, ContactGHLID: "ghl-ada", Title: "Call the customer", Completed: completed}})
		if err != nil {
			t.Fatalf("send %s %s: %v", typ, peerID, err)
		}
		return res
	}
	fuPeer := incidentio.PeerID{Kind: incidentio.KindFollowUp, ObjectID: fuID, ContactID: "ghl-ada"}.String()
	if res := send(crmsync.TaskCompleted, fuPeer, true); res.PeerID != fuPeer {
		t.Errorf("peer id %q, want %q", res.PeerID, fuPeer)
	}
	if _, status, _ := e.fake.FollowUp(fuID); status != "completed" {
		t.Errorf("follow-up status %q, want completed", status)
	}
	puts := e.chk.Operations()["PUT /v2/follow_ups/{id}"]
	send(crmsync.TaskCompleted, fuPeer, true)
	if n := e.chk.Operations()["PUT /v2/follow_ups/{id}"]; n != puts {
		t.Errorf("a repeat completion wrote again (%d PUTs, want %d)", n, puts)
	}
	send(crmsync.TaskUpserted, fuPeer, false)
	if title, status, _ := e.fake.FollowUp(fuID); status != "outstanding" || title != "Call the customer" {
		t.Errorf("reopened follow-up %q %q", title, status)
	}
	actPeer := incidentio.PeerID{Kind: incidentio.KindAction, ObjectID: actID, ContactID: "ghl-ada"}.String()
	send(crmsync.TaskCompleted, actPeer, true)
	if desc, status, _ := e.fake.Action(actID); status != "completed" || desc != "Restart the workers" {
		t.Errorf("action %q %q", desc, status)
	}
	before := e.fake.Stats().Requests
	if res := send(crmsync.TaskUpserted, "", false); res.PeerID != "" {
		t.Errorf("GHL-only task got peer id %q", res.PeerID)
	}
	send(crmsync.TaskCompleted, "task-1", true)
	if n := e.fake.Stats().Requests; n != before {
		t.Errorf("GHL-only tasks sent %d requests", n-before)
	}
	// A follow-up deleted in incident.io: nothing to do, no error.
	send(crmsync.TaskCompleted, "follow_up:01FAKEMISSING:ghl-ada", true)
}

// TestSendNotesAndAppointments: links appear on the contact's open
// incidents only, once, are replaced when edited and removed on delete.
func TestSendNotesAndAppointments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.sendContact(t, ada())
	e.sendContact(t, grace())
	e.contactsField(t)
	open, _, err := e.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Checkout down", Contacts: map[string][]string{"GHL contacts": {"ghl-ada"}}})
	if err != nil {
		t.Fatal(err)
	}
	closed, _, err := e.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Old", Status: "Closed", Category: "closed", Contacts: map[string][]string{"GHL contacts": {"ghl-ada"}}})
	if err != nil {
		t.Fatal(err)
	}
	note := func(body string) {
		t.Helper()
		if res, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.NoteUpserted, LocationID: location,
			Note: &crmsync.Note{GHLID: "note-1", ContactGHLID: "ghl-ada", Body: body}}); err != nil || res.PeerID != "" {
			t.Fatalf("send note: %+v %v", res, err)
		}
	}
	note("Called, waiting on a fix\nsecond line")
	note("Called, waiting on a fix\nsecond line")
	want := []incidentiofake.Attachment{{IncidentID: open, ExternalID: "ghl-note:note-1", Title: "GHL note: Called, waiting on a fix",
		URL: "https://app.ghl.example/v2/location/loc-1/contacts/detail/ghl-ada#note-note-1"}}
	ignoreID := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ID" }, cmp.Ignore())
	if d := cmp.Diff(want, e.fake.Attachments(open), ignoreID); d != "" {
		t.Errorf("attachments (-want +got):\n%s", d)
	}
	if got := e.fake.Attachments(closed); len(got) != 0 {
		t.Errorf("closed incident got %v", got)
	}
	note("Fixed")
	if got := e.fake.Attachments(open); len(got) != 1 || got[0].Title != "GHL note: Fixed" {
		t.Errorf("after edit: %+v", got)
	}
	// Grace has no incident: not mirrored, no error, no attachment.
	if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.NoteUpserted, Note: &crmsync.Note{GHLID: "note-2", ContactGHLID: "ghl-grace", Body: "hi"}}); err != nil {
		t.Fatal(err)
	}
	// A contact not in the catalog at all: the same.
	if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.NoteUpserted, Note: &crmsync.Note{GHLID: "note-3", ContactGHLID: "ghl-nobody", Body: "hi"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	appt := &crmsync.Appointment{GHLID: "appt-1", ContactGHLID: "ghl-ada", Title: "Post-incident review", Status: "confirmed", StartTime: start, EndTime: start.Add(time.Hour)}
	if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.AppointmentUpserted, LocationID: location, Appointment: appt}); err != nil {
		t.Fatal(err)
	}
	got := e.fake.Attachments(open)
	if len(got) != 2 || got[1].Title != "GHL appointment: Post-incident review — 2026-03-02T15:00:00Z (confirmed)" {
		t.Errorf("appointment attachment: %+v", got)
	}
	appt.Status = "cancelled"
	if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.AppointmentUpserted, LocationID: location, Appointment: appt}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.NoteDeleted, Deleted: &crmsync.Ref{Kind: crmsync.KindNote, GHLID: "note-1"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Attachments(open); len(got) != 0 {
		t.Errorf("after cancel and delete: %+v", got)
	}
	// Events incident.io has no place for succeed without a request.
	before := e.fake.Stats().Requests
	for _, ev := range []crmsync.Event{
		{Type: crmsync.TaskDeleted, Deleted: &crmsync.Ref{Kind: crmsync.KindTask, GHLID: "t"}},
		{Type: crmsync.ContactTagged, Contact: &crmsync.Contact{GHLID: "ghl-ada"}},
	} {
		if res, err := e.conn.Send(t.Context(), ev); err != nil || res.PeerID != "" {
			t.Errorf("%s: %+v %v", ev.Type, res, err)
		}
	}
	if n := e.fake.Stats().Requests; n != before {
		t.Errorf("no-op events sent %d requests", n-before)
	}
}

// TestBulkContactsUnderRateLimit: 2,000 contacts go to the catalog through
// the fake's real 1,200/min bucket on a virtual clock without one 429.
func TestBulkContactsUnderRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	start := e.clock.Now()
	var wg sync.WaitGroup
	jobs := make(chan int)
	errs := make(chan error, 2000)
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				k := crmsync.Contact{GHLID: fmt.Sprintf("ghl-%04d", i), FirstName: "Contact", LastName: fmt.Sprint(i), Email: fmt.Sprintf("c%04d@example.com", i)}
				if _, err := e.conn.Send(t.Context(), crmsync.Event{Type: crmsync.ContactUpserted, LocationID: location, Contact: &k}); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range 2000 {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := e.fake.Stats()
	elapsed := e.clock.Now().Sub(start)
	t.Logf("2,000 contacts: %d requests, %d answered 429, %s of virtual time", st.Requests, st.RateLimited, elapsed)
	if st.RateLimited != 0 {
		t.Errorf("%d requests were rate limited", st.RateLimited)
	}
	if n := len(e.fake.Entries("GHL Contact")); n != 2000 {
		t.Errorf("%d entries, want 2000", n)
	}
	// 2,003 requests: 1,200 at once, the rest at 20/s: at least 40 s.
	if elapsed < 40*time.Second {
		t.Errorf("virtual time %s: the client did not pace itself", elapsed)
	}
}

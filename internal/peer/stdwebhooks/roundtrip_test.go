package stdwebhooks_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	peerevents "github.com/ghlsync/ghlsync/docs/peer-events"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
)

// TestOutboundEventsMatchPublishedSchemas: everything ghlsync sends
// validates against the schema a peer validates with, and decodes back to
// the same entity.
func TestOutboundEventsMatchPublishedSchemas(t *testing.T) {
	t.Parallel()
	sent := map[crmsync.EventType]bool{}
	for _, ev := range outboundEvents() {
		body, err := stdwebhooks.Encode(ev)
		if err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
		if err := peerevents.ValidateJSON(peerevents.Outbound, body); err != nil {
			t.Errorf("%s does not match its published schema: %v", ev.Type, err)
		}
		sent[ev.Type] = true

		var env stdwebhooks.Envelope
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		back := crmsync.Event{ID: ev.ID, Type: env.Type, LocationID: env.LocationID, Time: env.Timestamp}
		var target any
		switch {
		case ev.Contact != nil:
			back.Contact = &crmsync.Contact{}
			target = back.Contact
		case ev.Task != nil:
			back.Task = &crmsync.Task{}
			target = back.Task
		case ev.Note != nil:
			back.Note = &crmsync.Note{}
			target = back.Note
		case ev.Appointment != nil:
			back.Appointment = &crmsync.Appointment{}
			target = back.Appointment
		default:
			back.Deleted = &crmsync.Ref{}
			target = back.Deleted
		}
		if err := json.Unmarshal(env.Data, target); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ev, back); diff != "" {
			t.Errorf("%s round trip (-sent +decoded):\n%s", ev.Type, diff)
		}
	}
	outboundTypes := []crmsync.EventType{crmsync.ContactUpserted, crmsync.ContactDeleted, crmsync.TaskUpserted, crmsync.TaskCompleted,
		crmsync.TaskDeleted, crmsync.NoteUpserted, crmsync.NoteDeleted, crmsync.AppointmentUpserted, crmsync.AppointmentDeleted}
	for _, typ := range outboundTypes {
		if !sent[typ] {
			t.Errorf("no outbound %s event tested", typ)
		}
	}
}

// TestSendToRecordingPeer sends every outbound type to peertest, which
// verifies and schema-checks each delivery, and checks the peer's state.
func TestSendToRecordingPeer(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	peer := peertest.Start(t, peertest.Config{Secret: cur, Now: clock})
	c := newConnector(t, stdwebhooks.Config{URL: peer.URL, Secret: cur})
	evs := outboundEvents()
	ids := map[string]string{}
	for _, ev := range evs {
		res, err := c.Send(t.Context(), ev)
		if err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
		ids[string(ev.Type)+" "+ev.ID] = res.PeerID
	}
	if n, inv := peer.SignatureFailures(), peer.Invalid(); n != 0 || inv != 0 {
		t.Fatalf("signature failures %d, schema violations %d", n, inv)
	}
	if got := len(peer.Unique()); got != len(evs) {
		t.Errorf("unique deliveries = %d, want %d", got, len(evs))
	}
	// Upserts then deletes of contact, task, note, appointment: only the
	// second contact survives; the first contact kept the peer id it came with.
	st := peer.State()
	if diff := cmp.Diff([]string{"newContactGhl01"}, keys(st.Contacts)); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if len(st.Tasks)+len(st.Notes)+len(st.Appointments) != 0 {
		t.Errorf("deleted entities still in state: %+v", st)
	}
	if got := ids["contact.upserted "+evs[0].ID]; got != "cust_1042" {
		t.Errorf("peer id of a linked contact = %q, want the one it carried", got)
	}
	if got := ids["contact.upserted "+evs[1].ID]; got != "peer_contact_1" || st.Contacts["newContactGhl01"].PeerID != got {
		t.Errorf("peer id of a new contact = %q, state %q", got, st.Contacts["newContactGhl01"].PeerID)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

package stdwebhooks_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	peerevents "github.com/ghlsync/ghlsync/docs/peer-events"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestReceiveReadmeExamples receives the documented example of every type
// and checks the Change it becomes.
func TestReceiveReadmeExamples(t *testing.T) {
	t.Parallel()
	const ghlContact = "ocQHyuzHvysMo5N5VsXc"
	want := map[crmsync.EventType]crmsync.Change{
		crmsync.ContactUpserted: {Type: crmsync.ContactUpserted, LocationID: loc, Time: ts("2026-03-01T09:30:00Z"), Contact: &crmsync.Contact{
			PeerID: "cust_1042", GHLID: ghlContact, LocationID: loc, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Phone: "+15555550101", CompanyName: "Analytical Engines Ltd", City: "London", Country: "GB", Timezone: "Europe/London",
			Tags: []string{"customer", "vip"}, CustomFields: []crmsync.CustomField{{ID: "fld_plan", Value: "gold"}},
			UpdatedAt: ts("2026-03-01T09:29:58Z")}},
		crmsync.ContactDeleted: {Type: crmsync.ContactDeleted, LocationID: loc, Time: ts("2026-03-01T09:31:00Z"),
			Deleted: &crmsync.Ref{Kind: crmsync.KindContact, PeerID: "cust_1042", GHLID: ghlContact}},
		crmsync.ContactTagged: {Type: crmsync.ContactTagged, LocationID: loc, Time: ts("2026-03-01T09:32:00Z"),
			Contact: &crmsync.Contact{PeerID: "cust_1042", LocationID: loc}, Tags: []string{"webinar-2026"}},
		crmsync.ContactUntagged: {Type: crmsync.ContactUntagged, LocationID: "defaultLoc", Time: ts("2026-03-01T09:33:00Z"),
			Contact: &crmsync.Contact{Email: "ada@example.com", LocationID: "defaultLoc"}, Tags: []string{"trial"}},
		crmsync.TaskUpserted: {Type: crmsync.TaskUpserted, LocationID: loc, Time: ts("2026-03-01T10:00:00Z"), Task: &crmsync.Task{
			PeerID: "task_77", ContactPeerID: "cust_1042", ContactGHLID: ghlContact, Title: "Call back about renewal",
			Body: "She asked for the annual plan quote.", DueDate: ts("2026-03-03T15:00:00Z"), UpdatedAt: ts("2026-03-01T09:59:59Z")}},
		crmsync.TaskCompleted: {Type: crmsync.TaskCompleted, LocationID: loc, Time: ts("2026-03-03T14:10:00Z"), Task: &crmsync.Task{
			PeerID: "task_77", GHLID: "tsk_9Xk2LmQp", ContactGHLID: ghlContact, Title: "Call back about renewal",
			DueDate: ts("2026-03-03T15:00:00Z"), Completed: true}},
		crmsync.TaskDeleted: {Type: crmsync.TaskDeleted, LocationID: loc, Time: ts("2026-03-04T08:00:00Z"),
			Deleted: &crmsync.Ref{Kind: crmsync.KindTask, PeerID: "task_77", ContactGHLID: ghlContact}},
		crmsync.NoteUpserted: {Type: crmsync.NoteUpserted, LocationID: loc, Time: ts("2026-03-01T10:05:00Z"), Note: &crmsync.Note{
			PeerID: "note_301", ContactPeerID: "cust_1042", Body: "Prefers e-mail before 10:00.", DateAdded: ts("2026-03-01T10:04:30Z")}},
		crmsync.NoteDeleted: {Type: crmsync.NoteDeleted, LocationID: loc, Time: ts("2026-03-02T10:05:00Z"),
			Deleted: &crmsync.Ref{Kind: crmsync.KindNote, PeerID: "note_301"}},
		crmsync.AppointmentUpserted: {Type: crmsync.AppointmentUpserted, LocationID: loc, Time: ts("2026-03-01T11:00:00Z"), Appointment: &crmsync.Appointment{
			PeerID: "mtg_5521", ContactPeerID: "cust_1042", CalendarID: "BqTwX8QFwXzpegMve9EQ", Title: "Renewal call", Status: "confirmed",
			StartTime: ts("2026-03-05T15:00:00Z"), EndTime: ts("2026-03-05T15:30:00Z"), Address: "https://meet.example.com/ada"}},
		crmsync.AppointmentDeleted: {Type: crmsync.AppointmentDeleted, LocationID: loc, Time: ts("2026-03-02T11:00:00Z"),
			Deleted: &crmsync.Ref{Kind: crmsync.KindAppointment, PeerID: "mtg_5521"}},
	}
	cur, _, _ := secrets(t)
	c := newConnector(t, stdwebhooks.Config{Secret: cur, LocationID: "defaultLoc"})
	s := &peertest.Sender{Secret: cur, Now: clock}
	examples := peerevents.Examples()
	if len(examples) != len(want) {
		t.Fatalf("README has %d examples, want %d", len(examples), len(want))
	}
	for typ, body := range examples {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			d := s.SignRaw("msg_"+strings.ReplaceAll(typ, ".", "_"), now, body)
			got, err := c.Receive(t.Context(), crmsync.EventType(typ).Kind(), d.Header, d.Body)
			if err != nil {
				t.Fatal(err)
			}
			wantIn := crmsync.Inbound{DeliveryID: d.ID(), Changes: []crmsync.Change{want[crmsync.EventType(typ)]}}
			if diff := cmp.Diff(wantIn, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReceiveVerification(t *testing.T) {
	t.Parallel()
	cur, prev, other := secrets(t)
	c := newConnector(t, stdwebhooks.Config{Secret: cur, PreviousSecret: prev})
	ev := peertest.TaskUpserted(loc, crmsync.Task{PeerID: "t1", ContactPeerID: "c1", Title: "Call"})
	s := &peertest.Sender{Secret: cur, Now: clock}
	signed := func(s *peertest.Sender, at time.Time) peertest.Signed {
		d, err := s.SignAt(ev, at)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	good := signed(s, now)
	forged, err := s.Forge(ev)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		d       peertest.Signed
		wantErr error // nil: accepted
	}{
		{name: "webhook-* headers", d: good},
		{name: "svix-* headers", d: good.Svix()},
		{name: "signed with the previous secret", d: signed(&peertest.Sender{Secret: prev}, now)},
		{name: "several signatures, one valid", d: func() peertest.Signed {
			d := signed(&peertest.Sender{Secret: other}, now)
			d.Header.Set("Webhook-Signature", d.Header.Get("Webhook-Signature")+" "+good.Header.Get("Webhook-Signature"))
			return d
		}()},
		{name: "4 minutes old", d: signed(s, now.Add(-4*time.Minute))},
		{name: "tampered body", d: good.Tampered(), wantErr: webhook.ErrBadSignature},
		{name: "wrong secret", d: signed(&peertest.Sender{Secret: other}, now), wantErr: webhook.ErrBadSignature},
		{name: "forged", d: forged, wantErr: webhook.ErrBadSignature},
		{name: "id changed after signing", d: func() peertest.Signed {
			d := good.Without("Webhook-Id")
			d.Header.Set("Webhook-Id", "msg_other")
			return d
		}(), wantErr: webhook.ErrBadSignature},
		{name: "missing webhook-id", d: good.Without("Webhook-Id"), wantErr: webhook.ErrMissingSignature},
		{name: "missing webhook-timestamp", d: good.Without("Webhook-Timestamp"), wantErr: webhook.ErrMissingSignature},
		{name: "missing webhook-signature", d: good.Without("Webhook-Signature"), wantErr: webhook.ErrMissingSignature},
		{name: "replay 10 minutes later", d: signed(s, now.Add(-10*time.Minute)), wantErr: webhook.ErrTimestamp},
		{name: "timestamp in the future", d: signed(s, now.Add(10*time.Minute)), wantErr: webhook.ErrTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := c.Receive(t.Context(), crmsync.KindTask, tt.d.Header, tt.d.Body)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if in.DeliveryID != tt.d.ID() || len(in.Changes) != 1 || in.Changes[0].Task.PeerID != "t1" {
					t.Errorf("Inbound = %+v", in)
				}
				return
			}
			if !errors.Is(err, crmsync.ErrUnauthenticated) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want ErrUnauthenticated and %v", err, tt.wantErr)
			}
			assertNoSignatureIn(t, err, tt.d, cur, prev, other)
		})
	}
}

func assertNoSignatureIn(t *testing.T, err error, d peertest.Signed, keys ...webhook.Secret) {
	t.Helper()
	for _, f := range []string{"%v", "%+v", "%#v"} {
		msg := fmt.Sprintf(f, err)
		for _, part := range strings.Fields(d.Header.Get("Webhook-Signature") + " " + d.Header.Get("Svix-Signature")) {
			if _, sig, _ := strings.Cut(part, ","); sig != "" && strings.Contains(msg, sig) {
				t.Errorf("error %q contains a signature", msg)
			}
		}
		for _, k := range keys {
			if strings.Contains(msg, strings.TrimPrefix(k.Encode(), "whsec_")) {
				t.Errorf("error %q contains a secret", msg)
			}
		}
	}
}

// exampleDoc returns the README example of typ, decoded for mutation.
func exampleDoc(t *testing.T, typ crmsync.EventType) map[string]any {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(peerevents.Examples()[string(typ)], &env); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestReceiveSchemaViolations(t *testing.T) {
	t.Parallel()
	// Per type: a required field, a field given the wrong type.
	perType := []struct {
		typ          crmsync.EventType
		required     string
		wantRequired string
		wrongType    string
		wantType     string
	}{
		{crmsync.ContactUpserted, "peerId,ghlId,email,phone", "/data: needs at least one of 'peerId', 'ghlId', 'email', 'phone'", "tags", "/data/tags: got number, want array"},
		{crmsync.ContactDeleted, "kind", "/data: missing property 'kind'", "ghlId", "/data/ghlId: got number, want string"},
		{crmsync.ContactTagged, "tags", "/data: missing property 'tags'", "peerId", "/data/peerId: got number, want string"},
		{crmsync.ContactUntagged, "email", "/data: needs at least one of 'peerId', 'ghlId', 'email'", "tags", "/data/tags: got number, want array"},
		{crmsync.TaskUpserted, "peerId", "/data: needs at least one of 'ghlId', 'peerId'; /data: missing property 'peerId'", "dueDate", "/data/dueDate: got number, want string"},
		{crmsync.TaskCompleted, "title", "/data: missing property 'title'", "completed", "/data/completed: value must be true"},
		{crmsync.TaskDeleted, "peerId", "/data: needs at least one of 'ghlId', 'peerId'", "contactGhlId", "/data/contactGhlId: got number, want string"},
		{crmsync.NoteUpserted, "body", "/data: missing property 'body'", "dateAdded", "/data/dateAdded: got number, want string"},
		{crmsync.NoteDeleted, "kind", "/data: missing property 'kind'", "peerId", "/data/peerId: got number, want string"},
		{crmsync.AppointmentUpserted, "calendarId", "/data: missing property 'calendarId'", "startTime", "/data/startTime: got number, want string"},
		{crmsync.AppointmentDeleted, "peerId", "/data: needs at least one of 'ghlId', 'peerId'", "kind", "/data/kind: value must be 'appointment'"},
	}
	cur, _, _ := secrets(t)
	c := newConnector(t, stdwebhooks.Config{Secret: cur, LocationID: loc})
	s := &peertest.Sender{Secret: cur, Now: clock}
	for _, pt := range perType {
		cases := []struct {
			name string
			f    func(env, data map[string]any)
			want string
		}{
			{"missing required", func(_, d map[string]any) {
				for _, f := range strings.Split(pt.required, ",") {
					delete(d, f)
				}
			}, pt.wantRequired},
			{"wrong type", func(_, d map[string]any) { d[pt.wrongType] = 42 }, pt.wantType},
			{"unknown data field", func(_, d map[string]any) { d["bogus"] = "x" }, "/data: additional properties 'bogus' not allowed"},
			{"unknown envelope field", func(e, _ map[string]any) { e["id"] = "evt_1" }, "/: additional properties 'id' not allowed"},
			{"timestamp not a date-time", func(e, _ map[string]any) { e["timestamp"] = "1 March" }, "/timestamp: not a valid date-time"},
		}
		for _, tc := range cases {
			t.Run(string(pt.typ)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				env := exampleDoc(t, pt.typ)
				tc.f(env, env["data"].(map[string]any))
				body, _ := json.Marshal(env)
				d := s.SignRaw("msg_1", now, body)
				_, err := c.Receive(t.Context(), pt.typ.Kind(), d.Header, d.Body)
				var be *crmsync.BadEventError
				if !errors.As(err, &be) {
					t.Fatalf("err = %v, want *BadEventError", err)
				}
				if want := string(pt.typ) + ": " + tc.want; be.Problem != want {
					t.Errorf("Problem = %q\nwant      %q", be.Problem, want)
				}
			})
		}
	}
}

func TestReceiveBadEvents(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	s := &peertest.Sender{Secret: cur, Now: clock}
	raw := func(body string) peertest.Signed { return s.SignRaw("msg_raw", now, []byte(body)) }
	build := func(ev peertest.Event) peertest.Signed {
		d, err := s.Sign(ev)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	noLocation := exampleDoc(t, crmsync.ContactUntagged)
	noLocationBody, _ := json.Marshal(noLocation)
	contactOtherLoc := exampleDoc(t, crmsync.ContactUpserted)
	contactOtherLoc["data"].(map[string]any)["locationId"] = "otherLocation"
	contactOtherLocBody, _ := json.Marshal(contactOtherLoc)
	appt := crmsync.Appointment{PeerID: "m1", ContactPeerID: "c1", CalendarID: "cal1", StartTime: now.Add(time.Hour), EndTime: now}

	tests := []struct {
		name    string
		noDflt  bool
		domain  crmsync.Kind
		d       peertest.Signed
		want    string
		maxBody int64
	}{
		{name: "malformed JSON", domain: crmsync.KindContact, d: raw(`{"type":"contact.upserted",`), want: "body is not valid JSON: unexpected end"},
		{name: "not JSON", domain: crmsync.KindContact, d: raw(`type=contact.upserted`), want: "body is not valid JSON at offset 2"},
		{name: "two JSON values", domain: crmsync.KindContact, d: raw(`{} {}`), want: "body is not one JSON value: data after offset 2"},
		{name: "unknown type", domain: crmsync.KindContact, d: raw(`{"type":"contact.merged","timestamp":"2026-03-01T12:00:00Z","data":{}}`),
			want: `unknown event type "contact.merged" (known: appointment.deleted, appointment.upserted, contact.deleted, contact.tagged, contact.untagged, contact.upserted, note.deleted, note.upserted, task.completed, task.deleted, task.upserted)`},
		{name: "oversized", domain: crmsync.KindNote, maxBody: 64, d: build(peertest.NoteUpserted(loc, crmsync.Note{PeerID: "n1", ContactPeerID: "c1", Body: strings.Repeat("x", 100)})),
			want: "body is 249 bytes, over the limit of 64"},
		{name: "no location and no default", noDflt: true, domain: crmsync.KindContact, d: s.SignRaw("m", now, noLocationBody),
			want: "/locationId: required (this deployment has no default location)"},
		{name: "data location differs", domain: crmsync.KindContact, d: s.SignRaw("m", now, contactOtherLocBody), want: "/data/locationId: differs from /locationId"},
		{name: "appointment ends before it starts", domain: crmsync.KindAppointment, d: build(peertest.AppointmentUpserted(loc, appt)),
			want: "/data/endTime: must be after /data/startTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := stdwebhooks.Config{Secret: cur, LocationID: "defaultLoc", MaxBody: tt.maxBody}
			if tt.noDflt {
				cfg.LocationID = ""
			}
			c := newConnector(t, cfg)
			_, err := c.Receive(t.Context(), tt.domain, tt.d.Header, tt.d.Body)
			var be *crmsync.BadEventError
			if !errors.As(err, &be) || be.Problem != tt.want {
				t.Fatalf("err = %v, want BadEventError %q", err, tt.want)
			}
			assertNoSignatureIn(t, err, tt.d, cur)
		})
	}
}

func TestReceiveWrongDomain(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	c := newConnector(t, stdwebhooks.Config{Secret: cur})
	s := &peertest.Sender{Secret: cur, Now: clock}
	kinds := []crmsync.Kind{crmsync.KindContact, crmsync.KindTask, crmsync.KindNote, crmsync.KindAppointment}
	for typ, body := range peerevents.Examples() {
		et := crmsync.EventType(typ)
		for _, route := range kinds {
			if route == et.Kind() {
				continue
			}
			d := s.SignRaw("msg_x", now, body)
			_, err := c.Receive(t.Context(), route, d.Header, d.Body)
			want := fmt.Sprintf("/type: %s is a %s event; post it to /peer/webhooks/%ss, not the %s route", typ, et.Kind(), et.Kind(), route)
			var be *crmsync.BadEventError
			if !errors.As(err, &be) || be.Problem != want {
				t.Errorf("%s on the %s route: err = %v", typ, route, err)
			}
		}
	}
	d := s.SignRaw("msg_x", now, peerevents.Examples()["note.deleted"])
	if _, err := c.Receive(t.Context(), "deal", d.Header, d.Body); err == nil || err.Error() != `stdwebhooks: receive: unknown route domain "deal"` {
		t.Errorf("unknown domain: err = %v", err)
	}
}

func TestReceiveNormalizesTags(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	c := newConnector(t, stdwebhooks.Config{Secret: cur})
	s := &peertest.Sender{Secret: cur, Now: clock}
	d, err := s.Sign(peertest.ContactTagged(loc, crmsync.Contact{GHLID: "g1"}, "VIP", " Lead ", "vip"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.Receive(t.Context(), crmsync.KindContact, d.Header, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lead", "vip"}, in.Changes[0].Tags); diff != "" {
		t.Error(diff)
	}
}

func TestReceiveHonoursContext(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	c := newConnector(t, stdwebhooks.Config{Secret: cur})
	ctx, cancel := contextCancelled(t)
	defer cancel()
	d := (&peertest.Sender{Secret: cur, Now: clock}).SignRaw("m", now, peerevents.Examples()["note.deleted"])
	if _, err := c.Receive(ctx, crmsync.KindNote, d.Header, d.Body); err == nil {
		t.Error("Receive ran with a cancelled context")
	}
}

var _ http.Handler = (*peertest.Peer)(nil)

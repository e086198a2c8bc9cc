package stdwebhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// now is the fixed clock of every test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func mustSecret(t *testing.T, raw string) webhook.Secret {
	t.Helper()
	s, err := webhook.ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func secrets(t *testing.T) (current, previous, other webhook.Secret) {
	return mustSecret(t, "current-secret-0123456789abcdef"), mustSecret(t, "previous-secret-0123456789abcde"), mustSecret(t, "unrelated-secret-0123456789abcd")
}

// referenceSign is an independent Standard Webhooks signer (checked
// against the spec's known-answer vector in TestReferenceSignerKAT).
func referenceSign(secret, id string, ts int64, body []byte) string {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func newConnector(t *testing.T, cfg stdwebhooks.Config) *stdwebhooks.Connector {
	t.Helper()
	if cfg.Secret == nil {
		cfg.Secret, _, _ = secrets(t)
	}
	if cfg.URL == "" && cfg.URLs == nil {
		cfg.URL = "http://127.0.0.1:9/unused"
	}
	if cfg.Now == nil {
		cfg.Now = clock
	}
	c, err := stdwebhooks.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const loc = "ve9EPM428h8vShlRW1KT"

// outboundEvents are realistic events of every type ghlsync sends, as the
// flows build them from GHL state.
func outboundEvents() []crmsync.Event {
	updated := time.Date(2026, 2, 28, 17, 4, 5, 123e6, time.UTC)
	contact := &crmsync.Contact{
		GHLID: "ocQHyuzHvysMo5N5VsXc", PeerID: "cust_1042", LocationID: loc, FirstName: "Ada", LastName: "Lovelace",
		Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+15555550101", CompanyName: "Analytical Engines Ltd",
		Address1: "12 St James's Square", City: "London", State: "Greater London", PostalCode: "SW1Y 4JH", Country: "GB",
		Website: "analytical.example.com", Timezone: "Europe/London", Source: "public api", DateOfBirth: "1815-12-10T00:00:00.000Z",
		DND: true, Tags: []string{"customer", "vip"}, BusinessID: "bus_63f2a1",
		CustomFields: []crmsync.CustomField{{ID: "fld_plan", Value: "gold"}, {ID: "fld_seats", Value: 12.0}, {ID: "fld_opts", Value: []any{"a", "b"}}, {ID: "fld_empty", Value: nil}},
		UpdatedAt:    updated,
	}
	newContact := &crmsync.Contact{GHLID: "newContactGhl01", LocationID: loc, Phone: "+447700900123", UpdatedAt: updated}
	task := &crmsync.Task{GHLID: "tsk_9Xk2LmQp", ContactGHLID: contact.GHLID, Title: "Call back about renewal",
		Body: "Quote the annual plan.", DueDate: time.Date(2026, 3, 3, 15, 0, 0, 0, time.UTC), AssignedTo: "usr_Kx81", UpdatedAt: updated}
	done := *task
	done.PeerID, done.ContactPeerID, done.Completed = "task_77", "cust_1042", true
	note := &crmsync.Note{GHLID: "note_Pq4", ContactGHLID: contact.GHLID, Body: "Prefers e-mail before 10:00.\nSecond line.", DateAdded: updated, UpdatedAt: updated}
	appt := &crmsync.Appointment{GHLID: "apt_7Yh", ContactGHLID: contact.GHLID, CalendarID: "BqTwX8QFwXzpegMve9EQ",
		Title: "Renewal call", Status: "booked", StartTime: time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC),
		EndTime: time.Date(2026, 3, 5, 15, 30, 0, 0, time.UTC), Address: "https://meet.example.com/ada", Notes: "Bring the numbers.",
		AssignedUserID: "usr_Kx81", UpdatedAt: updated}
	ev := func(t crmsync.EventType, ghlID string, data any) crmsync.Event {
		e := crmsync.Event{ID: crmsync.EventID(t, loc, ghlID, crmsync.Fingerprint(data)), Type: t, LocationID: loc, Time: updated}
		switch d := data.(type) {
		case *crmsync.Contact:
			e.Contact = d
		case *crmsync.Task:
			e.Task = d
		case *crmsync.Note:
			e.Note = d
		case *crmsync.Appointment:
			e.Appointment = d
		case *crmsync.Ref:
			e.Deleted = d
		}
		return e
	}
	return []crmsync.Event{
		ev(crmsync.ContactUpserted, contact.GHLID, contact),
		ev(crmsync.ContactUpserted, newContact.GHLID, newContact),
		ev(crmsync.ContactDeleted, contact.GHLID, &crmsync.Ref{Kind: crmsync.KindContact, GHLID: contact.GHLID, PeerID: "cust_1042"}),
		ev(crmsync.TaskUpserted, task.GHLID, task),
		ev(crmsync.TaskCompleted, task.GHLID, &done),
		ev(crmsync.TaskDeleted, task.GHLID, &crmsync.Ref{Kind: crmsync.KindTask, GHLID: task.GHLID, ContactGHLID: contact.GHLID}),
		ev(crmsync.NoteUpserted, note.GHLID, note),
		ev(crmsync.NoteDeleted, note.GHLID, &crmsync.Ref{Kind: crmsync.KindNote, GHLID: note.GHLID, ContactGHLID: contact.GHLID}),
		ev(crmsync.AppointmentUpserted, appt.GHLID, appt),
		ev(crmsync.AppointmentDeleted, appt.GHLID, &crmsync.Ref{Kind: crmsync.KindAppointment, GHLID: appt.GHLID, PeerID: "mtg_5521"}),
	}
}

func contextCancelled(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx, cancel
}

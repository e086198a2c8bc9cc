package peertest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

const loc = "loc_1"

func secret(t *testing.T, raw string) webhook.Secret {
	t.Helper()
	s, err := webhook.ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// setup starts a peer and a connector that delivers to it.
func setup(t *testing.T, client *http.Client) (*peertest.Server, *stdwebhooks.Connector, webhook.Secret) {
	t.Helper()
	s := secret(t, "peer-secret-0123456789abcdef0123")
	p := peertest.Start(t, peertest.Config{Secret: s, Now: clock})
	c, err := stdwebhooks.New(stdwebhooks.Config{URL: p.URL + "/ghlsync", Secret: s, Now: clock, HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	return p, c, s
}

func event(typ crmsync.EventType, data any) crmsync.Event {
	ev := crmsync.Event{Type: typ, LocationID: loc, Time: now}
	var ghlID string
	switch d := data.(type) {
	case *crmsync.Contact:
		ev.Contact, ghlID = d, d.GHLID
	case *crmsync.Task:
		ev.Task, ghlID = d, d.GHLID
	case *crmsync.Note:
		ev.Note, ghlID = d, d.GHLID
	case *crmsync.Appointment:
		ev.Appointment, ghlID = d, d.GHLID
	case *crmsync.Ref:
		ev.Deleted, ghlID = d, d.GHLID
	}
	ev.ID = crmsync.EventID(typ, loc, ghlID, crmsync.Fingerprint(data))
	return ev
}

func TestStateConverges(t *testing.T) {
	t.Parallel()
	p, c, _ := setup(t, nil)
	ctx := t.Context()
	ada := &crmsync.Contact{GHLID: "c1", LocationID: loc, Email: "ada@example.com", Tags: []string{"lead"}}
	adaV2 := &crmsync.Contact{GHLID: "c1", LocationID: loc, Email: "ada@example.com", FirstName: "Ada", Tags: []string{"customer"}}
	bob := &crmsync.Contact{GHLID: "c2", LocationID: loc, Phone: "+15555550102"}
	task := &crmsync.Task{GHLID: "t1", ContactGHLID: "c1", Title: "Call", DueDate: now.Add(48 * time.Hour)}
	done := &crmsync.Task{GHLID: "t1", ContactGHLID: "c1", Title: "Call", DueDate: now.Add(48 * time.Hour), Completed: true}
	note := &crmsync.Note{GHLID: "n1", ContactGHLID: "c1", Body: "hello"}
	appt := &crmsync.Appointment{GHLID: "a1", ContactGHLID: "c2", CalendarID: "cal", StartTime: now.Add(time.Hour), EndTime: now.Add(2 * time.Hour), Status: "confirmed"}
	steps := []struct {
		ev         crmsync.Event
		wantPeerID string
	}{
		{event(crmsync.ContactUpserted, ada), "peer_contact_1"},
		{event(crmsync.ContactUpserted, bob), "peer_contact_2"},
		{event(crmsync.ContactUpserted, adaV2), "peer_contact_1"},
		{event(crmsync.ContactUpserted, adaV2), "peer_contact_1"}, // redelivery: same webhook-id
		{event(crmsync.TaskUpserted, task), "peer_task_1"},
		{event(crmsync.TaskCompleted, done), "peer_task_1"},
		{event(crmsync.NoteUpserted, note), "peer_note_1"},
		{event(crmsync.NoteDeleted, &crmsync.Ref{Kind: crmsync.KindNote, GHLID: "n1", ContactGHLID: "c1"}), "peer_note_1"},
		{event(crmsync.AppointmentUpserted, appt), "peer_appointment_1"},
		{event(crmsync.ContactDeleted, &crmsync.Ref{Kind: crmsync.KindContact, GHLID: "c2", PeerID: "peer_contact_2"}), "peer_contact_2"},
	}
	for i, s := range steps {
		res, err := c.Send(ctx, s.ev)
		if err != nil {
			t.Fatalf("step %d %s: %v", i, s.ev.Type, err)
		}
		if res.PeerID != s.wantPeerID {
			t.Errorf("step %d %s: peer id %q, want %q", i, s.ev.Type, res.PeerID, s.wantPeerID)
		}
	}
	wantAda, wantDone, wantAppt := *adaV2, *done, *appt
	wantAda.PeerID, wantDone.PeerID, wantAppt.PeerID = "peer_contact_1", "peer_task_1", "peer_appointment_1"
	want := peertest.State{
		Contacts:     map[string]crmsync.Contact{"c1": wantAda},
		Tasks:        map[string]crmsync.Task{"t1": wantDone},
		Notes:        map[string]crmsync.Note{},
		Appointments: map[string]crmsync.Appointment{"a1": wantAppt},
	}
	if diff := cmp.Diff(want, p.State()); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	all, unique := p.Deliveries(), p.Unique()
	if len(all) != len(steps) || len(unique) != len(steps)-1 {
		t.Errorf("deliveries %d, unique %d; want %d and %d", len(all), len(unique), len(steps), len(steps)-1)
	}
	if !all[3].Duplicate || all[3].ID != all[2].ID || all[3].Status != 200 {
		t.Errorf("redelivery recorded as %+v", all[3])
	}
	d := all[0]
	if !d.Verified || d.Path != "/ghlsync" || d.Envelope.Type != crmsync.ContactUpserted || d.Envelope.LocationID != loc || !d.Received.Equal(now) || d.PeerID != "peer_contact_1" {
		t.Errorf("first delivery = %+v", d)
	}
	if p.PeerID(crmsync.KindTask, "t1") != "peer_task_1" {
		t.Errorf("PeerID(task t1) = %q", p.PeerID(crmsync.KindTask, "t1"))
	}
	// State returns copies.
	st := p.State()
	st.Contacts["c1"].Tags[0] = "mutated"
	if p.State().Contacts["c1"].Tags[0] != "customer" {
		t.Error("State shares memory with the peer")
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	p, c, _ := setup(t, nil)
	ev := event(crmsync.ContactUpserted, &crmsync.Contact{GHLID: "c1", Email: "a@example.com"})
	p.FailNext(2, http.StatusServiceUnavailable)
	for i := range 2 {
		if _, err := c.Send(t.Context(), ev); !errors.Is(err, crmsync.ErrPeerUnavailable) {
			t.Fatalf("attempt %d: err = %v, want unavailable", i, err)
		}
	}
	if len(p.State().Contacts) != 0 {
		t.Error("a failed delivery changed the state")
	}
	if res, err := c.Send(t.Context(), ev); err != nil || res.PeerID != "peer_contact_1" {
		t.Fatalf("third attempt: %v, %v", res, err)
	}
	p.FailNext(1, http.StatusUnprocessableEntity)
	_, err := c.Send(t.Context(), event(crmsync.TaskUpserted, &crmsync.Task{GHLID: "t1", ContactGHLID: "c1", Title: "x"}))
	var rej *crmsync.PeerRejectedError
	if !errors.As(err, &rej) || rej.Status != 422 || rej.Message != "scripted failure" {
		t.Fatalf("err = %v, want a 422 rejection", err)
	}
	var statuses []int
	for _, d := range p.Deliveries() {
		statuses = append(statuses, d.Status)
	}
	if diff := cmp.Diff([]int{503, 503, 200, 422}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if len(p.Unique()) != 1 {
		t.Errorf("unique = %d, want 1", len(p.Unique()))
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	p, c, _ := setup(t, nil)
	ev := event(crmsync.NoteUpserted, &crmsync.Note{GHLID: "n1", ContactGHLID: "c1", Body: "b"})
	p.SetLatency(time.Second)
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Send(ctx, ev); !errors.Is(err, crmsync.ErrPeerUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow peer: err = %v", err)
	}
	if time.Since(start) > 900*time.Millisecond {
		t.Errorf("Send waited %v for a slow peer", time.Since(start))
	}
	p.SetLatency(0)
	if _, err := c.Send(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	if len(p.State().Notes) != 1 {
		t.Error("note not recorded after the peer recovered")
	}
}

func TestSignatureAndSchemaFailures(t *testing.T) {
	t.Parallel()
	cur := secret(t, "peer-secret-0123456789abcdef0123")
	prev := secret(t, "older-secret-0123456789abcdef012")
	p := peertest.Start(t, peertest.Config{Secret: cur, PreviousSecret: prev, Now: clock})
	ctx := t.Context()
	s := &peertest.Sender{Secret: cur, Now: clock}
	contact := peertest.ContactUpserted(loc, crmsync.Contact{GHLID: "c1", Email: "a@example.com"})
	post := func(d peertest.Signed) (int, string) {
		resp, err := s.Post(ctx, p.URL, d)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	good, _ := s.Sign(contact)
	forged, _ := s.Forge(contact)
	stale, _ := s.SignAt(contact, now.Add(-time.Hour))
	rotated, _ := (&peertest.Sender{Secret: prev, Now: clock}).Sign(contact)
	junk := s.SignRaw("msg_junk", now, []byte(`{"type":"contact.upserted","timestamp":"2026-03-01T12:00:00Z","data":{"email":"nope"}}`))
	tests := []struct {
		name       string
		d          peertest.Signed
		wantStatus int
		wantBody   string
	}{
		{"forged", forged, 401, `{"message":"signature does not verify"}`},
		{"tampered", good.Tampered(), 401, `{"message":"signature does not verify"}`},
		{"stale", stale, 401, `{"message":"signature does not verify"}`},
		{"no signature", good.Without("Webhook-Signature"), 401, `{"message":"signature does not verify"}`},
		{"schema violation", junk, 400, `{"message":"peerevents: contact.upserted: /data/email: not a valid email"}`},
		{"previous secret", rotated, 200, `{"id":"peer_contact_1"}`},
		{"svix headers, same id", good.Svix(), 200, `{"id":"peer_contact_1"}`},
	}
	for _, tt := range tests {
		status, body := post(tt.d)
		if status != tt.wantStatus || body != tt.wantBody {
			t.Errorf("%s: %d %s, want %d %s", tt.name, status, body, tt.wantStatus, tt.wantBody)
		}
	}
	if p.SignatureFailures() != 4 || p.Invalid() != 1 {
		t.Errorf("signature failures %d, invalid %d; want 4 and 1", p.SignatureFailures(), p.Invalid())
	}
	for _, d := range p.Deliveries()[:4] {
		if d.Verified || d.VerifyError == "" {
			t.Errorf("failed delivery recorded as %+v", d)
		}
	}
	// Both good deliveries carry the same event, hence the same webhook-id.
	all := p.Deliveries()
	if len(p.Unique()) != 1 || !all[len(all)-1].Duplicate {
		t.Errorf("unique = %d, last duplicate = %v; want 1 and true", len(p.Unique()), all[len(all)-1].Duplicate)
	}
}

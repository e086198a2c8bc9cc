package ghlsandbox_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

func parseKeys(t *testing.T, sb *ghlsandbox.Sandbox) (ed25519.PublicKey, *rsa.PublicKey) {
	t.Helper()
	keys, err := sb.PublicKeysPEM()
	if err != nil {
		t.Fatal(err)
	}
	parse := func(p []byte) any {
		b, _ := pem.Decode(p)
		if b == nil || b.Type != "PUBLIC KEY" {
			t.Fatalf("bad PEM %q", p)
		}
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	edKey := parse(keys.Ed25519).(ed25519.PublicKey)
	rsaKey := parse(keys.RSA).(*rsa.PublicKey)
	if rsaKey.N.BitLen() != 4096 {
		t.Errorf("RSA key is %d bits, want 4096", rsaKey.N.BitLen())
	}
	return edKey, rsaKey
}

// verify checks both signatures of a delivery over its raw bytes.
func verify(t *testing.T, edKey ed25519.PublicKey, rsaKey *rsa.PublicKey, r received) {
	t.Helper()
	sig, err := base64.StdEncoding.DecodeString(r.header.Get("X-GHL-Signature"))
	if err != nil || !ed25519.Verify(edKey, r.body, sig) {
		t.Errorf("X-GHL-Signature does not verify over the raw body: %s", r.body)
	}
	legacy, err := base64.StdEncoding.DecodeString(r.header.Get("x-wh-signature"))
	sum := sha256.Sum256(r.body)
	if err != nil || rsa.VerifyPKCS1v15(rsaKey, crypto.SHA256, sum[:], legacy) != nil {
		t.Errorf("x-wh-signature does not verify over the raw body: %s", r.body)
	}
	tampered := append([]byte(nil), r.body...)
	tampered[len(tampered)-2] ^= 1
	if ed25519.Verify(edKey, tampered, sig) {
		t.Error("signature verifies a tampered body")
	}
}

func TestWebhooksOnEveryChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	rc := newReceiver(t)
	e.hookAll(rc)
	app := e.sb.App()

	// API changes.
	id := e.createContact(map[string]any{"email": "hook@example.com", "firstName": "Hook"})
	mustStatus(t, e.do(req{method: "PUT", path: "/contacts/" + id, body: map[string]any{"lastName": "Shot", "tags": []string{"x"}}}), http.StatusOK)
	mustStatus(t, e.do(req{method: "PUT", path: "/contacts/" + id, body: map[string]any{"dnd": true, "dndSettings": map[string]any{"Email": map[string]any{"status": "active"}}}}), http.StatusOK)
	mustStatus(t, e.do(req{method: "PUT", path: "/contacts/" + id, body: map[string]any{"lastName": "Shot"}}), http.StatusOK) // no change, no event
	mustStatus(t, e.do(req{method: "POST", path: "/contacts/" + id + "/tags", body: map[string]any{"tags": []string{"y"}}}), http.StatusCreated)
	r := e.do(req{method: "POST", path: "/contacts/" + id + "/tasks", body: map[string]any{"title": "T", "dueDate": "2026-02-01T00:00:00Z", "completed": false}})
	tid := r.json(t)["task"].(map[string]any)["id"].(string)
	mustStatus(t, e.do(req{method: "PUT", path: "/contacts/" + id + "/tasks/" + tid + "/completed", body: map[string]any{"completed": true}}), http.StatusOK)
	mustStatus(t, e.do(req{method: "DELETE", path: "/contacts/" + id + "/tasks/" + tid}), http.StatusOK)
	r = e.do(req{method: "POST", path: "/contacts/" + id + "/notes", body: map[string]any{"body": "n"}})
	nid := r.json(t)["note"].(map[string]any)["id"].(string)
	mustStatus(t, e.do(req{method: "PUT", path: "/contacts/" + id + "/notes/" + nid, body: map[string]any{"body": "n2"}}), http.StatusOK)
	mustStatus(t, e.do(req{method: "DELETE", path: "/contacts/" + id + "/notes/" + nid}), http.StatusOK)
	r = e.do(req{method: "POST", path: "/calendars/events/appointments", body: map[string]any{"calendarId": e.loc.CalendarID, "locationId": e.loc.ID, "contactId": id, "startTime": "2026-03-01T10:00:00Z"}})
	aid := r.json(t)["id"].(string)
	mustStatus(t, e.do(req{method: "PUT", path: "/calendars/events/appointments/" + aid, body: map[string]any{"appointmentStatus": "showed"}}), http.StatusOK)
	mustStatus(t, e.do(req{method: "DELETE", path: "/calendars/events/" + aid, body: map[string]any{}}), http.StatusCreated)

	// UI changes.
	c, err := e.sb.CreateContact(e.loc.ID, ghlsandbox.Contact{FirstName: "Ui", Email: "ui@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.UpdateContact(e.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = "Madison"; c.Tags = append(c.Tags, "ui") }); err != nil {
		t.Fatal(err)
	}
	tk, _ := e.sb.CreateTask(e.loc.ID, c.ID, ghlsandbox.Task{Title: "UI task"})
	if _, err := e.sb.SetTaskCompleted(e.loc.ID, c.ID, tk.ID, true); err != nil {
		t.Fatal(err)
	}
	nt, _ := e.sb.CreateNote(e.loc.ID, c.ID, ghlsandbox.Note{Body: "ui note"})
	if _, err := e.sb.UpdateNote(e.loc.ID, c.ID, nt.ID, "edited"); err != nil {
		t.Fatal(err)
	}
	ap, _ := e.sb.CreateAppointment(e.loc.ID, ghlsandbox.Appointment{ContactID: c.ID, Title: "UI appt"})
	if _, err := e.sb.UpdateAppointment(e.loc.ID, ap.ID, func(a *ghlsandbox.Appointment) { a.Status = "cancelled" }); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.DeleteContact(e.loc.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: e.loc.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.UninstallApp("", e.loc.ID); err != nil {
		t.Fatal(err)
	}
	e.flush()

	byDomain := map[string][]string{}
	edKey, rsaKey := parseKeys(t, e.sb)
	for _, got := range rc.all() {
		verify(t, edKey, rsaKey, got)
		var p map[string]any
		if err := json.Unmarshal(got.body, &p); err != nil {
			t.Fatal(err)
		}
		typ := p["type"].(string)
		byDomain[domainOf(typ)] = append(byDomain[domainOf(typ)], typ)
		if wid, _ := p["webhookId"].(string); !idRE.MatchString(wid) {
			t.Errorf("%s webhookId = %v", typ, p["webhookId"])
		}
		if ts, _ := p["timestamp"].(string); !timeRE.MatchString(ts) {
			t.Errorf("%s timestamp = %v", typ, p["timestamp"])
		}
		if p["appId"] != app.ID || p["versionId"] != app.VersionID || p["locationId"] != e.loc.ID {
			t.Errorf("%s envelope = %v", typ, p)
		}
		if _, nested := p["appointment"]; nested != (domainOf(typ) == "appointments") {
			t.Errorf("%s: appointment nesting wrong: %s", typ, got.body)
		}
	}
	want := map[string][]string{
		"contacts": {"ContactCreate", "ContactUpdate", "ContactTagUpdate", "ContactDndUpdate", "ContactTagUpdate",
			"ContactCreate", "ContactUpdate", "ContactTagUpdate", "ContactDelete"},
		"tasks":        {"TaskCreate", "TaskComplete", "TaskDelete", "TaskCreate", "TaskComplete"},
		"notes":        {"NoteCreate", "NoteUpdate", "NoteDelete", "NoteCreate", "NoteUpdate"},
		"appointments": {"AppointmentCreate", "AppointmentUpdate", "AppointmentDelete", "AppointmentCreate", "AppointmentUpdate"},
		"app":          {"INSTALL", "UNINSTALL"},
	}
	if diff := cmp.Diff(want, byDomain); diff != "" {
		t.Errorf("events per domain (-want +got):\n%s", diff)
	}
	for _, d := range e.sb.Deliveries() {
		if d.Outcome != ghlsandbox.OutcomeDelivered || d.Status != 200 || d.Attempt != 1 {
			t.Errorf("delivery %+v", d)
		}
	}
}

func domainOf(typ string) string {
	switch {
	case typ == "INSTALL" || typ == "UNINSTALL":
		return "app"
	case len(typ) > 7 && typ[:7] == "Contact":
		return "contacts"
	case typ[:4] == "Task":
		return "tasks"
	case typ[:4] == "Note":
		return "notes"
	}
	return "appointments"
}

func TestWebhookRedelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		respond      []int
		wantOutcomes []string
	}{
		{"429 twice then ok", []int{429, 429, 200}, []string{"retry", "retry", "delivered"}},
		{"429 until exhausted", []int{429, 429, 429, 429, 429, 429, 429, 429}, []string{"retry", "retry", "retry", "retry", "retry", "retry", "exhausted"}},
		{"500 is not retried", []int{500}, []string{"failed"}},
		{"503 is not retried", []int{503, 200}, []string{"failed"}},
		{"408 is not retried", []int{408, 200}, []string{"failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			e := newEnv(t, ghlsandbox.Options{Clock: ghlsandbox.NewScaledClock(start, 200000), Seed: 3})
			rc := newReceiver(t, tt.respond...)
			e.sb.SetWebhookURL(ghlsandbox.DomainContacts, rc.srv.URL)
			e.createContact(map[string]any{"email": "retry@example.com"})
			e.flush()
			ds := e.sb.Deliveries()
			var outcomes []string
			for i, d := range ds {
				outcomes = append(outcomes, d.Outcome)
				if d.Attempt != i+1 || d.Type != "ContactCreate" || d.WebhookID != ds[0].WebhookID {
					t.Errorf("delivery %d = %+v", i, d)
				}
				if d.At.Before(d.ScheduledAt) {
					t.Errorf("attempt %d made at %v before its schedule %v", d.Attempt, d.At, d.ScheduledAt)
				}
				if i > 0 {
					gap := d.ScheduledAt.Sub(ds[i-1].At)
					if gap < 10*time.Minute || gap > 15*time.Minute {
						t.Errorf("attempt %d scheduled %v after the 429, want 10 min + jitter (≤ 5 min)", d.Attempt, gap)
					}
				}
			}
			if diff := cmp.Diff(tt.wantOutcomes, outcomes); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			got := rc.all()
			if len(got) != len(tt.wantOutcomes) {
				t.Fatalf("receiver saw %d attempts, want %d", len(got), len(tt.wantOutcomes))
			}
			for _, g := range got[1:] {
				if string(g.body) != string(got[0].body) {
					t.Errorf("redelivery body differs:\n%s\n%s", g.body, got[0].body)
				}
			}
		})
	}
}

func TestWebhookNoURLNoDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	rc := newReceiver(t)
	e.sb.SetWebhookURL(ghlsandbox.DomainTasks, rc.srv.URL)
	id := e.createContact(map[string]any{"email": "quiet@example.com"})
	if _, err := e.sb.CreateTask(e.loc.ID, id, ghlsandbox.Task{Title: "t"}); err != nil {
		t.Fatal(err)
	}
	e.flush()
	if diff := cmp.Diff([]string{"TaskCreate"}, rc.types()); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
}

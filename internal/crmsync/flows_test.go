package crmsync_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

// The six scenarios of the issue run on both stores: memstore here (fast,
// -short) and DynamoDB Local in e2e_test.go.

func stores(t *testing.T, run func(t *testing.T, dynamo bool)) {
	t.Run("memstore", func(t *testing.T) { t.Parallel(); run(t, false) })
	t.Run("dynamodb", func(t *testing.T) {
		t.Parallel()
		if testing.Short() {
			t.Skip("DynamoDB Local in -short mode")
		}
		run(t, true)
	})
}

func writes(sb *ghlsandbox.Sandbox) map[string]int64 {
	out := map[string]int64{}
	for op, n := range sb.RequestCounts() {
		if n > 0 {
			out[op] = n
		}
	}
	return out
}

// Scenario 1: one GHL contact change → exactly one peer delivery with the
// fields the peer needs, one GHL read.
func TestGHLContactChangeDeliversOnce(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		h.sb.ResetRequestCounts()
		d0 := h.dynamoRequests()
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Phone: "+15555550100", Tags: []string{"VIP", "Math"}, City: "London"}))
		h.flush()
		if got := h.peer.count(crmsync.ContactUpserted); got != 1 {
			t.Fatalf("peer deliveries = %d, want 1", got)
		}
		var pc crmsync.Contact
		if !h.peer.get(crmsync.KindContact, c.ID, &pc) {
			t.Fatal("peer has no state for the contact")
		}
		if pc.Email != "ada@example.com" || pc.FirstName != "Ada" || pc.LastName != "Lovelace" || pc.City != "London" ||
			!slices.Equal(pc.Tags, []string{"math", "vip"}) || pc.GHLID != c.ID || pc.LocationID != h.loc.ID {
			t.Errorf("peer contact = %+v", pc)
		}
		if w := writes(h.sb); w["get-contact"] != 1 || len(w) != 1 {
			t.Errorf("GHL requests for one GHL→peer event = %v, want one get-contact", w)
		}
		if n := h.dynamoRequests() - d0; n > 3 {
			t.Errorf("DynamoDB requests for a new GHL contact = %d, want ≤ 3", n)
		}
		l := h.link(crmsync.KindContact, c.ID)
		if l.PeerFingerprint == "" || l.PeerID != c.ID {
			t.Errorf("link = %+v", l)
		}

		// An update: one more delivery; the unchanged repeat none.
		h.sb.ResetRequestCounts()
		d0 = h.dynamoRequests()
		ok(h.sb.UpdateContact(h.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = "Paris" }))
		h.flush()
		if got := h.peer.count(crmsync.ContactUpserted); got != 2 {
			t.Fatalf("peer deliveries after update = %d, want 2", got)
		}
		if h.peer.get(crmsync.KindContact, c.ID, &pc); pc.City != "Paris" {
			t.Errorf("peer city = %q", pc.City)
		}
		if w := writes(h.sb); w["get-contact"] != 1 || len(w) != 1 {
			t.Errorf("GHL requests for an update event = %v", w)
		}
		if n := h.dynamoRequests() - d0; n > 3 {
			t.Errorf("DynamoDB requests for a GHL contact update = %d, want ≤ 3", n)
		}
	})
}

// Scenario 2: peer changes → one GHL write each → GHL's own webhooks →
// zero deliveries back to the peer.
func TestPeerChangesDoNotEcho(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		h.sb.ResetRequestCounts()
		d0 := h.dynamoRequests()
		status, body := h.sendPeer("msg_c1", crmsync.ContactUpserted, crmsync.Contact{PeerID: "peer-1", FirstName: "Grace", LastName: "Hopper",
			Email: "grace@example.com", City: "Arlington"})
		if status != http.StatusOK || !strings.Contains(body, `"outcome":"synced"`) {
			t.Fatalf("peer contact.upserted = %d %s", status, body)
		}
		d1 := h.dynamoRequests()
		w := writes(h.sb)
		delete(w, "get-contact") // GHL's echo webhook, read by the GHL→peer flow
		if w["upsert-contact"] != 1 || len(w) != 1 {
			t.Errorf("GHL requests for peer→GHL contact = %v, want exactly one upsert", w)
		}
		h.flush()
		// The delivery (6: a create also claims the entity, see createOnce)
		// and GHL's echo webhook (3), which may overlap.
		if n := h.dynamoRequests() - d0; n > 6+3 {
			t.Errorf("DynamoDB requests for a peer→GHL contact and its echo = %d (%d before the answer), want ≤ 9", n, d1-d0)
		}
		if n := h.peer.count(); n != 0 {
			t.Fatalf("deliveries back to the peer = %d, want 0", n)
		}
		contacts := h.sb.Contacts(h.loc.ID)
		if len(contacts) != 1 || contacts[0].Email != "grace@example.com" || contacts[0].City != "Arlington" {
			t.Fatalf("GHL contacts = %+v", contacts)
		}
		ghlID := contacts[0].ID

		// Tags change: the update plus one add-tags call, still no echo.
		h.flush()
		h.sb.ResetRequestCounts()
		status, body = h.sendPeer("msg_c2", crmsync.ContactUpserted, crmsync.Contact{PeerID: "peer-1", FirstName: "Grace", LastName: "Hopper",
			Email: "grace@example.com", City: "Arlington", Tags: []string{"Navy"}})
		if status != http.StatusOK {
			t.Fatalf("second upsert = %d %s", status, body)
		}
		if w := writes(h.sb); w["update-contact"] != 1 || w["add-tags"] != 1 || len(w)-int(min(w["get-contact"], 1)) != 2 {
			t.Errorf("GHL requests for a linked contact with a new tag = %v, want update + add-tags", w)
		}
		// Tags GHL has that the peer drops are removed, never overwritten.
		h.flush()
		ok(h.sb.UpdateContact(h.loc.ID, ghlID, func(c *ghlsandbox.Contact) { c.Tags = append(c.Tags, "ghl-only") }))
		h.flush()
		if n := h.peer.count(crmsync.ContactUpserted); n != 1 {
			t.Fatalf("GHL-side tag change deliveries = %d, want 1", n)
		}

		// Tasks and notes from the peer: one create each, no echo.
		h.sb.ResetRequestCounts()
		due := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		status, body = h.sendPeer("msg_t1", crmsync.TaskUpserted, crmsync.Task{PeerID: "task-1", ContactPeerID: "peer-1", Title: "Call", Body: "about the navy", DueDate: due})
		if status != http.StatusOK {
			t.Fatalf("task.upserted = %d %s", status, body)
		}
		status, body = h.sendPeer("msg_n1", crmsync.NoteUpserted, crmsync.Note{PeerID: "note-1", ContactGHLID: ghlID, Body: "met at the conference"})
		if status != http.StatusOK {
			t.Fatalf("note.upserted = %d %s", status, body)
		}
		w = writes(h.sb)
		if w["create-task"] != 1 || w["create-note"] != 1 {
			t.Errorf("GHL requests for a peer task and note = %v", w)
		}
		t.Logf("MEASURE peer→GHL task create + note create GHL requests: %v", w)
		h.flush()
		completed := crmsync.Task{PeerID: "task-1", ContactPeerID: "peer-1", Title: "Call", Body: "about the navy", DueDate: due, Completed: true}
		header, raw := peerEvent(t, "msg_t2", crmsync.TaskCompleted, completed)
		status, body = h.post("/peer/webhooks/tasks", header, raw)
		if status != http.StatusOK {
			t.Fatalf("task.completed = %d %s", status, body)
		}
		h.flush()
		if n := h.peer.count(); n != 1 {
			t.Fatalf("deliveries back to the peer after tasks and notes = %d, want 1 (the GHL-side tag change only)", n)
		}
		tasks := h.sb.Tasks(h.loc.ID, ghlID)
		notes := h.sb.Notes(h.loc.ID, ghlID)
		if len(tasks) != 1 || !tasks[0].Completed || len(notes) != 1 {
			t.Fatalf("GHL tasks %+v notes %+v", tasks, notes)
		}

		// The same delivery again: 200 with the stored report, no GHL call.
		h.sb.ResetRequestCounts()
		status, body = h.post("/peer/webhooks/tasks", header, raw)
		if status != http.StatusOK || !strings.Contains(body, `"outcome":"duplicate"`) || len(writes(h.sb)) != 0 {
			t.Errorf("replayed delivery = %d %s, GHL %v", status, body, writes(h.sb))
		}

		// Deletes from the peer: task and note go; the contact delete is
		// off by default and recorded as ignored.
		status, _ = h.sendPeer("msg_t3", crmsync.TaskDeleted, crmsync.Ref{Kind: crmsync.KindTask, PeerID: "task-1"})
		status2, _ := h.sendPeer("msg_n2", crmsync.NoteDeleted, crmsync.Ref{Kind: crmsync.KindNote, PeerID: "note-1"})
		status3, body3 := h.sendPeer("msg_c3", crmsync.ContactDeleted, crmsync.Ref{Kind: crmsync.KindContact, PeerID: "peer-1"})
		h.flush()
		if status != 200 || status2 != 200 || status3 != 200 || !strings.Contains(body3, "deletes disabled") {
			t.Errorf("deletes = %d %d %d %s", status, status2, status3, body3)
		}
		if len(h.sb.Tasks(h.loc.ID, ghlID)) != 0 || len(h.sb.Notes(h.loc.ID, ghlID)) != 0 || len(h.sb.Contacts(h.loc.ID)) != 1 {
			t.Errorf("after deletes: tasks %v notes %v contacts %d", h.sb.Tasks(h.loc.ID, ghlID), h.sb.Notes(h.loc.ID, ghlID), len(h.sb.Contacts(h.loc.ID)))
		}
		if n := h.peer.count(); n != 1 {
			t.Errorf("deliveries back after deletes = %d, want 1", n)
		}
	})
}

func TestPeerContactDeleteWhenAllowed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{allowDelete: true})
	if s, b := h.sendPeer("m1", crmsync.ContactUpserted, crmsync.Contact{PeerID: "p1", Email: "del@example.com"}); s != 200 {
		t.Fatalf("%d %s", s, b)
	}
	h.flush()
	if s, b := h.sendPeer("m2", crmsync.ContactDeleted, crmsync.Ref{Kind: crmsync.KindContact, PeerID: "p1"}); s != 200 {
		t.Fatalf("%d %s", s, b)
	}
	h.flush()
	if n := len(h.sb.Contacts(h.loc.ID)); n != 0 {
		t.Errorf("GHL contacts after an allowed peer delete = %d", n)
	}
	if n := h.peer.count(); n != 0 {
		t.Errorf("deliveries back = %d, want 0 (the delete webhook is an echo)", n)
	}
}

// GHL-side deletes and the other domains reach the peer once each.
func TestGHLEntitiesAndDeletes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{faults: &ghlsandbox.Faults{Webhooks: ghlsandbox.WebhookFaults{TaskCreateWithoutContactID: 1}}})
	c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "e@example.com", FirstName: "E"}))
	h.flush()
	h.sb.ResetRequestCounts()
	tk := ok(h.sb.CreateTask(h.loc.ID, c.ID, ghlsandbox.Task{Title: "Follow up", Body: "b", DueDate: time.Now().Add(time.Hour)}))
	h.flush()
	if w := writes(h.sb); w["task-search"] != 1 || w["get-task"] != 0 {
		t.Errorf("TaskCreate without contactId: GHL requests %v, want one task-search", w)
	}
	var pt crmsync.Task
	if !h.peer.get(crmsync.KindTask, tk.ID, &pt) || pt.ContactGHLID != c.ID || pt.Title != "Follow up" {
		t.Errorf("peer task = %+v", pt)
	}
	ok(h.sb.SetTaskCompleted(h.loc.ID, c.ID, tk.ID, true))
	n := ok(h.sb.CreateNote(h.loc.ID, c.ID, ghlsandbox.Note{Body: "hello"}))
	a := ok(h.sb.CreateAppointment(h.loc.ID, ghlsandbox.Appointment{CalendarID: h.loc.CalendarID, ContactID: c.ID, Title: "Demo",
		StartTime: time.Now().Add(24 * time.Hour).UTC().Truncate(time.Minute), EndTime: time.Now().Add(25 * time.Hour).UTC().Truncate(time.Minute)}))
	h.flush()
	if !h.peer.get(crmsync.KindTask, tk.ID, &pt) || !pt.Completed {
		t.Errorf("peer task after completion = %+v", pt)
	}
	var pa crmsync.Appointment
	if !h.peer.get(crmsync.KindAppointment, a.ID, &pa) || pa.Title != "Demo" || pa.CalendarID != h.loc.CalendarID {
		t.Errorf("peer appointment = %+v", pa)
	}
	if err := h.sb.DeleteNote(h.loc.ID, c.ID, n.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.sb.DeleteContact(h.loc.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	h.flush()
	if h.peer.get(crmsync.KindNote, n.ID, &struct{}{}) || h.peer.get(crmsync.KindContact, c.ID, &struct{}{}) {
		t.Error("peer still has the deleted note or contact")
	}
	if got := h.peer.count(crmsync.ContactDeleted); got != 1 {
		t.Errorf("contact.deleted deliveries = %d, want 1", got)
	}
	if l := h.link(crmsync.KindContact, c.ID); !l.Deleted {
		t.Errorf("contact link not marked deleted: %+v", l)
	}
}

// Peer appointments are booked in GHL once and do not echo.
func TestPeerAppointment(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "ap@example.com"}))
	h.flush()
	before := h.peer.count()
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	ap := crmsync.Appointment{PeerID: "ap-1", ContactGHLID: c.ID, CalendarID: h.loc.CalendarID, Title: "Kick-off", Status: "confirmed",
		StartTime: start, EndTime: start.Add(30 * time.Minute)}
	if s, b := h.sendPeer("ma1", crmsync.AppointmentUpserted, ap); s != 200 {
		t.Fatalf("%d %s", s, b)
	}
	h.flush()
	got := h.sb.Appointments(h.loc.ID, c.ID)
	if len(got) != 1 || got[0].Title != "Kick-off" || !got[0].StartTime.Equal(start) {
		t.Fatalf("GHL appointments = %+v", got)
	}
	if n := h.peer.count() - before; n != 0 {
		t.Errorf("deliveries back = %d, want 0", n)
	}
	if s, b := h.sendPeer("ma2", crmsync.AppointmentDeleted, crmsync.Ref{Kind: crmsync.KindAppointment, PeerID: "ap-1"}); s != 200 {
		t.Fatalf("%d %s", s, b)
	}
	h.flush()
	if got := h.sb.Appointments(h.loc.ID, c.ID); len(got) != 1 || got[0].Status != "cancelled" {
		t.Errorf("after a peer delete: %+v", got)
	}
	if n := h.peer.count() - before; n != 0 {
		t.Errorf("deliveries back after cancel = %d, want 0", n)
	}
}

// Scenario 6: the pull API returns a complete profile; a wrong key is 401.
func TestPull(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	if s, b := h.sendPeer("m1", crmsync.ContactUpserted, crmsync.Contact{PeerID: "pp", Email: "pull@example.com", FirstName: "Pull", Tags: []string{"a"}}); s != 200 {
		t.Fatalf("%d %s", s, b)
	}
	ghlID := h.sb.Contacts(h.loc.ID)[0].ID
	ok(h.sb.CreateTask(h.loc.ID, ghlID, ghlsandbox.Task{Title: "T", DueDate: time.Now().Add(time.Hour)}))
	ok(h.sb.CreateNote(h.loc.ID, ghlID, ghlsandbox.Note{Body: "N"}))
	ok(h.sb.CreateAppointment(h.loc.ID, ghlsandbox.Appointment{CalendarID: h.loc.CalendarID, ContactID: ghlID, Title: "A",
		StartTime: time.Now().Add(time.Hour).UTC().Truncate(time.Minute), EndTime: time.Now().Add(2 * time.Hour).UTC().Truncate(time.Minute)}))
	h.flush()
	get := func(path, key string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.appURL+path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		return h.do(req)
	}
	for _, id := range []string{"pp", ghlID} {
		s, b := get("/peer/contacts/"+id+"?include=tasks,notes,appointments", "pull-key")
		for _, want := range []string{`"email":"pull@example.com"`, `"peerId":"pp"`, `"title":"T"`, `"body":"N"`, `"title":"A"`, `"tags":["a"]`} {
			if s != 200 || !strings.Contains(b, want) {
				t.Errorf("pull %s = %d %s; want %s", id, s, b, want)
			}
		}
	}
	for _, key := range []string{"", "wrong", "Pull-key", "pull-key2"} {
		if s, b := get("/peer/contacts/pp", key); s != http.StatusUnauthorized || !strings.Contains(b, `"error":"unauthorized"`) {
			t.Errorf("key %q: %d %s", key, s, b)
		}
	}
	if s, b := get("/peer/contacts/nope", "pull-key"); s != http.StatusNotFound {
		t.Errorf("unknown contact: %d %s", s, b)
	}
	if s, b := get("/peer/contacts/pp?include=invoices", "pull-key"); s != http.StatusBadRequest || !strings.Contains(b, "include") {
		t.Errorf("bad include: %d %s", s, b)
	}
	biz := ok(h.sb.CreateBusiness(h.loc.ID, ghlsandbox.Business{Name: "Acme"}))
	ok(h.sb.UpdateContact(h.loc.ID, ghlID, func(c *ghlsandbox.Contact) { c.BusinessID = biz.ID }))
	if s, b := get(fmt.Sprintf("/peer/businesses/%s/contacts", biz.ID), "pull-key"); s != 200 || !strings.Contains(b, ghlID) {
		t.Errorf("business contacts = %d %s", s, b)
	}
	if s, _ := get(fmt.Sprintf("/peer/businesses/%s/contacts", biz.ID), "nope"); s != http.StatusUnauthorized {
		t.Errorf("business contacts with a wrong key = %d", s)
	}
}

// holdWebhooks sends GHL's webhooks to a capture server instead of the
// app; the returned func takes those captured so far (after a flush).
func holdWebhooks(t *testing.T, h *harness) func() []captured {
	t.Helper()
	var mu sync.Mutex
	var held []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		held = append(held, captured{path: r.URL.Path, header: r.Header.Clone(), body: b})
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	for _, d := range []ghlsandbox.Domain{ghlsandbox.DomainContacts, ghlsandbox.DomainTasks, ghlsandbox.DomainNotes, ghlsandbox.DomainAppointments} {
		h.sb.SetWebhookURL(d, srv.URL+"/ghl/webhooks/"+string(d))
	}
	return func() []captured {
		h.flush()
		mu.Lock()
		defer mu.Unlock()
		out := held
		held = nil
		return out
	}
}

// TestRequestsPerEvent measures each flow alone on DynamoDB Local (GHL's
// webhooks are held and delivered one at a time): DynamoDB and GHL
// requests per event.
func TestRequestsPerEvent(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("DynamoDB Local in -short mode")
	}
	h := newHarness(t, harnessOptions{dynamo: true})
	take := holdWebhooks(t, h)
	// run measures f: the DynamoDB requests it made, and the GHL requests
	// (which must be want).
	run := func(name string, maxDynamo int64, want map[string]int64, f func()) {
		t.Helper()
		h.sb.ResetRequestCounts()
		d0 := h.dynamoRequests()
		f()
		n := h.dynamoRequests() - d0
		t.Logf("%s: DynamoDB %d, GHL %v", name, n, writes(h.sb))
		if n > maxDynamo {
			t.Errorf("%s: DynamoDB requests = %d, want ≤ %d", name, n, maxDynamo)
		}
		if d := cmp.Diff(want, writes(h.sb)); d != "" {
			t.Errorf("%s: GHL requests (-want +got):\n%s", name, d)
		}
	}
	// echo delivers the held webhooks, none of which may reach the peer.
	echo := func(name string) {
		t.Helper()
		hooks := take()
		if len(hooks) == 0 {
			t.Fatalf("%s: GHL sent no webhook", name)
		}
		before := h.peer.count()
		for i, hk := range hooks {
			run(fmt.Sprintf("%s: echo %d", name, i), 3, map[string]int64{"get-contact": 1}, func() {
				if s, b := h.post(hk.path, hk.header, hk.body); s != http.StatusOK || !strings.Contains(b, `"unchanged"`) {
					t.Errorf("%s: echo %d = %d %s", name, i, s, b)
				}
			})
		}
		if n := h.peer.count() - before; n != 0 {
			t.Errorf("%s: %d echo deliveries to the peer", name, n)
		}
	}
	getContact := map[string]int64{"get-contact": 1}

	c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "m@example.com", FirstName: "M"}))
	created := take()
	run("GHL→peer new contact", 3, getContact, func() {
		for _, hk := range created {
			if s, b := h.post(hk.path, hk.header, hk.body); s != http.StatusOK {
				t.Fatalf("ContactCreate = %d %s", s, b)
			}
		}
	})
	ok(h.sb.UpdateContact(h.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = "Oslo" }))
	updated := take()
	run("GHL→peer contact update", 3, getContact, func() {
		if s, b := h.post(updated[0].path, updated[0].header, updated[0].body); s != http.StatusOK || !strings.Contains(b, `"synced"`) {
			t.Fatalf("ContactUpdate = %d %s", s, b)
		}
	})
	run("GHL→peer duplicate", 3, map[string]int64{}, func() {
		if s, b := h.post(updated[0].path, updated[0].header, updated[0].body); s != http.StatusOK || !strings.Contains(b, `"duplicate"`) {
			t.Fatalf("duplicate ContactUpdate = %d %s", s, b)
		}
	})
	if n := h.peer.count(crmsync.ContactUpserted); n != 2 {
		t.Errorf("peer deliveries = %d, want 2", n)
	}

	// A create claims the entity (claim, link, completion: createOnce).
	run("peer→GHL new contact", 6, map[string]int64{"upsert-contact": 1}, func() {
		if s, b := h.sendPeer("rq-1", crmsync.ContactUpserted, crmsync.Contact{PeerID: "rq", Email: "rq@example.com", City: "Bergen"}); s != http.StatusOK {
			t.Fatalf("contact.upserted = %d %s", s, b)
		}
	})
	echo("peer→GHL new contact")
	// A linked update also marks the pending write before calling GHL.
	run("peer→GHL linked contact update", 4, map[string]int64{"update-contact": 1}, func() {
		if s, b := h.sendPeer("rq-2", crmsync.ContactUpserted, crmsync.Contact{PeerID: "rq", Email: "rq@example.com", City: "Tromsø"}); s != http.StatusOK {
			t.Fatalf("contact.upserted = %d %s", s, b)
		}
	})
	echo("peer→GHL linked contact update")
	run("peer→GHL linked contact update with a tag", 4, map[string]int64{"update-contact": 1, "add-tags": 1}, func() {
		if s, b := h.sendPeer("rq-3", crmsync.ContactUpserted, crmsync.Contact{PeerID: "rq", Email: "rq@example.com", City: "Tromsø", Tags: []string{"x"}}); s != http.StatusOK {
			t.Fatalf("contact.upserted = %d %s", s, b)
		}
	})
	echo("peer→GHL linked contact update with a tag")
}

// TestEchoWaitsOnlyWhenNeeded: the GHL→peer flow waits only for a
// brand-new entity and for a peer→GHL write in flight whose outcome the
// state does not match yet; an ordinary update never waits, and an echo
// of a write still in flight is recognised by its pending fingerprint.
func TestEchoWaitsOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		// A brand-new GHL contact pays one wait of EchoSettle.
		fresh := newHarness(t, harnessOptions{dynamo: dynamo})
		ok(fresh.sb.CreateContact(fresh.loc.ID, ghlsandbox.Contact{Email: "new@example.com"}))
		fresh.flush()
		if got := fresh.sleeps.take(); !slices.Equal(got, []time.Duration{crmsync.DefaultEchoSettle}) {
			t.Errorf("waits for a brand-new GHL contact = %v, want one of %v", got, crmsync.DefaultEchoSettle)
		}

		// The flows' clock a minute ahead: nothing GHL holds is brand new.
		h := newHarness(t, harnessOptions{dynamo: dynamo, echoSettle: 3 * time.Second,
			now: func() time.Time { return time.Now().Add(time.Minute) }})
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "old@example.com", FirstName: "Old"}))
		h.flush()
		ok(h.sb.UpdateContact(h.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = "Lima" }))
		h.flush()
		if got := h.sleeps.take(); len(got) != 0 {
			t.Errorf("waits for GHL changes to a contact that is not brand new = %v, want none", got)
		}
		if n := h.peer.count(crmsync.ContactUpserted); n != 2 {
			t.Fatalf("peer deliveries = %d, want 2", n)
		}

		// A peer update of the linked contact (the peer sends back the
		// state it has, changed) whose record lands late: GHL's webhook
		// arrives first and matches the pending fingerprint.
		var pc crmsync.Contact
		if !h.peer.get(crmsync.KindContact, c.ID, &pc) {
			t.Fatal("the peer has no state for the contact")
		}
		pc.City, pc.UpdatedAt = "Cusco", time.Time{}
		h.commitDelay.Store(int64(400 * time.Millisecond))
		if s, b := h.sendPeer("late-1", crmsync.ContactUpserted, pc); s != http.StatusOK {
			t.Fatalf("contact.upserted = %d %s", s, b)
		}
		h.flush()
		if got := h.sleeps.take(); len(got) != 0 {
			t.Errorf("waits for the echo of a write in flight = %v, want none", got)
		}
		if n := h.peer.count(); n != 2 {
			t.Errorf("peer deliveries after its own update = %d, want 2 (no echo)", n)
		}

		// A tag change: its fingerprint is only known from GHL's answer,
		// so the webhook waits (polling) for the write to be recorded. The
		// record lands 2 s late (within EchoSettle, 3 s here) so that the
		// sandbox's asynchronous webhook arrives while the write is still
		// in flight even on a loaded CI machine.
		h.commitDelay.Store(int64(2 * time.Second))
		hd, body := peerEvent(t, "late-3", crmsync.ContactTagged, map[string]any{"peerId": c.ID, "tags": []string{"vip"}})
		if s, b := h.post("/peer/webhooks/contacts", hd, body); s != http.StatusOK {
			t.Fatalf("contact.tagged = %d %s", s, b)
		}
		h.flush()
		got := h.sleeps.take()
		if len(got) == 0 {
			t.Error("no wait for a tag write in flight")
		}
		for _, d := range got {
			if d > 25*time.Millisecond {
				t.Errorf("wait %v while polling, want short polls", d)
			}
		}
		if n := h.peer.count(); n != 2 {
			t.Errorf("peer deliveries after its own tag change = %d, want 2 (no echo)", n)
		}
	})
}

// A peer entity deleted and made again with the same peer id is linked to
// its new GHL entity (the tombstone gives the peer id up).
func TestPeerRecreatesDeletedTask(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "re@example.com"}))
	h.flush()
	task := crmsync.Task{PeerID: "t-re", ContactGHLID: c.ID, Title: "Again", DueDate: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	for i, step := range []struct {
		typ crmsync.EventType
		v   any
	}{{crmsync.TaskUpserted, task}, {crmsync.TaskDeleted, crmsync.Ref{Kind: crmsync.KindTask, PeerID: "t-re"}}, {crmsync.TaskUpserted, task}} {
		if s, b := h.sendPeer(fmt.Sprintf("re-%d", i), step.typ, step.v); s != http.StatusOK || !strings.Contains(b, `"synced"`) {
			t.Fatalf("%s = %d %s", step.typ, s, b)
		}
	}
	tasks := h.sb.Tasks(h.loc.ID, c.ID)
	if len(tasks) != 1 {
		t.Fatalf("GHL tasks = %+v, want the re-created one", tasks)
	}
	l, err := h.store.GetLinkByPeer(t.Context(), h.loc.ID, "task", "t-re")
	if err != nil || l.GHLID != tasks[0].ID || l.Deleted {
		t.Errorf("link of the peer id = %+v, %v; want live, to %s", l, err, tasks[0].ID)
	}
}

// A GHL state that comes back after the peer was sent another one — a
// task completed then reopened (GHL sends no webhook for that: only the
// sweep sees it), a tag added then removed — must reach a peer that drops
// webhook-ids it has accepted before: its event id must not be the one
// the first delivery of that state had.
func TestGHLStateReturningIsDelivered(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo, now: func() time.Time { return time.Now().Add(time.Minute) }})
		h.peer.dedupe.Store(true)
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "back@example.com", FirstName: "Back"}))
		due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		tk := ok(h.sb.CreateTask(h.loc.ID, c.ID, ghlsandbox.Task{Title: "Call", Body: "b", DueDate: due}))
		h.flush()
		ok(h.sb.SetTaskCompleted(h.loc.ID, c.ID, tk.ID, true))
		h.flush()
		var pt crmsync.Task
		if !h.peer.get(crmsync.KindTask, tk.ID, &pt) || !pt.Completed {
			t.Fatalf("peer task after completion = %+v, want completed", pt)
		}

		// Reopened in GHL: the sweep hands the task to the flow.
		reopened := ok(h.sb.SetTaskCompleted(h.loc.ID, c.ID, tk.ID, false))
		rep, err := h.syncer.SyncFromGHL(t.Context(), h.loc.ID, crmsync.KindTask, c.ID, &ghl.Task{ID: reopened.ID, Title: reopened.Title,
			Body: reopened.Body, DueDate: ghl.Timestamp{Time: reopened.DueDate}, Completed: reopened.Completed, ContactID: c.ID})
		if err != nil || rep.Outcome != crmsync.OutcomeSynced {
			t.Fatalf("sweep of the reopened task = %+v, %v; want synced", rep, err)
		}
		if !h.peer.get(crmsync.KindTask, tk.ID, &pt) || pt.Completed {
			t.Errorf("peer task after it was reopened in GHL = %+v, want not completed", pt)
		}

		// A tag added in GHL, then removed.
		ok(h.sb.UpdateContact(h.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.Tags = []string{"vip"} }))
		h.flush()
		ok(h.sb.UpdateContact(h.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.Tags = nil }))
		h.flush()
		var pc crmsync.Contact
		if !h.peer.get(crmsync.KindContact, c.ID, &pc) || len(pc.Tags) != 0 {
			t.Errorf("peer contact tags after the tag was removed in GHL = %v, want none", pc.Tags)
		}
	})
}

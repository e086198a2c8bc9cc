package crmsync_test

import (
	"bytes"
	"crypto/ed25519"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

type captured struct {
	path   string
	header http.Header
	body   []byte
}

// Scenario 3: every webhook, both ways, delivered 3× concurrently and
// shuffled → the peer's state equals GHL's; no duplicate GHL contacts,
// tasks or notes.
func TestConcurrentShuffledRedelivery(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		// Capture GHL's webhooks instead of delivering them.
		var mu sync.Mutex
		var deliveries []captured
		capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			deliveries = append(deliveries, captured{path: strings.Replace(r.URL.Path, "/capture", "", 1), header: r.Header.Clone(), body: b})
			mu.Unlock()
		}))
		t.Cleanup(capture.Close)
		for _, d := range []ghlsandbox.Domain{ghlsandbox.DomainContacts, ghlsandbox.DomainTasks, ghlsandbox.DomainNotes} {
			h.sb.SetWebhookURL(d, capture.URL+"/capture/ghl/webhooks/"+string(d))
		}
		var ids []string
		for i := range 4 {
			c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: fmt.Sprintf("c%d@example.com", i), FirstName: fmt.Sprintf("C%d", i)}))
			ids = append(ids, c.ID)
			ok(h.sb.UpdateContact(h.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = "v2"; c.Tags = []string{"t"} }))
			tk := ok(h.sb.CreateTask(h.loc.ID, c.ID, ghlsandbox.Task{Title: "task", DueDate: time.Now().Add(time.Hour)}))
			ok(h.sb.SetTaskCompleted(h.loc.ID, c.ID, tk.ID, true))
			ok(h.sb.CreateNote(h.loc.ID, c.ID, ghlsandbox.Note{Body: "note"}))
		}
		h.flush()
		// Peer-originated changes too.
		var peerHooks []captured
		for i := range 3 {
			pid := fmt.Sprintf("pc-%d", i)
			hd, b := peerEvent(t, "pm-c"+pid, crmsync.ContactUpserted, crmsync.Contact{PeerID: pid, Email: fmt.Sprintf("p%d@example.com", i), LastName: "P"})
			peerHooks = append(peerHooks, captured{"/peer/webhooks/contacts", hd, b})
		}
		all := append(append([]captured(nil), deliveries...), peerHooks...)
		var jobs []captured
		for range 3 {
			jobs = append(jobs, all...)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
		var wg sync.WaitGroup
		sem := make(chan struct{}, 12)
		for _, j := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				last := 0
				for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); { // a sender retries 409/429/503
					req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.appURL+j.path, bytes.NewReader(j.body))
					req.Header = j.header.Clone()
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					last = resp.StatusCode
					if resp.StatusCode == 200 {
						return
					}
					if resp.StatusCode != 409 && resp.StatusCode != 429 && resp.StatusCode != 503 {
						t.Errorf("%s: status %d", j.path, resp.StatusCode)
						return
					}
					time.Sleep(time.Duration(20+rng2(j.body)) * time.Millisecond)
				}
				t.Errorf("%s: never completed (last status %d)", j.path, last)
			}()
		}
		wg.Wait()
		h.flush()
		for _, id := range ids {
			g, _ := h.sb.Contact(h.loc.ID, id)
			var pc crmsync.Contact
			if !h.peer.get(crmsync.KindContact, id, &pc) || pc.City != g.City || pc.Email != g.Email || strings.Join(pc.Tags, ",") != strings.Join(g.Tags, ",") {
				t.Errorf("peer contact %s = %+v, GHL %+v", id, pc, g)
			}
			for _, tk := range h.sb.Tasks(h.loc.ID, id) {
				var pt crmsync.Task
				if !h.peer.get(crmsync.KindTask, tk.ID, &pt) || pt.Completed != tk.Completed {
					t.Errorf("peer task %s = %+v, GHL %+v", tk.ID, pt, tk)
				}
			}
			if n := len(h.sb.Tasks(h.loc.ID, id)); n != 1 {
				t.Errorf("contact %s has %d tasks", id, n)
			}
			if n := len(h.sb.Notes(h.loc.ID, id)); n != 1 {
				t.Errorf("contact %s has %d notes", id, n)
			}
		}
		if n := len(h.sb.Contacts(h.loc.ID)); n != 7 {
			t.Errorf("GHL contacts = %d, want 7 (4 from GHL, 3 from the peer, no duplicate)", n)
		}
		if n := h.peer.count(crmsync.ContactUpserted); n > 4*2 {
			t.Errorf("contact deliveries = %d, want at most one per GHL change (8)", n)
		}
	})
}

// Scenario 4: forged, tampered, replayed, unsigned, oversized and
// malformed requests get the right status and change nothing.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "x@example.com"}))
	h.flush()
	h.sb.ResetRequestCounts()
	delivered := h.peer.count()

	_, otherKey, _ := ed25519.GenerateKey(crand.Reader)
	ghlBody := func(ts time.Time, extra string) []byte {
		return []byte(fmt.Sprintf(`{"type":"ContactUpdate","locationId":%q,"id":%q,"webhookId":"wh-%d","timestamp":%q%s}`,
			h.loc.ID, c.ID, ts.UnixNano(), ts.UTC().Format(time.RFC3339), extra))
	}
	sign := func(key ed25519.PrivateKey, b []byte) http.Header {
		hd := http.Header{}
		hd.Set("X-GHL-Signature", base64.StdEncoding.EncodeToString(ed25519.Sign(key, b)))
		return hd
	}
	now := time.Now()
	good := ghlBody(now, "")
	tampered := bytes.Replace(good, []byte("ContactUpdate"), []byte("ContactDelete"), 1)
	big := ghlBody(now, `,"pad":"`+strings.Repeat("x", 300<<10)+`"`)
	peerHeader, peerBody := peerEvent(t, "pm-1", crmsync.ContactUpserted, crmsync.Contact{PeerID: "x", Email: "new@example.com"})
	otherSecret, _ := webhook.ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("another secret of 24 bytes")))
	oldTS := now.Add(-time.Hour)

	tests := []struct {
		name   string
		path   string
		header http.Header
		body   []byte
		want   int
		code   string
	}{
		{"ghl forged", "/ghl/webhooks/contacts", sign(otherKey, good), good, 401, "bad_signature"},
		{"ghl tampered", "/ghl/webhooks/contacts", sign(h.edPriv, good), tampered, 401, "bad_signature"},
		{"ghl replayed (old timestamp)", "/ghl/webhooks/contacts", sign(h.edPriv, ghlBody(oldTS, "")), ghlBody(oldTS, ""), 401, "stale_timestamp"},
		{"ghl unsigned", "/ghl/webhooks/contacts", http.Header{}, good, 401, "missing_signature"},
		{"ghl oversized", "/ghl/webhooks/contacts", sign(h.edPriv, big), big, 413, "body_too_large"},
		{"ghl malformed JSON", "/ghl/webhooks/contacts", sign(h.edPriv, []byte(`{"type":`)), []byte(`{"type":`), 401, "stale_timestamp"},
		{"ghl missing id", "/ghl/webhooks/contacts", sign(h.edPriv, []byte(strings.Replace(string(good), `"id"`, `"xid"`, 1))), []byte(strings.Replace(string(good), `"id"`, `"xid"`, 1)), 400, "malformed"},
		{"ghl wrong route", "/ghl/webhooks/tasks", sign(h.edPriv, good), good, 400, "malformed"},
		{"peer forged", "/peer/webhooks/contacts", otherSecret.SignedHeaders("pm-1", now, peerBody), peerBody, 401, "unauthenticated"},
		{"peer tampered", "/peer/webhooks/contacts", peerHeader, bytes.Replace(peerBody, []byte("new@"), []byte("evil@"), 1), 401, "unauthenticated"},
		{"peer replayed (old timestamp)", "/peer/webhooks/contacts", peerSecret.SignedHeaders("pm-2", oldTS, peerBody), peerBody, 401, "unauthenticated"},
		{"peer unsigned", "/peer/webhooks/contacts", http.Header{}, peerBody, 401, "unauthenticated"},
		{"peer oversized", "/peer/webhooks/contacts", peerSecret.SignedHeaders("pm-3", now, big), big, 413, "body_too_large"},
		{"peer malformed", "/peer/webhooks/contacts", peerSecret.SignedHeaders("pm-4", now, []byte(`{"type":"contact.upserted"}`)), []byte(`{"type":"contact.upserted"}`), 400, "malformed"},
		{"peer wrong route", "/peer/webhooks/tasks", peerSecret.SignedHeaders("pm-5", now, peerBody), peerBody, 400, "malformed"},
		{"unknown route", "/ghl/webhooks/opportunities", sign(h.edPriv, good), good, 404, "not_found"},
	}
	for _, tt := range tests {
		status, body := h.post(tt.path, tt.header, tt.body)
		var eb crmsync.ErrorBody
		_ = json.Unmarshal([]byte(body), &eb)
		if status != tt.want || eb.Error != tt.code || eb.Message == "" {
			t.Errorf("%s: %d %s, want %d %s with a message", tt.name, status, body, tt.want, tt.code)
		}
	}
	if n := h.peer.count(); n != delivered {
		t.Errorf("peer deliveries changed: %d → %d", delivered, n)
	}
	if w := writes(h.sb); len(w) != 0 {
		t.Errorf("GHL requests made for rejected requests: %v", w)
	}
	if n := len(h.sb.Contacts(h.loc.ID)); n != 1 {
		t.Errorf("GHL contacts = %d", n)
	}
	if l, err := h.store.GetLinkByPeer(t.Context(), h.loc.ID, "contact", "x"); err == nil {
		t.Errorf("a rejected peer event left a link: %+v", l)
	}
}

// Scenario 5: GHL 429/5xx and peer outages mid-flow → a retryable status,
// then success on redelivery: nothing lost, nothing doubled.
func TestTransientFailures(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})

		// The peer is down: GHL gets 429 and redelivers.
		h.peer.fail.Store(true)
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "down@example.com"}))
		waitStatus(t, h, http.StatusTooManyRequests)
		h.peer.fail.Store(false)
		h.flush()
		if n := h.peer.count(crmsync.ContactUpserted); n != 1 {
			t.Errorf("deliveries after the peer came back = %d, want 1", n)
		}

		// GHL answers 5xx / 429 to the read: 429 to GHL, then success.
		h.sb.SetFaults(ghlsandbox.Faults{Operations: map[string]ghlsandbox.FaultRates{"get-contact": {ServerError: 1}}})
		ok(h.sb.UpdateContact(h.loc.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = "Rome" }))
		waitDelivery(t, h.sb, ghlsandbox.OutcomeRetry)
		h.sb.SetFaults(ghlsandbox.Faults{})
		h.flush()
		var pc crmsync.Contact
		if h.peer.get(crmsync.KindContact, c.ID, &pc); pc.City != "Rome" || h.peer.count(crmsync.ContactUpserted) != 2 {
			t.Errorf("after GHL 5xx: peer %+v, deliveries %d", pc, h.peer.count(crmsync.ContactUpserted))
		}

		// peer→GHL with GHL failing the (non-idempotent) creates: 503,
		// then the same delivery again creates exactly one.
		h.sb.SetFaults(ghlsandbox.Faults{Operations: map[string]ghlsandbox.FaultRates{
			"upsert-contact": {ServerError: 1}, "create-task": {ServerError: 1}, "get-all-notes": {TooManyRequests: 1}}})
		due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		events := []struct {
			path   string
			header http.Header
			body   []byte
		}{}
		for _, e := range []struct {
			id  string
			typ crmsync.EventType
			v   any
		}{
			{"f1", crmsync.ContactUpserted, crmsync.Contact{PeerID: "pf", Email: "flaky@example.com"}},
			{"f2", crmsync.TaskUpserted, crmsync.Task{PeerID: "tf", ContactGHLID: c.ID, Title: "flaky", DueDate: due}},
			{"f3", crmsync.NoteUpserted, crmsync.Note{PeerID: "nf", ContactGHLID: c.ID, Body: "flaky"}},
		} {
			hd, b := peerEvent(t, e.id, e.typ, e.v)
			path := "/peer/webhooks/" + string(e.typ.Kind()) + "s"
			if s, body := h.post(path, hd, b); s != http.StatusServiceUnavailable {
				t.Errorf("%s during GHL failures = %d %s, want 503", e.typ, s, body)
			}
			events = append(events, struct {
				path   string
				header http.Header
				body   []byte
			}{path, hd, b})
		}
		h.sb.SetFaults(ghlsandbox.Faults{})
		for _, e := range events {
			if s, body := h.post(e.path, e.header, e.body); s != 200 {
				t.Errorf("redelivery %s = %d %s", e.path, s, body)
			}
		}
		h.flush()
		if n := len(h.sb.Contacts(h.loc.ID)); n != 2 {
			t.Errorf("GHL contacts = %d, want 2", n)
		}
		if n := len(h.sb.Tasks(h.loc.ID, c.ID)); n != 1 {
			t.Errorf("GHL tasks = %d, want 1", n)
		}
		if n := len(h.sb.Notes(h.loc.ID, c.ID)); n != 1 {
			t.Errorf("GHL notes = %d, want 1", n)
		}
		if n := h.peer.count(crmsync.TaskUpserted, crmsync.NoteUpserted); n != 0 {
			t.Errorf("echo deliveries = %d", n)
		}
	})
}

// TestCreateTimeoutLookup: a task create whose answer is lost (the sandbox
// applies it, the client gives up) is found by the lookup, not created
// twice.
func TestCreateAnsweredLate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "late@example.com"}))
	h.flush()
	h.sb.SetFaults(ghlsandbox.Faults{Operations: map[string]ghlsandbox.FaultRates{"create-note": {Latency: 3 * time.Second}}})
	hd, b := peerEvent(t, "late-1", crmsync.NoteUpserted, crmsync.Note{PeerID: "nl", ContactGHLID: c.ID, Body: "slow"})
	short := &http.Client{Timeout: 500 * time.Millisecond}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.appURL+"/peer/webhooks/notes", bytes.NewReader(b))
	req.Header = hd
	if resp, err := short.Do(req); err == nil {
		resp.Body.Close()
	}
	time.Sleep(4 * time.Second)
	h.sb.SetFaults(ghlsandbox.Faults{})
	s, body := h.post("/peer/webhooks/notes", hd, b)
	if s != 200 {
		t.Fatalf("redelivery = %d %s", s, body)
	}
	if n := len(h.sb.Notes(h.loc.ID, c.ID)); n != 1 {
		t.Errorf("GHL notes = %d, want 1: %+v; redelivery answered %s; GHL calls %v", n, h.sb.Notes(h.loc.ID, c.ID), body, writes(h.sb))
	}
}

func waitStatus(t *testing.T, h *harness, status int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		found := false
		h.statuses.Range(func(_, v any) bool {
			found = found || v.(int) == status
			return !found
		})
		if found {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no webhook answered %d", status)
}

func waitDelivery(t *testing.T, sb *ghlsandbox.Sandbox, outcome string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range sb.Deliveries() {
			if d.Outcome == outcome {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no delivery with outcome %s", outcome)
}

// rng2 spreads retries of different deliveries apart.
func rng2(b []byte) int {
	n := 0
	for _, c := range b {
		n = (n*31 + int(c)) % 97
	}
	return n
}

// TestRetriedCreateWithNewerContent: a note create whose answer is lost
// leaves the note in GHL, unlinked; GHL's webhook about it reaches the
// peer as a new note (an orphan); then the peer's next version of the note
// (other content, another delivery) arrives. The earlier round's content
// is remembered with the create claim, so the lookup adopts the note
// instead of creating a second one, writes the newer body, and the copy
// the peer was sent is retracted.
func TestRetriedCreateWithNewerContent(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "retry-newer@example.com"}))
		h.flush()
		t0 := time.Now().UTC().Truncate(time.Second)
		h.sb.SetFaults(ghlsandbox.Faults{Operations: map[string]ghlsandbox.FaultRates{"create-note": {Latency: 4 * time.Second}}})
		hd, b := peerEvent(t, "newer-1", crmsync.NoteUpserted, crmsync.Note{PeerID: "nn", ContactGHLID: c.ID, Body: "first words", UpdatedAt: t0})
		// The sender gives up (the function stops) while GHL is creating.
		// On a loaded machine the function may not reach the create before
		// the sender gives up: then nothing happened, and the sender tries
		// again, a little more patient.
		var notes []ghlsandbox.Note
		for try := 1; try <= 3 && len(notes) == 0; try++ {
			short := &http.Client{Timeout: time.Duration(try) * 1500 * time.Millisecond}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.appURL+"/peer/webhooks/notes", bytes.NewReader(b))
			req.Header = hd
			if resp, err := short.Do(req); err == nil {
				resp.Body.Close()
			}
			time.Sleep(time.Second)
			notes = h.sb.Notes(h.loc.ID, c.ID)
		}
		h.sb.SetFaults(ghlsandbox.Faults{})
		h.flush()
		notes = h.sb.Notes(h.loc.ID, c.ID)
		if len(notes) != 1 {
			t.Fatalf("GHL notes after the lost answer = %d, want the 1 the first round made; GHL calls %v", len(notes), writes(h.sb))
		}
		if l := h.link(crmsync.KindNote, notes[0].ID); l == nil || l.PeerID == "nn" {
			t.Fatalf("link of the orphan = %+v, want one made by the GHL→peer flow", l)
		}
		var sent crmsync.Note
		if !h.peer.get(crmsync.KindNote, notes[0].ID, &sent) {
			t.Fatalf("the peer was not sent the orphan note (the scenario needs it)")
		}

		hd2, b2 := peerEvent(t, "newer-2", crmsync.NoteUpserted, crmsync.Note{PeerID: "nn", ContactGHLID: c.ID, Body: "second words", UpdatedAt: t0.Add(time.Second)})
		if s, body := h.post("/peer/webhooks/notes", hd2, b2); s != http.StatusOK {
			t.Fatalf("newer version = %d %s", s, body)
		}
		h.flush()
		notes = h.sb.Notes(h.loc.ID, c.ID)
		if len(notes) != 1 || notes[0].Body != "second words" {
			t.Fatalf("GHL notes = %+v, want one with the newer body", notes)
		}
		if l := h.link(crmsync.KindNote, notes[0].ID); l == nil || l.PeerID != "nn" {
			t.Errorf("link = %+v, want peer id nn", l)
		}
		if h.peer.get(crmsync.KindNote, notes[0].ID, &sent) {
			t.Errorf("the peer still holds the copy it was sent: %+v", sent)
		}
		if n := h.peer.count(crmsync.NoteDeleted); n != 1 {
			t.Errorf("note.deleted deliveries = %d, want 1 (the retraction)", n)
		}
		// The first delivery's redelivery is stale now.
		if s, body := h.post("/peer/webhooks/notes", hd, b); s != http.StatusOK || !strings.Contains(body, "stale") && !strings.Contains(body, "duplicate") {
			t.Errorf("redelivery of the first version = %d %s, want 200 stale", s, body)
		}
		if n := len(h.sb.Notes(h.loc.ID, c.ID)); n != 1 {
			t.Errorf("GHL notes after the redelivery = %d, want 1", n)
		}
	})
}

// TestOneWriterPerEntity: while one delivery writes a linked contact (its
// tag request slowed down), another delivery's write to the same contact
// is answered 503 instead of racing it to GHL (the older of the two could
// land last); redelivered after the first is recorded, it is applied.
func TestOneWriterPerEntity(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		t0 := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
		if s, body := h.sendPeer("ow-1", crmsync.ContactUpserted, crmsync.Contact{PeerID: "ow", Email: "ow@example.com", FirstName: "One", UpdatedAt: t0}); s != http.StatusOK {
			t.Fatalf("create = %d %s", s, body)
		}
		h.flush()
		h.tagDelay.Store(int64(time.Second))
		first := make(chan int, 1)
		go func() {
			s, _ := h.sendPeer("ow-2", crmsync.ContactTagged, stdwebhooks.TagChange{PeerID: "ow", Tags: []string{"vip"}})
			first <- s
		}()
		time.Sleep(300 * time.Millisecond) // the tag write is in flight
		hd, b := peerEvent(t, "ow-3", crmsync.ContactUpserted, crmsync.Contact{PeerID: "ow", Email: "ow@example.com", FirstName: "Two", Tags: []string{"vip"}, UpdatedAt: t0.Add(time.Second)})
		if s, body := h.post("/peer/webhooks/contacts", hd, b); s != http.StatusServiceUnavailable {
			t.Errorf("second writer while the first is in flight = %d %s, want 503", s, body)
		}
		if s := <-first; s != http.StatusOK {
			t.Fatalf("first writer = %d", s)
		}
		h.tagDelay.Store(0)
		if s, body := h.post("/peer/webhooks/contacts", hd, b); s != http.StatusOK {
			t.Fatalf("second writer redelivered = %d %s", s, body)
		}
		h.flush()
		cs := h.sb.Contacts(h.loc.ID)
		if len(cs) != 1 || cs[0].FirstName != "Two" || !slices.Contains(cs[0].Tags, "vip") {
			t.Errorf("GHL contacts = %+v, want one, Two, tagged vip", cs)
		}
	})
}

// TestUpsertOlderThanDelete: a peer upsert that arrives after the delete
// of its entity but is older than the delete is stale; before, the
// tombstone let it create the entity again.
func TestUpsertOlderThanDelete(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "tomb@example.com"}))
		h.flush()
		t0 := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Second)
		due := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		task := crmsync.Task{PeerID: "tt", ContactGHLID: c.ID, Title: "Call", Body: "tomb", DueDate: due, UpdatedAt: t0}
		if s, body := h.sendPeer("tomb-1", crmsync.TaskUpserted, task); s != http.StatusOK {
			t.Fatalf("create = %d %s", s, body)
		}
		if s, body := h.sendPeer("tomb-2", crmsync.TaskDeleted, crmsync.Ref{Kind: crmsync.KindTask, PeerID: "tt"}); s != http.StatusOK {
			t.Fatalf("delete = %d %s", s, body)
		}
		late := task
		late.Title, late.UpdatedAt = "Call (edited before the delete)", t0.Add(5*time.Minute)
		s, body := h.sendPeer("tomb-3", crmsync.TaskUpserted, late)
		if s != http.StatusOK || !strings.Contains(body, `"stale"`) {
			t.Errorf("late older upsert = %d %s, want 200 stale", s, body)
		}
		h.flush()
		if n := len(h.sb.Tasks(h.loc.ID, c.ID)); n != 0 {
			t.Errorf("GHL tasks = %d, want 0", n)
		}
		again := task
		again.Title, again.UpdatedAt = "Made again", time.Now().Add(time.Minute).UTC()
		if s, body := h.sendPeer("tomb-4", crmsync.TaskUpserted, again); s != http.StatusOK || !strings.Contains(body, `"synced"`) {
			t.Errorf("newer upsert after the delete = %d %s, want synced (the peer made it again)", s, body)
		}
		if n := len(h.sb.Tasks(h.loc.ID, c.ID)); n != 1 {
			t.Errorf("GHL tasks after the peer made it again = %d, want 1", n)
		}
	})
}

// TestDeletedBeforeLinked: a GHL entity deleted before its link was ever
// recorded is still deleted at the peer — a delivery may have reached the
// peer and failed to be recorded — once, and its later webhooks are echoes
// of the tombstone.
func TestDeletedBeforeLinked(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "gone-early@example.com"}))
		h.flush()
		h.peer.fail.Store(true)
		n := ok(h.sb.CreateNote(h.loc.ID, c.ID, ghlsandbox.Note{Body: "short-lived"}))
		waitStatus(t, h, http.StatusTooManyRequests)
		if err := h.sb.DeleteNote(h.loc.ID, c.ID, n.ID); err != nil {
			t.Fatal(err)
		}
		h.peer.fail.Store(false)
		h.flush()
		if got := h.peer.count(crmsync.NoteUpserted); got != 0 {
			t.Errorf("note.upserted deliveries = %d, want 0 (gone before it was read)", got)
		}
		if got := h.peer.count(crmsync.NoteDeleted); got != 1 {
			t.Errorf("note.deleted deliveries = %d, want 1", got)
		}
		if l := h.link(crmsync.KindNote, n.ID); l == nil || !l.Deleted {
			t.Errorf("link = %+v, want a tombstone", l)
		}
	})
}

// TestOrphanOnlyWhenRecent: a peer contact upserted with the email of a
// GHL contact that ghlsync linked for GHL takes the link over. When that
// GHL contact was recent and never written by the peer (an orphan: most
// likely the peer's own create whose link was lost), the copy the peer was
// sent is retracted; an old GHL contact (a backfill) is the GHL user's, and
// the peer's copy of it is left alone.
func TestOrphanOnlyWhenRecent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		skew     time.Duration
		retracts int
	}{
		{"recent", 0, 1},
		{"old", 2 * time.Hour, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{now: func() time.Time { return time.Now().Add(tc.skew) }})
			h.peer.dedupe.Store(true) // a retried takeover resends its retraction under the same id
			c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "orphan-" + tc.name + "@example.com"}))
			h.flush()
			if l := h.link(crmsync.KindContact, c.ID); l == nil {
				t.Fatal("the GHL contact was not linked")
			}
			if s, body := h.sendPeer("or-"+tc.name, crmsync.ContactUpserted, crmsync.Contact{PeerID: "mine-" + tc.name, Email: c.Email,
				FirstName: "Mine", UpdatedAt: time.Now().Add(tc.skew).UTC()}); s != http.StatusOK {
				t.Fatalf("peer upsert = %d %s", s, body)
			}
			if l := h.link(crmsync.KindContact, c.ID); l == nil || l.PeerID != "mine-"+tc.name {
				t.Errorf("link = %+v, want it taken over", l)
			}
			if got := h.peer.count(crmsync.ContactDeleted); got != tc.retracts {
				t.Errorf("contact.deleted (retractions) = %d, want %d", got, tc.retracts)
			}
		})
	}
}

// TestOlderStateDeliveredLast: two GHL webhooks of one note race; the one
// that read the older body reaches the peer last (its delivery is slow),
// after the other recorded the newer body. Its link write then finds the
// link changed: the link's fingerprints are cleared and the delivery
// answers 429, so that GHL's redelivery sends the current body and the
// peer ends with it. Before, the redelivery found GHL's body equal to the
// link's and stopped, leaving the peer with the older body.
func TestOlderStateDeliveredLast(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "race@example.com"}))
		n := ok(h.sb.CreateNote(h.loc.ID, c.ID, ghlsandbox.Note{Body: "v0"}))
		h.flush()
		// The test delivers the NoteUpdate webhooks itself, at the moments
		// it needs (the sandbox would send them one after the other).
		type hook struct {
			header http.Header
			body   []byte
		}
		hooks := make(chan hook, 4)
		capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			hooks <- hook{r.Header.Clone(), b}
		}))
		defer capture.Close()
		h.sb.SetWebhookURL(ghlsandbox.DomainNotes, capture.URL)
		defer h.sb.SetWebhookURL(ghlsandbox.DomainNotes, h.appURL+"/ghl/webhooks/notes")

		ok(h.sb.UpdateNote(h.loc.ID, c.ID, n.ID, "v1"))
		w1 := <-hooks
		// The first webhook reads v1 and its delivery is held at the peer.
		h.peer.delay.Store(int64(time.Second))
		first := make(chan int, 1)
		go func() {
			s, _ := h.post("/ghl/webhooks/notes", w1.header, w1.body)
			first <- s
		}()
		time.Sleep(300 * time.Millisecond)
		h.peer.delay.Store(0)
		// Meanwhile the note becomes v2, and its webhook delivers and
		// records v2 first.
		ok(h.sb.UpdateNote(h.loc.ID, c.ID, n.ID, "v2"))
		w2 := <-hooks
		if s, body := h.post("/ghl/webhooks/notes", w2.header, w2.body); s != http.StatusOK {
			t.Fatalf("second webhook = %d %s", s, body)
		}
		s := <-first // v1 arrived at the peer last
		if s == http.StatusTooManyRequests {
			// GHL redelivers after a 429.
			if s, body := h.post("/ghl/webhooks/notes", w1.header, w1.body); s != http.StatusOK {
				t.Fatalf("first webhook redelivered = %d %s", s, body)
			}
		}
		var got crmsync.Note
		if !h.peer.get(crmsync.KindNote, n.ID, &got) || got.Body != "v2" {
			t.Errorf("peer holds %+v, want body v2 (GHL's); the first webhook answered %d", got, s)
		}
	})
}

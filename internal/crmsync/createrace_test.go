package crmsync_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
)

// Two versions of one new peer entity delivered at the same time (a
// retried create and the update after it, as `make chaos` delivers them)
// make one GHL entity holding the newer version: before createOnce both
// found no link, and both created a task (a duplicate) or both upserted
// the contact, the older last.
func TestConcurrentVersionsOfNewEntity(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo})
		// The link that completes a delivery lands late: the window in
		// which the other version finds no link.
		h.commitDelay.Store(int64(40 * time.Millisecond))
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		due := t0.Add(48 * time.Hour)
		const rounds = 6
		send := func(id string, typ crmsync.EventType, data any) {
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
				status, body := h.sendPeer(id, typ, data)
				switch status {
				case http.StatusOK:
					return
				case http.StatusConflict, http.StatusServiceUnavailable:
					time.Sleep(20 * time.Millisecond)
				default:
					t.Errorf("%s: status %d %s", id, status, body)
					return
				}
			}
			t.Errorf("%s: never completed", id)
		}
		var wg sync.WaitGroup
		for i := range rounds {
			cid, tid := fmt.Sprintf("rc-%d", i), fmt.Sprintf("rt-%d", i)
			// Both versions of the contact, then both of a task on a
			// contact made first.
			wg.Go(func() {
				send("c1-"+cid, crmsync.ContactUpserted, crmsync.Contact{PeerID: cid, Email: cid + "@example.com", FirstName: "old", UpdatedAt: t0})
			})
			wg.Go(func() {
				send("c2-"+cid, crmsync.ContactUpserted, crmsync.Contact{PeerID: cid, Email: cid + "@example.com", FirstName: "new", UpdatedAt: t0.Add(time.Second)})
			})
			base := "base-" + cid
			send("c-"+base, crmsync.ContactUpserted, crmsync.Contact{PeerID: base, Email: base + "@example.com"})
			wg.Go(func() {
				send("t1-"+tid, crmsync.TaskUpserted, crmsync.Task{PeerID: tid, ContactPeerID: base, Title: "old", Body: tid, DueDate: due, UpdatedAt: t0})
			})
			wg.Go(func() {
				send("t2-"+tid, crmsync.TaskUpserted, crmsync.Task{PeerID: tid, ContactPeerID: base, Title: "new", Body: tid, DueDate: due, UpdatedAt: t0.Add(time.Second)})
			})
		}
		wg.Wait()
		byEmail := map[string][]string{}
		for _, c := range h.sb.Contacts(h.loc.ID) {
			byEmail[c.Email] = append(byEmail[c.Email], c.FirstName)
		}
		byBody := map[string][]string{}
		for _, tk := range h.sb.Tasks(h.loc.ID, "") {
			byBody[tk.Body] = append(byBody[tk.Body], tk.Title)
		}
		for i := range rounds {
			cid, tid := fmt.Sprintf("rc-%d", i), fmt.Sprintf("rt-%d", i)
			if got := byEmail[cid+"@example.com"]; len(got) != 1 || got[0] != "new" {
				t.Errorf("GHL contacts of %s: first names %q, want one, \"new\"", cid, got)
			}
			if got := byBody[tid]; len(got) != 1 || got[0] != "new" {
				t.Errorf("GHL tasks of %s: titles %q, want one, \"new\"", tid, got)
			}
		}
	})
}

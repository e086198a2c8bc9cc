package crmsync_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

// A peer update that changes a field and a tag is two GHL writes (the
// update, then the tag add). GHL's webhook for the first one reads the
// contact half written; after waiting for the write in flight the flow
// must compare the current state, not the half-written one it read first,
// or it delivers that intermediate state back to the peer.
func TestEchoOfHalfWrittenPeerUpdate(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo, echoSettle: 3 * time.Second,
			now: func() time.Time { return time.Now().Add(time.Minute) }})
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "half@example.com", FirstName: "Half"}))
		h.flush()
		var pc crmsync.Contact
		if !h.peer.get(crmsync.KindContact, c.ID, &pc) {
			t.Fatal("the peer has no state for the contact")
		}
		before := h.peer.count()

		pc.City, pc.Tags, pc.UpdatedAt = "Quito", append(pc.Tags, "vip"), time.Time{}
		h.tagDelay.Store(int64(300 * time.Millisecond))
		if s, b := h.sendPeer("half-1", crmsync.ContactUpserted, pc); s != http.StatusOK {
			t.Fatalf("contact.upserted = %d %s", s, b)
		}
		h.flush()

		got, ok := h.sb.Contact(h.loc.ID, c.ID)
		if !ok || got.City != "Quito" || len(got.Tags) != 1 || got.Tags[0] != "vip" {
			t.Fatalf("GHL contact = %+v, want city Quito and tag vip", got)
		}
		if n := h.peer.count() - before; n != 0 {
			t.Errorf("deliveries back to the peer after its own update = %d, want 0 (echo)", n)
		}
	})
}

// The same half-written update when recording the peer→GHL write takes
// longer than EchoSettle (a throttled store): GHL's webhook about the
// first write must not give up waiting and deliver the half-written
// state it read — that sends the peer an older version of its own change,
// and once the write is recorded its final state looks like an echo, so
// the peer keeps the old version. It answers 429 until the write is
// recorded, and GHL's redelivery finds the echo.
func TestEchoOfHalfWrittenPeerUpdateRecordedLate(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dynamo bool) {
		h := newHarness(t, harnessOptions{dynamo: dynamo, echoSettle: 300 * time.Millisecond,
			now: func() time.Time { return time.Now().Add(time.Minute) }})
		c := ok(h.sb.CreateContact(h.loc.ID, ghlsandbox.Contact{Email: "late@example.com", FirstName: "Late"}))
		h.flush()
		var pc crmsync.Contact
		if !h.peer.get(crmsync.KindContact, c.ID, &pc) {
			t.Fatal("the peer has no state for the contact")
		}
		before := h.peer.count()

		pc.City, pc.Tags, pc.UpdatedAt = "Quito", append(pc.Tags, "vip"), time.Time{}
		h.tagDelay.Store(int64(500 * time.Millisecond))
		h.commitDelay.Store(int64(800 * time.Millisecond))
		// The peer delivers again after a failure, as it would.
		for attempt := 1; ; attempt++ {
			s, b := h.sendPeer("late-half-1", crmsync.ContactUpserted, pc)
			if s == http.StatusOK {
				break
			}
			if attempt == 3 {
				t.Fatalf("contact.upserted = %d %s after %d attempts", s, b, attempt)
			}
		}
		h.flush()

		got, ok := h.sb.Contact(h.loc.ID, c.ID)
		if !ok || got.City != "Quito" || len(got.Tags) != 1 || got.Tags[0] != "vip" {
			t.Fatalf("GHL contact = %+v, want city Quito and tag vip", got)
		}
		if n := h.peer.count() - before; n != 0 {
			var now crmsync.Contact
			h.peer.get(crmsync.KindContact, c.ID, &now)
			t.Errorf("deliveries back to the peer after its own update = %d, want 0 (echo); the peer now has city %q tags %v",
				n, now.City, now.Tags)
		}
	})
}

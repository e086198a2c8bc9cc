package apptest_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/ghlsync/ghlsync/internal/apptest"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// TestRoundTrip checks the harness itself: a captured GHL webhook reaches
// the peer once and is metered; a peer delivery creates the contact in
// the sandbox; the pull API answers with the pull key.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, dynamo := range []bool{false, true} {
		t.Run(map[bool]string{false: "memstore", true: "dynamodb"}[dynamo], func(t *testing.T) {
			t.Parallel()
			a := apptest.New(t, apptest.Options{Dynamo: dynamo})
			var c ghlsandbox.Contact
			hooks := a.CaptureGHL(t, func() {
				var err error
				c, err = a.Sandbox.CreateContact(a.Location.ID, ghlsandbox.Contact{Email: "ada@example.com", FirstName: "Ada"})
				if err != nil {
					t.Fatal(err)
				}
			})
			if len(hooks) != 1 || hooks[0].Domain != "contacts" {
				t.Fatalf("captured %+v, want one contacts webhook", hooks)
			}
			before := a.Meter.Snapshot()
			resp := a.Invoke(t.Context(), hooks[0].Request())
			got := a.Meter.Snapshot().Sub(before)
			if resp.StatusCode != http.StatusOK || a.Peer.Count() != 1 {
				t.Fatalf("GHL webhook: %d %s, peer deliveries %d", resp.StatusCode, resp.Body, a.Peer.Count())
			}
			if got.GHL != 1 || got.Peer != 1 || (dynamo && got.Dynamo() == 0) || (!dynamo && got.Dynamo() != 0) {
				t.Errorf("metered %+v", got)
			}

			resp = a.Invoke(t.Context(), a.PeerDelivery(t, "msg_1", crmsync.ContactUpserted,
				map[string]any{"peerId": "cust_1", "email": "grace@example.com", "firstName": "Grace"}))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("peer delivery: %d %s", resp.StatusCode, resp.Body)
			}
			if n := len(a.Sandbox.Contacts(a.Location.ID)); n != 2 {
				t.Errorf("sandbox contacts = %d, want 2", n)
			}
			if resp := a.Invoke(t.Context(), a.PullContact(c.ID)); resp.StatusCode != http.StatusOK {
				t.Errorf("pull: %d %s", resp.StatusCode, resp.Body)
			}
		})
	}
}

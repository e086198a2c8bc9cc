package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
)

func link(ghlID, peerID string) store.Link {
	return store.Link{
		LocationID:      "loc-1",
		Kind:            store.KindContact,
		GHLID:           ghlID,
		PeerID:          peerID,
		GHLFingerprint:  "gfp-" + ghlID,
		PeerFingerprint: "pfp-" + peerID,
		SourceVersion:   "2026-11-22T12:00:00.000Z",
		UpdatedAt:       base.Add(123456789 * time.Nanosecond).In(time.FixedZone("UTC+2", 2*3600)),
	}
}

func versioned(l store.Link, v int64) store.Link {
	l.Version = v
	return l
}

// wantLink checks that both directions read back want.
func wantLink(t *testing.T, st store.Store, want store.Link) {
	t.Helper()
	byGHL, err := st.GetLinkByGHL(t.Context(), want.LocationID, want.Kind, want.GHLID)
	must(t, err)
	diff(t, "link by GHL id", want, *byGHL)
	byPeer, err := st.GetLinkByPeer(t.Context(), want.LocationID, want.Kind, want.PeerID)
	must(t, err)
	diff(t, "link by peer id", want, *byPeer)
}

func wantNoLink(t *testing.T, st store.Store, ghlID, peerID string) {
	t.Helper()
	if ghlID != "" {
		_, err := st.GetLinkByGHL(t.Context(), "loc-1", store.KindContact, ghlID)
		wantErr(t, err, store.ErrNotFound)
	}
	if peerID != "" {
		_, err := st.GetLinkByPeer(t.Context(), "loc-1", store.KindContact, peerID)
		wantErr(t, err, store.ErrNotFound)
	}
}

func runLinks(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"put then read from both sides", func(t *testing.T, st store.Store) {
			got, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			diff(t, "put result", versioned(link("g1", "p1"), 1), *got)
			wantLink(t, st, versioned(link("g1", "p1"), 1))
		}},
		{"absent link", func(t *testing.T, st store.Store) {
			wantNoLink(t, st, "g1", "p1")
		}},
		{"optimistic versions", func(t *testing.T, st store.Store) {
			_, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			_, err = st.PutLink(t.Context(), link("g1", "p1"))
			wantErr(t, err, store.ErrConflict)

			next := versioned(link("g1", "p1"), 1)
			next.GHLFingerprint, next.SourceVersion = "gfp-2", "2026-11-22T12:05:00.000Z"
			got, err := st.PutLink(t.Context(), next)
			must(t, err)
			diff(t, "put result", versioned(next, 2), *got)

			for _, v := range []int64{0, 1, 3} {
				stale := versioned(link("g1", "p1"), v)
				stale.GHLFingerprint = "lost"
				_, err = st.PutLink(t.Context(), stale)
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("put with version %d: %v, want ErrConflict", v, err)
				}
			}
			wantLink(t, st, versioned(next, 2))
		}},
		{"version on an absent link", func(t *testing.T, st store.Store) {
			_, err := st.PutLink(t.Context(), versioned(link("g1", "p1"), 3))
			wantErr(t, err, store.ErrConflict)
			wantNoLink(t, st, "g1", "p1")
		}},
		{"peer id change moves the peer side", func(t *testing.T, st store.Store) {
			_, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			got, err := st.PutLink(t.Context(), versioned(link("g1", "p2"), 1))
			must(t, err)
			diff(t, "put result", versioned(link("g1", "p2"), 2), *got)
			wantLink(t, st, versioned(link("g1", "p2"), 2))
			wantNoLink(t, st, "", "p1")
			// The freed peer id can be linked again.
			_, err = st.PutLink(t.Context(), link("g2", "p1"))
			must(t, err)
			wantLink(t, st, versioned(link("g2", "p1"), 1))
		}},
		{"peer id linked to another GHL id", func(t *testing.T, st store.Store) {
			_, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			_, err = st.PutLink(t.Context(), link("g2", "p1"))
			wantErr(t, err, store.ErrConflict)
			wantNoLink(t, st, "g2", "")

			_, err = st.PutLink(t.Context(), link("g2", "p2"))
			must(t, err)
			_, err = st.PutLink(t.Context(), versioned(link("g2", "p1"), 1))
			wantErr(t, err, store.ErrConflict)
			wantLink(t, st, versioned(link("g1", "p1"), 1))
			wantLink(t, st, versioned(link("g2", "p2"), 1))
		}},
		{"tombstone and empty fields", func(t *testing.T, st store.Store) {
			l := store.Link{LocationID: "loc-1", Kind: store.KindContact, GHLID: "g1", PeerID: "p1", Deleted: true}
			_, err := st.PutLink(t.Context(), l)
			must(t, err)
			wantLink(t, st, versioned(l, 1))
		}},
		{"locations and kinds are kept apart", func(t *testing.T, st store.Store) {
			var all []store.Link
			for _, loc := range []string{"loc-1", "loc-2"} {
				for _, kind := range []store.LinkKind{store.KindContact, store.KindTask, store.KindNote, store.KindAppointment} {
					l := link("g1", "p1")
					l.LocationID, l.Kind = loc, kind
					l.GHLFingerprint = loc + "/" + string(kind)
					_, err := st.PutLink(t.Context(), l)
					must(t, err)
					all = append(all, versioned(l, 1))
				}
			}
			for _, want := range all {
				wantLink(t, st, want)
				got, err := st.ListLinks(t.Context(), want.LocationID, want.Kind, "", 10)
				must(t, err)
				diff(t, "list "+want.LocationID+"/"+string(want.Kind), []store.Link{want}, got)
			}
		}},
		{"list pages in GHL id order", func(t *testing.T, st store.Store) {
			ids := []string{"c3", "a1", "\u00e95", "b2", "Z9", "a10", "0"}
			want := []store.Link{}
			for _, id := range []string{"0", "Z9", "a1", "a10", "b2", "c3", "\u00e95"} { // byte order
				want = append(want, versioned(link(id, "p-"+id), 1))
			}
			for _, id := range ids {
				_, err := st.PutLink(t.Context(), link(id, "p-"+id))
				must(t, err)
			}
			other := link("a2", "p-a2")
			other.Kind = store.KindTask
			_, err := st.PutLink(t.Context(), other)
			must(t, err)

			var got []store.Link
			after, pages := "", 0
			for {
				page, err := st.ListLinks(t.Context(), "loc-1", store.KindContact, after, 2)
				must(t, err)
				if len(page) > 2 {
					t.Fatalf("page of %d links, limit 2", len(page))
				}
				if len(page) == 0 {
					break
				}
				pages++
				got = append(got, page...)
				after = page[len(page)-1].GHLID
			}
			diff(t, "links over all pages", want, got)
			if pages != 4 {
				t.Errorf("%d pages, want 4", pages)
			}
			tail, err := st.ListLinks(t.Context(), "loc-1", store.KindContact, "b", 100)
			must(t, err)
			diff(t, "links after \"b\"", want[4:], tail)
			none, err := st.ListLinks(t.Context(), "loc-9", store.KindContact, "", 10)
			must(t, err)
			if len(none) != 0 {
				t.Errorf("links of an empty location: %+v", none)
			}
		}},
		{"invalid links", func(t *testing.T, st store.Store) {
			for name, mod := range map[string]func(*store.Link){
				"empty location":   func(l *store.Link) { l.LocationID = "" },
				"location with #":  func(l *store.Link) { l.LocationID = "a#b" },
				"empty kind":       func(l *store.Link) { l.Kind = "" },
				"empty GHL id":     func(l *store.Link) { l.GHLID = "" },
				"empty peer id":    func(l *store.Link) { l.PeerID = "" },
				"negative version": func(l *store.Link) { l.Version = -1 },
			} {
				l := link("g1", "p1")
				mod(&l)
				if _, err := st.PutLink(t.Context(), l); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("%s: put error = %v, want ErrInvalid", name, err)
				}
			}
			_, err := st.GetLinkByGHL(t.Context(), "loc-1", store.KindContact, "")
			wantErr(t, err, store.ErrInvalid)
			_, err = st.GetLinkByPeer(t.Context(), "", store.KindContact, "p1")
			wantErr(t, err, store.ErrInvalid)
			_, err = st.ListLinks(t.Context(), "loc-1", store.KindContact, "", 0)
			wantErr(t, err, store.ErrInvalid)
			wantNoLink(t, st, "g1", "p1")
		}},
		{"concurrent creates: exactly one wins, both sides agree", func(t *testing.T, st store.Store) {
			errs := make([]error, concurrency)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() {
					_, errs[i] = st.PutLink(t.Context(), link("g1", fmt.Sprintf("p%d", i)))
				})
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Fatalf("creates %d and %d both won", winner, i)
					}
					winner = i
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("create %d: %v", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no create won")
			}
			wantLink(t, st, versioned(link("g1", fmt.Sprintf("p%d", winner)), 1))
			for i := range errs {
				if i != winner {
					wantNoLink(t, st, "", fmt.Sprintf("p%d", i))
				}
			}
		}},
		{"concurrent updates: exactly one wins", func(t *testing.T, st store.Store) {
			_, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			errs := make([]error, concurrency)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() {
					l := versioned(link("g1", "p1"), 1)
					l.PeerFingerprint = fmt.Sprintf("writer-%d", i)
					_, errs[i] = st.PutLink(t.Context(), l)
				})
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Fatalf("updates %d and %d both won", winner, i)
					}
					winner = i
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("update %d: %v", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no update won")
			}
			want := versioned(link("g1", "p1"), 2)
			want.PeerFingerprint = fmt.Sprintf("writer-%d", winner)
			wantLink(t, st, want)
		}},
	})
}

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
)

// completion completes the record of idemRecord(key, …) with result.
func completion(key, result string) *store.Completion {
	return &store.Completion{Scope: "ghl", Key: key, Result: []byte(result), Expiration: base.Add(2 * time.Hour).Unix()}
}

// wantRecord checks the stored idempotency record.
func wantRecord(t *testing.T, st store.Store, want store.IdempotencyRecord) {
	t.Helper()
	got, err := st.GetIdempotency(t.Context(), want.Scope, want.Key, base)
	must(t, err)
	diff(t, "idempotency record", want, *got)
}

func runSwapLink(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"create and complete together", func(t *testing.T, st store.Store) {
			rec := idemRecord("wh-1", "h1")
			_, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			got, err := st.SwapLink(t.Context(), nil, link("g1", "p1"), completion("wh-1", `{"outcome":"synced"}`))
			must(t, err)
			diff(t, "swap result", versioned(link("g1", "p1"), 1), *got)
			wantLink(t, st, versioned(link("g1", "p1"), 1))
			wantRecord(t, st, completed(rec, `{"outcome":"synced"}`, base.Add(2*time.Hour).Unix()))
		}},
		{"update from the read version, moving the peer id", func(t *testing.T, st store.Store) {
			prev, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			rec := idemRecord("wh-1", "h1")
			_, err = st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			next := versioned(link("g1", "p2"), 1)
			next.PeerFingerprint = "moved"
			got, err := st.SwapLink(t.Context(), prev, next, completion("wh-1", "r"))
			must(t, err)
			want := versioned(next, 2)
			diff(t, "swap result", want, *got)
			wantLink(t, st, want)
			wantNoLink(t, st, "", "p1")
			wantRecord(t, st, completed(rec, "r", base.Add(2*time.Hour).Unix()))
		}},
		{"without a completion it is a put from the read version", func(t *testing.T, st store.Store) {
			prev, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			next := versioned(link("g1", "p1"), 1)
			next.GHLFingerprint = "changed"
			_, err = st.SwapLink(t.Context(), prev, next, nil)
			must(t, err)
			wantLink(t, st, versioned(next, 2))
		}},
		{"stale read version: conflict, record stays in progress", func(t *testing.T, st store.Store) {
			prev, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			other := versioned(link("g1", "p1"), 1)
			other.PeerFingerprint = "other writer"
			_, err = st.PutLink(t.Context(), other)
			must(t, err)
			rec := idemRecord("wh-1", "h1")
			_, err = st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			mine := versioned(link("g1", "p1"), 1)
			mine.PeerFingerprint = "mine"
			_, err = st.SwapLink(t.Context(), prev, mine, completion("wh-1", "r"))
			wantErr(t, err, store.ErrConflict)
			wantLink(t, st, versioned(other, 2))
			wantRecord(t, st, claimed(rec))
		}},
		{"create over an existing link: conflict, record stays in progress", func(t *testing.T, st store.Store) {
			_, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			rec := idemRecord("wh-1", "h1")
			_, err = st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			_, err = st.SwapLink(t.Context(), nil, link("g1", "p2"), completion("wh-1", "r"))
			wantErr(t, err, store.ErrConflict)
			wantLink(t, st, versioned(link("g1", "p1"), 1))
			wantNoLink(t, st, "", "p2")
			wantRecord(t, st, claimed(rec))
		}},
		{"peer id linked to another GHL id: conflict", func(t *testing.T, st store.Store) {
			_, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			rec := idemRecord("wh-1", "h1")
			_, err = st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			_, err = st.SwapLink(t.Context(), nil, link("g2", "p1"), completion("wh-1", "r"))
			wantErr(t, err, store.ErrConflict)
			wantNoLink(t, st, "g2", "")
			wantRecord(t, st, claimed(rec))
		}},
		{"missing record: not found, link not written", func(t *testing.T, st store.Store) {
			_, err := st.SwapLink(t.Context(), nil, link("g1", "p1"), completion("wh-absent", "r"))
			wantErr(t, err, store.ErrNotFound)
			wantNoLink(t, st, "g1", "p1")
		}},
		{"version that does not continue the read link: invalid", func(t *testing.T, st store.Store) {
			prev, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			for name, tc := range map[string]struct {
				prev *store.Link
				next store.Link
			}{
				"version without prev": {nil, versioned(link("g1", "p1"), 1)},
				"version behind prev":  {prev, versioned(link("g1", "p1"), 0)},
				"another GHL id":       {prev, versioned(link("g2", "p1"), 1)},
			} {
				if _, err := st.SwapLink(t.Context(), tc.prev, tc.next, nil); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("%s: error = %v, want ErrInvalid", name, err)
				}
			}
			wantLink(t, st, versioned(link("g1", "p1"), 1))
		}},
		{"concurrent swaps from one read: exactly one wins and completes", func(t *testing.T, st store.Store) {
			prev, err := st.PutLink(t.Context(), link("g1", "p1"))
			must(t, err)
			for i := range concurrency {
				_, err := st.ClaimIdempotency(t.Context(), idemRecord(fmt.Sprintf("wh-%d", i), "h"), base)
				must(t, err)
			}
			errs := make([]error, concurrency)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() {
					l := versioned(link("g1", "p1"), 1)
					l.PeerFingerprint = fmt.Sprintf("writer-%d", i)
					_, errs[i] = st.SwapLink(t.Context(), prev, l, completion(fmt.Sprintf("wh-%d", i), "r"))
				})
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Fatalf("swaps %d and %d both won", winner, i)
					}
					winner = i
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("swap %d: %v", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no swap won")
			}
			want := versioned(link("g1", "p1"), 2)
			want.PeerFingerprint = fmt.Sprintf("writer-%d", winner)
			wantLink(t, st, want)
			for i := range concurrency {
				rec := claimed(idemRecord(fmt.Sprintf("wh-%d", i), "h"))
				if i == winner {
					rec = completed(idemRecord(fmt.Sprintf("wh-%d", i), "h"), "r", base.Add(2*time.Hour).Unix())
				}
				wantRecord(t, st, rec)
			}
		}},
	})
}

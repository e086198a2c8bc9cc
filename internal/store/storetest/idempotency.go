package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
)

func idemRecord(key, hash string) store.IdempotencyRecord {
	return store.IdempotencyRecord{
		Scope:                "ghl",
		Key:                  key,
		Expiration:           base.Add(time.Hour).Unix(),
		InProgressExpiration: base.Add(30 * time.Second).UnixMilli(),
		PayloadHash:          hash,
	}
}

// claimed is what a successful claim stores for rec.
func claimed(rec store.IdempotencyRecord) store.IdempotencyRecord {
	rec.Status = store.StatusInProgress
	rec.Result = nil
	return rec
}

func completed(rec store.IdempotencyRecord, result string, expiration int64) store.IdempotencyRecord {
	rec.Status = store.StatusCompleted
	rec.Result = []byte(result)
	rec.Expiration = expiration
	rec.InProgressExpiration = 0
	return rec
}

func runIdempotency(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"claim absent key", func(t *testing.T, st store.Store) {
			rec := idemRecord("wh-1", "h1")
			in := rec
			in.Status, in.Result = store.StatusCompleted, []byte("ignored on claim")
			got, err := st.ClaimIdempotency(t.Context(), in, base)
			must(t, err)
			diff(t, "claimed record", claimed(rec), *got)
			read, err := st.GetIdempotency(t.Context(), "ghl", "wh-1", base)
			must(t, err)
			diff(t, "stored record", claimed(rec), *read)
		}},
		{"duplicate of live completed record returns it", func(t *testing.T, st store.Store) {
			rec := idemRecord("wh-1", "h1")
			_, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			exp := base.Add(2 * time.Hour).Unix()
			must(t, st.CompleteIdempotency(t.Context(), "ghl", "wh-1", []byte(`{"ok":true}`), exp))

			got, err := st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h2"), base.Add(90*time.Minute))
			wantErr(t, err, store.ErrConflict)
			if got == nil {
				t.Fatal("conflict without the existing record")
			}
			want := completed(rec, `{"ok":true}`, exp)
			diff(t, "existing record", want, *got)
			read, err := st.GetIdempotency(t.Context(), "ghl", "wh-1", base.Add(90*time.Minute))
			must(t, err)
			diff(t, "stored record after duplicate", want, *read)
		}},
		{"expired completed record is claimed again", func(t *testing.T, st store.Store) {
			_, err := st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h1"), base)
			must(t, err)
			must(t, st.CompleteIdempotency(t.Context(), "ghl", "wh-1", []byte("r1"), base.Add(time.Minute).Unix()))

			later := base.Add(time.Minute + time.Second)
			rec := idemRecord("wh-1", "h2")
			rec.Expiration = later.Add(time.Hour).Unix()
			got, err := st.ClaimIdempotency(t.Context(), rec, later)
			must(t, err)
			diff(t, "claimed record", claimed(rec), *got)
			read, err := st.GetIdempotency(t.Context(), "ghl", "wh-1", later)
			must(t, err)
			diff(t, "stored record", claimed(rec), *read)
		}},
		{"duplicate of live in-progress record returns it", func(t *testing.T, st store.Store) {
			rec := idemRecord("wh-1", "h1")
			_, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			got, err := st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h2"), base.Add(10*time.Second))
			wantErr(t, err, store.ErrConflict)
			if got == nil {
				t.Fatal("conflict without the existing record")
			}
			diff(t, "existing record", claimed(rec), *got)
		}},
		{"in-progress record past its deadline is claimed again", func(t *testing.T, st store.Store) {
			_, err := st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h1"), base)
			must(t, err)
			later := base.Add(31 * time.Second)
			rec := idemRecord("wh-1", "h2")
			rec.InProgressExpiration = later.Add(30 * time.Second).UnixMilli()
			got, err := st.ClaimIdempotency(t.Context(), rec, later)
			must(t, err)
			diff(t, "claimed record", claimed(rec), *got)
			read, err := st.GetIdempotency(t.Context(), "ghl", "wh-1", later)
			must(t, err)
			diff(t, "stored record", claimed(rec), *read)
		}},
		{"in-progress record without deadline lives until expiration", func(t *testing.T, st store.Store) {
			rec := idemRecord("wh-1", "h1")
			rec.InProgressExpiration = 0
			_, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			_, err = st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h2"), base.Add(59*time.Minute))
			wantErr(t, err, store.ErrConflict)
			later := base.Add(time.Hour + time.Second)
			rec2 := idemRecord("wh-1", "h2")
			rec2.Expiration = later.Add(time.Hour).Unix()
			_, err = st.ClaimIdempotency(t.Context(), rec2, later)
			must(t, err)
		}},
		{"expiry boundaries are still live", func(t *testing.T, st store.Store) {
			// expiration == now (seconds) and in_progress_expiration == now (ms)
			// do not free a record: both conditions are strictly "<".
			rec := idemRecord("wh-1", "h1")
			_, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			atDeadline := time.UnixMilli(rec.InProgressExpiration)
			_, err = st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h2"), atDeadline)
			wantErr(t, err, store.ErrConflict)

			must(t, st.CompleteIdempotency(t.Context(), "ghl", "wh-1", nil, base.Add(time.Minute).Unix()))
			atExpiry := base.Add(time.Minute)
			_, err = st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h2"), atExpiry)
			wantErr(t, err, store.ErrConflict)
			_, err = st.GetIdempotency(t.Context(), "ghl", "wh-1", atExpiry)
			must(t, err)
		}},
		{"complete keeps the payload hash and clears the deadline", func(t *testing.T, st store.Store) {
			rec := idemRecord("wh-1", "h1")
			_, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			exp := base.Add(3 * time.Hour).Unix()
			must(t, st.CompleteIdempotency(t.Context(), "ghl", "wh-1", []byte{0, 1, 2, 0xff}, exp))
			got, err := st.GetIdempotency(t.Context(), "ghl", "wh-1", base)
			must(t, err)
			want := rec
			want.Status = store.StatusCompleted
			want.Result = []byte{0, 1, 2, 0xff}
			want.Expiration = exp
			want.InProgressExpiration = 0
			diff(t, "completed record", want, *got)
		}},
		{"complete with an empty result", func(t *testing.T, st store.Store) {
			rec := idemRecord("wh-1", "h1")
			_, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			must(t, st.CompleteIdempotency(t.Context(), "ghl", "wh-1", []byte{}, rec.Expiration))
			got, err := st.GetIdempotency(t.Context(), "ghl", "wh-1", base)
			must(t, err)
			diff(t, "completed record", completed(rec, "", rec.Expiration), *got)
		}},
		{"complete of an absent record", func(t *testing.T, st store.Store) {
			err := st.CompleteIdempotency(t.Context(), "ghl", "nobody", []byte("r"), base.Unix())
			wantErr(t, err, store.ErrNotFound)
			_, err = st.GetIdempotency(t.Context(), "ghl", "nobody", base)
			wantErr(t, err, store.ErrNotFound)
		}},
		{"delete frees the key", func(t *testing.T, st store.Store) {
			_, err := st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h1"), base)
			must(t, err)
			must(t, st.DeleteIdempotency(t.Context(), "ghl", "wh-1"))
			_, err = st.GetIdempotency(t.Context(), "ghl", "wh-1", base)
			wantErr(t, err, store.ErrNotFound)
			rec := idemRecord("wh-1", "h2")
			got, err := st.ClaimIdempotency(t.Context(), rec, base)
			must(t, err)
			diff(t, "claimed record", claimed(rec), *got)
			must(t, st.DeleteIdempotency(t.Context(), "ghl", "never-claimed"))
		}},
		{"get of absent and expired records", func(t *testing.T, st store.Store) {
			_, err := st.GetIdempotency(t.Context(), "ghl", "absent", base)
			wantErr(t, err, store.ErrNotFound)
			_, err = st.ClaimIdempotency(t.Context(), idemRecord("wh-1", "h1"), base)
			must(t, err)
			must(t, st.CompleteIdempotency(t.Context(), "ghl", "wh-1", []byte("r"), base.Add(time.Minute).Unix()))
			_, err = st.GetIdempotency(t.Context(), "ghl", "wh-1", base.Add(time.Minute+time.Second))
			wantErr(t, err, store.ErrNotFound)
		}},
		{"scopes and odd keys are kept apart", func(t *testing.T, st store.Store) {
			keys := []string{"wh-1", "wh-1#x", "wh-1 \u00fc/\u65e5"}
			for _, scope := range []string{"ghl", "peer"} {
				for _, k := range keys {
					rec := idemRecord(k, scope+"/"+k)
					rec.Scope = scope
					_, err := st.ClaimIdempotency(t.Context(), rec, base)
					must(t, err)
				}
			}
			for _, scope := range []string{"ghl", "peer"} {
				for _, k := range keys {
					got, err := st.GetIdempotency(t.Context(), scope, k, base)
					must(t, err)
					if got.Scope != scope || got.Key != k || got.PayloadHash != scope+"/"+k {
						t.Errorf("record %s/%s = %+v", scope, k, got)
					}
				}
			}
		}},
		{"invalid records", func(t *testing.T, st store.Store) {
			for name, mod := range map[string]func(*store.IdempotencyRecord){
				"empty scope":         func(r *store.IdempotencyRecord) { r.Scope = "" },
				"scope with #":        func(r *store.IdempotencyRecord) { r.Scope = "a#b" },
				"empty key":           func(r *store.IdempotencyRecord) { r.Key = "" },
				"zero expiration":     func(r *store.IdempotencyRecord) { r.Expiration = 0 },
				"negative deadline":   func(r *store.IdempotencyRecord) { r.InProgressExpiration = -1 },
				"key not UTF-8":       func(r *store.IdempotencyRecord) { r.Key = "\xff" },
				"key over 1024 bytes": func(r *store.IdempotencyRecord) { r.Key = string(make([]byte, 1025)) },
			} {
				rec := idemRecord("wh-1", "h1")
				mod(&rec)
				_, err := st.ClaimIdempotency(t.Context(), rec, base)
				if !errors.Is(err, store.ErrInvalid) {
					t.Errorf("%s: claim error = %v, want ErrInvalid", name, err)
				}
			}
			wantErr(t, st.CompleteIdempotency(t.Context(), "ghl", "", nil, base.Unix()), store.ErrInvalid)
			wantErr(t, st.CompleteIdempotency(t.Context(), "ghl", "k", nil, 0), store.ErrInvalid)
			wantErr(t, st.CompleteIdempotency(t.Context(), "ghl", "k", make([]byte, 256<<10+1), base.Unix()), store.ErrInvalid)
			wantErr(t, st.DeleteIdempotency(t.Context(), "", "k"), store.ErrInvalid)
			_, err := st.GetIdempotency(t.Context(), "ghl", "", base)
			wantErr(t, err, store.ErrInvalid)
		}},
		{"concurrent claims: exactly one wins", func(t *testing.T, st store.Store) {
			type outcome struct {
				hash string
				rec  *store.IdempotencyRecord
				err  error
			}
			out := make([]outcome, concurrency)
			var wg sync.WaitGroup
			for i := range out {
				wg.Go(func() {
					hash := fmt.Sprintf("h%d", i)
					rec, err := st.ClaimIdempotency(t.Context(), idemRecord("race", hash), base)
					out[i] = outcome{hash, rec, err}
				})
			}
			wg.Wait()
			var winner string
			for _, o := range out {
				switch {
				case o.err == nil:
					if winner != "" {
						t.Fatalf("two claims won: %s and %s", winner, o.hash)
					}
					winner = o.hash
				case !errors.Is(o.err, store.ErrConflict):
					t.Fatalf("claim %s: %v", o.hash, o.err)
				}
			}
			if winner == "" {
				t.Fatal("no claim won")
			}
			for _, o := range out {
				if o.err != nil && (o.rec == nil || o.rec.PayloadHash != winner) {
					t.Errorf("loser %s saw record %+v, want the winner's (%s)", o.hash, o.rec, winner)
				}
			}
			got, err := st.GetIdempotency(t.Context(), "ghl", "race", base)
			must(t, err)
			if got.PayloadHash != winner {
				t.Errorf("stored hash %q, want the winner's %q", got.PayloadHash, winner)
			}
		}},
	})
}

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
)

func runCursors(t *testing.T, newStore NewStore) {
	runTests(t, newStore, []test{
		{"absent cursor", func(t *testing.T, st store.Store) {
			_, err := st.GetCursor(t.Context(), "loc-1", "contacts")
			wantErr(t, err, store.ErrNotFound)
		}},
		{"put, overwrite, read", func(t *testing.T, st store.Store) {
			first := store.Cursor{LocationID: "loc-1", Stream: "contacts", Position: `{"searchAfter":[1,"a"]}`, UpdatedAt: base}
			must(t, st.PutCursor(t.Context(), first))
			got, err := st.GetCursor(t.Context(), "loc-1", "contacts")
			must(t, err)
			diff(t, "cursor", first, *got)

			second := store.Cursor{LocationID: "loc-1", Stream: "contacts", Position: `{"searchAfter":[2,"b"]}`,
				UpdatedAt: base.Add(time.Minute + 987654321*time.Nanosecond).In(time.FixedZone("UTC-5", -5*3600))}
			must(t, st.PutCursor(t.Context(), second))
			got, err = st.GetCursor(t.Context(), "loc-1", "contacts")
			must(t, err)
			diff(t, "overwritten cursor", second, *got)
		}},
		{"streams and locations are kept apart", func(t *testing.T, st store.Store) {
			var all []store.Cursor
			for _, loc := range []string{"loc-1", "loc-2"} {
				for _, stream := range []string{"contacts", "tasks", "contacts#full"} {
					c := store.Cursor{LocationID: loc, Stream: stream, Position: loc + "/" + stream}
					must(t, st.PutCursor(t.Context(), c))
					all = append(all, c)
				}
			}
			for _, want := range all {
				got, err := st.GetCursor(t.Context(), want.LocationID, want.Stream)
				must(t, err)
				diff(t, "cursor "+want.Position, want, *got)
			}
		}},
		{"empty position", func(t *testing.T, st store.Store) {
			c := store.Cursor{LocationID: "loc-1", Stream: "contacts"}
			must(t, st.PutCursor(t.Context(), c))
			got, err := st.GetCursor(t.Context(), "loc-1", "contacts")
			must(t, err)
			diff(t, "cursor", c, *got)
		}},
		{"invalid cursors", func(t *testing.T, st store.Store) {
			wantErr(t, st.PutCursor(t.Context(), store.Cursor{LocationID: "loc-1"}), store.ErrInvalid)
			wantErr(t, st.PutCursor(t.Context(), store.Cursor{Stream: "contacts"}), store.ErrInvalid)
			_, err := st.GetCursor(t.Context(), "loc#1", "contacts")
			wantErr(t, err, store.ErrInvalid)
		}},
	})
}

func acquire(t *testing.T, st store.Store, name, owner string, ttl time.Duration, now time.Time, want bool) {
	t.Helper()
	got, err := st.AcquireLease(t.Context(), name, owner, ttl, now)
	must(t, err)
	if got != want {
		t.Fatalf("AcquireLease(%s, %s, %s, now+%s) = %v, want %v", name, owner, ttl, now.Sub(base), got, want)
	}
}

func runLeases(t *testing.T, newStore NewStore) {
	const name = "token-refresh#loc-1"
	runTests(t, newStore, []test{
		{"free lease is taken", func(t *testing.T, st store.Store) {
			acquire(t, st, name, "a", 30*time.Second, base, true)
		}},
		{"lease held by another owner", func(t *testing.T, st store.Store) {
			acquire(t, st, name, "a", 30*time.Second, base, true)
			acquire(t, st, name, "b", 30*time.Second, base.Add(29*time.Second), false)
		}},
		{"expired lease is taken over", func(t *testing.T, st store.Store) {
			acquire(t, st, name, "a", 30*time.Second, base, true)
			acquire(t, st, name, "b", 30*time.Second, base.Add(30*time.Second), true)
			acquire(t, st, name, "a", 30*time.Second, base.Add(31*time.Second), false)
		}},
		{"same owner re-enters and extends", func(t *testing.T, st store.Store) {
			acquire(t, st, name, "a", 30*time.Second, base, true)
			acquire(t, st, name, "a", 30*time.Second, base.Add(20*time.Second), true)
			acquire(t, st, name, "b", 30*time.Second, base.Add(40*time.Second), false)
			acquire(t, st, name, "b", 30*time.Second, base.Add(50*time.Second), true)
		}},
		{"release by another owner changes nothing", func(t *testing.T, st store.Store) {
			acquire(t, st, name, "a", 30*time.Second, base, true)
			must(t, st.ReleaseLease(t.Context(), name, "b"))
			acquire(t, st, name, "b", 30*time.Second, base.Add(time.Second), false)
		}},
		{"release by the owner frees it", func(t *testing.T, st store.Store) {
			acquire(t, st, name, "a", 30*time.Second, base, true)
			must(t, st.ReleaseLease(t.Context(), name, "a"))
			acquire(t, st, name, "b", 30*time.Second, base.Add(time.Second), true)
			must(t, st.ReleaseLease(t.Context(), "never-held", "a"))
		}},
		{"names are kept apart", func(t *testing.T, st store.Store) {
			acquire(t, st, name, "a", 30*time.Second, base, true)
			acquire(t, st, "token-refresh#loc-2", "b", 30*time.Second, base, true)
			acquire(t, st, name, "b", 30*time.Second, base, false)
		}},
		{"invalid leases", func(t *testing.T, st store.Store) {
			_, err := st.AcquireLease(t.Context(), "", "a", time.Second, base)
			wantErr(t, err, store.ErrInvalid)
			_, err = st.AcquireLease(t.Context(), name, "", time.Second, base)
			wantErr(t, err, store.ErrInvalid)
			_, err = st.AcquireLease(t.Context(), name, "a", 0, base)
			wantErr(t, err, store.ErrInvalid)
			wantErr(t, st.ReleaseLease(t.Context(), name, ""), store.ErrInvalid)
			acquire(t, st, name, "b", time.Second, base, true)
		}},
		{"concurrent acquires: exactly one owner", func(t *testing.T, st store.Store) {
			got := make([]bool, concurrency)
			errs := make([]error, concurrency)
			var wg sync.WaitGroup
			for i := range got {
				wg.Go(func() {
					got[i], errs[i] = st.AcquireLease(t.Context(), name, fmt.Sprintf("owner-%d", i), time.Minute, base)
				})
			}
			wg.Wait()
			owners := 0
			for i := range got {
				must(t, errs[i])
				if got[i] {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("%d owners, want 1", owners)
			}
		}},
	})
}

func runInstallations(t *testing.T, newStore NewStore) {
	inst := func(loc string) store.Installation {
		return store.Installation{
			LocationID: loc,
			CompanyID:  "company-1",
			Status:     store.InstallActive,
			SecretName: "ghlsync/locations/" + loc,
			UpdatedAt:  base.Add(42 * time.Millisecond),
		}
	}
	runTests(t, newStore, []test{
		{"absent installation", func(t *testing.T, st store.Store) {
			_, err := st.GetInstallation(t.Context(), "loc-1")
			wantErr(t, err, store.ErrNotFound)
			got, err := st.ListInstallations(t.Context())
			must(t, err)
			if len(got) != 0 {
				t.Errorf("installations of an empty store: %+v", got)
			}
		}},
		{"put, overwrite, read", func(t *testing.T, st store.Store) {
			in := inst("loc-1")
			must(t, st.PutInstallation(t.Context(), in))
			got, err := st.GetInstallation(t.Context(), "loc-1")
			must(t, err)
			diff(t, "installation", in, *got)

			in.Status, in.Reason, in.UpdatedAt = store.InstallReauthRequired, "refresh token rejected", base.Add(time.Hour)
			must(t, st.PutInstallation(t.Context(), in))
			got, err = st.GetInstallation(t.Context(), "loc-1")
			must(t, err)
			diff(t, "overwritten installation", in, *got)

			co := inst("company-1")
			co.Company = true
			must(t, st.PutInstallation(t.Context(), co))
			got, err = st.GetInstallation(t.Context(), "company-1")
			must(t, err)
			diff(t, "company installation", co, *got)
			co.Company = false
			must(t, st.PutInstallation(t.Context(), co))
			got, err = st.GetInstallation(t.Context(), "company-1")
			must(t, err)
			diff(t, "company flag cleared", co, *got)
		}},
		{"list in location order", func(t *testing.T, st store.Store) {
			var want []store.Installation
			for _, loc := range []string{"loc-a", "loc-b", "loc-c"} {
				want = append(want, inst(loc))
			}
			want[1].Status = store.InstallUninstalled
			want[2].CompanyID = ""
			// An agency install is keyed by its company id and marked Company.
			agency := inst("company-1")
			agency.Company = true
			want = append([]store.Installation{agency}, want...)
			for _, i := range []int{3, 0, 1, 2} {
				must(t, st.PutInstallation(t.Context(), want[i]))
			}
			got, err := st.ListInstallations(t.Context())
			must(t, err)
			diff(t, "installations", want, got)
		}},
		{"invalid installations", func(t *testing.T, st store.Store) {
			in := inst("")
			wantErr(t, st.PutInstallation(t.Context(), in), store.ErrInvalid)
			for _, status := range []store.InstallationStatus{"", "paused"} {
				in := inst("loc-1")
				in.Status = status
				if err := st.PutInstallation(t.Context(), in); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("status %q: %v, want ErrInvalid", status, err)
				}
			}
			_, err := st.GetInstallation(t.Context(), "")
			wantErr(t, err, store.ErrInvalid)
			got, err := st.ListInstallations(t.Context())
			must(t, err)
			if len(got) != 0 {
				t.Errorf("invalid installations were stored: %+v", got)
			}
		}},
	})
}

func take(t *testing.T, st store.Store, loc string, n, maxN int, now time.Time, want int, wantReset time.Time) {
	t.Helper()
	got, reset, err := st.TakeRateBudget(t.Context(), loc, n, maxN, 10*time.Second, now)
	must(t, err)
	if got != want || !reset.Equal(wantReset) {
		t.Fatalf("TakeRateBudget(%s, %d, %d, now+%s) = %d, reset now+%s; want %d, reset now+%s",
			loc, n, maxN, now.Sub(base), got, reset.Sub(base), want, wantReset.Sub(base))
	}
}

func runRateBudget(t *testing.T, newStore NewStore) {
	reset := base.Add(10 * time.Second)
	runTests(t, newStore, []test{
		{"grants up to max, then partially, then nothing", func(t *testing.T, st store.Store) {
			take(t, st, "loc-1", 3, 5, base.Add(time.Second), 3, reset)
			take(t, st, "loc-1", 3, 5, base.Add(2*time.Second), 2, reset)
			take(t, st, "loc-1", 1, 5, base.Add(9*time.Second), 0, reset)
		}},
		{"request larger than max", func(t *testing.T, st store.Store) {
			take(t, st, "loc-1", 7, 5, base, 5, reset)
		}},
		{"a new window resets the budget", func(t *testing.T, st store.Store) {
			take(t, st, "loc-1", 5, 5, base.Add(time.Second), 5, reset)
			take(t, st, "loc-1", 1, 5, base.Add(9999*time.Millisecond), 0, reset)
			take(t, st, "loc-1", 4, 5, base.Add(10*time.Second), 4, base.Add(20*time.Second))
			take(t, st, "loc-1", 4, 5, base.Add(19*time.Second), 1, base.Add(20*time.Second))
		}},
		{"locations are kept apart", func(t *testing.T, st store.Store) {
			take(t, st, "loc-1", 5, 5, base, 5, reset)
			take(t, st, "loc-2", 5, 5, base, 5, reset)
		}},
		{"zero request", func(t *testing.T, st store.Store) {
			take(t, st, "loc-1", 0, 5, base, 0, reset)
			take(t, st, "loc-1", 5, 5, base, 5, reset)
		}},
		{"invalid requests", func(t *testing.T, st store.Store) {
			for name, call := range map[string]func() error{
				"negative n": func() error {
					_, _, err := st.TakeRateBudget(t.Context(), "loc-1", -1, 5, time.Second, base)
					return err
				},
				"zero max": func() error {
					_, _, err := st.TakeRateBudget(t.Context(), "loc-1", 1, 0, time.Second, base)
					return err
				},
				"zero window": func() error { _, _, err := st.TakeRateBudget(t.Context(), "loc-1", 1, 5, 0, base); return err },
				"no location": func() error { _, _, err := st.TakeRateBudget(t.Context(), "", 1, 5, time.Second, base); return err },
				"location # ": func() error { _, _, err := st.TakeRateBudget(t.Context(), "a#b", 1, 5, time.Second, base); return err },
			} {
				if err := call(); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("%s: %v, want ErrInvalid", name, err)
				}
			}
		}},
		{"concurrent takers never exceed max", func(t *testing.T, st store.Store) {
			const maxN, each = 25, 2 // demand 2*concurrency > 25
			got := make([]int, concurrency)
			errs := make([]error, concurrency)
			var wg sync.WaitGroup
			for i := range got {
				wg.Go(func() {
					got[i], _, errs[i] = st.TakeRateBudget(t.Context(), "loc-1", each, maxN, 10*time.Second, base.Add(time.Second))
				})
			}
			wg.Wait()
			total := 0
			for i, g := range got {
				must(t, errs[i])
				if g < 0 || g > each {
					t.Errorf("taker %d granted %d of %d", i, g, each)
				}
				total += g
			}
			if total != maxN {
				t.Errorf("granted %d in total, want exactly max %d", total, maxN)
			}
			take(t, st, "loc-1", 1, maxN, base.Add(2*time.Second), 0, reset)
		}},
	})
}

package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ghlsync/ghlsync/internal/store"
)

// NewStore returns a new, empty store for one test. It may call t.Skip or
// t.Fatal, and should register its own clean-up with t.Cleanup.
type NewStore func(t *testing.T) store.Store

// Run runs the conformance suite: every Store method, its edge cases and its
// behaviour under concurrent callers. Each subtest is parallel and gets its
// own store from newStore.
func Run(t *testing.T, newStore NewStore) {
	t.Run("Idempotency", func(t *testing.T) { runIdempotency(t, newStore) })
	t.Run("Links", func(t *testing.T) { runLinks(t, newStore) })
	t.Run("SwapLink", func(t *testing.T) { runSwapLink(t, newStore) })
	t.Run("Cursors", func(t *testing.T) { runCursors(t, newStore) })
	t.Run("Leases", func(t *testing.T) { runLeases(t, newStore) })
	t.Run("Installations", func(t *testing.T) { runInstallations(t, newStore) })
	t.Run("RateBudget", func(t *testing.T) { runRateBudget(t, newStore) })
}

// base is the suite's "now": an hour ahead of the wall clock, on a whole minute
// (so 10-second rate windows start on it). Records carry TTL attributes computed from it and
// DynamoDB Local deletes items whose TTL lies in the past, so a fixed date
// would let the server remove records under the suite once passed.
var base = time.Now().UTC().Truncate(time.Minute).Add(time.Hour)

// concurrency is how many goroutines race in the concurrency tests.
const concurrency = 16

// cmpOpts treats nil and empty slices alike (an empty result is not stored).
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

// test is one named case of the suite.
type test struct {
	name string
	run  func(t *testing.T, st store.Store)
}

func runTests(t *testing.T, newStore NewStore, tests []test) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

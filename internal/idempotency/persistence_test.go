package idempotency_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
)

// faultyStore is a memstore whose methods fail when their error is set.
type faultyStore struct {
	*memstore.Store
	claimErr, getErr, completeErr, deleteErr error
	noOldRecord                              bool // conflicts come back without the record
	deletes                                  int
}

func (f *faultyStore) ClaimIdempotency(ctx context.Context, rec store.IdempotencyRecord, now time.Time) (*store.IdempotencyRecord, error) {
	if f.claimErr != nil {
		return nil, f.claimErr
	}
	cur, err := f.Store.ClaimIdempotency(ctx, rec, now)
	if f.noOldRecord && err != nil {
		return nil, err
	}
	return cur, err
}

func (f *faultyStore) GetIdempotency(ctx context.Context, scope, key string, now time.Time) (*store.IdempotencyRecord, error) {
	if f.getErr != nil {
		return nil, f.getErr
	}
	return f.Store.GetIdempotency(ctx, scope, key, now)
}

func (f *faultyStore) CompleteIdempotency(ctx context.Context, scope, key string, result []byte, expiration int64) error {
	if f.completeErr != nil {
		return f.completeErr
	}
	return f.Store.CompleteIdempotency(ctx, scope, key, result, expiration)
}

func (f *faultyStore) DeleteIdempotency(ctx context.Context, scope, key string) error {
	f.deletes++
	if f.deleteErr != nil {
		return f.deleteErr
	}
	return f.Store.DeleteIdempotency(ctx, scope, key)
}

func TestPersistenceErrors(t *testing.T) {
	t.Parallel()
	down := errors.New("table unreachable")
	boom := errors.New("flow failed")
	tests := []struct {
		name         string
		store        faultyStore
		fnErr        error
		wantOp       string
		wantResult   string
		wantFnErr    bool
		wantFnCalled bool
	}{
		{name: "claim fails", store: faultyStore{claimErr: down}, wantOp: "claim"},
		{name: "complete fails", store: faultyStore{completeErr: down}, wantOp: "complete", wantResult: "done", wantFnCalled: true},
		{name: "delete fails after fn fails", store: faultyStore{deleteErr: down}, fnErr: boom, wantOp: "delete", wantFnErr: true, wantFnCalled: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := tc.store
			st.Store = memstore.New()
			r := idempotency.New(&st)
			called := false
			got, replayed, err := r.Run(t.Context(), "ghl", "wh-1", []byte("p"), func(context.Context) ([]byte, error) {
				called = true
				if tc.fnErr != nil {
					return nil, tc.fnErr
				}
				return []byte("done"), nil
			})
			var pe *idempotency.PersistenceError
			if !errors.As(err, &pe) || pe.Op != tc.wantOp || pe.Scope != "ghl" || pe.Key != "wh-1" || !errors.Is(err, down) {
				t.Fatalf("Run error = %#v, want a *PersistenceError for %s wrapping the store error", err, tc.wantOp)
			}
			if got := errors.Is(err, boom); got != tc.wantFnErr {
				t.Errorf("errors.Is(err, fn's error) = %v, want %v", got, tc.wantFnErr)
			}
			if string(got) != tc.wantResult || replayed || called != tc.wantFnCalled {
				t.Errorf("Run = %q, replayed %v, fn called %v; want %q, false, %v", got, replayed, called, tc.wantResult, tc.wantFnCalled)
			}
		})
	}
}

func TestClaimedRecordStaysWhenCompleteFails(t *testing.T) {
	t.Parallel()
	st := &faultyStore{Store: memstore.New(), completeErr: errors.New("table unreachable")}
	r := idempotency.New(st)
	if _, _, err := r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("done")); err == nil {
		t.Fatal("Run succeeded although the result was not stored")
	}
	if st.deletes != 0 {
		t.Errorf("the record was deleted %d times; fn ran, so a retry must not run it again at once", st.deletes)
	}
	_, _, err := r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("again"))
	if !errors.Is(err, idempotency.ErrInProgress) {
		t.Errorf("retry = %v, want ErrInProgress until the claim lapses", err)
	}
}

func TestConflictWithoutRecordReadsIt(t *testing.T) {
	t.Parallel()
	st := &faultyStore{Store: memstore.New(), noOldRecord: true}
	r := idempotency.New(st)
	if _, _, err := r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("done")); err != nil {
		t.Fatal(err)
	}
	got, replayed, err := r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("x"))
	if err != nil || !replayed || string(got) != "done" {
		t.Fatalf("duplicate = %q, %v, %v; want the replay read back", got, replayed, err)
	}
	st.getErr = errors.New("table unreachable")
	_, _, err = r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("x"))
	var pe *idempotency.PersistenceError
	if !errors.As(err, &pe) || pe.Op != "read" {
		t.Fatalf("duplicate with a failing read = %v, want a read *PersistenceError", err)
	}
}

func TestCustomHash(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	r := idempotency.New(st)
	r.Hash = func(p []byte) string { return "len" + string(rune('0'+len(p))) }
	if _, _, err := r.Run(t.Context(), "ghl", "wh-1", []byte("abc"), answer("done")); err != nil {
		t.Fatal(err)
	}
	// Same length, same hash: not a mismatch under this hash.
	if _, replayed, err := r.Run(t.Context(), "ghl", "wh-1", []byte("xyz"), answer("x")); err != nil || !replayed {
		t.Fatalf("same hash = %v, %v; want the replay", replayed, err)
	}
	rec, err := st.GetIdempotency(t.Context(), "ghl", "wh-1", time.Now())
	if err != nil || rec.PayloadHash != "len3" {
		t.Fatalf("stored hash = %+v, %v; want len3", rec, err)
	}
}

func TestInProgressErrorText(t *testing.T) {
	t.Parallel()
	until := time.Date(2026, 11, 22, 12, 0, 30, 0, time.UTC)
	for _, tc := range []struct {
		err  *idempotency.AlreadyInProgressError
		want string
	}{
		{&idempotency.AlreadyInProgressError{Scope: "ghl", Key: "wh-1", Until: until}, "idempotency ghl/wh-1: request already in progress until 2026-11-22T12:00:30Z"},
		{&idempotency.AlreadyInProgressError{Scope: "peer", Key: "msg_1"}, "idempotency peer/msg_1: request already in progress"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

package idempotency_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
)

// linkStore is what RunWithLink needs and the tests read back.
type linkStore interface {
	idempotency.LinkStore
	GetLinkByGHL(ctx context.Context, locationID string, kind store.LinkKind, ghlID string) (*store.Link, error)
	PutLink(ctx context.Context, l store.Link) (*store.Link, error)
}

func TestRunWithLink(t *testing.T) {
	t.Parallel()
	t.Run("memstore", func(t *testing.T) {
		t.Parallel()
		runLinkScenarios(t, func(*testing.T) linkStore { return memstore.New() })
	})
	t.Run("dynamodb", func(t *testing.T) {
		t.Parallel()
		runLinkScenarios(t, func(t *testing.T) linkStore {
			client := dynamotest.Client(t)
			table := dynamotest.TableName(t)
			if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
				t.Fatal(err)
			}
			return dynamostore.New(client, table)
		})
	})
}

func runLinkScenarios(t *testing.T, newStore func(*testing.T) linkStore) {
	lnk := func(peerFP string) store.Link {
		return store.Link{LocationID: "loc", Kind: store.KindContact, GHLID: "g1", PeerID: "p1", PeerFingerprint: peerFP}
	}
	write := func(prev *store.Link, l store.Link) func(context.Context) ([]byte, *idempotency.LinkWrite, error) {
		return func(context.Context) ([]byte, *idempotency.LinkWrite, error) {
			return []byte("done"), &idempotency.LinkWrite{Prev: prev, Link: l}, nil
		}
	}
	readLink := func(t *testing.T, st linkStore) *store.Link {
		t.Helper()
		l, err := st.GetLinkByGHL(t.Context(), "loc", store.KindContact, "g1")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}

	t.Run("link and completion stored together; a duplicate replays", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		r := idempotency.New(st)
		res, replayed, err := r.RunWithLink(t.Context(), "ghl", "k1", []byte("p"), write(nil, lnk("a")))
		if err != nil || replayed || string(res) != "done" {
			t.Fatalf("first run = %q %v %v", res, replayed, err)
		}
		if l := readLink(t, st); l.Version != 1 || l.PeerFingerprint != "a" {
			t.Errorf("link = %+v", l)
		}
		calls := 0
		res, replayed, err = r.RunWithLink(t.Context(), "ghl", "k1", []byte("p"), func(context.Context) ([]byte, *idempotency.LinkWrite, error) {
			calls++
			return nil, nil, nil
		})
		if err != nil || !replayed || string(res) != "done" || calls != 0 {
			t.Errorf("duplicate = %q replayed %v err %v calls %d", res, replayed, err, calls)
		}
	})

	t.Run("a failed completing write is retried", func(t *testing.T) {
		t.Parallel()
		st := &flakySwaps{linkStore: newStore(t), failures: 2}
		res, replayed, err := idempotency.New(st).RunWithLink(t.Context(), "ghl", "k-retry", nil, write(nil, lnk("a")))
		if err != nil || replayed || string(res) != "done" {
			t.Fatalf("run = %q %v %v, want done after the retries", res, replayed, err)
		}
		if l := readLink(t, st); l == nil || l.PeerFingerprint != "a" {
			t.Errorf("link = %+v", l)
		}
		if rec, err := st.GetIdempotency(t.Context(), "ghl", "k-retry", time.Now()); err != nil || rec.Status != store.StatusCompleted {
			t.Errorf("record = %+v, %v; want completed", rec, err)
		}
		st.failures = 5
		if _, _, err := idempotency.New(st).RunWithLink(t.Context(), "ghl", "k-fail", nil, write(nil, store.Link{LocationID: "loc", Kind: store.KindContact, GHLID: "g2", PeerID: "p2"})); err == nil {
			t.Errorf("run with the store failing every write: nil error")
		}
	})

	t.Run("a failed completion or kept failure is retried", func(t *testing.T) {
		t.Parallel()
		st := &flakyCompletes{linkStore: newStore(t), failures: 2}
		r := idempotency.New(st)
		if _, _, err := r.Run(t.Context(), "ghl", "k-done", nil, func(context.Context) ([]byte, error) { return []byte("ok"), nil }); err != nil {
			t.Fatalf("run = %v, want success after the retries", err)
		}
		boom := errors.New("created, maybe")
		st.failures = 2
		_, _, err := r.Run(t.Context(), "ghl", "k-keep", nil, func(context.Context) ([]byte, error) {
			return nil, &idempotency.KeepError{Result: []byte("memo"), Err: boom}
		})
		if !errors.Is(err, boom) {
			t.Fatalf("run = %v, want the function's error alone", err)
		}
		for key, want := range map[string]string{"k-done": "ok", "k-keep": "memo"} {
			rec, err := st.GetIdempotency(t.Context(), "ghl", key, time.Now())
			if err != nil || rec.Status != store.StatusCompleted || string(rec.Result) != want {
				t.Errorf("%s: record %+v, %v; want completed with %q", key, rec, err, want)
			}
		}
	})

	t.Run("a lost link write deletes the record", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		prev, err := st.PutLink(t.Context(), lnk("a"))
		if err != nil {
			t.Fatal(err)
		}
		other := lnk("other")
		other.Version = 1
		if _, err := st.PutLink(t.Context(), other); err != nil {
			t.Fatal(err)
		}
		mine := lnk("mine")
		mine.Version = 1
		_, _, err = idempotency.New(st).RunWithLink(t.Context(), "ghl", "k2", nil, write(prev, mine))
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		if _, err := st.GetIdempotency(t.Context(), "ghl", "k2", time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("record after a lost write: %v, want deleted", err)
		}
		if l := readLink(t, st); l.PeerFingerprint != "other" {
			t.Errorf("link = %+v, want the other writer's", l)
		}
	})

	t.Run("rebase after a conflict", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		if _, err := st.PutLink(t.Context(), lnk("existing")); err != nil {
			t.Fatal(err)
		}
		_, _, err := idempotency.New(st).RunWithLink(t.Context(), "ghl", "k3", nil, func(context.Context) ([]byte, *idempotency.LinkWrite, error) {
			return []byte("r"), &idempotency.LinkWrite{Link: lnk("new"), Rebase: func(ctx context.Context) (*idempotency.LinkWrite, error) {
				cur, err := st.GetLinkByGHL(ctx, "loc", store.KindContact, "g1")
				if err != nil {
					return nil, err
				}
				next := *cur
				next.PeerFingerprint = "rebased"
				return &idempotency.LinkWrite{Prev: cur, Link: next}, nil
			}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if l := readLink(t, st); l.PeerFingerprint != "rebased" || l.Version != 2 {
			t.Errorf("link = %+v", l)
		}
		rec, err := st.GetIdempotency(t.Context(), "ghl", "k3", time.Now())
		if err != nil || rec.Status != store.StatusCompleted || string(rec.Result) != "r" {
			t.Errorf("record = %+v, %v", rec, err)
		}
	})

	t.Run("fn error deletes the record and writes no link", func(t *testing.T) {
		t.Parallel()
		st := newStore(t)
		boom := errors.New("boom")
		_, _, err := idempotency.New(st).RunWithLink(t.Context(), "ghl", "k4", nil, func(context.Context) ([]byte, *idempotency.LinkWrite, error) {
			return nil, &idempotency.LinkWrite{Link: lnk("x")}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if _, err := st.GetIdempotency(t.Context(), "ghl", "k4", time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("record: %v, want deleted", err)
		}
		if _, err := st.GetLinkByGHL(t.Context(), "loc", store.KindContact, "g1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("link written although fn failed: %v", err)
		}
	})
}

// flakySwaps fails its next failures SwapLink calls with a non-conflict
// error (a throttled write).
type flakySwaps struct {
	linkStore
	failures int
}

func (f *flakySwaps) SwapLink(ctx context.Context, prev *store.Link, l store.Link, done *store.Completion) (*store.Link, error) {
	if f.failures > 0 {
		f.failures--
		return nil, errors.New("throttled")
	}
	return f.linkStore.SwapLink(ctx, prev, l, done)
}

// flakyCompletes fails its next failures CompleteIdempotency calls.
type flakyCompletes struct {
	linkStore
	failures int
}

func (f *flakyCompletes) CompleteIdempotency(ctx context.Context, scope, key string, result []byte, expiration int64) error {
	if f.failures > 0 {
		f.failures--
		return errors.New("throttled")
	}
	return f.linkStore.CompleteIdempotency(ctx, scope, key, result, expiration)
}

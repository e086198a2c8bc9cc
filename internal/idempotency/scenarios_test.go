package idempotency_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
)

// clock is a settable clock for Runner.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one scenario's store, runner and clock. The clock starts at the
// real time, so contexts with real deadlines are consistent with it.
type env struct {
	st  idempotency.Store
	r   *idempotency.Runner
	clk *clock
}

func newEnv(st idempotency.Store) env {
	clk := &clock{t: time.Now().Truncate(time.Millisecond)}
	r := idempotency.New(st)
	r.Now = clk.Now
	return env{st: st, r: r, clk: clk}
}

// record reads the stored record at the env's time.
func (e env) record(t *testing.T, key string) *store.IdempotencyRecord {
	t.Helper()
	rec, err := e.st.GetIdempotency(t.Context(), "ghl", key, e.clk.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func sha(b string) string {
	s := sha256.Sum256([]byte(b))
	return hex.EncodeToString(s[:])
}

// counted returns fn wrapped to count its calls.
func counted(calls *atomic.Int32, fn func(context.Context) ([]byte, error)) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		calls.Add(1)
		return fn(ctx)
	}
}

func answer(s string) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return []byte(s), nil }
}

type scenario struct {
	name string
	run  func(t *testing.T, e env)
}

// runScenarios runs every scenario, each on a new store from newStore.
func runScenarios(t *testing.T, newStore func(t *testing.T) idempotency.Store) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, newEnv(newStore(t)))
		})
	}
}

var scenarios = []scenario{
	{"a failure that asks to be kept completes the record with its memo", func(t *testing.T, e env) {
		boom := errors.New("created, maybe")
		var calls atomic.Int32
		fn := counted(&calls, func(context.Context) ([]byte, error) {
			return nil, fmt.Errorf("round 1: %w", &idempotency.KeepError{Result: []byte(`{"tried":["x"]}`), Err: boom})
		})
		_, replayed, err := e.r.Run(t.Context(), "ghl", "create-1", nil, fn)
		if !errors.Is(err, boom) || replayed {
			t.Fatalf("Run = replayed %v, %v; want the function's error", replayed, err)
		}
		if rec := e.record(t, "create-1"); rec == nil || rec.Status != store.StatusCompleted || string(rec.Result) != `{"tried":["x"]}` {
			t.Fatalf("record %+v, want COMPLETED with the memo", rec)
		}
		got, replayed, err := e.r.Run(t.Context(), "ghl", "create-1", nil, fn)
		if err != nil || !replayed || string(got) != `{"tried":["x"]}` || calls.Load() != 1 {
			t.Fatalf("next call = %q, %v, %v after %d calls; want the memo replayed after 1", got, replayed, err, calls.Load())
		}
	}},
	{"first request runs and stores its result", func(t *testing.T, e env) {
		var calls atomic.Int32
		got, replayed, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte(`{"a":1}`), counted(&calls, answer("done")))
		if err != nil || replayed || string(got) != "done" || calls.Load() != 1 {
			t.Fatalf("Run = %q, %v, %v after %d calls; want done, false, nil after 1", got, replayed, err, calls.Load())
		}
		want := &store.IdempotencyRecord{
			Scope: "ghl", Key: "wh-1", Status: store.StatusCompleted,
			Expiration:  e.clk.Now().Add(time.Hour).Unix(),
			PayloadHash: sha(`{"a":1}`), Result: []byte("done"),
		}
		if d := cmp.Diff(want, e.record(t, "wh-1")); d != "" {
			t.Errorf("stored record (-want +got):\n%s", d)
		}
	}},
	{"completed duplicate replays without running", func(t *testing.T, e env) {
		var calls atomic.Int32
		fn := counted(&calls, answer("done"))
		if _, _, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), fn); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(59 * time.Minute)
		got, replayed, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), fn)
		if err != nil || !replayed || string(got) != "done" || calls.Load() != 1 {
			t.Fatalf("duplicate = %q, %v, %v after %d calls; want done, true, nil after 1", got, replayed, err, calls.Load())
		}
	}},
	{"expired record runs again", func(t *testing.T, e env) {
		e.r.Expiry = 10 * time.Minute
		var calls atomic.Int32
		fn := counted(&calls, answer("done"))
		if _, _, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), fn); err != nil {
			t.Fatal(err)
		}
		if rec := e.record(t, "wh-1"); rec == nil || rec.Expiration != e.clk.Now().Add(10*time.Minute).Unix() {
			t.Fatalf("record %+v, want expiration in 10 minutes", rec)
		}
		e.clk.Advance(10*time.Minute + time.Second)
		_, replayed, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), fn)
		if err != nil || replayed || calls.Load() != 2 {
			t.Fatalf("after expiry: replayed %v, err %v, %d calls; want a second run", replayed, err, calls.Load())
		}
	}},
	{"duplicate while in progress", func(t *testing.T, e env) {
		ctx, cancel := context.WithDeadline(t.Context(), e.clk.Now().Add(20*time.Second))
		defer cancel()
		var inner error
		_, _, err := e.r.Run(ctx, "ghl", "wh-1", []byte("p"), func(ctx context.Context) ([]byte, error) {
			_, _, inner = e.r.Run(ctx, "ghl", "wh-1", []byte("p"), answer("inner"))
			return []byte("outer"), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ip *idempotency.AlreadyInProgressError
		if !errors.As(inner, &ip) || !errors.Is(inner, idempotency.ErrInProgress) {
			t.Fatalf("duplicate in progress: %v, want *AlreadyInProgressError", inner)
		}
		want := &idempotency.AlreadyInProgressError{Scope: "ghl", Key: "wh-1", Until: e.clk.Now().Add(20 * time.Second).UTC()}
		if d := cmp.Diff(want, ip); d != "" {
			t.Errorf("in-progress error (-want +got):\n%s", d)
		}
		if rec := e.record(t, "wh-1"); rec == nil || string(rec.Result) != "outer" {
			t.Errorf("record after the first request: %+v, want its result", rec)
		}
	}},
	{"claim holds the key until the context deadline", func(t *testing.T, e env) {
		deadline := e.clk.Now().Add(7 * time.Second)
		ctx, cancel := context.WithDeadline(t.Context(), deadline)
		defer cancel()
		var seen *store.IdempotencyRecord
		_, _, err := e.r.Run(ctx, "ghl", "wh-1", []byte("p"), func(context.Context) ([]byte, error) {
			seen = e.record(t, "wh-1")
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := &store.IdempotencyRecord{
			Scope: "ghl", Key: "wh-1", Status: store.StatusInProgress,
			Expiration:           e.clk.Now().Add(time.Hour).Unix(),
			InProgressExpiration: deadline.UnixMilli(),
			PayloadHash:          sha("p"),
		}
		if d := cmp.Diff(want, seen, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("record while running (-want +got):\n%s", d)
		}
	}},
	{"claim without deadline uses the fallback", func(t *testing.T, e env) {
		e.r.InProgressTimeout = 90 * time.Second
		var seen *store.IdempotencyRecord
		_, _, err := e.r.Run(context.WithoutCancel(t.Context()), "ghl", "wh-1", nil, func(context.Context) ([]byte, error) {
			seen = e.record(t, "wh-1")
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen == nil || seen.InProgressExpiration != e.clk.Now().Add(90*time.Second).UnixMilli() {
			t.Errorf("record while running: %+v, want in-progress expiration now+90s", seen)
		}
	}},
	{"lapsed in-progress claim runs again", func(t *testing.T, e env) {
		// A first invocation claimed the key and died before finishing.
		crashed := store.IdempotencyRecord{
			Scope: "ghl", Key: "wh-1", Expiration: e.clk.Now().Add(time.Hour).Unix(),
			InProgressExpiration: e.clk.Now().Add(3 * time.Second).UnixMilli(), PayloadHash: sha("p"),
		}
		if _, err := e.st.ClaimIdempotency(t.Context(), crashed, e.clk.Now()); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("x"))
		if !errors.Is(err, idempotency.ErrInProgress) {
			t.Fatalf("before the deadline: %v, want ErrInProgress", err)
		}
		e.clk.Advance(3*time.Second + time.Millisecond)
		got, replayed, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("retried"))
		if err != nil || replayed || string(got) != "retried" {
			t.Fatalf("after the deadline: %q, %v, %v; want a new run", got, replayed, err)
		}
	}},
	{"payload mismatch on a duplicate", func(t *testing.T, e env) {
		if _, _, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("first"), answer("done")); err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int32
		_, replayed, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("second"), counted(&calls, answer("x")))
		if !errors.Is(err, idempotency.ErrPayloadMismatch) || replayed || calls.Load() != 0 {
			t.Fatalf("mismatch = %v, replayed %v, %d calls; want ErrPayloadMismatch, no run", err, replayed, calls.Load())
		}
		// No payload: nothing to compare, the stored result replays.
		got, replayed, err := e.r.Run(t.Context(), "ghl", "wh-1", nil, answer("x"))
		if err != nil || !replayed || string(got) != "done" {
			t.Fatalf("no payload = %q, %v, %v; want the replay", got, replayed, err)
		}
	}},
	{"payload mismatch while in progress", func(t *testing.T, e env) {
		var inner error
		_, _, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("first"), func(ctx context.Context) ([]byte, error) {
			_, _, inner = e.r.Run(ctx, "ghl", "wh-1", []byte("second"), answer("x"))
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(inner, idempotency.ErrPayloadMismatch) {
			t.Fatalf("in-progress mismatch = %v, want ErrPayloadMismatch", inner)
		}
	}},
	{"failure deletes the record so a retry runs", func(t *testing.T, e env) {
		boom := errors.New("ghl answered 503")
		_, _, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), func(context.Context) ([]byte, error) { return nil, boom })
		if !errors.Is(err, boom) {
			t.Fatalf("Run = %v, want fn's error", err)
		}
		var pe *idempotency.PersistenceError
		if errors.As(err, &pe) {
			t.Fatalf("fn's error came back as a persistence error: %v", err)
		}
		if rec := e.record(t, "wh-1"); rec != nil {
			t.Fatalf("record after failure: %+v, want none", rec)
		}
		got, replayed, err := e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), answer("second try"))
		if err != nil || replayed || string(got) != "second try" {
			t.Fatalf("retry = %q, %v, %v; want a new run", got, replayed, err)
		}
	}},
	{"failure after the context ends still deletes", func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(t.Context())
		_, _, err := e.r.Run(ctx, "ghl", "wh-1", []byte("p"), func(ctx context.Context) ([]byte, error) {
			cancel()
			return nil, ctx.Err()
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
		if rec := e.record(t, "wh-1"); rec != nil {
			t.Fatalf("record after a cancelled run: %+v, want none", rec)
		}
	}},
	{"panic deletes the record and goes on", func(t *testing.T, e env) {
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Errorf("recovered %v, want the panic of fn", p)
				}
			}()
			_, _, _ = e.r.Run(t.Context(), "ghl", "wh-1", []byte("p"), func(context.Context) ([]byte, error) { panic("boom") })
		}()
		if rec := e.record(t, "wh-1"); rec != nil {
			t.Fatalf("record after a panic: %+v, want none", rec)
		}
	}},
	{"done context claims nothing", func(t *testing.T, e env) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		var calls atomic.Int32
		_, _, err := e.r.Run(ctx, "ghl", "wh-1", []byte("p"), counted(&calls, answer("x")))
		if !errors.Is(err, context.Canceled) || calls.Load() != 0 {
			t.Fatalf("Run = %v after %d calls; want context.Canceled, no run", err, calls.Load())
		}
		if rec := e.record(t, "wh-1"); rec != nil {
			t.Fatalf("record: %+v, want none", rec)
		}
	}},
	{"empty key", func(t *testing.T, e env) {
		_, _, err := e.r.Run(t.Context(), "ghl", "", []byte("p"), answer("x"))
		if !errors.Is(err, idempotency.ErrNoKey) {
			t.Fatalf("Run = %v, want ErrNoKey", err)
		}
	}},
	{"concurrent duplicates run fn once", func(t *testing.T, e env) {
		const n = 20 // the issue: 20 concurrent claims of one key → exactly one runs
		var calls atomic.Int32
		release := make(chan struct{})
		fn := counted(&calls, func(context.Context) ([]byte, error) {
			<-release
			return []byte("once"), nil
		})
		errs := make([]error, n)
		results := make([][]byte, n)
		var wg, losers sync.WaitGroup
		losers.Add(n - 1)
		for i := range n {
			wg.Go(func() {
				results[i], _, errs[i] = e.r.Run(t.Context(), "ghl", "race", []byte("p"), fn)
				if errs[i] != nil {
					losers.Done()
				}
			})
		}
		answered := make(chan struct{})
		go func() { losers.Wait(); close(answered) }()
		select {
		case <-answered: // every duplicate answered while the winner is inside fn
			close(release)
		case <-time.After(30 * time.Second):
			close(release)
			wg.Wait()
			t.Fatalf("duplicates did not all answer while the first request ran: %v", errs)
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				if string(results[i]) != "once" {
					t.Errorf("winner result %q", results[i])
				}
			case !errors.Is(err, idempotency.ErrInProgress):
				t.Errorf("duplicate %d: %v, want ErrInProgress", i, err)
			}
		}
		if won != 1 || calls.Load() != 1 {
			t.Fatalf("%d winners, %d calls; want 1 and 1", won, calls.Load())
		}
		got, replayed, err := e.r.Run(t.Context(), "ghl", "race", []byte("p"), fn)
		if err != nil || !replayed || string(got) != "once" {
			t.Fatalf("after the race: %q, %v, %v; want the replay", got, replayed, err)
		}
	}},
}

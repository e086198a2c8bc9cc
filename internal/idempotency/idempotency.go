package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
)

// Defaults of a Runner's zero fields.
const (
	// DefaultExpiry is how long a record answers duplicates (Powertools: 1 h).
	DefaultExpiry = time.Hour
	// DefaultInProgressTimeout is how long a claim holds the key when the
	// context has no deadline (local runs; Lambda contexts have one).
	DefaultInProgressTimeout = time.Minute
	// DefaultCleanupTimeout bounds completing or deleting the record after
	// fn returns, which runs even when fn's context is done.
	DefaultCleanupTimeout = 5 * time.Second
)

// Store is the part of store.Store a Runner needs; both store
// implementations satisfy it.
type Store interface {
	ClaimIdempotency(ctx context.Context, rec store.IdempotencyRecord, now time.Time) (*store.IdempotencyRecord, error)
	GetIdempotency(ctx context.Context, scope, key string, now time.Time) (*store.IdempotencyRecord, error)
	CompleteIdempotency(ctx context.Context, scope, key string, result []byte, expiration int64) error
	DeleteIdempotency(ctx context.Context, scope, key string) error
}

// LinkStore is a Store that also stores a link in the same atomic write as
// the completion of a record (RunWithLink); both store implementations
// satisfy it.
type LinkStore interface {
	Store
	SwapLink(ctx context.Context, prev *store.Link, l store.Link, done *store.Completion) (*store.Link, error)
}

// LinkWrite is the last link write of a function run by RunWithLink: it is
// stored by store.Store.SwapLink together with the completion of the
// record, so that recording the link and completing cost one request.
type LinkWrite struct {
	// Prev is the link as fn read it, nil when there was none.
	Prev *store.Link
	// Link is the link to store; its Version is Prev's (0 when nil).
	Link store.Link
	// Rebase, when set, is called once if the write loses to a concurrent
	// writer (store.ErrConflict): it returns the write to make instead,
	// built on the link as it is stored now.
	Rebase func(ctx context.Context) (*LinkWrite, error)
}

// Runner runs functions at most once per idempotency key, with the
// semantics of Powertools for AWS Lambda. Set the fields before first use;
// a Runner is then safe for concurrent use.
type Runner struct {
	// Store keeps the records.
	Store Store
	// Expiry is how long a completed record replays its result; zero means
	// DefaultExpiry. Expiry is checked on read, never left to TTL.
	Expiry time.Duration
	// InProgressTimeout is how long a claim holds the key when ctx has no
	// deadline; zero means DefaultInProgressTimeout.
	InProgressTimeout time.Duration
	// CleanupTimeout bounds the store call after fn; zero means DefaultCleanupTimeout.
	CleanupTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Hash fingerprints a payload for the duplicate check; nil means hex
	// SHA-256. An empty payload is never checked.
	Hash func(payload []byte) string
}

// New returns a Runner on st with the defaults.
func New(st Store) *Runner { return &Runner{Store: st} }

// Run calls fn at most once per (scope, key) while the record lives:
//
//   - first request: claims the key (IN_PROGRESS until ctx's deadline),
//     runs fn, stores its result as COMPLETED for Expiry, returns it;
//   - duplicate of a completed request: returns the stored result with
//     replayed = true, without calling fn;
//   - duplicate while the first still runs: *AlreadyInProgressError
//     (errors.Is ErrInProgress); after the first request's deadline the
//     claim lapses and the next duplicate runs fn again (a crashed or
//     timed-out invocation must not block its retries);
//   - duplicate key with a different payload: ErrPayloadMismatch;
//   - fn fails or panics: the record is deleted, so a retry runs fn again,
//     and fn's error is returned as is (the panic goes on); a failure that
//     carries a *KeepError completes the record with its Result instead
//     (the next call gets it, replayed) and returns its Err;
//   - the store fails: *PersistenceError. When only storing the result
//     fails, the result is returned with the error (fn has run; the record
//     stays IN_PROGRESS until its deadline).
func (r *Runner) Run(ctx context.Context, scope, key string, payload []byte, fn func(context.Context) ([]byte, error)) (result []byte, replayed bool, err error) {
	return r.RunWithLink(ctx, scope, key, payload, func(ctx context.Context) ([]byte, *LinkWrite, error) {
		res, err := fn(ctx)
		return res, nil, err
	})
}

// RunWithLink is Run for a function whose last step is a link write: fn
// returns the write instead of making it, and the write and the completion
// of the record are one atomic write (the Store must be a LinkStore). When
// the write fails (a concurrent writer won and Rebase did not help, or the
// store failed) the record is deleted, as when fn fails, and the error is
// returned: fn's effects were not recorded, so a retry must run it again.
// A nil write completes the record as Run does.
func (r *Runner) RunWithLink(ctx context.Context, scope, key string, payload []byte, fn func(context.Context) ([]byte, *LinkWrite, error)) (result []byte, replayed bool, err error) {
	if key == "" {
		return nil, false, fmt.Errorf("idempotency %s: %w", scope, ErrNoKey)
	}
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("idempotency %s/%s: %w", scope, key, err)
	}
	now := r.now()
	hash := r.hash(payload)
	deadline := now.Add(r.inProgressTimeout())
	if d, ok := ctx.Deadline(); ok {
		deadline = d
	}
	rec := store.IdempotencyRecord{
		Scope:                scope,
		Key:                  key,
		Expiration:           max(now.Add(r.expiry()).Unix(), ceilSeconds(deadline)),
		InProgressExpiration: deadline.UnixMilli(),
		PayloadHash:          hash,
	}

	cur, err := r.Store.ClaimIdempotency(ctx, rec, now)
	if errors.Is(err, store.ErrConflict) {
		return r.duplicate(ctx, scope, key, hash, cur, now)
	}
	if err != nil {
		return nil, false, &PersistenceError{Op: "claim", Scope: scope, Key: key, Err: err}
	}

	result, w, err := r.call(ctx, scope, key, fn)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cleanupTimeout())
	defer cancel()
	if err == nil && w != nil {
		err = r.completeWithLink(cctx, scope, key, result, w)
	}
	var keep *KeepError
	if errors.As(err, &keep) {
		// fn asked for its failure to be remembered (only fn's own errors
		// carry a *KeepError; a failed link write does not).
		if cerr := persist(cctx, func() error {
			return r.Store.CompleteIdempotency(cctx, scope, key, keep.Result, r.now().Add(r.expiry()).Unix())
		}); cerr != nil {
			return nil, false, errors.Join(keep.Err, &PersistenceError{Op: "complete", Scope: scope, Key: key, Err: cerr})
		}
		return nil, false, keep.Err
	}
	if err != nil {
		if derr := persist(cctx, func() error { return r.Store.DeleteIdempotency(cctx, scope, key) }); derr != nil {
			return nil, false, errors.Join(err, &PersistenceError{Op: "delete", Scope: scope, Key: key, Err: derr})
		}
		return nil, false, err
	}
	if w != nil {
		return result, false, nil
	}
	if cerr := persist(cctx, func() error {
		return r.Store.CompleteIdempotency(cctx, scope, key, result, r.now().Add(r.expiry()).Unix())
	}); cerr != nil {
		return result, false, &PersistenceError{Op: "complete", Scope: scope, Key: key, Err: cerr}
	}
	return result, false, nil
}

// completeWithLink stores w and completes the record in one write,
// rebasing w once on a conflict.
func (r *Runner) completeWithLink(ctx context.Context, scope, key string, result []byte, w *LinkWrite) error {
	ls, ok := r.Store.(LinkStore)
	if !ok {
		return &PersistenceError{Op: "complete", Scope: scope, Key: key, Err: errors.New("the store cannot write links")}
	}
	done := &store.Completion{Scope: scope, Key: key, Result: result, Expiration: r.now().Add(r.expiry()).Unix()}
	retries, rebased := 0, false
	for {
		_, err := ls.SwapLink(ctx, w.Prev, w.Link, done)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrConflict) && retries < completeRetries && ctx.Err() == nil {
			// The function's effects are out (a peer delivery, a GHL
			// write): recording them is worth a retry or two after a
			// throttled or failed write (the store's client has retried
			// already). The write is conditional, so a retry of a write
			// that did land conflicts and is rebased.
			retries++
			if !sleepCtx(ctx, time.Duration(retries)*completeBackoff) {
				return &PersistenceError{Op: "complete", Scope: scope, Key: key, Err: err}
			}
			continue
		}
		if !errors.Is(err, store.ErrConflict) || rebased || w.Rebase == nil {
			return &PersistenceError{Op: "complete", Scope: scope, Key: key, Err: err}
		}
		rw, rerr := w.Rebase(ctx)
		if rerr != nil || rw == nil {
			return &PersistenceError{Op: "complete", Scope: scope, Key: key, Err: errors.Join(err, rerr)}
		}
		w, rebased = rw, true
	}
}

// completeRetries and completeBackoff bound the retries of a failed
// completing write (completeWithLink).
const (
	completeRetries = 2
	completeBackoff = 20 * time.Millisecond
)

// persist runs a write that ends a claim (complete, keep, release),
// retrying it completeRetries times after a failure: fn has run, and a
// record left IN_PROGRESS blocks the key until its deadline (and a kept
// result that is not stored is forgotten). The writes are idempotent.
func persist(ctx context.Context, write func() error) error {
	err := write()
	for i := 1; err != nil && i <= completeRetries && ctx.Err() == nil; i++ {
		if !sleepCtx(ctx, time.Duration(i)*completeBackoff) {
			break
		}
		err = write()
	}
	return err
}

// sleepCtx waits d, or less when ctx ends first (false then).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// duplicate answers a claim that found a live record.
func (r *Runner) duplicate(ctx context.Context, scope, key, hash string, cur *store.IdempotencyRecord, now time.Time) ([]byte, bool, error) {
	if cur == nil { // a store that cannot return the old record on conflict
		var err error
		cur, err = r.Store.GetIdempotency(ctx, scope, key, now)
		if err != nil {
			return nil, false, &PersistenceError{Op: "read", Scope: scope, Key: key, Err: err}
		}
	}
	if cur.PayloadHash != "" && hash != "" && cur.PayloadHash != hash {
		return nil, false, fmt.Errorf("idempotency %s/%s: %w", scope, key, ErrPayloadMismatch)
	}
	switch cur.Status {
	case store.StatusCompleted:
		return cur.Result, true, nil
	case store.StatusInProgress:
		e := &AlreadyInProgressError{Scope: scope, Key: key}
		if cur.InProgressExpiration > 0 {
			e.Until = time.UnixMilli(cur.InProgressExpiration).UTC()
		}
		return nil, false, e
	default:
		return nil, false, &PersistenceError{Op: "read", Scope: scope, Key: key, Err: fmt.Errorf("unknown status %q", cur.Status)}
	}
}

// call runs fn; if fn panics, it deletes the record and panics on.
func (r *Runner) call(ctx context.Context, scope, key string, fn func(context.Context) ([]byte, *LinkWrite, error)) ([]byte, *LinkWrite, error) {
	defer func() {
		if p := recover(); p != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cleanupTimeout())
			defer cancel()
			_ = r.Store.DeleteIdempotency(cctx, scope, key) // the panic is the error worth reporting
			panic(p)
		}
	}()
	return fn(ctx)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) hash(payload []byte) string {
	if len(payload) == 0 {
		return ""
	}
	if r.Hash != nil {
		return r.Hash(payload)
	}
	sum := sha256.Sum256(payload)
	return hex.EncodeToString(sum[:])
}

func (r *Runner) expiry() time.Duration {
	if r.Expiry > 0 {
		return r.Expiry
	}
	return DefaultExpiry
}

func (r *Runner) inProgressTimeout() time.Duration {
	if r.InProgressTimeout > 0 {
		return r.InProgressTimeout
	}
	return DefaultInProgressTimeout
}

func (r *Runner) cleanupTimeout() time.Duration {
	if r.CleanupTimeout > 0 {
		return r.CleanupTimeout
	}
	return DefaultCleanupTimeout
}

func ceilSeconds(t time.Time) int64 {
	ms := t.UnixMilli()
	return (ms + 999) / 1000
}

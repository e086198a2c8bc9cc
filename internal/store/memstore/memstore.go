package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/internal/check"
)

// pruneEvery is how many claims pass between sweeps of expired idempotency
// records, so a long local run does not grow without bound.
const pruneEvery = 256

// Store is the embedded store.Store: every record in maps behind one mutex,
// optionally saved to a JSON file after every change (see Open). It is safe
// for concurrent use. The zero value is not usable; call New or Open.
type Store struct {
	mu   sync.Mutex
	path string // "" = memory only

	idem     map[idemKey]store.IdempotencyRecord
	links    map[linkKey]store.Link // by GHL id
	peers    map[linkKey]string     // peer id -> GHL id
	cursors  map[cursorKey]store.Cursor
	leases   map[string]lease
	installs map[string]store.Installation
	rates    map[rateKey]rateWindow // never saved: windows are seconds long
	claims   int
}

type idemKey struct{ scope, key string }

type linkKey struct {
	locationID string
	kind       store.LinkKind
	id         string
}

type cursorKey struct{ locationID, stream string }

type lease struct {
	Owner   string `json:"owner"`
	UntilMS int64  `json:"until_ms"`
}

type rateKey struct {
	locationID string
	windowMS   int64
}

type rateWindow struct {
	startMS int64
	count   int
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store that lives in memory only.
func New() *Store {
	return &Store{
		idem:     map[idemKey]store.IdempotencyRecord{},
		links:    map[linkKey]store.Link{},
		peers:    map[linkKey]string{},
		cursors:  map[cursorKey]store.Cursor{},
		leases:   map[string]lease{},
		installs: map[string]store.Installation{},
		rates:    map[rateKey]rateWindow{},
	}
}

// ClaimIdempotency implements store.Store.
func (s *Store) ClaimIdempotency(_ context.Context, rec store.IdempotencyRecord, now time.Time) (*store.IdempotencyRecord, error) {
	if err := check.Claim(rec); err != nil {
		return nil, fmt.Errorf("claim idempotency %s/%s: %w", rec.Scope, rec.Key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	s.claims++
	if s.claims%pruneEvery == 0 {
		s.pruneIdempotency(now)
	}
	k := idemKey{rec.Scope, rec.Key}
	if cur, ok := s.idem[k]; ok && idempotencyLive(cur, now) {
		old := cloneRecord(cur)
		return &old, fmt.Errorf("claim idempotency %s/%s: %w", rec.Scope, rec.Key, store.ErrConflict)
	}
	rec.Status = store.StatusInProgress
	rec.Result = nil
	undo := restore(s.idem, k)
	s.idem[k] = rec
	if err := s.save(undo); err != nil {
		return nil, fmt.Errorf("claim idempotency %s/%s: %w", rec.Scope, rec.Key, err)
	}
	out := cloneRecord(rec)
	return &out, nil
}

// idempotencyLive reports whether rec blocks a new claim at now: the same
// rule as the DynamoDB condition, negated.
func idempotencyLive(rec store.IdempotencyRecord, now time.Time) bool {
	if rec.Expiration < now.Unix() {
		return false
	}
	if rec.Status == store.StatusInProgress && rec.InProgressExpiration > 0 && rec.InProgressExpiration < now.UnixMilli() {
		return false
	}
	return true
}

func (s *Store) pruneIdempotency(now time.Time) {
	for k, rec := range s.idem {
		if rec.Expiration < now.Unix() {
			delete(s.idem, k)
		}
	}
}

// CompleteIdempotency implements store.Store.
func (s *Store) CompleteIdempotency(_ context.Context, scope, key string, result []byte, expiration int64) error {
	if err := check.Complete(scope, key, result, expiration); err != nil {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	k := idemKey{scope, key}
	rec, ok := s.idem[k]
	if !ok {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, key, store.ErrNotFound)
	}
	undo := restore(s.idem, k)
	rec.Status = store.StatusCompleted
	rec.Result = cloneBytes(result)
	rec.Expiration = expiration
	rec.InProgressExpiration = 0
	s.idem[k] = rec
	if err := s.save(undo); err != nil {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, key, err)
	}
	return nil
}

// DeleteIdempotency implements store.Store. Deleting an absent record is not an error.
func (s *Store) DeleteIdempotency(_ context.Context, scope, key string) error {
	if err := check.IdempotencyKey(scope, key); err != nil {
		return fmt.Errorf("delete idempotency %s/%s: %w", scope, key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	k := idemKey{scope, key}
	if _, ok := s.idem[k]; !ok {
		return nil
	}
	undo := restore(s.idem, k)
	delete(s.idem, k)
	if err := s.save(undo); err != nil {
		return fmt.Errorf("delete idempotency %s/%s: %w", scope, key, err)
	}
	return nil
}

// GetIdempotency implements store.Store. A record whose Expiration is before
// now is ErrNotFound; an in-progress record past its InProgressExpiration is
// returned as stored (the caller compares InProgressExpiration itself).
func (s *Store) GetIdempotency(_ context.Context, scope, key string, now time.Time) (*store.IdempotencyRecord, error) {
	if err := check.IdempotencyKey(scope, key); err != nil {
		return nil, fmt.Errorf("get idempotency %s/%s: %w", scope, key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	rec, ok := s.idem[idemKey{scope, key}]
	if !ok || rec.Expiration < now.Unix() {
		return nil, fmt.Errorf("get idempotency %s/%s: %w", scope, key, store.ErrNotFound)
	}
	out := cloneRecord(rec)
	return &out, nil
}

// GetLinkByGHL implements store.Store.
func (s *Store) GetLinkByGHL(_ context.Context, locationID string, kind store.LinkKind, ghlID string) (*store.Link, error) {
	if err := check.LinkSide(locationID, kind, ghlID); err != nil {
		return nil, fmt.Errorf("get %s link by GHL id %s/%s: %w", kind, locationID, ghlID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	l, ok := s.links[linkKey{locationID, kind, ghlID}]
	if !ok {
		return nil, fmt.Errorf("get %s link by GHL id %s/%s: %w", kind, locationID, ghlID, store.ErrNotFound)
	}
	return &l, nil
}

// GetLinkByPeer implements store.Store.
func (s *Store) GetLinkByPeer(_ context.Context, locationID string, kind store.LinkKind, peerID string) (*store.Link, error) {
	if err := check.LinkSide(locationID, kind, peerID); err != nil {
		return nil, fmt.Errorf("get %s link by peer id %s/%s: %w", kind, locationID, peerID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	ghlID, ok := s.peers[linkKey{locationID, kind, peerID}]
	if !ok {
		return nil, fmt.Errorf("get %s link by peer id %s/%s: %w", kind, locationID, peerID, store.ErrNotFound)
	}
	l := s.links[linkKey{locationID, kind, ghlID}]
	return &l, nil
}

// PutLink implements store.Store. It refuses (ErrConflict) a stale Version,
// and a PeerID already linked to another GHL id of the same kind and location.
func (s *Store) PutLink(_ context.Context, l store.Link) (*store.Link, error) {
	if err := check.Link(l); err != nil {
		return nil, fmt.Errorf("put %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	out, undo, err := s.putLink(l)
	if err == nil {
		err = s.save(undo)
	}
	if err != nil {
		return nil, fmt.Errorf("put %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	return &out, nil
}

// SwapLink implements store.Store: PutLink's checks and, when done is set,
// the completion of the record, applied together under the lock.
func (s *Store) SwapLink(_ context.Context, prev *store.Link, l store.Link, done *store.Completion) (*store.Link, error) {
	if err := check.Swap(prev, l, done); err != nil {
		return nil, fmt.Errorf("swap %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	var ik idemKey
	if done != nil {
		ik = idemKey{done.Scope, done.Key}
		if _, ok := s.idem[ik]; !ok {
			return nil, fmt.Errorf("swap %s link %s/%s: complete idempotency %s/%s: %w", l.Kind, l.LocationID, l.GHLID, done.Scope, done.Key, store.ErrNotFound)
		}
	}
	out, undoLink, err := s.putLink(l)
	if err != nil {
		return nil, fmt.Errorf("swap %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	undo := undoLink
	if done != nil {
		undoIdem := restore(s.idem, ik)
		undo = func() { undoIdem(); undoLink() }
		rec := s.idem[ik]
		rec.Status = store.StatusCompleted
		rec.Result = cloneBytes(done.Result)
		rec.Expiration = done.Expiration
		rec.InProgressExpiration = 0
		s.idem[ik] = rec
	}
	if err := s.save(undo); err != nil {
		return nil, fmt.Errorf("swap %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	return &out, nil
}

// putLink applies a checked link write with s.mu held and returns the
// stored link and the func that undoes the change (for a failed save).
func (s *Store) putLink(l store.Link) (store.Link, func(), error) {
	gk := linkKey{l.LocationID, l.Kind, l.GHLID}
	pk := linkKey{l.LocationID, l.Kind, l.PeerID}
	cur, exists := s.links[gk]
	switch {
	case !exists && l.Version != 0, exists && cur.Version != l.Version:
		return store.Link{}, nil, fmt.Errorf("version %d: %w", l.Version, store.ErrConflict)
	}
	if owner, ok := s.peers[pk]; ok && owner != l.GHLID {
		return store.Link{}, nil, fmt.Errorf("peer id %s is linked to GHL id %s: %w", l.PeerID, owner, store.ErrConflict)
	}

	undos := []func(){restore(s.links, gk), restore(s.peers, pk)}
	if exists && cur.PeerID != l.PeerID {
		old := linkKey{l.LocationID, l.Kind, cur.PeerID}
		undos = append(undos, restore(s.peers, old))
		delete(s.peers, old)
	}
	l.Version++
	l.UpdatedAt = check.Instant(l.UpdatedAt)
	s.links[gk] = l
	s.peers[pk] = l.GHLID
	return l, func() {
		for _, u := range slices.Backward(undos) {
			u()
		}
	}, nil
}

// ListLinks implements store.Store.
func (s *Store) ListLinks(_ context.Context, locationID string, kind store.LinkKind, afterGHLID string, limit int) ([]store.Link, error) {
	if err := check.ListLinks(locationID, kind, afterGHLID, limit); err != nil {
		return nil, fmt.Errorf("list %s links %s after %q: %w", kind, locationID, afterGHLID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	var out []store.Link
	for k, l := range s.links {
		if k.locationID == locationID && k.kind == kind && k.id > afterGHLID {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b store.Link) int { return strings.Compare(a.GHLID, b.GHLID) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// GetCursor implements store.Store.
func (s *Store) GetCursor(_ context.Context, locationID, stream string) (*store.Cursor, error) {
	if err := check.CursorKey(locationID, stream); err != nil {
		return nil, fmt.Errorf("get cursor %s/%s: %w", locationID, stream, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	c, ok := s.cursors[cursorKey{locationID, stream}]
	if !ok {
		return nil, fmt.Errorf("get cursor %s/%s: %w", locationID, stream, store.ErrNotFound)
	}
	return &c, nil
}

// PutCursor implements store.Store.
func (s *Store) PutCursor(_ context.Context, c store.Cursor) error {
	if err := check.Cursor(c); err != nil {
		return fmt.Errorf("put cursor %s/%s: %w", c.LocationID, c.Stream, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	k := cursorKey{c.LocationID, c.Stream}
	undo := restore(s.cursors, k)
	c.UpdatedAt = check.Instant(c.UpdatedAt)
	s.cursors[k] = c
	if err := s.save(undo); err != nil {
		return fmt.Errorf("put cursor %s/%s: %w", c.LocationID, c.Stream, err)
	}
	return nil
}

// AcquireLease implements store.Store. A lease whose end is at or before now is free.
func (s *Store) AcquireLease(_ context.Context, name, owner string, ttl time.Duration, now time.Time) (bool, error) {
	if err := check.Lease(name, owner); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	if err := check.LeaseTTL(ttl); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	nowMS := now.UnixMilli()
	if cur, ok := s.leases[name]; ok && cur.Owner != owner && cur.UntilMS > nowMS {
		return false, nil
	}
	undo := restore(s.leases, name)
	s.leases[name] = lease{Owner: owner, UntilMS: nowMS + ttl.Milliseconds()}
	if err := s.save(undo); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return true, nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(_ context.Context, name, owner string) error {
	if err := check.Lease(name, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if cur, ok := s.leases[name]; !ok || cur.Owner != owner {
		return nil
	}
	undo := restore(s.leases, name)
	delete(s.leases, name)
	if err := s.save(undo); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// GetInstallation implements store.Store.
func (s *Store) GetInstallation(_ context.Context, locationID string) (*store.Installation, error) {
	if err := check.Prefix("location id", locationID); err != nil {
		return nil, fmt.Errorf("get installation %s: %w", locationID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	in, ok := s.installs[locationID]
	if !ok {
		return nil, fmt.Errorf("get installation %s: %w", locationID, store.ErrNotFound)
	}
	return &in, nil
}

// PutInstallation implements store.Store.
func (s *Store) PutInstallation(_ context.Context, in store.Installation) error {
	if err := check.Installation(in); err != nil {
		return fmt.Errorf("put installation %s: %w", in.LocationID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	undo := restore(s.installs, in.LocationID)
	in.UpdatedAt = check.Instant(in.UpdatedAt)
	s.installs[in.LocationID] = in
	if err := s.save(undo); err != nil {
		return fmt.Errorf("put installation %s: %w", in.LocationID, err)
	}
	return nil
}

// ListInstallations implements store.Store: every installation, ordered by location id.
func (s *Store) ListInstallations(_ context.Context) ([]store.Installation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]store.Installation, 0, len(s.installs))
	for _, in := range s.installs {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b store.Installation) int { return strings.Compare(a.LocationID, b.LocationID) })
	return out, nil
}

// TakeRateBudget implements store.Store. Windows are fixed, aligned on the
// Unix epoch, and kept in memory only.
func (s *Store) TakeRateBudget(_ context.Context, locationID string, n, maxN int, window time.Duration, now time.Time) (int, time.Time, error) {
	if err := check.RateBudget(locationID, n, maxN, window); err != nil {
		return 0, time.Time{}, fmt.Errorf("take rate budget %s: %w", locationID, err)
	}
	start, resetAt := check.Window(now, window)
	s.mu.Lock()
	defer s.mu.Unlock()

	k := rateKey{locationID, window.Milliseconds()}
	w := s.rates[k]
	if w.startMS != start.UnixMilli() {
		w = rateWindow{startMS: start.UnixMilli()}
	}
	granted := min(n, max(0, maxN-w.count))
	w.count += granted
	s.rates[k] = w
	return granted, resetAt, nil
}

// restore returns a func that puts m[k] back the way it is now.
func restore[K comparable, V any](m map[K]V, k K) func() {
	old, ok := m[k]
	return func() {
		if ok {
			m[k] = old
		} else {
			delete(m, k)
		}
	}
}

func cloneRecord(rec store.IdempotencyRecord) store.IdempotencyRecord {
	rec.Result = cloneBytes(rec.Result)
	return rec
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return slices.Clone(b)
}

package crmsync

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
)

// Links is the part of the store the flows need: links read from either
// side and written with optimistic concurrency (SwapLink writes over the
// link as read, without reading it again).
type Links interface {
	GetLinkByGHL(ctx context.Context, locationID string, kind store.LinkKind, ghlID string) (*store.Link, error)
	GetLinkByPeer(ctx context.Context, locationID string, kind store.LinkKind, peerID string) (*store.Link, error)
	PutLink(ctx context.Context, l store.Link) (*store.Link, error)
	SwapLink(ctx context.Context, prev *store.Link, l store.Link, done *store.Completion) (*store.Link, error)
}

// Idempotency runs a function at most once per (scope, key), storing the
// function's last link write with the completion (RunWithLink);
// *idempotency.Runner satisfies it.
type Idempotency interface {
	Run(ctx context.Context, scope, key string, payload []byte, fn func(context.Context) ([]byte, error)) (result []byte, replayed bool, err error)
	RunWithLink(ctx context.Context, scope, key string, payload []byte, fn func(context.Context) ([]byte, *idempotency.LinkWrite, error)) (result []byte, replayed bool, err error)
}

// Verifier checks the signature and timestamp of a GHL webhook on its raw
// bytes; *webhook.GHLVerifier satisfies it.
type Verifier interface {
	Verify(h http.Header, body []byte) error
}

// PullKeys checks the bearer key of the on-demand pull API.
type PullKeys interface {
	CheckPullKey(key string) bool
}

// StaticPullKey is a PullKeys holding one key, compared in constant time.
// An empty key accepts nothing.
type StaticPullKey string

// CheckPullKey reports whether key equals k.
func (k StaticPullKey) CheckPullKey(key string) bool {
	return k != "" && subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1
}

// String never shows the key.
func (k StaticPullKey) String() string { return "[REDACTED]" }

// Idempotency scopes of the two directions.
const (
	ScopeGHL  = "ghl"
	ScopePeer = "peer"
)

// DefaultEchoSettle is the longest the GHL→peer flow waits for a write of
// ghlsync's own to be recorded (see Options.EchoSettle).
const DefaultEchoSettle = 250 * time.Millisecond

// Timing of the echo check (see Options.EchoSettle).
const (
	// freshWindow is how recent a GHL entity's dateAdded must be for the
	// entity to count as brand new.
	freshWindow = 5 * time.Second
	// pendingFor is how long a peer→GHL write marked on a link counts as
	// in flight (a write that never finishes stops delaying anything then).
	pendingFor = 30 * time.Second
	// orphanWindow is how recent an unlinked entity must be (GHL's
	// dateAdded) for its first link to be marked orphan (linkMeta.Orphan):
	// long enough for a failed peer create's redeliveries.
	orphanWindow = time.Hour
	// pendingSlack is how long past the function's deadline a pending
	// mark lasts (GHL may still apply a request sent just before it).
	pendingSlack = 2 * time.Second
	// pendingPoll is how often a wait for a marked write re-reads the link.
	pendingPoll = 25 * time.Millisecond
)

// Options configure a Syncer. GHL, Links, Idempotency, Peer and Verifier
// are required.
type Options struct {
	GHL         GHLFactory
	Links       Links
	Idempotency Idempotency
	Peer        Peer
	// Verifier checks GHL webhook signatures.
	Verifier Verifier
	// PullKeys checks the pull API's bearer key; nil refuses every pull.
	PullKeys PullKeys
	// DefaultLocationID is used when a peer event or a pull request names
	// no location.
	DefaultLocationID string
	// AllowPeerContactDelete lets a peer contact.deleted delete the GHL
	// contact. Off by default: the delete is recorded as ignored.
	AllowPeerContactDelete bool
	// EchoSettle is the longest the GHL→peer flow waits for a write of
	// ghlsync's own to be recorded, so that GHL's webhook about it (sent
	// while the peer→GHL flow is still finishing) is recognised as an
	// echo. It waits only in two cases: a linked entity whose link marks a
	// peer→GHL write in flight that the state does not match yet (it polls
	// the link until the write is recorded), and a brand-new GHL entity
	// (dateAdded within seconds; it may be ghlsync's own create, whose
	// link lands after GHL answers), before its link is read. Every other
	// webhook reads the link at once. Zero means DefaultEchoSettle;
	// negative disables the waits.
	EchoSettle time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Sleep waits d or until ctx ends (a timer when nil).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Syncer runs the sync flows. Build one per process (container) with New;
// it is safe for concurrent use.
type Syncer struct {
	opts Options
}

// ErrNotConfigured reports a Syncer built without a required dependency.
var ErrNotConfigured = errors.New("crmsync: not configured")

// New returns a Syncer.
func New(opts Options) (*Syncer, error) {
	switch {
	case opts.GHL == nil:
		return nil, errors.Join(ErrNotConfigured, errors.New("Options.GHL is nil"))
	case opts.Links == nil:
		return nil, errors.Join(ErrNotConfigured, errors.New("Options.Links is nil"))
	case opts.Idempotency == nil:
		return nil, errors.Join(ErrNotConfigured, errors.New("Options.Idempotency is nil"))
	case opts.Peer == nil:
		return nil, errors.Join(ErrNotConfigured, errors.New("Options.Peer is nil"))
	case opts.Verifier == nil:
		return nil, errors.Join(ErrNotConfigured, errors.New("Options.Verifier is nil"))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.EchoSettle == 0 {
		opts.EchoSettle = DefaultEchoSettle
	}
	return &Syncer{opts: opts}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// linkByGHL reads a link by GHL id; absent is (nil, nil).
func (s *Syncer) linkByGHL(ctx context.Context, loc string, kind Kind, ghlID string) (*store.Link, error) {
	if err := s.flushLinks(ctx); err != nil {
		return nil, err
	}
	l, err := s.opts.Links.GetLinkByGHL(ctx, loc, store.LinkKind(kind), ghlID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return l, err
}

// linkByPeer reads a link by peer id; absent is (nil, nil).
func (s *Syncer) linkByPeer(ctx context.Context, loc string, kind Kind, peerID string) (*store.Link, error) {
	if err := s.flushLinks(ctx); err != nil {
		return nil, err
	}
	l, err := s.opts.Links.GetLinkByPeer(ctx, loc, store.LinkKind(kind), peerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return l, err
}

// linkTx holds the last link write of a delivery, so that it is stored in
// one request with the completion of the delivery's idempotency record
// (idempotency.Runner.RunWithLink). An earlier write is made as soon as the
// flow reads or writes another link, so later changes of a delivery see it.
type linkTx struct{ w *idempotency.LinkWrite }

type linkTxKey struct{}

// withLinkTx returns ctx carrying a new linkTx.
func withLinkTx(ctx context.Context) (context.Context, *linkTx) {
	tx := &linkTx{}
	return context.WithValue(ctx, linkTxKey{}, tx), tx
}

// take returns the held write and forgets it.
func (tx *linkTx) take() *idempotency.LinkWrite {
	w := tx.w
	tx.w = nil
	return w
}

// putLink writes next over prev, the link as read (nil when there was
// none). Within a delivery the write is held for the completion of the
// record (see linkTx); elsewhere it is made now. rebase, when set, rebuilds
// the write on the stored link after a conflict.
func (s *Syncer) putLink(ctx context.Context, prev *store.Link, next store.Link, rebase func(context.Context) (*idempotency.LinkWrite, error)) error {
	w := &idempotency.LinkWrite{Prev: prev, Link: next, Rebase: rebase}
	tx, _ := ctx.Value(linkTxKey{}).(*linkTx)
	if tx == nil {
		return s.writeLink(ctx, w)
	}
	if err := s.flushLinks(ctx); err != nil {
		return err
	}
	tx.w = w
	return nil
}

// swapLink writes next over prev now (after any held write) and returns
// the stored link.
func (s *Syncer) swapLink(ctx context.Context, prev *store.Link, next store.Link) (*store.Link, error) {
	if err := s.flushLinks(ctx); err != nil {
		return nil, err
	}
	return s.opts.Links.SwapLink(ctx, prev, next, nil)
}

// flushLinks makes the write a delivery holds, if any.
func (s *Syncer) flushLinks(ctx context.Context) error {
	tx, _ := ctx.Value(linkTxKey{}).(*linkTx)
	if tx == nil || tx.w == nil {
		return nil
	}
	return s.writeLink(ctx, tx.take())
}

// writeLink makes w now, rebasing it once after a conflict.
func (s *Syncer) writeLink(ctx context.Context, w *idempotency.LinkWrite) error {
	_, err := s.opts.Links.SwapLink(ctx, w.Prev, w.Link, nil)
	if errors.Is(err, store.ErrConflict) && w.Rebase != nil {
		var rw *idempotency.LinkWrite
		if rw, err = w.Rebase(ctx); err == nil {
			_, err = s.opts.Links.SwapLink(ctx, rw.Prev, rw.Link, nil)
		}
	}
	return err
}

// retractOrphan is called when a peer→GHL write takes over for peerID the
// GHL entity linked by cur. When the GHL→peer flow had linked it as an
// orphan (a recent entity nobody had linked: in fact, most likely, this
// peer entity's own create, whose link was lost with a failed attempt),
// the peer was sent a copy and holds it under cur.PeerID: the copy is
// deleted at the peer, so that the peer keeps one entity. The event id is
// its own — not the entity's delete, so a real delete later is not taken
// for a repeat — and the same for every retraction of one copy (retries
// of the takeover); copy tells copies apart when one was sent again after
// a retraction (see deliveredOver).
func (s *Syncer) retractOrphan(ctx context.Context, cur *store.Link, peerID, copy string) error {
	if cur == nil || cur.Deleted || cur.PeerID == peerID || !parseLinkMeta(cur.SourceVersion).Orphan {
		return nil
	}
	kind := Kind(cur.Kind)
	_, deleted := eventTypes(kind)
	ev := Event{ID: EventID(deleted, cur.LocationID, cur.GHLID, "retract:"+cur.PeerID+copy), Type: deleted, LocationID: cur.LocationID, Time: s.opts.Now(),
		Deleted: &Ref{Kind: kind, GHLID: cur.GHLID, PeerID: cur.PeerID, ContactGHLID: parseLinkMeta(cur.SourceVersion).Contact}}
	if _, err := s.opts.Peer.Send(ctx, ev); err != nil {
		return fmt.Errorf("retract the peer's copy %s of %s %s: %w", cur.PeerID, kind, cur.GHLID, err)
	}
	return nil
}

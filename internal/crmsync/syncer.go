package crmsync

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
)

// Links is the part of the store the flows need: links read from either
// side and written with optimistic concurrency.
type Links interface {
	GetLinkByGHL(ctx context.Context, locationID string, kind store.LinkKind, ghlID string) (*store.Link, error)
	GetLinkByPeer(ctx context.Context, locationID string, kind store.LinkKind, peerID string) (*store.Link, error)
	PutLink(ctx context.Context, l store.Link) (*store.Link, error)
}

// Idempotency runs a function at most once per (scope, key);
// *idempotency.Runner satisfies it.
type Idempotency interface {
	Run(ctx context.Context, scope, key string, payload []byte, fn func(context.Context) ([]byte, error)) (result []byte, replayed bool, err error)
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

// DefaultEchoSettle is how long the GHL→peer flow waits before reading the
// link of an entity (see Options.EchoSettle).
const DefaultEchoSettle = 250 * time.Millisecond

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
	// EchoSettle is the pause before the GHL→peer flow reads the link of a
	// changed entity, so that a write ghlsync itself is finishing (the
	// peer→GHL flow records its link right after GHL answers, while GHL
	// already sends the webhook) is recognised as an echo. Zero means
	// DefaultEchoSettle; negative disables the pause.
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
	l, err := s.opts.Links.GetLinkByGHL(ctx, loc, store.LinkKind(kind), ghlID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return l, err
}

// linkByPeer reads a link by peer id; absent is (nil, nil).
func (s *Syncer) linkByPeer(ctx context.Context, loc string, kind Kind, peerID string) (*store.Link, error) {
	l, err := s.opts.Links.GetLinkByPeer(ctx, loc, store.LinkKind(kind), peerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return l, err
}

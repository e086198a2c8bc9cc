package store

import (
	"context"
	"errors"
	"time"
)

// Errors shared by every Store implementation. Callers classify with errors.Is.
var (
	// ErrNotFound reports a record that does not exist (or has expired).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict reports a conditional write that lost: the record changed
	// since it was read, or is held by someone else.
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid reports a record that cannot be stored as given (empty key parts).
	ErrInvalid = errors.New("store: invalid record")
)

// IdempotencyStatus is the state of an idempotency record (Powertools values).
type IdempotencyStatus string

// Idempotency statuses. EXPIRED is never written; it is derived from timestamps.
const (
	StatusInProgress IdempotencyStatus = "INPROGRESS"
	StatusCompleted  IdempotencyStatus = "COMPLETED"
)

// IdempotencyRecord is one claim of an idempotency key, with Powertools
// semantics: Expiration in epoch seconds (also the table's TTL attribute),
// InProgressExpiration in epoch milliseconds (the Lambda deadline).
type IdempotencyRecord struct {
	Scope                string // e.g. "ghl" or "peer"
	Key                  string // e.g. the webhook id
	Status               IdempotencyStatus
	Expiration           int64  // epoch seconds
	InProgressExpiration int64  // epoch milliseconds
	PayloadHash          string // hash of the payload, checked on duplicates
	Result               []byte // stored response of a COMPLETED record
}

// Completion is the completion of an idempotency record (the arguments
// of CompleteIdempotency), made in the same atomic write as a link by
// SwapLink.
type Completion struct {
	Scope, Key string
	Result     []byte
	Expiration int64 // epoch seconds
}

// LinkKind names the entity kind a link joins.
type LinkKind string

// Link kinds.
const (
	KindContact     LinkKind = "contact"
	KindTask        LinkKind = "task"
	KindNote        LinkKind = "note"
	KindAppointment LinkKind = "appointment"
)

// Link joins a GHL entity to its peer counterpart within one location.
// It is readable from both sides.
type Link struct {
	LocationID string
	Kind       LinkKind
	GHLID      string
	PeerID     string
	// GHLFingerprint is the fingerprint of what ghlsync last wrote to GHL.
	GHLFingerprint string
	// PeerFingerprint is the fingerprint of what ghlsync last wrote to the peer.
	PeerFingerprint string
	// SourceVersion is the last GHL dateUpdated (or peer version) applied.
	SourceVersion string
	// Deleted marks a tombstone: the entity was deleted on one side.
	Deleted   bool
	UpdatedAt time.Time
	// Version is the optimistic-concurrency counter, managed by the store:
	// PutLink with Version n succeeds only if the stored version is n
	// (0 = must not exist) and stores n+1.
	Version int64
}

// Cursor is a sweep position per location and stream.
type Cursor struct {
	LocationID string
	Stream     string // e.g. "contacts", "tasks"
	Position   string // opaque to the store (JSON of searchAfter, etc.)
	UpdatedAt  time.Time
}

// InstallationStatus is the state of an app installation.
type InstallationStatus string

// Installation statuses.
const (
	InstallActive         InstallationStatus = "active"
	InstallReauthRequired InstallationStatus = "reauth_required"
	InstallUninstalled    InstallationStatus = "uninstalled"
)

// Installation records an app install on one location, or on an agency
// (company). A company install is keyed by its company id: LocationID =
// CompanyID = the company id and Company is set. Location installs under
// an agency carry the agency's CompanyID and Company unset, so readers of
// ListInstallations tell the two apart by Company alone.
type Installation struct {
	LocationID string
	CompanyID  string
	// Company marks an agency (company) install, whose token secret is the
	// company's and which has no location data of its own to sync.
	Company    bool
	Status     InstallationStatus
	SecretName string // Secrets Manager name of the location's token secret
	Reason     string // why the status last changed; never a secret
	UpdatedAt  time.Time
}

// Store is the persistence the flows, tokens and idempotency need. Two
// implementations exist: DynamoDB (deployed) and an embedded one (local run).
// Both pass the same conformance suite (storetest).
type Store interface {
	// ClaimIdempotency writes rec as IN_PROGRESS if no live record exists:
	// absent, expired (Expiration < now), or in progress past its
	// InProgressExpiration. On a live record it returns the existing record
	// and ErrConflict (one conditional write, ALL_OLD on failure).
	ClaimIdempotency(ctx context.Context, rec IdempotencyRecord, now time.Time) (*IdempotencyRecord, error)
	// CompleteIdempotency marks the record COMPLETED with result and a new expiration.
	CompleteIdempotency(ctx context.Context, scope, key string, result []byte, expiration int64) error
	// DeleteIdempotency removes the record (handler error: let retries run again).
	DeleteIdempotency(ctx context.Context, scope, key string) error
	// GetIdempotency reads a record; an expired one is ErrNotFound.
	GetIdempotency(ctx context.Context, scope, key string, now time.Time) (*IdempotencyRecord, error)

	// GetLinkByGHL and GetLinkByPeer read a link from either side.
	GetLinkByGHL(ctx context.Context, locationID string, kind LinkKind, ghlID string) (*Link, error)
	GetLinkByPeer(ctx context.Context, locationID string, kind LinkKind, peerID string) (*Link, error)
	// PutLink writes a link with optimistic concurrency (see Link.Version)
	// and keeps both directions consistent.
	PutLink(ctx context.Context, l Link) (*Link, error)
	// SwapLink writes l in place of prev, the link as the caller read it
	// (nil when there was none), without reading it again: one conditional
	// write that stores l with Version prev.Version+1 if the stored link is
	// still prev (same GHL id and version; absent when prev is nil), else
	// fails with ErrConflict. l.Version must be prev's version (0 when
	// prev is nil) and l.GHLID prev's GHL id (ErrInvalid otherwise). Like
	// PutLink it keeps both directions consistent and refuses a peer id
	// linked to another GHL id. When done is not nil, the same atomic write
	// completes that idempotency record as CompleteIdempotency does: the
	// link and the completion are stored together or not at all (on
	// ErrConflict the record stays IN_PROGRESS; a missing record is
	// ErrNotFound and the link is not written).
	SwapLink(ctx context.Context, prev *Link, l Link, done *Completion) (*Link, error)
	// ListLinks returns the links of one kind in a location, ordered by GHL id,
	// starting after the given GHL id ("" = from the start), at most limit.
	ListLinks(ctx context.Context, locationID string, kind LinkKind, afterGHLID string, limit int) ([]Link, error)

	// GetCursor and PutCursor keep sweep positions.
	GetCursor(ctx context.Context, locationID, stream string) (*Cursor, error)
	PutCursor(ctx context.Context, c Cursor) error

	// AcquireLease takes the named lease for owner until now+ttl if it is
	// free, expired, or already held by owner. It returns false when another
	// owner holds a live lease.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration, now time.Time) (bool, error)
	// ReleaseLease frees the lease if owner holds it (no error otherwise).
	ReleaseLease(ctx context.Context, name, owner string) error

	// GetInstallation, PutInstallation and ListInstallations keep the install registry.
	GetInstallation(ctx context.Context, locationID string) (*Installation, error)
	PutInstallation(ctx context.Context, in Installation) error
	ListInstallations(ctx context.Context) ([]Installation, error)

	// TakeRateBudget takes n requests from the location's shared window of
	// max requests per window starting at the window containing now. It
	// returns how many were granted (0..n) and when the window resets.
	TakeRateBudget(ctx context.Context, locationID string, n, max int, window time.Duration, now time.Time) (granted int, resetAt time.Time, err error)
}

package check

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ghlsync/ghlsync/internal/store"
)

// Limits on record fields, chosen so every DynamoDB key stays under its
// limit (partition key 2048 bytes, sort key 1024 bytes) and every item under
// 400 KB.
const (
	// MaxIDBytes bounds ids: location, GHL, peer, company ids, stream and
	// lease names, lease owners, idempotency scopes.
	MaxIDBytes = 512
	// MaxKeyBytes bounds an idempotency key.
	MaxKeyBytes = 1024
	// MaxResultBytes bounds the stored result of an idempotency record.
	MaxResultBytes = 256 << 10
	// MaxTextBytes bounds free-form fields: fingerprints, source versions,
	// cursor positions, secret names, reasons.
	MaxTextBytes = 16 << 10
)

// Prefix checks an id that is embedded in the middle of a DynamoDB key
// (idempotency scope, link kind) or that names a location (location ids are
// held to the same rule everywhere): non-empty, valid UTF-8, no '#', at most
// MaxIDBytes.
func Prefix(field, v string) error {
	if err := ID(field, v); err != nil {
		return err
	}
	if strings.Contains(v, "#") {
		return fmt.Errorf("%s %q contains '#': %w", field, v, store.ErrInvalid)
	}
	return nil
}

// ID checks an id that ends a DynamoDB key: non-empty, valid UTF-8, at most
// MaxIDBytes.
func ID(field, v string) error {
	return sized(field, v, MaxIDBytes, true)
}

// Text checks a free-form field: valid UTF-8, at most MaxTextBytes; empty is fine.
func Text(field, v string) error {
	return sized(field, v, MaxTextBytes, false)
}

func sized(field, v string, limit int, required bool) error {
	switch {
	case required && v == "":
		return fmt.Errorf("%s is empty: %w", field, store.ErrInvalid)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not valid UTF-8: %w", field, store.ErrInvalid)
	case len(v) > limit:
		return fmt.Errorf("%s is %d bytes, more than %d: %w", field, len(v), limit, store.ErrInvalid)
	}
	return nil
}

// IdempotencyKey checks the scope and key of an idempotency record.
func IdempotencyKey(scope, key string) error {
	if err := Prefix("scope", scope); err != nil {
		return err
	}
	return sized("key", key, MaxKeyBytes, true)
}

// Claim checks a record about to be claimed.
func Claim(rec store.IdempotencyRecord) error {
	if err := IdempotencyKey(rec.Scope, rec.Key); err != nil {
		return err
	}
	if rec.Expiration <= 0 {
		return fmt.Errorf("expiration %d is not a positive epoch second: %w", rec.Expiration, store.ErrInvalid)
	}
	if rec.InProgressExpiration < 0 {
		return fmt.Errorf("in-progress expiration %d is negative: %w", rec.InProgressExpiration, store.ErrInvalid)
	}
	return Text("payload hash", rec.PayloadHash)
}

// Complete checks the arguments of CompleteIdempotency.
func Complete(scope, key string, result []byte, expiration int64) error {
	if err := IdempotencyKey(scope, key); err != nil {
		return err
	}
	if expiration <= 0 {
		return fmt.Errorf("expiration %d is not a positive epoch second: %w", expiration, store.ErrInvalid)
	}
	if len(result) > MaxResultBytes {
		return fmt.Errorf("result is %d bytes, more than %d: %w", len(result), MaxResultBytes, store.ErrInvalid)
	}
	return nil
}

// LinkSide checks the location, kind and one id of a link lookup.
func LinkSide(locationID string, kind store.LinkKind, id string) error {
	if err := Prefix("location id", locationID); err != nil {
		return err
	}
	if err := Prefix("link kind", string(kind)); err != nil {
		return err
	}
	return ID("link id", id)
}

// Link checks a link about to be written.
func Link(l store.Link) error {
	if err := LinkSide(l.LocationID, l.Kind, l.GHLID); err != nil {
		return err
	}
	if err := ID("peer id", l.PeerID); err != nil {
		return err
	}
	if l.Version < 0 {
		return fmt.Errorf("link version %d is negative: %w", l.Version, store.ErrInvalid)
	}
	for _, f := range []struct{ name, v string }{
		{"GHL fingerprint", l.GHLFingerprint},
		{"peer fingerprint", l.PeerFingerprint},
		{"source version", l.SourceVersion},
	} {
		if err := Text(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// Swap checks the arguments of SwapLink: l is valid, continues prev (same
// location, kind, GHL id and version; version 0 when prev is nil), and
// done, when set, is a valid completion.
func Swap(prev *store.Link, l store.Link, done *store.Completion) error {
	if err := Link(l); err != nil {
		return err
	}
	switch {
	case prev == nil && l.Version != 0:
		return fmt.Errorf("link version %d without the link it replaces: %w", l.Version, store.ErrInvalid)
	case prev != nil && (prev.LocationID != l.LocationID || prev.Kind != l.Kind || prev.GHLID != l.GHLID):
		return fmt.Errorf("link %s/%s replaces link %s/%s: %w", l.LocationID, l.GHLID, prev.LocationID, prev.GHLID, store.ErrInvalid)
	case prev != nil && prev.Version != l.Version:
		return fmt.Errorf("link version %d replaces version %d: %w", l.Version, prev.Version, store.ErrInvalid)
	}
	if done != nil {
		return Complete(done.Scope, done.Key, done.Result, done.Expiration)
	}
	return nil
}

// ListLinks checks the arguments of ListLinks.
func ListLinks(locationID string, kind store.LinkKind, afterGHLID string, limit int) error {
	if err := Prefix("location id", locationID); err != nil {
		return err
	}
	if err := Prefix("link kind", string(kind)); err != nil {
		return err
	}
	if err := sized("after GHL id", afterGHLID, MaxIDBytes, false); err != nil {
		return err
	}
	if limit <= 0 {
		return fmt.Errorf("limit %d is not positive: %w", limit, store.ErrInvalid)
	}
	return nil
}

// CursorKey checks the location and stream of a cursor.
func CursorKey(locationID, stream string) error {
	if err := Prefix("location id", locationID); err != nil {
		return err
	}
	return ID("stream", stream)
}

// Cursor checks a cursor about to be written.
func Cursor(c store.Cursor) error {
	if err := CursorKey(c.LocationID, c.Stream); err != nil {
		return err
	}
	return Text("position", c.Position)
}

// Lease checks a lease name and owner, and the ttl when acquiring.
func Lease(name, owner string) error {
	if err := ID("lease name", name); err != nil {
		return err
	}
	return ID("lease owner", owner)
}

// LeaseTTL checks the time to live of a lease.
func LeaseTTL(ttl time.Duration) error {
	if ttl < time.Millisecond {
		return fmt.Errorf("lease ttl %s is shorter than 1ms: %w", ttl, store.ErrInvalid)
	}
	return nil
}

// Installation checks an installation about to be written.
func Installation(in store.Installation) error {
	if err := Prefix("location id", in.LocationID); err != nil {
		return err
	}
	switch in.Status {
	case store.InstallActive, store.InstallReauthRequired, store.InstallUninstalled:
	default:
		return fmt.Errorf("installation status %q is unknown: %w", in.Status, store.ErrInvalid)
	}
	for _, f := range []struct{ name, v string }{
		{"company id", in.CompanyID},
		{"secret name", in.SecretName},
		{"reason", in.Reason},
	} {
		if err := Text(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// RateBudget checks the arguments of TakeRateBudget.
func RateBudget(locationID string, n, max int, window time.Duration) error {
	if err := Prefix("location id", locationID); err != nil {
		return err
	}
	switch {
	case n < 0:
		return fmt.Errorf("rate budget request %d is negative: %w", n, store.ErrInvalid)
	case max <= 0:
		return fmt.Errorf("rate budget max %d is not positive: %w", max, store.ErrInvalid)
	case window < time.Millisecond:
		return fmt.Errorf("rate budget window %s is shorter than 1ms: %w", window, store.ErrInvalid)
	}
	return nil
}

// Window returns the start of the fixed window of the given length that
// contains now, aligned on the Unix epoch, and when it resets.
func Window(now time.Time, window time.Duration) (start, resetAt time.Time) {
	w := window.Milliseconds()
	ms := now.UnixMilli()
	startMS := ms - ((ms%w)+w)%w
	start = time.UnixMilli(startMS).UTC()
	return start, start.Add(time.Duration(w) * time.Millisecond)
}

// Instant returns t without its monotonic reading, in UTC, at the precision
// both stores keep (nanoseconds); the zero time stays zero.
func Instant(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Round(0).UTC()
}

package crmsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
)

// scopePeerCreate is the idempotency scope of createOnce.
const scopePeerCreate = "peer-create"

// errCreateInFlight reports a peer entity another delivery is creating in
// GHL (or has just created): the sender retries and then finds its link.
var errCreateInFlight = errors.New("created by another delivery; retry to find its link")

// createOnce runs create — the GHL write of a peer entity no live link
// names yet, then its link — for one delivery at a time per entity. Two
// deliveries of the same new entity (a retried create and the update
// after it, in any order) would otherwise both find no link and both
// write: two GHL creates, or the older version written over the newer.
// The other delivery is answered as transient; redelivered, it finds the
// link and is applied as an update or dropped as stale. The link is
// written before the claim is completed. link is the tombstone, if any,
// so that an entity the peer makes again after a delete gets a claim of
// its own.
func (a *applier) createOnce(ctx context.Context, kind Kind, peerID string, link *store.Link, create func(context.Context) error) error {
	key := a.loc + "/" + string(kind) + "/" + peerID
	if link != nil {
		key += "/" + link.GHLID
	}
	_, replayed, err := a.s.opts.Idempotency.Run(ctx, scopePeerCreate, key, nil, func(ctx context.Context) ([]byte, error) {
		if err := create(ctx); err != nil {
			return nil, err
		}
		return []byte("{}"), a.s.flushLinks(ctx)
	})
	switch {
	case replayed, errors.Is(err, idempotency.ErrInProgress):
		return fmt.Errorf("%s %s: %w", kind, peerID, errCreateInFlight)
	case err != nil:
		return err
	}
	return nil
}

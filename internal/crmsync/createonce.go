package crmsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
)

// scopePeerCreate is the idempotency scope of createOnce.
const scopePeerCreate = "peer-create"

// maxCreateRounds bounds the claims of one peer entity's create: each round
// whose GHL create ended in doubt leaves its record behind (createMemo), and
// the next delivery takes the next round.
const maxCreateRounds = 16

// errCreateInFlight reports a peer entity another delivery is creating in
// GHL (or has just created): the sender retries and then finds its link.
var errCreateInFlight = errors.New("created by another delivery; retry to find its link")

// createMemo is the result a create claim's record keeps. Empty, the
// create is done and linked. Tried lists the match keys (matchKey) of
// the contents earlier rounds sent to GHL without a link to show for it:
// GHL may hold any of them unlinked (a timeout after GHL created, a 422
// that created, a failure after GHL answered), and the next round adopts
// such an entity instead of creating another, even when the peer has
// changed the entity since.
type createMemo struct {
	Tried []string `json:"tried,omitempty"`
}

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
//
// A round whose create reached GHL (applier.attempt) and then failed is
// remembered in its record (createMemo) rather than released: the next
// delivery claims the next round with the contents tried so far, which its
// lookup adopts (applier.tried). A function stopped outright mid-create (a
// Lambda timeout, not a cancelled context) cannot keep its record: the
// claim lapses at its deadline and that round's content is not
// remembered; a later round then finds the entity only by its current
// content.
func (a *applier) createOnce(ctx context.Context, kind Kind, peerID string, link *store.Link, create func(context.Context) error) error {
	base := a.loc + "/" + string(kind) + "/" + peerID
	if link != nil {
		base += "/" + link.GHLID
	}
	for round := range maxCreateRounds {
		key := base
		if round > 0 {
			key += "#" + strconv.Itoa(round)
		}
		a.attempted = ""
		res, replayed, err := a.s.opts.Idempotency.Run(ctx, scopePeerCreate, key, nil, func(ctx context.Context) ([]byte, error) {
			err := create(ctx)
			if err == nil {
				if err = a.s.flushLinks(ctx); err == nil {
					return []byte("{}"), nil
				}
			}
			if a.attempted == "" {
				return nil, err // GHL holds nothing of this round
			}
			memo, merr := json.Marshal(createMemo{Tried: appendNew(a.tried, a.attempted)})
			if merr != nil {
				return nil, errors.Join(err, merr)
			}
			return nil, &idempotency.KeepError{Result: memo, Err: err}
		})
		switch {
		case errors.Is(err, idempotency.ErrInProgress):
			return fmt.Errorf("%s %s: %w", kind, peerID, errCreateInFlight)
		case err != nil:
			return err
		case !replayed:
			return nil
		}
		var memo createMemo
		if json.Unmarshal(res, &memo) != nil || len(memo.Tried) == 0 {
			return fmt.Errorf("%s %s: %w", kind, peerID, errCreateInFlight)
		}
		a.tried = memo.Tried
	}
	return fmt.Errorf("%s %s: %d creates in GHL ended in doubt; retry later", kind, peerID, maxCreateRounds)
}

// attempt records, just before the GHL create call, the match key of the
// content it sends (see createMemo).
func (a *applier) attempt(key string) { a.attempted = key }

// tries reports whether key is the match key of want or of a content an
// earlier round of the create sent to GHL.
func (a *applier) tries(key, want string) bool {
	return key == want || slices.Contains(a.tried, key)
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return slices.Clone(xs)
	}
	return append(slices.Clone(xs), x)
}

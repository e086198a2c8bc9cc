package dynamostore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/internal/check"
)

// GetLinkByGHL implements store.Store: one GetItem on the GHL-side item.
func (s *Store) GetLinkByGHL(ctx context.Context, locationID string, kind store.LinkKind, ghlID string) (*store.Link, error) {
	if err := check.LinkSide(locationID, kind, ghlID); err != nil {
		return nil, fmt.Errorf("get %s link by GHL id %s/%s: %w", kind, locationID, ghlID, err)
	}
	pk, sk := linkGHLKey(locationID, kind, ghlID)
	l, err := s.getLink(ctx, pk, sk)
	if err != nil {
		return nil, fmt.Errorf("get %s link by GHL id %s/%s: %w", kind, locationID, ghlID, err)
	}
	return l, nil
}

// GetLinkByPeer implements store.Store: one GetItem on the peer-side item.
func (s *Store) GetLinkByPeer(ctx context.Context, locationID string, kind store.LinkKind, peerID string) (*store.Link, error) {
	if err := check.LinkSide(locationID, kind, peerID); err != nil {
		return nil, fmt.Errorf("get %s link by peer id %s/%s: %w", kind, locationID, peerID, err)
	}
	pk, sk := linkPeerKey(locationID, kind, peerID)
	l, err := s.getLink(ctx, pk, sk)
	if err != nil {
		return nil, fmt.Errorf("get %s link by peer id %s/%s: %w", kind, locationID, peerID, err)
	}
	return l, nil
}

func (s *Store) getLink(ctx context.Context, pk, sk string) (*store.Link, error) {
	raw, err := s.getRaw(ctx, pk, sk)
	if err != nil {
		return nil, err
	}
	it, err := decodeLink(raw)
	if err != nil {
		return nil, fmt.Errorf("decode item %s/%s: %w", pk, sk, err)
	}
	l, err := it.link()
	if err != nil {
		return nil, fmt.Errorf("decode item %s/%s: %w", pk, sk, err)
	}
	return &l, nil
}

// PutLink implements store.Store. It reads the GHL-side item, then writes
// both sides in one TransactWriteItems whose conditions re-check the version
// (so a concurrent writer makes it fail with ErrConflict, never a half-written
// link). When the peer id changes, the old peer-side item is deleted in the
// same transaction. A peer id already linked to another GHL id is ErrConflict.
func (s *Store) PutLink(ctx context.Context, l store.Link) (*store.Link, error) {
	if err := check.Link(l); err != nil {
		return nil, fmt.Errorf("put %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	gpk, gsk := linkGHLKey(l.LocationID, l.Kind, l.GHLID)
	cur, err := s.getLink(ctx, gpk, gsk)
	switch {
	case errors.Is(err, store.ErrNotFound):
		cur = nil
	case err != nil:
		return nil, fmt.Errorf("put %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	if (cur == nil && l.Version != 0) || (cur != nil && cur.Version != l.Version) {
		return nil, fmt.Errorf("put %s link %s/%s version %d: %w", l.Kind, l.LocationID, l.GHLID, l.Version, store.ErrConflict)
	}
	next, err := s.swap(ctx, cur, l, nil)
	if err != nil {
		return nil, fmt.Errorf("put %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	return next, nil
}

// SwapLink implements store.Store with one TransactWriteItems and no read:
// the GHL-side and peer-side puts conditioned on prev's version, the delete
// of prev's peer-side item when the peer id changes, and, when done is set,
// the UpdateItem of CompleteIdempotency (condition: the record exists).
func (s *Store) SwapLink(ctx context.Context, prev *store.Link, l store.Link, done *store.Completion) (*store.Link, error) {
	if err := check.Swap(prev, l, done); err != nil {
		return nil, fmt.Errorf("swap %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	next, err := s.swap(ctx, prev, l, done)
	if err != nil {
		return nil, fmt.Errorf("swap %s link %s/%s: %w", l.Kind, l.LocationID, l.GHLID, err)
	}
	return next, nil
}

// swap writes l over cur (nil: absent) in one transaction whose conditions
// re-check the version (so a concurrent writer makes it fail with
// ErrConflict, never a half-written link), completing done with it.
func (s *Store) swap(ctx context.Context, cur *store.Link, l store.Link, done *store.Completion) (*store.Link, error) {
	next := l
	next.Version = l.Version + 1
	next.UpdatedAt = check.Instant(l.UpdatedAt)

	// The GHL side: new, or exactly the version the caller read.
	ghlPut := s.linkPut(next, sideGHL)
	if l.Version != 0 {
		ghlPut.ConditionExpression = ptr(versionCondition)
		ghlPut.ExpressionAttributeNames = map[string]string{"#version": "version"}
		ghlPut.ExpressionAttributeValues = map[string]types.AttributeValue{":version": attrN(l.Version)}
	}
	// The peer side: new (nobody else links that peer id), or ours at that version.
	peerPut := s.linkPut(next, sidePeer)
	if cur != nil && cur.PeerID == l.PeerID {
		peerPut.ConditionExpression = ptr(ownedCondition)
		peerPut.ExpressionAttributeNames = map[string]string{"#version": "version", "#ghl": "ghl_id"}
		peerPut.ExpressionAttributeValues = map[string]types.AttributeValue{":version": attrN(l.Version), ":ghl": attrS(l.GHLID)}
	}
	items := make([]types.TransactWriteItem, 2, 4)
	items[0].Put, items[1].Put = ghlPut, peerPut
	if cur != nil && cur.PeerID != l.PeerID {
		items = append(items, types.TransactWriteItem{Delete: s.deleteOldPeer(*cur)})
	}
	if done != nil {
		upd := s.completeUpdate(done.Scope, done.Key, done.Result, done.Expiration)
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: upd.TableName, Key: upd.Key, UpdateExpression: upd.UpdateExpression, ConditionExpression: upd.ConditionExpression,
			ExpressionAttributeNames: upd.ExpressionAttributeNames, ExpressionAttributeValues: upd.ExpressionAttributeValues,
		}})
	}
	_, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if done != nil && failedAt(err, len(items)-1) {
		return nil, fmt.Errorf("complete idempotency %s/%s: %w", done.Scope, done.Key, store.ErrNotFound)
	}
	if transactionLost(err) {
		return nil, fmt.Errorf("version %d: %w", l.Version, store.ErrConflict)
	}
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// The conditions of the link writes, written out once (the expression
// builder costs dozens of allocations per call).
const (
	// notExistsCondition: a new item.
	notExistsCondition = "attribute_not_exists(#pk)"
	// versionCondition: the item at the version the caller read.
	versionCondition = "#version = :version"
	// ownedCondition: the item at that version, still linked to that GHL id.
	ownedCondition = "#version = :version AND #ghl = :ghl"
)

// linkPut is the Put of one side of l, on condition that the item is new
// (the caller replaces the condition for an existing item).
func (s *Store) linkPut(l store.Link, side string) *types.Put {
	return &types.Put{
		TableName:                &s.table,
		Item:                     newLinkItem(l, side).item(),
		ConditionExpression:      ptr(notExistsCondition),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}
}

// deleteOldPeer removes the peer-side item of cur, only while it still
// belongs to cur's GHL id at cur's version.
func (s *Store) deleteOldPeer(cur store.Link) *types.Delete {
	pk, sk := linkPeerKey(cur.LocationID, cur.Kind, cur.PeerID)
	return &types.Delete{
		TableName:                 &s.table,
		Key:                       key(pk, sk),
		ConditionExpression:       ptr(ownedCondition),
		ExpressionAttributeNames:  map[string]string{"#version": "version", "#ghl": "ghl_id"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":version": attrN(cur.Version), ":ghl": attrS(cur.GHLID)},
	}
}

// ListLinks implements store.Store: a Query on the GHL-side partition with
// sk > afterGHLID, in sort-key (byte) order, following pages until limit.
func (s *Store) ListLinks(ctx context.Context, locationID string, kind store.LinkKind, afterGHLID string, limit int) ([]store.Link, error) {
	if err := check.ListLinks(locationID, kind, afterGHLID, limit); err != nil {
		return nil, fmt.Errorf("list %s links %s after %q: %w", kind, locationID, afterGHLID, err)
	}
	kc := expression.Key(attrPK).Equal(expression.Value(linkPartition(locationID, kind, sideGHL)))
	if afterGHLID != "" {
		kc = kc.And(expression.Key(attrSK).GreaterThan(expression.Value(afterGHLID)))
	}
	var out []store.Link
	err := s.query(ctx, kc, limit, func(item map[string]types.AttributeValue) error {
		it, err := decodeLink(item)
		if err != nil {
			return err
		}
		l, err := it.link()
		if err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s links %s after %q: %w", kind, locationID, afterGHLID, err)
	}
	return out, nil
}

// query runs a consistent Query, following pages, and calls each for every
// item until limit items (0 = no limit) have been seen.
func (s *Store) query(ctx context.Context, kc expression.KeyConditionBuilder, limit int, each func(map[string]types.AttributeValue) error) error {
	expr, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return fmt.Errorf("build key condition: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ConsistentRead:            ptr(true),
	}
	seen := 0
	for {
		if limit > 0 {
			in.Limit = ptr(int32(min(limit-seen, 1000)))
		}
		res, err := s.api.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, item := range res.Items {
			if err := each(item); err != nil {
				return fmt.Errorf("decode item: %w", err)
			}
			seen++
		}
		if len(res.LastEvaluatedKey) == 0 || (limit > 0 && seen >= limit) {
			return nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

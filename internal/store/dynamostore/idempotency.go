package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/internal/check"
)

// ClaimIdempotency implements store.Store with one conditional PutItem:
//
//	attribute_not_exists(pk) OR expiration < :now OR
//	(status = :inprogress AND attribute_exists(in_progress_expiration) AND in_progress_expiration < :nowms)
//
// with ReturnValuesOnConditionCheckFailure=ALL_OLD, so a duplicate costs no
// second read: the live record comes back with ErrConflict.
func (s *Store) ClaimIdempotency(ctx context.Context, rec store.IdempotencyRecord, now time.Time) (*store.IdempotencyRecord, error) {
	if err := check.Claim(rec); err != nil {
		return nil, fmt.Errorf("claim idempotency %s/%s: %w", rec.Scope, rec.Key, err)
	}
	pk, sk := idemKey(rec.Scope, rec.Key)
	it := idemItem{
		PK: pk, SK: sk, Type: typeIdempotency,
		Scope:                rec.Scope,
		Key:                  rec.Key,
		Status:               string(store.StatusInProgress),
		Expiration:           rec.Expiration,
		InProgressExpiration: rec.InProgressExpiration,
		PayloadHash:          rec.PayloadHash,
	}
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           &s.table,
		Item:                it.item(),
		ConditionExpression: ptr(claimCondition),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#exp": attrExpiration, "#status": "status", "#ipe": "in_progress_expiration",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":        attrN(now.Unix()),
			":inprogress": attrS(string(store.StatusInProgress)),
			":nowms":      attrN(now.UnixMilli()),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if old, ok := conditionFailed(err); ok {
		if len(old) == 0 {
			return nil, fmt.Errorf("claim idempotency %s/%s: condition failed without the old item: %w", rec.Scope, rec.Key, store.ErrConflict)
		}
		cur, err := decodeIdem(old)
		if err != nil {
			return nil, fmt.Errorf("claim idempotency %s/%s: decode old item: %w", rec.Scope, rec.Key, err)
		}
		out := cur.record()
		return &out, fmt.Errorf("claim idempotency %s/%s: %w", rec.Scope, rec.Key, store.ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("claim idempotency %s/%s: %w", rec.Scope, rec.Key, err)
	}
	out := it.record()
	return &out, nil
}

// The conditions and updates of the idempotency records, written out once
// (the expression builder costs dozens of allocations per call). The names
// and values maps are built per request.
const (
	claimCondition = "attribute_not_exists(#pk) OR #exp < :now OR " +
		"(#status = :inprogress AND attribute_exists(#ipe) AND #ipe < :nowms)"
	existsCondition            = "attribute_exists(#pk)"
	completeUpdateSetResult    = "SET #status = :completed, #exp = :exp, #result = :result REMOVE #ipe"
	completeUpdateRemoveResult = "SET #status = :completed, #exp = :exp REMOVE #ipe, #result"
)

// CompleteIdempotency implements store.Store with one UpdateItem that
// requires the record to exist. It removes in_progress_expiration.
func (s *Store) CompleteIdempotency(ctx context.Context, scope, k string, result []byte, expiration int64) error {
	if err := check.Complete(scope, k, result, expiration); err != nil {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, k, err)
	}
	_, err := s.api.UpdateItem(ctx, s.completeUpdate(scope, k, result, expiration))
	if _, ok := conditionFailed(err); ok {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, k, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, k, err)
	}
	return nil
}

// completeUpdate is the UpdateItem that completes a record: status
// COMPLETED, the result and the new expiration, in_progress_expiration
// removed, on condition that the record exists.
func (s *Store) completeUpdate(scope, k string, result []byte, expiration int64) *dynamodb.UpdateItemInput {
	pk, sk := idemKey(scope, k)
	in := &dynamodb.UpdateItemInput{
		TableName:           &s.table,
		Key:                 key(pk, sk),
		UpdateExpression:    ptr(completeUpdateRemoveResult),
		ConditionExpression: ptr(existsCondition),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#status": "status", "#exp": attrExpiration, "#ipe": "in_progress_expiration", "#result": "result",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":completed": attrS(string(store.StatusCompleted)),
			":exp":       attrN(expiration),
		},
	}
	if len(result) > 0 {
		in.UpdateExpression = ptr(completeUpdateSetResult)
		in.ExpressionAttributeValues[":result"] = &types.AttributeValueMemberB{Value: result}
	}
	return in
}

// DeleteIdempotency implements store.Store. Deleting an absent record is not an error.
func (s *Store) DeleteIdempotency(ctx context.Context, scope, k string) error {
	if err := check.IdempotencyKey(scope, k); err != nil {
		return fmt.Errorf("delete idempotency %s/%s: %w", scope, k, err)
	}
	pk, sk := idemKey(scope, k)
	if _, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(pk, sk)}); err != nil {
		return fmt.Errorf("delete idempotency %s/%s: %w", scope, k, err)
	}
	return nil
}

// GetIdempotency implements store.Store. A record whose expiration is before
// now is ErrNotFound, whether or not TTL has deleted it yet; an in-progress
// record past its in_progress_expiration is returned as stored.
func (s *Store) GetIdempotency(ctx context.Context, scope, k string, now time.Time) (*store.IdempotencyRecord, error) {
	if err := check.IdempotencyKey(scope, k); err != nil {
		return nil, fmt.Errorf("get idempotency %s/%s: %w", scope, k, err)
	}
	pk, sk := idemKey(scope, k)
	raw, err := s.getRaw(ctx, pk, sk)
	var it idemItem
	if err == nil {
		it, err = decodeIdem(raw)
		if err != nil {
			err = fmt.Errorf("decode item %s/%s: %w", pk, sk, err)
		}
	}
	if err == nil && it.Expiration < now.Unix() {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get idempotency %s/%s: %w", scope, k, err)
	}
	out := it.record()
	return &out, nil
}

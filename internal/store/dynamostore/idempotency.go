package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
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
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, fmt.Errorf("claim idempotency %s/%s: encode: %w", rec.Scope, rec.Key, err)
	}
	cond := expression.Or(
		expression.Name(attrPK).AttributeNotExists(),
		expression.Name(attrExpiration).LessThan(expression.Value(now.Unix())),
		expression.And(
			expression.Name("status").Equal(expression.Value(string(store.StatusInProgress))),
			expression.Name("in_progress_expiration").AttributeExists(),
			expression.Name("in_progress_expiration").LessThan(expression.Value(now.UnixMilli())),
		),
	)
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, fmt.Errorf("claim idempotency %s/%s: build condition: %w", rec.Scope, rec.Key, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           &s.table,
		Item:                                item,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if old, ok := conditionFailed(err); ok {
		if len(old) == 0 {
			return nil, fmt.Errorf("claim idempotency %s/%s: condition failed without the old item: %w", rec.Scope, rec.Key, store.ErrConflict)
		}
		var cur idemItem
		if err := attributevalue.UnmarshalMap(old, &cur); err != nil {
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

// CompleteIdempotency implements store.Store with one UpdateItem that
// requires the record to exist. It removes in_progress_expiration.
func (s *Store) CompleteIdempotency(ctx context.Context, scope, k string, result []byte, expiration int64) error {
	if err := check.Complete(scope, k, result, expiration); err != nil {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, k, err)
	}
	in, err := s.completeUpdate(scope, k, result, expiration)
	if err != nil {
		return fmt.Errorf("complete idempotency %s/%s: %w", scope, k, err)
	}
	_, err = s.api.UpdateItem(ctx, in)
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
func (s *Store) completeUpdate(scope, k string, result []byte, expiration int64) (*dynamodb.UpdateItemInput, error) {
	pk, sk := idemKey(scope, k)
	upd := expression.
		Set(expression.Name("status"), expression.Value(string(store.StatusCompleted))).
		Set(expression.Name(attrExpiration), expression.Value(expiration)).
		Remove(expression.Name("in_progress_expiration"))
	if len(result) > 0 {
		upd = upd.Set(expression.Name("result"), expression.Value(result))
	} else {
		upd = upd.Remove(expression.Name("result"))
	}
	expr, err := expression.NewBuilder().
		WithUpdate(upd).
		WithCondition(expression.Name(attrPK).AttributeExists()).
		Build()
	if err != nil {
		return nil, fmt.Errorf("build update: %w", err)
	}
	return &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       key(pk, sk),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}, nil
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
	var it idemItem
	err := s.getItem(ctx, pk, sk, &it)
	if err == nil && it.Expiration < now.Unix() {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get idempotency %s/%s: %w", scope, k, err)
	}
	out := it.record()
	return &out, nil
}

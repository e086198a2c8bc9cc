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

// GetCursor implements store.Store.
func (s *Store) GetCursor(ctx context.Context, locationID, stream string) (*store.Cursor, error) {
	if err := check.CursorKey(locationID, stream); err != nil {
		return nil, fmt.Errorf("get cursor %s/%s: %w", locationID, stream, err)
	}
	pk, sk := cursorKey(locationID, stream)
	var it cursorItem
	if err := s.getItem(ctx, pk, sk, &it); err != nil {
		return nil, fmt.Errorf("get cursor %s/%s: %w", locationID, stream, err)
	}
	at, err := parseTime(it.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("get cursor %s/%s: decode: %w", locationID, stream, err)
	}
	return &store.Cursor{LocationID: it.LocationID, Stream: it.Stream, Position: it.Position, UpdatedAt: at}, nil
}

// PutCursor implements store.Store: an unconditional PutItem (last write wins).
func (s *Store) PutCursor(ctx context.Context, c store.Cursor) error {
	if err := check.Cursor(c); err != nil {
		return fmt.Errorf("put cursor %s/%s: %w", c.LocationID, c.Stream, err)
	}
	pk, sk := cursorKey(c.LocationID, c.Stream)
	it := cursorItem{
		PK: pk, SK: sk, Type: typeCursor,
		LocationID: c.LocationID, Stream: c.Stream, Position: c.Position,
		UpdatedAt: formatTime(c.UpdatedAt),
	}
	if err := s.put(ctx, it); err != nil {
		return fmt.Errorf("put cursor %s/%s: %w", c.LocationID, c.Stream, err)
	}
	return nil
}

// AcquireLease implements store.Store with one conditional PutItem:
// attribute_not_exists(pk) OR owner = :owner OR lease_until <= :nowms.
// A lease whose end is at or before now is free.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration, now time.Time) (bool, error) {
	if err := check.Lease(name, owner); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	if err := check.LeaseTTL(ttl); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	pk, sk := leaseKey(name)
	until := now.UnixMilli() + ttl.Milliseconds()
	it := leaseItem{
		PK: pk, SK: sk, Type: typeLease,
		Name: name, Owner: owner, LeaseUntil: until,
		Expiration: (until + 999) / 1000,
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: encode: %w", name, err)
	}
	expr, err := expression.NewBuilder().WithCondition(expression.Or(
		expression.Name(attrPK).AttributeNotExists(),
		expression.Name("owner").Equal(expression.Value(owner)),
		expression.Name("lease_until").LessThanEqual(expression.Value(now.UnixMilli())),
	)).Build()
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: build condition: %w", name, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 &s.table,
		Item:                      item,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if _, ok := conditionFailed(err); ok {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return true, nil
}

// ReleaseLease implements store.Store with a DeleteItem conditioned on the
// owner; when someone else holds the lease (or nobody does) nothing changes.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := check.Lease(name, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	pk, sk := leaseKey(name)
	expr, err := expression.NewBuilder().
		WithCondition(expression.Name("owner").Equal(expression.Value(owner))).
		Build()
	if err != nil {
		return fmt.Errorf("release lease %s: build condition: %w", name, err)
	}
	_, err = s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &s.table,
		Key:                       key(pk, sk),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if _, ok := conditionFailed(err); ok {
		return nil
	}
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// GetInstallation implements store.Store.
func (s *Store) GetInstallation(ctx context.Context, locationID string) (*store.Installation, error) {
	if err := check.Prefix("location id", locationID); err != nil {
		return nil, fmt.Errorf("get installation %s: %w", locationID, err)
	}
	pk, sk := installKey(locationID)
	var it installItem
	if err := s.getItem(ctx, pk, sk, &it); err != nil {
		return nil, fmt.Errorf("get installation %s: %w", locationID, err)
	}
	in, err := it.installation()
	if err != nil {
		return nil, fmt.Errorf("get installation %s: decode: %w", locationID, err)
	}
	return &in, nil
}

// PutInstallation implements store.Store: an unconditional PutItem.
func (s *Store) PutInstallation(ctx context.Context, in store.Installation) error {
	if err := check.Installation(in); err != nil {
		return fmt.Errorf("put installation %s: %w", in.LocationID, err)
	}
	pk, sk := installKey(in.LocationID)
	it := installItem{
		PK: pk, SK: sk, Type: typeInstallation,
		LocationID: in.LocationID, CompanyID: in.CompanyID, Company: in.Company, Status: string(in.Status),
		SecretName: in.SecretName, Reason: in.Reason, UpdatedAt: formatTime(in.UpdatedAt),
	}
	if err := s.put(ctx, it); err != nil {
		return fmt.Errorf("put installation %s: %w", in.LocationID, err)
	}
	return nil
}

// ListInstallations implements store.Store: a Query of the registry
// partition, every page, ordered by location id.
func (s *Store) ListInstallations(ctx context.Context) ([]store.Installation, error) {
	out := []store.Installation{}
	err := s.query(ctx, expression.Key(attrPK).Equal(expression.Value(installPK)), 0, func(item map[string]types.AttributeValue) error {
		var it installItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return err
		}
		in, err := it.installation()
		if err != nil {
			return err
		}
		out = append(out, in)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list installations: %w", err)
	}
	return out, nil
}

// TakeRateBudget implements store.Store with one item per location and
// fixed window (aligned on the Unix epoch) and a conditional UpdateItem:
//
//	ADD count :take SET expiration = :exp
//	IF attribute_not_exists(count) OR count <= :max - :take
//
// When the window cannot give all n, the failed condition returns the count
// (ALL_OLD) and the rest of the window is asked for instead; each retry sees
// a count raised by another caller, so the loop ends.
func (s *Store) TakeRateBudget(ctx context.Context, locationID string, n, maxN int, window time.Duration, now time.Time) (int, time.Time, error) {
	if err := check.RateBudget(locationID, n, maxN, window); err != nil {
		return 0, time.Time{}, fmt.Errorf("take rate budget %s: %w", locationID, err)
	}
	start, resetAt := check.Window(now, window)
	pk, sk := rateKey(locationID, window, start)
	take := min(n, maxN)
	for take > 0 {
		expr, err := expression.NewBuilder().
			WithUpdate(expression.
				Add(expression.Name("count"), expression.Value(take)).
				Set(expression.Name("type"), expression.Value(typeRateWindow)).
				Set(expression.Name(attrExpiration), expression.Value(resetAt.Add(time.Minute).Unix()))).
			WithCondition(expression.Or(
				expression.Name("count").AttributeNotExists(),
				expression.Name("count").LessThanEqual(expression.Value(maxN-take)),
			)).
			Build()
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("take rate budget %s: build update: %w", locationID, err)
		}
		_, err = s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                           &s.table,
			Key:                                 key(pk, sk),
			UpdateExpression:                    expr.Update(),
			ConditionExpression:                 expr.Condition(),
			ExpressionAttributeNames:            expr.Names(),
			ExpressionAttributeValues:           expr.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		old, failed := conditionFailed(err)
		if !failed && err != nil {
			return 0, time.Time{}, fmt.Errorf("take rate budget %s: %w", locationID, err)
		}
		if !failed {
			return take, resetAt, nil
		}
		if len(old) == 0 {
			return 0, time.Time{}, fmt.Errorf("take rate budget %s: condition failed without the old item", locationID)
		}
		var cur rateItem
		if err := attributevalue.UnmarshalMap(old, &cur); err != nil {
			return 0, time.Time{}, fmt.Errorf("take rate budget %s: decode old item: %w", locationID, err)
		}
		take = min(n, maxN-cur.Count)
	}
	return 0, resetAt, nil
}

func (s *Store) put(ctx context.Context, item any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av})
	return err
}

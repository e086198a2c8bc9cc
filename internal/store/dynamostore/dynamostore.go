package dynamostore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ghlsync/ghlsync/internal/store"
)

// API is the part of the DynamoDB client the store calls; *dynamodb.Client
// satisfies it. Tests may pass a small fake.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store is the DynamoDB store.Store: every record in one table (see the
// package documentation for the item layout). It is safe for concurrent use;
// all reads are strongly consistent.
type Store struct {
	api   API
	table string
}

var _ store.Store = (*Store)(nil)

// New returns a Store that keeps its records in the named table through api.
// The table must have the key schema of TableDefinition.
func New(api API, table string) *Store {
	return &Store{api: api, table: table}
}

// Table returns the name of the table the store uses.
func (s *Store) Table() string { return s.table }

// getRaw reads one item with a consistent read; absent is ErrNotFound.
func (s *Store) getRaw(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	res, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(pk, sk),
		ConsistentRead: ptr(true),
	})
	if err != nil {
		return nil, err
	}
	if len(res.Item) == 0 {
		return nil, store.ErrNotFound
	}
	return res.Item, nil
}

// getItem reads one item with a consistent read into out; absent is ErrNotFound.
func (s *Store) getItem(ctx context.Context, pk, sk string, out any) error {
	item, err := s.getRaw(ctx, pk, sk)
	if err != nil {
		return err
	}
	if err := attributevalue.UnmarshalMap(item, out); err != nil {
		return fmt.Errorf("decode item %s/%s: %w", pk, sk, err)
	}
	return nil
}

// conditionFailed reports whether err is a failed condition of a single-item
// write, and returns the old item DynamoDB sent back with it (ALL_OLD).
func conditionFailed(err error) (map[string]types.AttributeValue, bool) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ccf.Item, true
	}
	return nil, false
}

// transactionLost reports whether err is a transaction cancelled by a failed
// condition or by a concurrent transaction on the same items: both mean the
// optimistic write lost.
func transactionLost(err error) bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return false
	}
	for _, r := range tce.CancellationReasons {
		if r.Code == nil {
			continue
		}
		switch *r.Code {
		case "ConditionalCheckFailed", "TransactionConflict":
			return true
		}
	}
	return false
}

// failedAt reports whether err is a transaction cancelled because the
// condition of its item i failed.
func failedAt(err error, i int) bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || i >= len(tce.CancellationReasons) {
		return false
	}
	c := tce.CancellationReasons[i].Code
	return c != nil && *c == "ConditionalCheckFailed"
}

func ptr[T any](v T) *T { return &v }

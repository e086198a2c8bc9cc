package dynamostore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// failingAPI answers every call with err.
type failingAPI struct{ err error }

func (f failingAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, f.err
}

func (f failingAPI) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, f.err
}

func (f failingAPI) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return nil, f.err
}

func (f failingAPI) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return nil, f.err
}

func (f failingAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, f.err
}

func (f failingAPI) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return nil, f.err
}

// TestServiceErrorsAreWrapped checks that a DynamoDB failure other than a
// lost condition keeps its type, gains the operation and ids, and is never
// mistaken for ErrConflict or ErrNotFound.
func TestServiceErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	throttled := &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "slow down"}
	st := dynamostore.New(failingAPI{err: throttled}, "table")
	ctx := t.Context()
	for _, tc := range []struct {
		name, wantText string
		call           func() error
	}{
		{"claim", "claim idempotency ghl/wh-1", func() error {
			_, err := st.ClaimIdempotency(ctx, store.IdempotencyRecord{Scope: "ghl", Key: "wh-1", Expiration: now.Unix()}, now)
			return err
		}},
		{"complete", "complete idempotency ghl/wh-1", func() error {
			return st.CompleteIdempotency(ctx, "ghl", "wh-1", nil, now.Unix())
		}},
		{"delete", "delete idempotency ghl/wh-1", func() error { return st.DeleteIdempotency(ctx, "ghl", "wh-1") }},
		{"get", "get idempotency ghl/wh-1", func() error {
			_, err := st.GetIdempotency(ctx, "ghl", "wh-1", now)
			return err
		}},
		{"get link by GHL", "get contact link by GHL id loc-1/g1", func() error {
			_, err := st.GetLinkByGHL(ctx, "loc-1", store.KindContact, "g1")
			return err
		}},
		{"get link by peer", "get contact link by peer id loc-1/p1", func() error {
			_, err := st.GetLinkByPeer(ctx, "loc-1", store.KindContact, "p1")
			return err
		}},
		{"put link", "put contact link loc-1/g1", func() error {
			_, err := st.PutLink(ctx, store.Link{LocationID: "loc-1", Kind: store.KindContact, GHLID: "g1", PeerID: "p1"})
			return err
		}},
		{"list links", "list contact links loc-1", func() error {
			_, err := st.ListLinks(ctx, "loc-1", store.KindContact, "", 10)
			return err
		}},
		{"get cursor", "get cursor loc-1/contacts", func() error {
			_, err := st.GetCursor(ctx, "loc-1", "contacts")
			return err
		}},
		{"put cursor", "put cursor loc-1/contacts", func() error {
			return st.PutCursor(ctx, store.Cursor{LocationID: "loc-1", Stream: "contacts"})
		}},
		{"acquire lease", "acquire lease l1", func() error {
			_, err := st.AcquireLease(ctx, "l1", "a", time.Second, now)
			return err
		}},
		{"release lease", "release lease l1", func() error { return st.ReleaseLease(ctx, "l1", "a") }},
		{"get installation", "get installation loc-1", func() error {
			_, err := st.GetInstallation(ctx, "loc-1")
			return err
		}},
		{"put installation", "put installation loc-1", func() error {
			return st.PutInstallation(ctx, store.Installation{LocationID: "loc-1", Status: store.InstallActive})
		}},
		{"list installations", "list installations", func() error {
			_, err := st.ListInstallations(ctx)
			return err
		}},
		{"take rate budget", "take rate budget loc-1", func() error {
			_, _, err := st.TakeRateBudget(ctx, "loc-1", 1, 10, time.Second, now)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != "ProvisionedThroughputExceededException" {
				t.Fatalf("error %v does not wrap the service error", err)
			}
			if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
				t.Errorf("service error %v classified as a store outcome", err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not name %q", err, tc.wantText)
			}
		})
	}
}

// TestClaimConflictWithoutOldItem covers a condition failure that carries no
// old item (a server without ALL_OLD): still a conflict, with no record.
func TestClaimConflictWithoutOldItem(t *testing.T) {
	t.Parallel()
	st := dynamostore.New(failingAPI{err: &types.ConditionalCheckFailedException{Message: new(string)}}, "table")
	rec, err := st.ClaimIdempotency(t.Context(), store.IdempotencyRecord{Scope: "ghl", Key: "wh-1", Expiration: now.Unix()}, now)
	if !errors.Is(err, store.ErrConflict) || rec != nil {
		t.Fatalf("claim = %+v, %v; want nil and ErrConflict", rec, err)
	}
}

// TestLostTransactionIsConflict maps a cancelled link transaction to ErrConflict.
func TestLostTransactionIsConflict(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"ConditionalCheckFailed", "TransactionConflict"} {
		api := transactFails{code: code}
		st := dynamostore.New(api, "table")
		_, err := st.PutLink(t.Context(), store.Link{LocationID: "loc-1", Kind: store.KindContact, GHLID: "g1", PeerID: "p1"})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: %v, want ErrConflict", code, err)
		}
	}
	_, err := dynamostore.New(transactFails{code: "ValidationError"}, "table").
		PutLink(t.Context(), store.Link{LocationID: "loc-1", Kind: store.KindContact, GHLID: "g1", PeerID: "p1"})
	if err == nil || errors.Is(err, store.ErrConflict) {
		t.Errorf("ValidationError: %v, want a plain error", err)
	}
}

// transactFails finds no link and cancels every transaction with one reason.
type transactFails struct {
	failingAPI
	code string
}

func (transactFails) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

func (f transactFails) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	none := "None"
	return nil, &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{{Code: &none}, {Code: &f.code}}}
}

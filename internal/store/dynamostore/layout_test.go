package dynamostore_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// now is an hour ahead of the wall clock, on a whole minute (so rate
// windows start on it): DynamoDB Local deletes items whose TTL attribute
// lies in the past, so the expirations this file pins must stay in the
// future while the test runs; a fixed date would fail once passed.
var now = time.Now().UTC().Truncate(time.Minute).Add(time.Hour)

// TestTableDefinition pins the key schema and TTL the SAM template must match.
func TestTableDefinition(t *testing.T) {
	t.Parallel()
	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	for range 2 { // the second call finds the table and leaves it as is
		if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
			t.Fatal(err)
		}
	}
	desc, err := client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	type attr struct{ Name, Type string }
	var keys, defs []attr
	for _, k := range desc.Table.KeySchema {
		keys = append(keys, attr{aws.ToString(k.AttributeName), string(k.KeyType)})
	}
	for _, d := range desc.Table.AttributeDefinitions {
		defs = append(defs, attr{aws.ToString(d.AttributeName), string(d.AttributeType)})
	}
	if d := cmp.Diff([]attr{{"pk", "HASH"}, {"sk", "RANGE"}}, keys); d != "" {
		t.Errorf("key schema (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]attr{{"pk", "S"}, {"sk", "S"}}, defs); d != "" {
		t.Errorf("attribute definitions (-want +got):\n%s", d)
	}
	if desc.Table.BillingModeSummary == nil || desc.Table.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode %+v, want PAY_PER_REQUEST", desc.Table.BillingModeSummary)
	}
	if n := len(desc.Table.GlobalSecondaryIndexes) + len(desc.Table.LocalSecondaryIndexes); n != 0 {
		t.Errorf("%d secondary indexes, want none", n)
	}
	ttl, err := client.DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expiration" {
		t.Errorf("time to live %+v, want ENABLED on expiration", d)
	}
}

// rawItem reads one item as plain Go values (numbers are float64).
func rawItem(t *testing.T, client *dynamodb.Client, table, pk, sk string) map[string]any {
	t.Helper()
	res, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: &table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk},
			"sk": &types.AttributeValueMemberS{Value: sk},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Item == nil {
		return nil
	}
	var out map[string]any
	if err := attributevalue.UnmarshalMap(res.Item, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestItemLayout pins the documented item layout: the keys and attribute
// names other tools (the SAM template, an export, a person at the console) rely on.
func TestItemLayout(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	if err := dynamostore.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	st := dynamostore.New(client, table)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.ClaimIdempotency(ctx, store.IdempotencyRecord{
		Scope: "ghl", Key: "wh-1", Expiration: now.Add(time.Hour).Unix(),
		InProgressExpiration: now.Add(time.Minute).UnixMilli(), PayloadHash: "h1",
	}, now)
	must(err)
	_, err = st.ClaimIdempotency(ctx, store.IdempotencyRecord{Scope: "peer", Key: "wh-2", Expiration: now.Add(time.Hour).Unix()}, now)
	must(err)
	must(st.CompleteIdempotency(ctx, "peer", "wh-2", []byte("ok"), now.Add(2*time.Hour).Unix()))
	_, err = st.PutLink(ctx, store.Link{LocationID: "loc-1", Kind: store.KindTask, GHLID: "g1", PeerID: "p1",
		GHLFingerprint: "gf", SourceVersion: "v1", UpdatedAt: now})
	must(err)
	must(st.PutCursor(ctx, store.Cursor{LocationID: "loc-1", Stream: "contacts", Position: "pos", UpdatedAt: now}))
	ok, err := st.AcquireLease(ctx, "token#loc-1", "owner-a", 1500*time.Millisecond, now)
	must(err)
	if !ok {
		t.Fatal("lease not acquired")
	}
	must(st.PutInstallation(ctx, store.Installation{LocationID: "loc-1", CompanyID: "c1", Status: store.InstallActive, SecretName: "sec"}))
	must(st.PutInstallation(ctx, store.Installation{LocationID: "c1", CompanyID: "c1", Company: true, Status: store.InstallActive, SecretName: "csec"}))
	_, _, err = st.TakeRateBudget(ctx, "loc-1", 3, 100, 10*time.Second, now.Add(time.Second))
	must(err)

	stamp := now.Format(time.RFC3339)
	linkAttrs := func(pk, sk, side string) map[string]any {
		return map[string]any{
			"pk": pk, "sk": sk, "type": "link", "side": side,
			"location_id": "loc-1", "kind": "task", "ghl_id": "g1", "peer_id": "p1",
			"ghl_fingerprint": "gf", "source_version": "v1", "updated_at": stamp, "version": 1.0,
		}
	}
	for _, tc := range []struct {
		pk, sk string
		want   map[string]any
	}{
		{"idem#ghl#wh-1", "idem", map[string]any{
			"pk": "idem#ghl#wh-1", "sk": "idem", "type": "idempotency", "scope": "ghl", "key": "wh-1",
			"status": "INPROGRESS", "expiration": float64(now.Add(time.Hour).Unix()),
			"in_progress_expiration": float64(now.Add(time.Minute).UnixMilli()), "payload_hash": "h1",
		}},
		{"idem#peer#wh-2", "idem", map[string]any{
			"pk": "idem#peer#wh-2", "sk": "idem", "type": "idempotency", "scope": "peer", "key": "wh-2",
			"status": "COMPLETED", "expiration": float64(now.Add(2 * time.Hour).Unix()), "result": []byte("ok"),
		}},
		{"link#loc-1#task#ghl", "g1", linkAttrs("link#loc-1#task#ghl", "g1", "ghl")},
		{"link#loc-1#task#peer", "p1", linkAttrs("link#loc-1#task#peer", "p1", "peer")},
		{"cursor#loc-1", "contacts", map[string]any{
			"pk": "cursor#loc-1", "sk": "contacts", "type": "cursor", "location_id": "loc-1",
			"stream": "contacts", "position": "pos", "updated_at": stamp,
		}},
		{"lease#token#loc-1", "lease", map[string]any{
			"pk": "lease#token#loc-1", "sk": "lease", "type": "lease", "name": "token#loc-1", "owner": "owner-a",
			"lease_until": float64(now.UnixMilli() + 1500), "expiration": float64(now.Unix() + 2),
		}},
		{"install", "loc-1", map[string]any{
			"pk": "install", "sk": "loc-1", "type": "installation", "location_id": "loc-1",
			"company_id": "c1", "status": "active", "secret_name": "sec",
		}},
		{"install", "c1", map[string]any{
			"pk": "install", "sk": "c1", "type": "installation", "location_id": "c1",
			"company_id": "c1", "company": true, "status": "active", "secret_name": "csec",
		}},
		{"rate#loc-1", "window#10000#" + itoa(now.UnixMilli()), map[string]any{
			"pk": "rate#loc-1", "sk": "window#10000#" + itoa(now.UnixMilli()), "type": "rate_window",
			"count": 3.0, "expiration": float64(now.Add(70 * time.Second).Unix()),
		}},
	} {
		got := rawItem(t, client, table, tc.pk, tc.sk)
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("item %s / %s (-want +got):\n%s", tc.pk, tc.sk, d)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// countingAPI counts the calls the store makes.
type countingAPI struct {
	dynamostore.API
	puts, gets atomic.Int32
}

func (c *countingAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.puts.Add(1)
	return c.API.PutItem(ctx, in, optFns...)
}

func (c *countingAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.API.GetItem(ctx, in, optFns...)
}

// TestDuplicateClaimIsOneWrite checks the Powertools economy: a duplicate
// gets the live record from the failed conditional put (ALL_OLD), no read.
func TestDuplicateClaimIsOneWrite(t *testing.T) {
	t.Parallel()
	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
		t.Fatal(err)
	}
	api := &countingAPI{API: client}
	st := dynamostore.New(api, table)
	rec := store.IdempotencyRecord{Scope: "ghl", Key: "wh-1", Expiration: now.Add(time.Hour).Unix(), PayloadHash: "h1"}
	if _, err := st.ClaimIdempotency(t.Context(), rec, now); err != nil {
		t.Fatal(err)
	}
	api.puts.Store(0)
	got, err := st.ClaimIdempotency(t.Context(), rec, now)
	if !errors.Is(err, store.ErrConflict) || got == nil || got.PayloadHash != "h1" {
		t.Fatalf("duplicate claim = %+v, %v; want the live record and ErrConflict", got, err)
	}
	if p, g := api.puts.Load(), api.gets.Load(); p != 1 || g != 0 {
		t.Errorf("duplicate claim made %d PutItem and %d GetItem calls, want 1 and 0", p, g)
	}
}

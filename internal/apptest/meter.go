package apptest

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// Meter counts the requests the app makes to its dependencies and the time
// it waits for them. It is safe for concurrent use.
type Meter struct {
	dynamoReads, dynamoWrites, ghl, peer atomic.Int64
	dynamoNS, ghlNS, peerNS              atomic.Int64
}

// Counts is a snapshot of a Meter.
type Counts struct {
	DynamoReads, DynamoWrites int64
	GHL                       int64 // HTTP requests sent to GHL
	Peer                      int64 // deliveries sent to the peer
	// Wait is the time spent waiting for DynamoDB, GHL and the peer.
	Wait time.Duration
}

// Dynamo returns all DynamoDB requests.
func (c Counts) Dynamo() int64 { return c.DynamoReads + c.DynamoWrites }

// Sub returns c minus an earlier snapshot.
func (c Counts) Sub(o Counts) Counts {
	return Counts{DynamoReads: c.DynamoReads - o.DynamoReads, DynamoWrites: c.DynamoWrites - o.DynamoWrites,
		GHL: c.GHL - o.GHL, Peer: c.Peer - o.Peer, Wait: c.Wait - o.Wait}
}

// Snapshot returns the counts so far.
func (m *Meter) Snapshot() Counts {
	return Counts{DynamoReads: m.dynamoReads.Load(), DynamoWrites: m.dynamoWrites.Load(), GHL: m.ghl.Load(), Peer: m.peer.Load(),
		Wait: time.Duration(m.dynamoNS.Load() + m.ghlNS.Load() + m.peerNS.Load())}
}

// CountingDynamo is a dynamostore.API that meters every request.
type CountingDynamo struct {
	dynamostore.API
	m *Meter
}

func (c *CountingDynamo) done(write bool, start time.Time) {
	if write {
		c.m.dynamoWrites.Add(1)
	} else {
		c.m.dynamoReads.Add(1)
	}
	c.m.dynamoNS.Add(int64(time.Since(start)))
}

// GetItem meters a read.
func (c *CountingDynamo) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	defer c.done(false, time.Now())
	return c.API.GetItem(ctx, in, o...)
}

// PutItem meters a write.
func (c *CountingDynamo) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	defer c.done(true, time.Now())
	return c.API.PutItem(ctx, in, o...)
}

// UpdateItem meters a write.
func (c *CountingDynamo) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	defer c.done(true, time.Now())
	return c.API.UpdateItem(ctx, in, o...)
}

// DeleteItem meters a write.
func (c *CountingDynamo) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	defer c.done(true, time.Now())
	return c.API.DeleteItem(ctx, in, o...)
}

// Query meters a read.
func (c *CountingDynamo) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	defer c.done(false, time.Now())
	return c.API.Query(ctx, in, o...)
}

// TransactWriteItems meters a write.
func (c *CountingDynamo) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	defer c.done(true, time.Now())
	return c.API.TransactWriteItems(ctx, in, o...)
}

// meteredTransport meters the app's requests to GHL.
type meteredTransport struct {
	base http.RoundTripper
	m    *Meter
}

func (t meteredTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	t.m.ghl.Add(1)
	t.m.ghlNS.Add(int64(time.Since(start)))
	return resp, err
}

// meteredPeer meters the app's deliveries to the peer (Receive is local
// work and is not metered).
type meteredPeer struct {
	crmsync.Peer
	m *Meter
}

func (p meteredPeer) Send(ctx context.Context, ev crmsync.Event) (crmsync.SendResult, error) {
	start := time.Now()
	res, err := p.Peer.Send(ctx, ev)
	p.m.peer.Add(1)
	p.m.peerNS.Add(int64(time.Since(start)))
	return res, err
}

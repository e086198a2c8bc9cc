package apptest

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// Meter counts the requests the app makes to its dependencies and the time
// it waits for them. It is safe for concurrent use.
//
// A wait is the time a request spends on the wire and in the dependency:
// from handing it to the HTTP transport until the response headers arrive,
// plus the time spent blocked reading the response body. What the app does
// before and after — the AWS SDK's serialization, signing and decoding, the
// GHL client's JSON, the Standard Webhooks envelope and its HMAC — is not a
// wait, so it counts as the app's own overhead. The in-process sandbox and
// peer serve their requests inside these waits.
type Meter struct {
	dynamoReads, dynamoWrites, ghl, peer atomic.Int64
	dynamoNS, ghlNS, peerNS              atomic.Int64
}

// Counts is a snapshot of a Meter.
type Counts struct {
	DynamoReads, DynamoWrites int64
	GHL                       int64 // HTTP requests sent to GHL
	Peer                      int64 // HTTP requests sent to the peer
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

// CountingDynamo is a dynamostore.API that counts every request by kind.
// The time waited is metered below the SDK, on its HTTP client (New
// builds the client with WaitingHTTPClient).
type CountingDynamo struct {
	dynamostore.API
	m *Meter
}

func (c *CountingDynamo) count(write bool) {
	if write {
		c.m.dynamoWrites.Add(1)
	} else {
		c.m.dynamoReads.Add(1)
	}
}

// GetItem counts a read.
func (c *CountingDynamo) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.count(false)
	return c.API.GetItem(ctx, in, o...)
}

// PutItem counts a write.
func (c *CountingDynamo) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.count(true)
	return c.API.PutItem(ctx, in, o...)
}

// UpdateItem counts a write.
func (c *CountingDynamo) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.count(true)
	return c.API.UpdateItem(ctx, in, o...)
}

// DeleteItem counts a write.
func (c *CountingDynamo) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.count(true)
	return c.API.DeleteItem(ctx, in, o...)
}

// Query counts a read.
func (c *CountingDynamo) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.count(false)
	return c.API.Query(ctx, in, o...)
}

// TransactWriteItems counts a write.
func (c *CountingDynamo) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.count(true)
	return c.API.TransactWriteItems(ctx, in, o...)
}

// waitTransport meters the HTTP requests to one dependency: it counts them
// and adds the time of the round trip and of the body reads to ns.
type waitTransport struct {
	base     http.RoundTripper
	requests *atomic.Int64
	ns       *atomic.Int64
}

func (t waitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.requests.Add(1)
	return wait(t.ns, r, t.base.RoundTrip)
}

// waitClient meters the AWS SDK's HTTP client (the requests are counted by
// operation in CountingDynamo).
type waitClient struct {
	base dynamodb.HTTPClient
	ns   *atomic.Int64
}

func (c waitClient) Do(r *http.Request) (*http.Response, error) { return wait(c.ns, r, c.base.Do) }

// wait sends r with send and adds the time until the headers arrive, and
// later the time blocked reading the body, to ns.
func wait(ns *atomic.Int64, r *http.Request, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	start := time.Now()
	resp, err := send(r)
	ns.Add(int64(time.Since(start)))
	if err == nil && resp.Body != nil {
		resp.Body = &waitBody{ReadCloser: resp.Body, ns: ns}
	}
	return resp, err
}

// waitBody adds the time blocked in Read to ns: the body may still be on
// its way when the headers arrive.
type waitBody struct {
	io.ReadCloser
	ns *atomic.Int64
}

func (b *waitBody) Read(p []byte) (int, error) {
	start := time.Now()
	n, err := b.ReadCloser.Read(p)
	b.ns.Add(int64(time.Since(start)))
	return n, err
}

package chaos

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// Every fault decision is a pure function of the seed, the name of what
// is decided and a sequence number of its own (as in ghlsandbox.Faults):
// the same requests meet the same faults on every run.

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// roll returns a number in [0, 1) decided by seed, name and n.
func roll(seed uint64, name string, n uint64) float64 {
	return float64(mix(seed^hashString(name)^mix(n))>>11) / (1 << 53)
}

// sequence hands out sequence numbers per name.
type sequence struct{ m sync.Map }

func (s *sequence) next(name string) uint64 {
	v, ok := s.m.Load(name)
	if !ok {
		v, _ = s.m.LoadOrStore(name, new(atomic.Uint64))
	}
	return v.(*atomic.Uint64).Add(1)
}

// Counter names of the injected faults (Report.Faults).
const (
	FaultGHL429           = "ghl_429"
	FaultGHL5xx           = "ghl_5xx"
	FaultGHLLatency       = "ghl_latency"
	FaultGHLTimeout       = "ghl_timeout" // the client's per-request deadline passed
	FaultPeerFailure      = "peer_failure"
	FaultDynamoThrottle   = "dynamo_throughput_exceeded"
	FaultDynamoThrottling = "dynamo_throttling"
	FaultDynamoLatency    = "dynamo_latency"
	FaultCancel           = "handler_cancelled"
)

// counters counts events by name; safe for concurrent use.
type counters struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counters) add(name string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[name] += n
}

func (c *counters) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

// DynamoFaults is a dynamostore.API in front of DynamoDB that fails a
// seeded share of the requests with the SDK's throttling errors
// (ProvisionedThroughputExceededException, ThrottlingException) before
// sending them, and delays another share. The errors are what the SDK
// returns once its own retries are spent; a failed request is not applied.
// Faults are off until Enable.
type DynamoFaults struct {
	API dynamostore.API
	// Seed of the decisions; ThroughputExceeded and Throttling are
	// per-request probabilities; Latency delays a LatencyRate share of the
	// requests by up to Latency.
	Seed                           uint64
	ThroughputExceeded, Throttling float64
	LatencyRate                    float64
	Latency                        time.Duration

	on     atomic.Bool
	seq    sequence
	counts *counters
}

// Enable turns the faults on or off.
func (d *DynamoFaults) Enable(on bool) { d.on.Store(on) }

// before decides the fault of one request of operation op.
func (d *DynamoFaults) before(ctx context.Context, op string) error {
	if !d.on.Load() {
		return nil
	}
	n := d.seq.next(op)
	if roll(d.Seed, op+"/latency", n) < d.LatencyRate {
		d.counts.add(FaultDynamoLatency, 1)
		wait := time.Duration(roll(d.Seed, op+"/delay", n) * float64(d.Latency))
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
	r := roll(d.Seed, op+"/error", n)
	switch {
	case r < d.ThroughputExceeded:
		d.counts.add(FaultDynamoThrottle, 1)
		return fmt.Errorf("operation error DynamoDB: %s, %w", op, &types.ProvisionedThroughputExceededException{
			Message: aws.String("The level of configured provisioned throughput for the table was exceeded (chaos)")})
	case r < d.ThroughputExceeded+d.Throttling:
		d.counts.add(FaultDynamoThrottling, 1)
		return fmt.Errorf("operation error DynamoDB: %s, %w", op, &types.ThrottlingException{
			Message: aws.String("Rate of requests exceeds the allowed throughput (chaos)")})
	}
	return nil
}

// GetItem forwards unless a fault is injected.
func (d *DynamoFaults) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := d.before(ctx, "GetItem"); err != nil {
		return nil, err
	}
	return d.API.GetItem(ctx, in, o...)
}

// PutItem forwards unless a fault is injected.
func (d *DynamoFaults) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := d.before(ctx, "PutItem"); err != nil {
		return nil, err
	}
	return d.API.PutItem(ctx, in, o...)
}

// UpdateItem forwards unless a fault is injected.
func (d *DynamoFaults) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := d.before(ctx, "UpdateItem"); err != nil {
		return nil, err
	}
	return d.API.UpdateItem(ctx, in, o...)
}

// DeleteItem forwards unless a fault is injected.
func (d *DynamoFaults) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := d.before(ctx, "DeleteItem"); err != nil {
		return nil, err
	}
	return d.API.DeleteItem(ctx, in, o...)
}

// Query forwards unless a fault is injected.
func (d *DynamoFaults) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if err := d.before(ctx, "Query"); err != nil {
		return nil, err
	}
	return d.API.Query(ctx, in, o...)
}

// TransactWriteItems forwards unless a fault is injected.
func (d *DynamoFaults) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if err := d.before(ctx, "TransactWriteItems"); err != nil {
		return nil, err
	}
	return d.API.TransactWriteItems(ctx, in, o...)
}

// ghlFaults is the app's transport to GHL: it adds latency to a seeded
// share of the requests and lets another share run into the client's
// per-request deadline, half before the request reaches GHL and half
// after GHL processed it (the answer is lost: an ambiguous outcome).
// GHL's own 429 and 5xx answers come from the sandbox's Faults.
type ghlFaults struct {
	base        http.RoundTripper
	seed        uint64
	latencyRate float64
	latency     time.Duration
	timeoutRate float64
	timeout     time.Duration
	on          *atomic.Bool
	seq         *sequence
	counts      *counters
}

// errAnswerLost is the client's view of a request whose deadline passed.
var errAnswerLost = fmt.Errorf("chaos: no answer before the request deadline: %w", os.ErrDeadlineExceeded)

func (t *ghlFaults) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.on.Load() {
		return t.base.RoundTrip(req)
	}
	n := t.seq.next("ghl")
	if roll(t.seed, "ghl/latency", n) < t.latencyRate {
		t.counts.add(FaultGHLLatency, 1)
		if err := sleep(req.Context(), time.Duration((0.25+0.75*roll(t.seed, "ghl/delay", n))*float64(t.latency))); err != nil {
			return nil, err
		}
	}
	if roll(t.seed, "ghl/timeout", n) >= t.timeoutRate {
		return t.base.RoundTrip(req)
	}
	t.counts.add(FaultGHLTimeout, 1)
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	if roll(t.seed, "ghl/timeout-after", n) < 0.5 {
		// GHL processes the request; its answer never arrives.
		resp, err := t.base.RoundTrip(req.WithContext(ctx))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	} else if req.Body != nil {
		_ = req.Body.Close()
	}
	<-ctx.Done()
	if errors.Is(req.Context().Err(), context.Canceled) {
		return nil, req.Context().Err()
	}
	return nil, errAnswerLost
}

// peerFaults answers a seeded share of the app's deliveries to the peer
// with 503, 500 or 429 before the peer sees them.
type peerFaults struct {
	h      http.Handler
	seed   uint64
	rate   float64
	seq    sequence
	on     *atomic.Bool
	counts *counters
}

func (p *peerFaults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.on.Load() {
		n := p.seq.next("peer")
		if roll(p.seed, "peer/fail", n) < p.rate {
			p.counts.add(FaultPeerFailure, 1)
			codes := []int{http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusTooManyRequests}
			code := codes[int(roll(p.seed, "peer/status", n)*3)]
			http.Error(w, "chaos: peer unavailable", code)
			return
		}
	}
	p.h.ServeHTTP(w, r)
}

// statusCounter counts the sandbox's fault answers (429 and 5xx).
type statusCounter struct {
	h      http.Handler
	counts *counters
	on     *atomic.Bool
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (s *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	s.h.ServeHTTP(sw, r)
	if !s.on.Load() {
		return
	}
	switch {
	case sw.status == http.StatusTooManyRequests:
		s.counts.add(FaultGHL429, 1)
	case sw.status >= 500:
		s.counts.add(FaultGHL5xx, 1)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

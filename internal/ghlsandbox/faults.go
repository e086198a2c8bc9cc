package ghlsandbox

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Faults configure injected failures. Every decision is derived from Seed,
// the operation (or webhook) and a per-operation sequence number, so the
// same sequence of requests meets the same faults on every run.
type Faults struct {
	// Seed of the fault decisions.
	Seed uint64
	// Global applies to every operation without an entry in Operations.
	Global FaultRates
	// Operations overrides Global per operation id (e.g. "create-contact").
	Operations map[string]FaultRates
	// Webhooks configures delivery faults.
	Webhooks WebhookFaults
}

// FaultRates are per-request fault probabilities in [0, 1] and delays.
type FaultRates struct {
	// TooManyRequests answers 429 (with the rate-limit headers) before the
	// operation runs.
	TooManyRequests float64
	// ServerError answers 500, 502 or 503 before the operation runs.
	ServerError float64
	// Latency delays the answer by this much real time (plus up to
	// LatencyJitter), honouring the request context.
	Latency       time.Duration
	LatencyJitter time.Duration
	// UnprocessableButCreated (create-contact only) creates the contact,
	// emits its webhook, and still answers 422 (NOTES §4.1, issue #64).
	UnprocessableButCreated float64
}

// WebhookFaults are per-event delivery fault probabilities in [0, 1].
type WebhookFaults struct {
	// Drop never delivers the event (logged with Outcome "dropped").
	Drop float64
	// Duplicate delivers the event twice with the same webhookId.
	Duplicate float64
	// Reorder holds the event back and delivers it after the next event of
	// the same domain (or when the queue goes idle).
	Reorder float64
	// TaskCreateWithoutContactID removes contactId and body from TaskCreate
	// payloads, as real deliveries did (issue #332).
	TaskCreateWithoutContactID float64
}

type faultState struct {
	f      Faults
	seqs   sync.Map // op -> *atomic.Uint64
	events atomic.Uint64
}

func newFaultState(f Faults) *faultState { return &faultState{f: f} }

// SetFaults replaces the fault configuration and restarts its sequences.
func (s *Sandbox) SetFaults(f Faults) { s.faults.Store(newFaultState(f)) }

const (
	kind429 uint64 = iota + 1
	kind5xx
	kindLatency
	kind422Created
	kindDrop
	kindDup
	kindReorder
	kindTaskNoContact
	kindStatus
)

func (fs *faultState) rates(op string) FaultRates {
	if r, ok := fs.f.Operations[op]; ok {
		return r
	}
	return fs.f.Global
}

func (fs *faultState) next(op string) uint64 {
	v, ok := fs.seqs.Load(op)
	if !ok {
		v, _ = fs.seqs.LoadOrStore(op, new(atomic.Uint64))
	}
	return v.(*atomic.Uint64).Add(1)
}

func (fs *faultState) roll(key uint64, n uint64, kind uint64) float64 {
	return unit(mix(fs.f.Seed ^ key ^ mix(n^(kind<<56))))
}

// requestFault holds the decisions for one request.
type requestFault struct {
	created422 bool
}

// injectFaults applies latency, 429 and 5xx faults to a request and returns
// the decisions the operation itself applies.
func (s *Sandbox) injectFaults(rc *reqCtx) (requestFault, *apiError) {
	fs := s.faults.Load()
	r := fs.rates(rc.route.op)
	if r == (FaultRates{}) {
		return requestFault{}, nil
	}
	n := fs.next(rc.route.op)
	key := hashString(rc.route.op)
	if d := r.Latency + time.Duration(fs.roll(key, n, kindLatency)*float64(r.LatencyJitter)); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-rc.r.Context().Done():
			t.Stop()
		}
	}
	if fs.roll(key, n, kind429) < r.TooManyRequests {
		return requestFault{}, errStatus(http.StatusTooManyRequests, "Too Many Requests")
	}
	if fs.roll(key, n, kind5xx) < r.ServerError {
		codes := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
		code := codes[int(fs.roll(key, n, kindStatus)*3)]
		return requestFault{}, errStatus(code, http.StatusText(code))
	}
	return requestFault{created422: fs.roll(key, n, kind422Created) < r.UnprocessableButCreated}, nil
}

// webhookFault holds the delivery decisions for one event.
type webhookFault struct {
	drop, dup, reorder, noContact bool
}

func (s *Sandbox) webhookFaults(eventType string) webhookFault {
	fs := s.faults.Load()
	w := fs.f.Webhooks
	if w == (WebhookFaults{}) {
		return webhookFault{}
	}
	n := fs.events.Add(1)
	key := hashString("webhook")
	return webhookFault{
		drop:      fs.roll(key, n, kindDrop) < w.Drop,
		dup:       fs.roll(key, n, kindDup) < w.Duplicate,
		reorder:   fs.roll(key, n, kindReorder) < w.Reorder,
		noContact: eventType == "TaskCreate" && fs.roll(key, n, kindTaskNoContact) < w.TaskCreateWithoutContactID,
	}
}

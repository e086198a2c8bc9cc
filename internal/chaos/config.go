package chaos

import (
	"errors"
	"io"
	"time"

	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// Config configures a Run. Seed, Events and the store are required; every
// other field has the default of the issue's `make chaos`.
type Config struct {
	// Seed decides the workload, the delivery plan (copies, order,
	// cancellations) and every injected fault.
	Seed uint64
	// Events is the number of changes the workload makes, GHL's and the
	// peer's together.
	Events int
	// Dynamo is a client of DynamoDB (Local) and Table an empty table
	// made with dynamostore.CreateTable; the fault proxy wraps Dynamo.
	Dynamo dynamostore.API
	Table  string

	// Workers deliver concurrently (default 16).
	Workers int
	// Batch is how many workload events are made before their deliveries
	// are queued (default 250); the next batch is made while the previous
	// one is delivered.
	Batch int
	// MaxCopies: each event is delivered 1..MaxCopies times (default 3).
	MaxCopies int
	// Spread is the window over which the copies of a batch are shuffled
	// (default 300 ms).
	Spread time.Duration

	// GHLFaults is the share of the app's GHL requests that meet a fault
	// (default 0.10): 35 % of it 429, 35 % 5xx, 20 % latency, 10 %
	// client timeouts.
	GHLFaults float64
	// PeerFaults is the share of the app's deliveries the peer fails
	// (default 0.05).
	PeerFaults float64
	// DynamoFaults is the share of DynamoDB requests failed with a
	// throttling error (default 0.03), DynamoLatency the share delayed by
	// up to 20 ms (default 0.05).
	DynamoFaults, DynamoLatency float64
	// Cancel is the share of deliveries whose handler is cancelled
	// mid-flight (default 0.03).
	Cancel float64
	// HandlerTimeout is the handler's deadline (the function timeout;
	// default 3 s): an idempotency claim left behind lapses then.
	HandlerTimeout time.Duration
	// SweepFaults keeps the faults on during the final sweep (default
	// off: the sweep models the next scheduled run after the storm).
	SweepFaults bool

	// Trace, when set, receives one line per delivery: the webhook id,
	// copy, attempt, the answer's status and body.
	Trace io.Writer

	// Progress, when set, receives one line per phase.
	Progress func(format string, args ...any)
}

// defaults fills the zero fields; a negative rate means none.
func (c *Config) defaults() error {
	switch {
	case c.Events <= 0:
		return errors.New("chaos: Config.Events must be positive")
	case c.Dynamo == nil || c.Table == "":
		return errors.New("chaos: Config.Dynamo and Config.Table are required")
	}
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&c.Workers, 16)
	def(&c.Batch, 250)
	def(&c.MaxCopies, 3)
	rate := func(p *float64, v float64) {
		switch {
		case *p == 0:
			*p = v
		case *p < 0:
			*p = 0
		}
	}
	rate(&c.GHLFaults, 0.10)
	rate(&c.PeerFaults, 0.05)
	rate(&c.DynamoFaults, 0.03)
	rate(&c.DynamoLatency, 0.05)
	rate(&c.Cancel, 0.03)
	if c.Spread <= 0 {
		c.Spread = 300 * time.Millisecond
	}
	if c.HandlerTimeout <= 0 {
		c.HandlerTimeout = 3 * time.Second
	}
	if c.Progress == nil {
		c.Progress = func(string, ...any) {}
	}
	return nil
}

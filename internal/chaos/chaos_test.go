package chaos_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/chaos"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// envInt reads an integer setting of `make chaos` (CHAOS_SEED,
// CHAOS_EVENTS, CHAOS_WORKERS).
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// TestChaos runs the chaos harness and fails unless GHL, the peer and the
// expected state agree (0 mismatches, duplicates, lost): 300 events with
// seed 1 in make test; `make chaos` runs 10,000 (CHAOS_EVENTS) and writes
// the table to CHAOS_REPORT.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos: DynamoDB Local and a storm of deliveries; not in -short")
	}
	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	ctx, cancel := context.WithTimeout(t.Context(), 25*time.Minute)
	defer cancel()
	if err := dynamostore.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	cfg := chaos.Config{
		Seed:    uint64(envInt(t, "CHAOS_SEED", 1)),
		Events:  envInt(t, "CHAOS_EVENTS", 300),
		Workers: envInt(t, "CHAOS_WORKERS", 0),
		Dynamo:  client, Table: table,
		Progress: t.Logf,
	}
	if path := os.Getenv("CHAOS_TRACE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cfg.Trace = f
	}
	rep, err := chaos.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := rep.Table()
	t.Log("\n" + out)
	if path := os.Getenv("CHAOS_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if rep.Total() != cfg.Events {
		t.Errorf("events = %d, want %d", rep.Total(), cfg.Events)
	}
	if rep.FaultTotal() == 0 || rep.Redeliveries == 0 || rep.Deliveries <= rep.Total() {
		t.Errorf("the storm injected %d faults, %d redeliveries, %d deliveries for %d events: the harness is not exercising anything",
			rep.FaultTotal(), rep.Redeliveries, rep.Deliveries, rep.Total())
	}
	c := rep.Check
	if c.Mismatches == 0 && c.Duplicates == 0 && c.Lost == 0 {
		return
	}
	t.Errorf("mismatches %d, duplicates %d, lost %d; want 0 each (seed %d):\n%s", c.Mismatches, c.Duplicates, c.Lost, cfg.Seed,
		strings.Join(c.Problems, "\n"))
}

package main

import (
	"os"
	"testing"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/syncapp/syncapptest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// TestBootstrap runs the real compiled bootstrap with every sample event
// of events/task-sync and checks each answer (status and outcome).
func TestBootstrap(t *testing.T) {
	t.Parallel()
	syncapptest.Start(t, "task-sync").CheckSamples(wantOutcomes)
}

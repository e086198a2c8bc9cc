package idempotency_test

import (
	"testing"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
)

func TestRunWithMemstore(t *testing.T) {
	t.Parallel()
	runScenarios(t, func(*testing.T) idempotency.Store { return memstore.New() })
}

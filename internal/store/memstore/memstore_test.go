package memstore_test

import (
	"testing"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

func TestConformanceWithFile(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		st, err := memstore.Open(t.TempDir() + "/store.json")
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

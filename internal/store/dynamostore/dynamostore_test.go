package dynamostore_test

import (
	"os"
	"testing"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// newStore returns a store on a new table of the shared DynamoDB Local.
func newStore(t *testing.T) *dynamostore.Store {
	t.Helper()
	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
		t.Fatal(err)
	}
	return dynamostore.New(client, table)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t) })
}

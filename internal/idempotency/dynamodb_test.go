package idempotency_test

import (
	"os"
	"testing"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// TestRunWithDynamoDB runs the same scenarios on DynamoDB Local, through the
// real conditional put, ALL_OLD and update expressions.
func TestRunWithDynamoDB(t *testing.T) {
	t.Parallel()
	runScenarios(t, func(t *testing.T) idempotency.Store {
		client := dynamotest.Client(t)
		table := dynamotest.TableName(t)
		if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
			t.Fatal(err)
		}
		return dynamostore.New(client, table)
	})
}

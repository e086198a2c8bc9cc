// Command task-sync is the Lambda function that syncs GHL contact tasks (and their completion) with the peer both ways.
// Routes and status codes: handler.go and internal/crmsync.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ghlsync/ghlsync/internal/syncapp"
)

func main() {
	logger := syncapp.NewLogger(os.Getenv)
	syncer, _, err := syncapp.Load(context.Background(), os.Getenv)
	if err != nil {
		logger.Error("task-sync: init failed", "error", err.Error())
		os.Exit(1)
	}
	h := newHandler(syncer)
	h.Logger = logger
	lambda.Start(h.Handle)
}

// Command appointment-pull is the Lambda function that sends GHL appointments to the peer and books the peer's appointments in GHL calendars.
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
		logger.Error("appointment-pull: init failed", "error", err.Error())
		os.Exit(1)
	}
	h := newHandler(syncer)
	h.Logger = logger
	lambda.Start(h.Handle)
}

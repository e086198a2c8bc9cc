// Command task-sync is the Lambda function that syncs GHL contact tasks (and their completion) with the peer both ways.
// Routes and status codes: handler.go and internal/crmsync; its schedule runs the sweep of internal/sweep (syncapp.Entry dispatches both).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

func main() {
	logger := syncapp.NewLogger(os.Getenv)
	app, _, err := syncapp.LoadApp(context.Background(), os.Getenv)
	if err != nil {
		logger.Error("task-sync: init failed", "error", err.Error())
		os.Exit(1)
	}
	h := newHandler(app.Syncer)
	h.Logger = logger
	entry := &syncapp.Entry{Function: "task-sync", HTTP: h, Sweeps: app.Sweeps, Stream: sweep.Tasks, Logger: logger}
	lambda.Start(entry.Invoke)
}

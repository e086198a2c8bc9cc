// Command appointment-pull is the Lambda function that sends GHL appointments to the peer and books the peer's appointments in GHL calendars.
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
		logger.Error("appointment-pull: init failed", "error", err.Error())
		os.Exit(1)
	}
	h := newHandler(app.Syncer)
	h.Logger = logger
	entry := &syncapp.Entry{Function: "appointment-pull", HTTP: h, Sweeps: app.Sweeps, Stream: sweep.Appointments, Logger: logger}
	lambda.Start(entry.Invoke)
}

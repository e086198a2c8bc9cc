// Command app-install is the Lambda function of the GHL app lifecycle:
// GET /oauth/callback (OAuth code exchange, per-location token secrets)
// and POST /ghl/webhooks/app (INSTALL/UNINSTALL). See internal/install and
// internal/install/installapp.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/ghlsync/ghlsync/internal/install/installapp"
)

func main() {
	logger := newLogger()
	h, err := installapp.Load(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("app-install: init failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// newLogger logs JSON: the Lambda logger (with requestId) when the runtime
// asks for JSON logs, else a plain JSON handler on stdout.
func newLogger() *slog.Logger {
	if os.Getenv("AWS_LAMBDA_LOG_FORMAT") == "JSON" {
		return lambdacontext.NewLogger()
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: lambdacontext.ReplaceAttr}))
}

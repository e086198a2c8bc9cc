// Command app-install is the Lambda function of the GHL app lifecycle:
// GET /oauth/callback (OAuth code exchange, per-location token secrets)
// and POST /ghl/webhooks/app (INSTALL/UNINSTALL). See internal/install.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/tokens"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func main() {
	logger := newLogger()
	h, err := wire(context.Background(), os.Getenv, logger)
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

// wire builds the handler once per container: config → AWS clients →
// store, token provider, GHL client → install flow.
func wire(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Handler, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if cfg.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
		}
	})
	sm := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) {
		if cfg.SecretsManagerEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SecretsManagerEndpoint)
		}
	})
	st := dynamostore.New(db, cfg.TableName)

	appSecret, err := tokens.LoadAppSecret(ctx, sm, cfg.AppSecretName)
	if err != nil {
		return nil, err
	}
	app := ghl.ClientCredentials{ClientID: appSecret.ClientID, ClientSecret: appSecret.ClientSecret.Reveal()}
	hc := &http.Client{Timeout: 20 * time.Second}
	gc, err := ghl.NewClient(hc, ghl.WithBaseURL(cfg.GHLBaseURL))
	if err != nil {
		return nil, err
	}
	provider, err := tokens.New(tokens.Config{
		Secrets: sm, Leases: st, Installations: st, SecretPrefix: cfg.SecretPrefix,
		Refresher: &ghlauth.Refresher{OAuth: gc.OAuth, App: app},
		Minter:    &ghlauth.Minter{HTTP: hc, Options: []ghl.Option{ghl.WithBaseURL(cfg.GHLBaseURL)}},
	})
	if err != nil {
		return nil, err
	}

	keys := webhook.DefaultGHLKeys()
	if cfg.GHLWebhookEd25519PEM != "" {
		keys.Ed25519PEM = []byte(cfg.GHLWebhookEd25519PEM)
	}
	if cfg.GHLWebhookRSAPEM != "" {
		keys.RSAPEM = []byte(cfg.GHLWebhookRSAPEM)
	}
	verifier, err := webhook.NewGHLVerifier(keys)
	if err != nil {
		return nil, err
	}
	verifier.Window = cfg.GHLWebhookWindow

	flow := &install.Flow{
		OAuth: gc.OAuth, App: app, RedirectURI: cfg.RedirectURL, RequireState: cfg.OAuthRequireState,
		Tokens: provider, Installations: st, Secrets: sm,
		SecretPrefix: cfg.SecretPrefix, DeletionWindowDays: cfg.SecretDeletionWindow,
		Verifier: verifier, Runner: idempotency.New(st),
	}
	return &Handler{Flow: flow, Logger: logger}, nil
}

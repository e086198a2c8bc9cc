package installapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

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

// GHLTimeout bounds one GHL HTTP request of the install flow.
const GHLTimeout = 20 * time.Second

// Load reads the configuration through getenv, builds the AWS clients
// (with the endpoint overrides) and returns the handler: what the Lambda
// function's main does once per container.
func Load(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Handler, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if cfg.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
		}
	}, dynamostore.ClientOptions)
	sm := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) {
		if cfg.SecretsManagerEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SecretsManagerEndpoint)
		}
	})
	return New(ctx, cfg, sm, dynamostore.New(db, cfg.TableName), logger)
}

// Store is the store the install flow and its token provider share.
type Store interface {
	idempotency.Store
	tokens.Leaser
	tokens.Installations
	install.Installations
}

// New builds the handler from cfg, a Secrets Manager client and the store:
// app secret → GHL OAuth client → token provider → webhook verifier →
// install flow. The app secret ({client_id, client_secret}) is required.
func New(ctx context.Context, cfg config.Config, sm *secretsmanager.Client, st Store, logger *slog.Logger) (*Handler, error) {
	appSecret, err := tokens.LoadAppSecret(ctx, sm, cfg.AppSecretName)
	if err != nil {
		return nil, err
	}
	app := ghl.ClientCredentials{ClientID: appSecret.ClientID, ClientSecret: appSecret.ClientSecret.Reveal()}
	hc := &http.Client{Timeout: GHLTimeout}
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

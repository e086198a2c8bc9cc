package syncapp

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/peer/peersecret"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/tokens"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// GHLTimeout bounds one GHL HTTP request (the client's retries come on top,
// bounded by the invocation's deadline).
const GHLTimeout = 20 * time.Second

// Load reads the configuration through getenv and builds the Syncer.
func Load(ctx context.Context, getenv func(string) string) (*crmsync.Syncer, config.Config, error) {
	app, cfg, err := LoadApp(ctx, getenv)
	if err != nil {
		return nil, cfg, err
	}
	return app.Syncer, cfg, nil
}

// LoadApp reads the configuration through getenv and builds the App: the
// Syncer of the webhook routes and the sweep Runner of the schedules.
func LoadApp(ctx context.Context, getenv func(string) string) (*App, config.Config, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, cfg, err
	}
	pc, err := config.PeerFromEnv(getenv)
	if err != nil {
		return nil, cfg, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, cfg, fmt.Errorf("AWS configuration: %w", err)
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
	app, err := NewApp(ctx, cfg, sm, dynamostore.New(db, cfg.TableName), WithPeer(pc))
	return app, cfg, err
}

// Store is the store the Syncer and the token provider share.
type Store interface {
	crmsync.Links
	idempotency.Store
	tokens.Leaser
	tokens.Installations
}

// New builds the Syncer from cfg, a Secrets Manager client and the store.
func New(ctx context.Context, cfg config.Config, sm *secretsmanager.Client, st Store, opts ...Option) (*crmsync.Syncer, error) {
	s, _, err := newSyncer(ctx, cfg, newOptions(opts), sm, st, nil)
	return s, err
}

// newSyncer builds the Syncer; budget, when set, paces its GHL requests
// with the sweeps' shared rate budget.
func newSyncer(ctx context.Context, cfg config.Config, o options, sm *secretsmanager.Client, st Store, budget *sweep.Budget) (*crmsync.Syncer, TokenSources, error) {
	hc := &http.Client{Timeout: GHLTimeout}
	oauthClient, err := ghl.NewClient(hc, ghl.WithBaseURL(cfg.GHLBaseURL))
	if err != nil {
		return nil, nil, err
	}
	tcfg := tokens.Config{Secrets: sm, Leases: st, Installations: st, SecretPrefix: cfg.SecretPrefix,
		Minter: &ghlauth.Minter{HTTP: hc, Options: []ghl.Option{ghl.WithBaseURL(cfg.GHLBaseURL)}},
		// Only OAuth refreshes need the app secret (a deployment on Private
		// Integration Tokens has none): it is read when a token first needs
		// refreshing, not on every cold start.
		LoadRefresher: func(ctx context.Context) (tokens.Refresher, error) {
			app, err := tokens.LoadAppSecret(ctx, sm, cfg.AppSecretName)
			if err != nil {
				return nil, err
			}
			return &ghlauth.Refresher{OAuth: oauthClient.OAuth,
				App: ghl.ClientCredentials{ClientID: app.ClientID, ClientSecret: app.ClientSecret.Reveal()}}, nil
		}}
	provider, err := tokens.New(tcfg)
	if err != nil {
		return nil, nil, err
	}

	ps, err := peersecret.Load(ctx, sm, cfg.PeerSecretName)
	if err != nil {
		return nil, nil, fmt.Errorf("peer secret: %w", err)
	}
	peer, err := NewPeer(cfg, o.peer, ps)
	if err != nil {
		return nil, nil, err
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
		return nil, nil, err
	}
	verifier.Window = cfg.GHLWebhookWindow

	syncer, err := crmsync.New(crmsync.Options{
		GHL:                    ghlFactory(provider, cfg.GHLBaseURL, budget),
		Links:                  st,
		Idempotency:            idempotency.New(st),
		Peer:                   peer,
		Verifier:               verifier,
		PullKeys:               ps,
		DefaultLocationID:      cfg.DefaultLocationID,
		AllowPeerContactDelete: cfg.AllowPeerContactDelete,
		EchoSettle:             cfg.EchoSettle,
	})
	return syncer, provider, err
}

// TokenSources gives the token source of a location; *tokens.Provider
// satisfies it.
type TokenSources interface {
	TokenSource(ctx context.Context, locationID string) (oauth2.TokenSource, error)
}

// GHLFactory returns the per-location GHL API: a ghl.Client authenticated
// with the location's token source (bound to the invocation's context;
// the provider caches tokens across invocations) and paced by the
// process-wide per-location rate limiter the ghl package shares between
// clients.
func GHLFactory(ts TokenSources, baseURL string, opts ...ghl.Option) crmsync.GHLFactory {
	return ghlFactory(ts, baseURL, nil, opts...)
}

func ghlFactory(ts TokenSources, baseURL string, budget *sweep.Budget, opts ...ghl.Option) crmsync.GHLFactory {
	clients := GHLClients(ts, baseURL, budget, opts...)
	return crmsync.GHLFactoryFunc(func(ctx context.Context, locationID string) (crmsync.GHL, error) {
		c, err := clients(ctx, locationID)
		if err != nil {
			return crmsync.GHL{}, err
		}
		return crmsync.ClientGHL(c), nil
	})
}

// GHLClients returns a function that builds a location's GHL client: its
// token source (bound to the invocation's context; the provider caches
// tokens across invocations), the process-wide per-location rate limiter,
// and, when budget is not nil, the rate budget shared through the store
// with every other container — webhook flows and sweeps alike.
func GHLClients(ts TokenSources, baseURL string, budget *sweep.Budget, opts ...ghl.Option) func(ctx context.Context, locationID string) (*ghl.Client, error) {
	return func(ctx context.Context, locationID string) (*ghl.Client, error) {
		src, err := ts.TokenSource(ctx, locationID)
		if err != nil {
			return nil, err
		}
		if budget != nil {
			// A client is built to send requests, and each first takes the
			// shared budget (a store round trip). Fetch the token meanwhile,
			// so that a cold token read (Secrets Manager, on a container's
			// first request) overlaps that round trip instead of following
			// it. The provider's sources are single-flight and cache: the
			// request's own Token call waits for this one or finds the
			// token cached, and reports any error itself.
			go func() { _, _ = src.Token() }()
		}
		// A token failure (e.g. reauth_required) comes back as a
		// *ghl.CredentialsError: never sent, never retried.
		rt := ghl.NewTokenClient(src, http.DefaultTransport).Transport
		if budget != nil {
			rt = budget.Transport(locationID, rt)
		}
		hc := &http.Client{Timeout: GHLTimeout, Transport: rt}
		return ghl.NewClient(hc, append([]ghl.Option{ghl.WithBaseURL(baseURL), ghl.WithLocationID(locationID)}, opts...)...)
	}
}

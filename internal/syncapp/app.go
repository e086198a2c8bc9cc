package syncapp

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/sweep"
)

// App is what a sync function runs: the Syncer of its webhook and pull
// routes and the sweep Runner of its schedule, sharing one per-location
// rate budget (Budget) so that sweeps and webhooks of a location together
// stay under GHL's burst limit.
type App struct {
	Syncer *crmsync.Syncer
	Sweeps *sweep.Runner
	Budget *sweep.Budget
}

// AppStore is the store an App needs: the Syncer's, the sweeps' cursors,
// link listing and install registry, and the shared rate budget.
// *dynamostore.Store and *memstore.Store satisfy it.
type AppStore interface {
	Store
	sweep.Store
	sweep.RateStore
}

// NewApp builds the App from cfg, a Secrets Manager client and the store.
func NewApp(ctx context.Context, cfg config.Config, sm *secretsmanager.Client, st AppStore, opts ...Option) (*App, error) {
	budget := &sweep.Budget{Store: st}
	syncer, ts, err := newSyncer(ctx, cfg, newOptions(opts), sm, st, budget)
	if err != nil {
		return nil, err
	}
	clients := GHLClients(ts, cfg.GHLBaseURL, budget)
	so := sweep.Options{Store: st, Syncer: syncer, Budget: budget,
		GHL: sweep.ClientsFunc(func(ctx context.Context, locationID string) (sweep.API, error) {
			c, err := clients(ctx, locationID)
			if err != nil {
				return nil, err
			}
			return sweep.FromClient(c), nil
		})}
	so.Progress = newOptions(opts).progress
	runner, err := sweep.New(so)
	if err != nil {
		return nil, err
	}
	return &App{Syncer: syncer, Sweeps: runner, Budget: budget}, nil
}

// WithProgress has the App's sweep Runner report each location's counts
// after every checkpoint (the backfill command's progress line).
func WithProgress(fn func(sweep.LocationReport)) Option {
	return func(o *options) { o.progress = fn }
}

package tokens_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/tokens"
)

// LoadRefresher keeps the app secret read out of start-up: it runs when a
// token first needs refreshing, never for a fresh token, and its failure
// sends no refresh token.
func TestLoadRefresher(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		expiresIn     time.Duration
		loadErr       error // of the first load; later loads succeed
		wantLoads     int64
		wantErr       error
		wantTemporary bool
		wantRefreshes int64
	}{
		{name: "fresh token: nothing loaded", expiresIn: time.Hour, wantLoads: 0},
		{name: "expired: loaded once, refreshed", expiresIn: -time.Minute, wantLoads: 1, wantRefreshes: 1},
		{name: "load fails temporarily: no refresh sent", expiresIn: -time.Minute, loadErr: errors.New("dial tcp: connection reset"),
			wantLoads: 1, wantErr: errors.New("any"), wantTemporary: true},
		{name: "app secret missing: permanent, no refresh sent", expiresIn: -time.Minute, loadErr: fmt.Errorf("read app secret: %w", tokens.ErrNoSecret),
			wantLoads: 1, wantErr: tokens.ErrNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.seedOAuth(loc, tt.expiresIn)
			var loads atomic.Int64
			p := e.provider(func(c *tokens.Config) {
				c.Refresher = nil
				c.LoadRefresher = func(context.Context) (tokens.Refresher, error) {
					if loads.Add(1) == 1 && tt.loadErr != nil {
						return nil, tt.loadErr
					}
					return e.oauth, nil
				}
			})
			_, err := p.Token(t.Context(), loc)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Token: %v", err)
			case tt.wantErr != nil:
				var te *tokens.Error
				if !errors.As(err, &te) || te.Temporary != tt.wantTemporary {
					t.Fatalf("Token: %v, want a *tokens.Error with Temporary %v", err, tt.wantTemporary)
				}
				if errors.Is(tt.wantErr, tokens.ErrNoSecret) && !errors.Is(err, tokens.ErrNoSecret) {
					t.Errorf("Token: %v, want ErrNoSecret", err)
				}
			}
			if got := loads.Load(); got != tt.wantLoads {
				t.Errorf("loads = %d, want %d", got, tt.wantLoads)
			}
			if got := e.oauth.calls.Load(); got != tt.wantRefreshes {
				t.Errorf("refresh calls = %d, want %d", got, tt.wantRefreshes)
			}
			if tt.wantErr != nil {
				// The next call loads again and refreshes; the loaded
				// Refresher is then kept.
				if _, err := p.Token(t.Context(), loc); err != nil {
					t.Fatalf("second Token: %v", err)
				}
				e.clock.Advance(48 * time.Hour)
				if _, err := p.Token(t.Context(), loc); err != nil {
					t.Fatalf("third Token: %v", err)
				}
				if got := loads.Load(); got != 2 {
					t.Errorf("loads after recovery = %d, want 2", got)
				}
			}
		})
	}
}

func TestNoRefresherIsNotConfigured(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedOAuth(loc, -time.Minute)
	p := e.provider(func(c *tokens.Config) { c.Refresher = nil })
	_, err := p.Token(t.Context(), loc)
	var te *tokens.Error
	if !errors.Is(err, tokens.ErrNotConfigured) || !errors.As(err, &te) || te.Temporary {
		t.Fatalf("Token: %v, want a permanent ErrNotConfigured", err)
	}
}

package tokens_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/tokens"
)

// The window between GHL's refresh answer and PutSecretValue is where a
// consumed refresh token can be lost. These tests pin the two rules that keep
// it small: a refresh in flight is not abandoned when the caller cancels, and
// no refresh starts when the caller's deadline is too close to save the answer.

func TestRefreshInFlightSurvivesCallerCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedOAuth(loc, -time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// GHL rotates the pair; while its answer travels back the caller gives
	// up (client disconnect, a sibling failing in an errgroup). A call bound
	// to the caller's context would drop the answer and burn the token.
	refresher := tokens.RefresherFunc(func(rctx context.Context, rt tokens.Sensitive) (tokens.Grant, error) {
		g, err := e.oauth.Refresh(rctx, rt)
		cancel()
		select {
		case <-rctx.Done():
			return tokens.Grant{}, context.Cause(rctx) // the answer is lost
		case <-time.After(10 * time.Millisecond):
			return g, err
		}
	})
	p := e.provider(func(c *tokens.Config) { c.Refresher = refresher })
	tok, err := p.Token(ctx, loc)
	if err != nil {
		t.Fatalf("Token: %v, want the refreshed token although the caller cancelled", err)
	}
	cur := e.current(loc)
	if cur.AccessToken.Reveal() != tok.AccessToken {
		t.Error("the returned token is not the saved one")
	}
	if !e.oauth.isValid(cur.RefreshToken) {
		t.Error("the saved refresh token is not the live one: the rotation was lost")
	}
	// Another container uses the saved pair without refreshing again.
	if _, err := e.provider().Token(t.Context(), loc); err != nil {
		t.Fatalf("next container: %v", err)
	}
	got := []int64{e.oauth.refreshes.Load(), e.oauth.invalidGrant.Load()}
	if diff := cmp.Diff([]int64{1, 0}, got); diff != "" {
		t.Errorf("[refreshes, invalid grants] (-want +got):\n%s", diff)
	}
}

func TestNoRefreshTooCloseToTheCallersDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		expiresIn time.Duration // of the stored access token
		deadline  time.Duration // of the caller's context; 0: none
		wantCalls int64
		wantErr   bool // else the token must be returned
	}{
		{name: "expired, deadline within the reserve", expiresIn: -time.Minute, deadline: 500 * time.Millisecond, wantErr: true},
		{name: "still usable, deadline within the reserve", expiresIn: 2 * time.Minute, deadline: 500 * time.Millisecond},
		{name: "expired, deadline beyond the reserve", expiresIn: -time.Minute, deadline: 5 * time.Second, wantCalls: 1},
		{name: "expired, no deadline", expiresIn: -time.Minute, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			oldAT, _ := e.seedOAuth(loc, tc.expiresIn)
			ctx := t.Context()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			p := e.provider(func(c *tokens.Config) { c.RefreshReserve = time.Second })
			tok, err := p.Token(ctx, loc)
			switch {
			case tc.wantErr:
				if !tokens.IsTemporary(err) || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("err = %v, want a temporary error wrapping context.DeadlineExceeded", err)
				}
			case err != nil:
				t.Fatal(err)
			case tc.wantCalls == 0 && tok.AccessToken != oldAT.Reveal():
				t.Error("want the still-usable stored token")
			case tc.wantCalls > 0 && tok.AccessToken != e.current(loc).AccessToken.Reveal():
				t.Error("want the refreshed, saved token")
			}
			if n := e.oauth.calls.Load(); n != tc.wantCalls {
				t.Errorf("refresh calls = %d, want %d", n, tc.wantCalls)
			}
			// The lease is free again either way.
			if ok, _ := e.leases.AcquireLease(t.Context(), tokens.LocationLeaseName(loc), "other", time.Minute, e.clock.Now()); !ok {
				t.Error("lease still held")
			}
		})
	}
}

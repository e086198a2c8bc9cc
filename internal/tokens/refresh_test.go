package tokens_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

const loc = "ve9EPM428h8vShlRW1KT"

func TestWarmReuseMakesNoSecretsCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	access, _ := e.seedOAuth(loc, 20*time.Hour)
	p := e.provider()
	e.sm.ResetCalls()
	for i := range 3 {
		tok, err := p.Token(t.Context(), loc)
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken != access.Reveal() || tok.RefreshToken != "" {
			t.Fatalf("call %d: got another token or a refresh token", i)
		}
	}
	got := []int64{int64(e.sm.Calls(secretstest.OpGetSecretValue)), e.oauth.calls.Load(), e.leases.attempts.Load()}
	if diff := cmp.Diff([]int64{1, 0, 0}, got); diff != "" {
		t.Errorf("[secret reads, refresh calls, lease attempts] (-want +got):\n%s", diff)
	}
}

func TestProactiveRefreshBeforeExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, oldRT := e.seedOAuth(loc, 4*time.Minute) // inside the 5 min margin
	p := e.provider()
	tok, err := p.Token(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	cur := e.current(loc)
	if tok.AccessToken != cur.AccessToken.Reveal() {
		t.Error("returned token is not the saved one")
	}
	if e.oauth.isValid(oldRT) || !e.oauth.isValid(cur.RefreshToken) {
		t.Error("old refresh token not consumed or new one not saved")
	}
	if want := e.clock.Now().Add(86399 * time.Second); !cur.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v", cur.ExpiresAt, want)
	}
	if !tok.Expiry.Equal(cur.ExpiresAt) {
		t.Errorf("token Expiry = %v, want %v", tok.Expiry, cur.ExpiresAt)
	}
	ids := e.sm.VersionIDs("ghlsync/test/locations/" + loc)
	if len(ids) != 2 || ids[1] != tokens.ClientRequestToken(oldRT) {
		t.Errorf("versions = %v, want [seed, ClientRequestToken(old)]", ids)
	}
	if n := e.oauth.refreshes.Load(); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
	// The lease is released afterwards.
	if ok, _ := e.leases.AcquireLease(t.Context(), tokens.LocationLeaseName(loc), "someone-else", time.Minute, e.clock.Now()); !ok {
		t.Error("lease still held after the refresh")
	}
}

func TestPITIsStatic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.putSecret("ghlsync/test/locations/"+loc, tokens.EncodePITSecret(tokens.PITSecret{Token: "pit-secret-0001", LocationID: loc}))
	p := e.provider()
	e.clock.Advance(400 * 24 * time.Hour)
	for range 3 {
		tok, err := p.Token(t.Context(), loc)
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken != "pit-secret-0001" || !tok.Expiry.IsZero() {
			t.Fatalf("PIT token = %q expiry %v", tok.AccessToken, tok.Expiry)
		}
	}
	got := []int64{int64(e.sm.Calls(secretstest.OpGetSecretValue)), e.oauth.calls.Load(), e.leases.attempts.Load()}
	if diff := cmp.Diff([]int64{1, 0, 0}, got); diff != "" {
		t.Errorf("[secret reads, refresh calls, lease attempts] (-want +got):\n%s", diff)
	}
}

func TestConcurrentContainersRefreshOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedOAuth(loc, -time.Minute) // expired
	e.oauth.delay = 30 * time.Millisecond
	const containers = 20
	providers := make([]*tokens.Provider, containers)
	for i := range providers {
		providers[i] = e.provider()
	}
	got := make([]string, containers)
	var wg sync.WaitGroup
	for i, p := range providers {
		for g := range 3 { // several goroutines per container too
			wg.Go(func() {
				tok, err := p.Token(t.Context(), loc)
				if err != nil {
					t.Errorf("container %d goroutine %d: %v", i, g, err)
					return
				}
				if g == 0 {
					got[i] = tok.AccessToken
				}
			})
		}
	}
	wg.Wait()
	cur := e.current(loc)
	for i, a := range got {
		if a != cur.AccessToken.Reveal() {
			t.Errorf("container %d ended with another token than the saved one", i)
		}
	}
	counts := []int64{e.oauth.refreshes.Load(), e.oauth.invalidGrant.Load(), int64(len(e.sm.VersionIDs("ghlsync/test/locations/" + loc)))}
	if diff := cmp.Diff([]int64{1, 0, 2}, counts); diff != "" {
		t.Errorf("[refreshes, invalid grants, secret versions] (-want +got):\n%s", diff)
	}
	if _, puts := e.installs.get(loc); puts != 0 {
		t.Errorf("installation writes = %d, want 0", puts)
	}
}

func TestCrashedHolderLeaseExpiresAndAnotherTakesOver(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedOAuth(loc, -time.Minute)
	// A container took the lease and died.
	if ok, _ := e.leases.AcquireLease(t.Context(), tokens.LocationLeaseName(loc), "crashed", 30*time.Second, e.clock.Now()); !ok {
		t.Fatal("seed lease")
	}
	p := e.provider()
	done := make(chan error, 1)
	go func() {
		_, err := p.Token(t.Context(), loc)
		done <- err
	}()
	// Wait until the container is polling, then let the lease expire.
	deadline := time.Now().Add(5 * time.Second)
	for e.sm.Calls(secretstest.OpGetSecretValue) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("container is not polling the secret")
		}
		time.Sleep(time.Millisecond)
	}
	if n := e.oauth.calls.Load(); n != 0 {
		t.Fatalf("refreshed while another container held the lease (%d calls)", n)
	}
	e.clock.Advance(31 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := e.oauth.refreshes.Load(); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
}

func TestWaiterGivesUpAfterMaxWaitWithTemporaryError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedOAuth(loc, -time.Minute)
	if ok, _ := e.leases.AcquireLease(t.Context(), tokens.LocationLeaseName(loc), "slow", time.Hour, e.clock.Now()); !ok {
		t.Fatal("seed lease")
	}
	p := e.provider(func(c *tokens.Config) { c.MaxWait = 50 * time.Millisecond })
	_, err := p.Token(t.Context(), loc)
	if !errors.Is(err, tokens.ErrRenewBusy) || !tokens.IsTemporary(err) {
		t.Fatalf("err = %v, want temporary ErrRenewBusy", err)
	}
	if n := e.oauth.calls.Load(); n != 0 {
		t.Errorf("refresh calls = %d, want 0", n)
	}
}

func TestInvalidGrantAfterOtherContainerRotatedRecovers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, rt1 := e.seedOAuth(loc, -time.Minute)
	// While this container's refresh is on its way, another one (whose lease
	// had expired) rotates rt1 and saves the new pair first.
	var once sync.Once
	e.oauth.before = func(rt tokens.Sensitive) {
		once.Do(func() {
			g, ok := e.oauth.rotate(rt1)
			if !ok {
				t.Error("rt1 not valid")
				return
			}
			e.putSecret("ghlsync/test/locations/"+loc, tokens.EncodeOAuthSecret(tokens.OAuthSecret{
				AccessToken: g.AccessToken, RefreshToken: g.RefreshToken, ExpiresAt: e.clock.Now().Add(g.ExpiresIn), UserType: tokens.UserTypeLocation, LocationID: loc,
			}))
		})
	}
	p := e.provider()
	tok, err := p.Token(t.Context(), loc)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if cur := e.current(loc); tok.AccessToken != cur.AccessToken.Reveal() {
		t.Error("did not adopt the token the other container saved")
	}
	counts := []int64{e.oauth.refreshes.Load(), e.oauth.invalidGrant.Load()}
	if diff := cmp.Diff([]int64{1, 1}, counts); diff != "" {
		t.Errorf("[refreshes, invalid grants] (-want +got):\n%s", diff)
	}
	if _, puts := e.installs.get(loc); puts != 0 {
		t.Errorf("installation writes = %d, want 0 (no reauth)", puts)
	}
}

func TestGenuineInvalidGrantMarksReauthOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// A refresh token GHL does not know (revoked / uninstalled).
	e.putSecret("ghlsync/test/locations/"+loc, tokens.EncodeOAuthSecret(tokens.OAuthSecret{
		AccessToken: "at-secret-dead", RefreshToken: "rt-secret-dead", ExpiresAt: e.clock.Now().Add(-time.Minute), UserType: tokens.UserTypeLocation, CompanyID: "co1", LocationID: loc,
	}))
	_ = e.installs.PutInstallation(t.Context(), store.Installation{LocationID: loc, Status: store.InstallActive, SecretName: "ghlsync/test/locations/" + loc})
	_, basePuts := e.installs.get(loc)
	a, b := e.provider(), e.provider()
	for i, p := range []*tokens.Provider{a, a, b, a} {
		_, err := p.Token(t.Context(), loc)
		var re *tokens.ReauthRequiredError
		if !errors.As(err, &re) {
			t.Fatalf("call %d: err = %v, want *ReauthRequiredError", i, err)
		}
		if re.LocationID != loc || re.RecordErr != nil || tokens.IsTemporary(err) || !errors.Is(err, tokens.ErrReauthRequired) {
			t.Errorf("call %d: %+v", i, re)
		}
	}
	in, puts := e.installs.get(loc)
	if in.Status != store.InstallReauthRequired || puts-basePuts != 1 || in.Reason == "" {
		t.Errorf("installation %+v after %d writes, want reauth_required written once", in, puts-basePuts)
	}
	// Container a sent the dead token once, b once; repeats are answered from memory.
	if n := e.oauth.calls.Load(); n != 2 {
		t.Errorf("refresh calls = %d, want 2", n)
	}

	// A new install replaces the token: after the recheck interval a works again.
	access, refresh := e.oauth.issue(loc)
	if _, err := b.StoreGrant(t.Context(), tokens.Grant{AccessToken: access, RefreshToken: refresh, ExpiresIn: 24 * time.Hour, UserType: tokens.UserTypeLocation, LocationID: loc}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	tok, err := a.Token(t.Context(), loc)
	if err != nil || tok.AccessToken != access.Reveal() {
		t.Fatalf("after re-install: token ok=%t err=%v", err == nil && tok.AccessToken == access.Reveal(), err)
	}
}

func TestLocationInactiveDoesNotConsumeTheToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		ttl       time.Duration
		wantError bool
	}{
		{"expired token: typed temporary error", -time.Minute, true},
		{"proactive window: still-valid token served", 3 * time.Minute, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			access, rt := e.seedOAuth(loc, tc.ttl)
			e.oauth.inactive = true
			p := e.provider()
			tok, err := p.Token(t.Context(), loc)
			if tc.wantError {
				if !errors.Is(err, tokens.ErrLocationInactive) || !tokens.IsTemporary(err) || errors.Is(err, tokens.ErrReauthRequired) {
					t.Fatalf("err = %v, want temporary ErrLocationInactive", err)
				}
			} else if err != nil || tok.AccessToken != access.Reveal() {
				t.Fatalf("got err %v, want the still-valid token", err)
			}
			if !e.oauth.isValid(rt) {
				t.Error("refresh token consumed")
			}
			if _, puts := e.installs.get(loc); puts != 0 {
				t.Errorf("installation writes = %d, want 0", puts)
			}
			e.oauth.mu.Lock()
			e.oauth.inactive = false
			e.oauth.mu.Unlock()
			if _, err := p.Token(t.Context(), loc); err != nil {
				t.Fatalf("after reactivation: %v", err)
			}
			if n := e.oauth.refreshes.Load(); n != 1 {
				t.Errorf("refreshes = %d, want 1", n)
			}
		})
	}
}

func TestAmbiguousRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		fail, lose    int
		wantCalls     int64
		wantRefreshes int64
		wantReauth    bool
		wantAmbiguous bool
	}{
		// The call never reached GHL: the one retry succeeds.
		{name: "first call lost before GHL", fail: 1, wantCalls: 2, wantRefreshes: 1},
		// GHL rotated but the answer was lost: the retry gets invalid_grant,
		// the new pair is gone, re-authorization is required.
		{name: "answer lost after GHL rotated", lose: 1, wantCalls: 2, wantRefreshes: 1, wantReauth: true},
		// Two unknown outcomes: stop after two uses of the same token.
		{name: "two unknown outcomes", fail: 5, wantCalls: 2, wantAmbiguous: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.seedOAuth(loc, -time.Minute)
			e.oauth.fail, e.oauth.lose = tc.fail, tc.lose
			_, err := e.provider().Token(t.Context(), loc)
			var re *tokens.ReauthRequiredError
			switch {
			case tc.wantReauth:
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want *ReauthRequiredError", err)
				}
			case tc.wantAmbiguous:
				if !errors.Is(err, tokens.ErrRefreshAmbiguous) || !tokens.IsTemporary(err) {
					t.Fatalf("err = %v, want temporary ErrRefreshAmbiguous", err)
				}
			case err != nil:
				t.Fatal(err)
			}
			got := []int64{e.oauth.calls.Load(), e.oauth.refreshes.Load()}
			if diff := cmp.Diff([]int64{tc.wantCalls, tc.wantRefreshes}, got); diff != "" {
				t.Errorf("[refresh calls, refreshes] (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPutRetriedAfterTimeoutMakesOneVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// One SDK attempt per call, so the token layer's own retry is exercised.
	e.client = e.sm.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	_, oldRT := e.seedOAuth(loc, -time.Minute)
	// The first PutSecretValue lands, then hangs until the client times out.
	e.sm.ResetCalls()
	e.sm.FailNext(secretstest.OpPutSecretValue, secretstest.Fault{AfterApply: true, Stall: true})
	p := e.provider(func(c *tokens.Config) { c.SecretsTimeout = 200 * time.Millisecond })
	tok, err := p.Token(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	name := "ghlsync/test/locations/" + loc
	ids := e.sm.VersionIDs(name)
	if len(ids) != 2 || ids[1] != tokens.ClientRequestToken(oldRT) {
		t.Errorf("versions = %v, want the seed and one refreshed version", ids)
	}
	if n := e.sm.Calls(secretstest.OpPutSecretValue); n != 2 {
		t.Errorf("PutSecretValue calls = %d, want 2 (timed out, retried)", n)
	}
	if cur := e.current(loc); cur.AccessToken.Reveal() != tok.AccessToken {
		t.Error("saved token differs from the returned one")
	}
}

func TestUnsavedRefreshKeepsLeaseAndIsSavedLater(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.client = e.sm.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	e.seedOAuth(loc, -time.Minute)
	e.sm.FailNext(secretstest.OpPutSecretValue, secretstest.Fault{Times: 1000})
	p := e.provider(func(c *tokens.Config) { c.PersistTimeout = 30 * time.Millisecond })
	_, err := p.Token(t.Context(), loc)
	if !tokens.IsTemporary(err) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
	if ok, _ := e.leases.AcquireLease(t.Context(), tokens.LocationLeaseName(loc), "other", time.Minute, e.clock.Now()); ok {
		t.Fatal("lease released while the refreshed pair is unsaved")
	}
	e.sm.ClearFaults()
	tok, err := p.Token(t.Context(), loc)
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
	if cur := e.current(loc); cur.AccessToken.Reveal() != tok.AccessToken {
		t.Error("pending pair not saved")
	}
	if ok, _ := e.leases.AcquireLease(t.Context(), tokens.LocationLeaseName(loc), "other", time.Minute, e.clock.Now()); !ok {
		t.Error("lease not released after saving")
	}
	if n := e.oauth.refreshes.Load(); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
}

package ghlauth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// TestContainerDiesBetweenGHLAnswerAndSecretWrite: a container refreshes,
// GHL consumes the old refresh token and answers, and the container dies
// before PutSecretValue (Lambda stopped at its deadline, OOM, crash). The
// new pair existed only in that process; the secret still holds the spent
// token. What the next containers see, and how re-authorization recovers.
func TestContainerDiesBetweenGHLAnswerAndSecretWrite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cli := w.container(t, "ghlsync-auth") // the `ghlsync auth` process
	w.authorize(t, cli)
	spent, _ := w.stored(t)
	w.clock.Advance(24 * time.Hour) // the stored access token has expired

	// Container A refreshes through the real adapter; once GHL has answered
	// the process freezes for good: nothing after the answer runs.
	answered := make(chan tokens.Grant, 1)
	dead := make(chan struct{})
	dying := tokens.RefresherFunc(func(ctx context.Context, rt tokens.Sensitive) (tokens.Grant, error) {
		g, err := w.refresher.Refresh(ctx, rt)
		if err != nil {
			return g, err
		}
		answered <- g
		<-dead
		return tokens.Grant{}, errors.New("container stopped")
	})
	a := w.container(t, "container-a", func(c *tokens.Config) { c.Refresher = dying })
	actx, stopA := context.WithCancel(t.Context())
	aDone := make(chan struct{})
	go func() {
		defer close(aDone)
		_, _ = a.Token(actx, w.loc)
	}()
	t.Cleanup(func() { stopA(); close(dead); <-aDone })
	lost := <-answered
	putsBefore := w.sm.Calls(secretstest.OpPutSecretValue)

	if now, _ := w.stored(t); now.RefreshToken != spent.RefreshToken {
		t.Fatal("the secret changed although the container died before writing it")
	}
	if r, _, _ := w.ghlTap.counts(); r != 1 {
		t.Fatalf("refresh grants = %d, want 1 (GHL consumed the stored refresh token)", r)
	}

	// 1. While the dead container's lease lives (LeaseTTL, 30 s), the next
	// container waits for a renewal that never comes: a temporary error
	// (503 / 429 to the sender), nothing sent to GHL.
	// The probe waits only briefly (real time) for the renewal; B, used from
	// step 2 on, keeps the default wait so a loaded machine cannot turn a
	// slow lease call into a spurious "renewal in progress".
	probe := w.container(t, "container-b-probe", func(c *tokens.Config) { c.MaxWait = 150 * time.Millisecond })
	_, err := probe.Token(t.Context(), w.loc)
	if !errors.Is(err, tokens.ErrRenewBusy) || !tokens.IsTemporary(err) {
		t.Fatalf("while the dead holder's lease lives: err = %v, want temporary ErrRenewBusy", err)
	}
	if r, _, _ := w.ghlTap.counts(); r != 1 {
		t.Fatalf("refresh grants = %d while the lease was held, want still 1", r)
	}

	// 2. The lease expires. B refreshes with the stored token, which GHL
	// already consumed: invalid_grant → re-read → the secret still holds
	// the rejected token → reauth_required.
	w.clock.Advance(31 * time.Second)
	b := w.container(t, "container-b")
	_, err = b.Token(t.Context(), w.loc)
	var reauth *tokens.ReauthRequiredError
	if !errors.As(err, &reauth) || tokens.IsTemporary(err) {
		t.Fatalf("after the lease expired: err = %v, want *tokens.ReauthRequiredError", err)
	}
	if reauth.LocationID != w.loc || reauth.RecordErr != nil || !strings.Contains(reauth.Reason, "invalid_grant") {
		t.Errorf("reauth = %+v, want location %s, recorded, reason naming invalid_grant", reauth, w.loc)
	}
	in, err := w.st.GetInstallation(t.Context(), w.loc)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != store.InstallReauthRequired || in.Reason != reauth.Reason {
		t.Errorf("installation = %s %q, want %s %q", in.Status, in.Reason, store.InstallReauthRequired, reauth.Reason)
	}
	for _, secret := range []tokens.Sensitive{spent.RefreshToken, spent.AccessToken, lost.RefreshToken, lost.AccessToken} {
		if s := fmt.Sprintf("%v %+v %s", err, reauth, in.Reason); strings.Contains(s, string(secret)) {
			t.Fatalf("a token leaked into the error or the installation: %s", s)
		}
	}

	// 3. Other containers reach the same conclusion; the installation is
	// marked once. A container that knows the token is dead does not send
	// it again until ReauthRecheck.
	c := w.container(t, "container-c")
	if _, err := c.Token(t.Context(), w.loc); !errors.As(err, &reauth) {
		t.Fatalf("container C: err = %v, want *tokens.ReauthRequiredError", err)
	}
	callsBefore := w.sb.RequestCount("get-access-token")
	if _, err := b.Token(t.Context(), w.loc); !errors.As(err, &reauth) {
		t.Fatalf("container B again: err = %v, want *tokens.ReauthRequiredError", err)
	}
	if n := w.sb.RequestCount("get-access-token"); n != callsBefore {
		t.Errorf("a container sent a token it knows is dead (%d token calls)", n-callsBefore)
	}
	_, _, invalid := w.ghlTap.counts()
	if n := w.st.reauthPuts.Load(); n != 1 || invalid != 2 {
		t.Errorf("reauth_required marks %d, invalid_grant answers %d; want 1 mark, 2 answers (B and C each tried once)", n, invalid)
	}
	if n := w.sm.Calls(secretstest.OpPutSecretValue) - putsBefore; n != 0 {
		t.Errorf("%d secret writes without a token to write", n)
	}

	// 4. Recovery: `ghlsync auth` (or re-installing from the marketplace,
	// through the OAuth callback) stores a new grant and marks the
	// installation active. New containers use it at once; containers that
	// saw the dead token notice it within ReauthRecheck.
	w.authorize(t, w.container(t, "ghlsync-auth-2"))
	in, err = w.st.GetInstallation(t.Context(), w.loc)
	if err != nil || in.Status != store.InstallActive || in.Reason != "" {
		t.Fatalf("installation after re-authorization = %+v, %v; want active", in, err)
	}
	fresh, _ := w.stored(t)
	d := w.container(t, "container-d")
	tok, err := d.Token(t.Context(), w.loc)
	if err != nil || tok.AccessToken != fresh.AccessToken.Reveal() {
		t.Fatalf("new container after re-authorization: err = %v, same as stored: %t", err, err == nil && tok.AccessToken == fresh.AccessToken.Reveal())
	}
	w.clock.Advance(time.Minute) // ReauthRecheck
	for name, p := range map[string]*tokens.Provider{"B": b, "C": c} {
		tok, err := p.Token(t.Context(), w.loc)
		if err != nil || tok.AccessToken != fresh.AccessToken.Reveal() {
			t.Fatalf("container %s after re-authorization: err = %v", name, err)
		}
	}
	if err := w.works(t, fresh.AccessToken.Reveal()); err != nil {
		t.Errorf("the re-authorized token does not work on GHL: %v", err)
	}
	// And the refresh cycle works again from the new pair.
	w.clock.Advance(24 * time.Hour)
	tok, err = d.Token(t.Context(), w.loc)
	if err != nil {
		t.Fatalf("refresh after re-authorization: %v", err)
	}
	if err := w.works(t, tok.AccessToken); err != nil {
		t.Errorf("the refreshed token does not work on GHL: %v", err)
	}
	if n := w.st.reauthPuts.Load(); n != 1 {
		t.Errorf("reauth_required marks = %d, want 1", n)
	}
}

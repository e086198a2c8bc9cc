package tokens

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Source is the token source of one location (or company). It implements
// oauth2.TokenSource, is safe for concurrent use, and keeps the last token
// in memory: a warm call costs no Secrets Manager request until the token is
// within RefreshMargin of expiry. Within one container a single goroutine
// renews at a time; across containers the store lease decides.
type Source struct {
	p       *Provider
	id      string
	company bool
	name    string // secret name
	lease   string // lease name
	sem     chan struct{}

	mu      sync.Mutex
	cur     *tokenSecret  // last secret seen or written
	pending *pendingWrite // renewed token not yet saved
	dead    *deadMark     // refresh token rejected for good
}

// pendingWrite is a renewed secret whose PutSecretValue has not succeeded.
type pendingWrite struct {
	body   []byte
	token  string // ClientRequestToken
	create bool   // create the secret if it does not exist (first mint)
}

// deadMark remembers a rejected refresh token so it is not sent again.
type deadMark struct {
	refresh Sensitive
	checked time.Time
	err     *ReauthRequiredError
}

// SecretName returns the Secrets Manager name of the source's secret.
func (s *Source) SecretName() string { return s.name }

// String describes the source without tokens.
func (s *Source) String() string {
	kind := "location"
	if s.company {
		kind = "company"
	}
	return fmt.Sprintf("tokens.Source{%s=%s secret=%s}", kind, s.id, s.name)
}

// Format prints String() for every verb.
func (s *Source) Format(f fmt.State, verb rune) { writeRedacted(f, verb, s.String()) }

// Token implements oauth2.TokenSource, bounded by Config.TokenTimeout.
// Prefer TokenContext (or Provider.TokenSource) inside an invocation.
func (s *Source) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.p.cfg.TokenTimeout)
	defer cancel()
	return s.TokenContext(ctx)
}

// TokenContext returns a token valid for at least MinValidity, renewing it
// (refresh, or mint for agency-minted location tokens) when it is within
// RefreshMargin of expiry. The returned token carries no refresh token.
//
// Errors: *ReauthRequiredError (installation marked reauth_required; answer
// 503), *Error with Temporary set (retry later), *Error wrapping ErrNoSecret
// (not installed) or ErrMalformedSecret.
func (s *Source) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if t := s.cached(); t != nil {
		return t, nil
	}
	if err := s.lock(ctx); err != nil {
		return nil, s.errorf("wait for token source", true, err)
	}
	defer s.unlock()
	if t := s.cached(); t != nil {
		return t, nil
	}
	return s.slow(ctx)
}

// Invalidate drops the cached token (e.g. after GHL answered 401), so the
// next call re-reads the secret. It does not force a refresh.
func (s *Source) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = nil
}

func (s *Source) lock(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (s *Source) unlock() { <-s.sem }

// cached returns the cached token if it needs no work.
func (s *Source) cached() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending != nil || s.dead != nil || s.cur == nil || !s.fresh(*s.cur) {
		return nil
	}
	return toOAuth2(*s.cur)
}

// current returns the cached token regardless of freshness.
func (s *Source) current() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return nil
	}
	return toOAuth2(*s.cur)
}

func (s *Source) setCur(t tokenSecret) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = &t
}

func (s *Source) fresh(t tokenSecret) bool {
	return t.pit != nil || t.oauth.ExpiresAt.Sub(s.p.cfg.Now()) > s.p.cfg.RefreshMargin
}

func (s *Source) usable(t *tokenSecret) bool {
	return t != nil && (t.pit != nil || t.oauth.ExpiresAt.Sub(s.p.cfg.Now()) > s.p.cfg.MinValidity)
}

func toOAuth2(t tokenSecret) *oauth2.Token {
	if t.pit != nil {
		return &oauth2.Token{AccessToken: t.pit.Token.Reveal(), TokenType: "Bearer"}
	}
	return &oauth2.Token{AccessToken: t.oauth.AccessToken.Reveal(), TokenType: "Bearer", Expiry: t.oauth.ExpiresAt}
}

// errorf wraps err with the operation and the source's id.
func (s *Source) errorf(op string, temporary bool, err error) *Error {
	return &Error{Op: op, ID: s.id, Company: s.company, Temporary: temporary, Err: err}
}

// slow runs with the source locked: saves a pending write, honours a
// reauth state, loads the secret and renews it when needed.
func (s *Source) slow(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	pending, dead, before := s.pending, s.dead, s.cur
	s.mu.Unlock()

	if pending != nil {
		// Keep the lease while the renewed token is unsaved: others must not
		// refresh the consumed token stored in the secret.
		_, _ = s.p.cfg.Leases.AcquireLease(ctx, s.lease, s.p.cfg.Owner, s.p.cfg.LeaseTTL, s.p.cfg.Now())
		if err := s.persist(ctx, pending); err != nil {
			return nil, err
		}
		s.release(ctx)
		if t := s.cached(); t != nil {
			return t, nil
		}
	}

	if dead != nil {
		if s.p.cfg.Now().Sub(dead.checked) < s.p.cfg.ReauthRecheck {
			return nil, dead.err
		}
		st, err := s.read(ctx)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		if st.refreshToken() == dead.refresh && st.oauth != nil {
			s.dead.checked = s.p.cfg.Now()
			s.mu.Unlock()
			return nil, dead.err
		}
		s.dead = nil // a new install replaced the token
		s.cur = &st
		s.mu.Unlock()
		if s.fresh(st) {
			return toOAuth2(st), nil
		}
	} else {
		st, err := s.read(ctx)
		if err != nil {
			if IsTemporary(err) && s.usable(before) {
				return toOAuth2(*before), nil
			}
			return nil, err
		}
		s.setCur(st)
		if s.fresh(st) {
			return toOAuth2(st), nil
		}
		before = &st
	}

	err := s.renew(ctx, "")
	if err == nil {
		return s.current(), nil
	}
	// A proactive renewal that failed for a passing reason still leaves a
	// usable token; an unsaved renewal must be reported.
	if IsTemporary(err) && !errors.Is(err, errNotSaved) && s.usable(before) {
		return toOAuth2(*before), nil
	}
	return nil, err
}

// renew takes the lease and renews, or waits for the container that holds
// it. mintFrom, if set, is the company to mint from when the secret is missing.
func (s *Source) renew(ctx context.Context, mintFrom string) error {
	cfg := &s.p.cfg
	waitCtx, cancel := context.WithTimeout(ctx, cfg.MaxWait)
	defer cancel()
	delay := cfg.PollInterval
	for {
		ok, err := cfg.Leases.AcquireLease(waitCtx, s.lease, cfg.Owner, cfg.LeaseTTL, cfg.Now())
		if err != nil {
			if werr := waitCtx.Err(); werr != nil {
				return s.errorf("wait for renewal by another container", true, fmt.Errorf("%w: %w", ErrRenewBusy, context.Cause(waitCtx)))
			}
			return s.errorf("acquire renewal lease", true, err)
		}
		if ok {
			return s.hold(ctx, mintFrom)
		}
		if err := sleep(waitCtx, s.p.jitter(delay)); err != nil {
			return s.errorf("wait for renewal by another container", true, fmt.Errorf("%w: %w", ErrRenewBusy, err))
		}
		delay = min(delay*3/2, 4*cfg.PollInterval)
		st, err := s.read(waitCtx)
		if err != nil {
			continue // keep waiting: the holder may be creating or fixing it
		}
		s.setCur(st)
		if s.fresh(st) {
			return nil
		}
	}
}

// release frees the lease unless a renewed token is still unsaved.
func (s *Source) release(ctx context.Context) {
	s.mu.Lock()
	pending := s.pending != nil
	s.mu.Unlock()
	if pending {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.p.cfg.SecretsTimeout)
	defer cancel()
	// A failed release only makes others wait for the lease to expire.
	_ = s.p.cfg.Leases.ReleaseLease(rctx, s.lease, s.p.cfg.Owner)
}

// hold runs with the lease held: re-read, and renew only if still needed.
func (s *Source) hold(ctx context.Context, mintFrom string) error {
	defer s.release(ctx)
	crit, cancel := context.WithTimeout(ctx, s.p.cfg.LeaseTTL*2/3)
	defer cancel()

	st, err := s.read(crit)
	switch {
	case errors.Is(err, ErrNoSecret) && mintFrom != "" && !s.company:
		return s.mint(ctx, crit, mintFrom, nil)
	case err != nil:
		return err
	}
	s.setCur(st)
	if s.fresh(st) {
		return nil
	}
	o := st.oauth
	switch {
	case o.RefreshToken != "":
		return s.refresh(ctx, crit, st)
	case !s.company && o.CompanyID != "":
		return s.mint(ctx, crit, o.CompanyID, o)
	}
	return s.reauth(ctx, *o, "token has no refresh token")
}

// refresh exchanges the refresh token in st, following the single-use rules:
// invalid_grant → re-read once (someone may have rotated it) → reauth if the
// secret still holds the rejected token; unknown outcome → re-read, and
// retry the same token at most once.
func (s *Source) refresh(ctx, crit context.Context, st tokenSecret) error {
	ref, err := s.p.refresher(crit)
	if err != nil {
		permanent := errors.Is(err, ErrNotConfigured) || errors.Is(err, ErrNoSecret) || errors.Is(err, ErrMalformedSecret)
		return s.errorf("refresh", !permanent, err)
	}
	old := *st.oauth
	uses := 0        // calls with old.RefreshToken
	unknown := false // a call with old.RefreshToken had no clear answer
	for range 4 {
		if err := s.canSend(ctx, crit); err != nil {
			if unknown {
				err = fmt.Errorf("%w: %w", ErrRefreshAmbiguous, err)
			}
			return s.errorf("refresh", true, err)
		}
		started := s.p.cfg.Now()
		g, err := s.send(crit, ref, old.RefreshToken)
		uses++
		if err == nil {
			return s.saveRefreshed(ctx, old, g, started)
		}
		err = scrub(err, old.RefreshToken, old.AccessToken)
		switch {
		case errors.Is(err, ErrLocationInactive):
			return s.errorf("refresh", true, err)
		case errors.Is(err, ErrInvalidGrant):
			now, rerr := s.read(crit)
			if rerr != nil {
				return s.errorf("re-read after invalid grant", true, rerr)
			}
			s.setCur(now)
			if now.refreshToken() == old.RefreshToken {
				reason := "refresh token rejected (invalid_grant)"
				if unknown {
					reason = "refresh token rejected (invalid_grant) after an unanswered refresh call; the new token was lost"
				}
				return s.reauth(ctx, old, reason)
			}
			if s.fresh(now) || now.oauth == nil || now.oauth.RefreshToken == "" {
				return nil // rotated or replaced by someone else
			}
			old, uses, unknown = *now.oauth, 0, false
		default:
			if crit.Err() != nil {
				return s.errorf("refresh", true, fmt.Errorf("%w: %w", ErrRefreshAmbiguous, err))
			}
			now, rerr := s.read(crit)
			if rerr != nil {
				return s.errorf("re-read after failed refresh", true, fmt.Errorf("%w: %w", ErrRefreshAmbiguous, err))
			}
			s.setCur(now)
			if now.refreshToken() != old.RefreshToken {
				if s.fresh(now) || now.oauth == nil || now.oauth.RefreshToken == "" {
					return nil
				}
				old, uses, unknown = *now.oauth, 0, false
				continue
			}
			if uses >= 2 {
				return s.errorf("refresh", true, fmt.Errorf("%w: %w", ErrRefreshAmbiguous, err))
			}
			unknown = true
		}
	}
	return s.errorf("refresh", true, fmt.Errorf("%w: the token kept rotating while refreshing", ErrRefreshAmbiguous))
}

// canSend reports why a refresh token must not be sent now: the caller's
// context is done, or ends within RefreshReserve, too soon to save GHL's
// answer. Nothing is consumed by not sending.
func (s *Source) canSend(ctx, crit context.Context) error {
	if crit.Err() != nil {
		return context.Cause(crit)
	}
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < s.p.cfg.RefreshReserve {
			return fmt.Errorf("%w: %s left before the caller's deadline, less than the %s reserve for refreshing and saving",
				context.DeadlineExceeded, left.Round(time.Millisecond), s.p.cfg.RefreshReserve)
		}
	}
	return nil
}

// send makes one refresh call. Once sent, the call is not abandoned when
// the caller gives up (cancellation): GHL may consume the token, and only
// its answer, saved next, keeps the installation working. The call keeps
// crit's deadline (the lease bound, and the caller's deadline, past which a
// Lambda is stopped anyway).
func (s *Source) send(crit context.Context, ref Refresher, rt Sensitive) (Grant, error) {
	cctx := context.WithoutCancel(crit)
	if dl, ok := crit.Deadline(); ok {
		var cancel context.CancelFunc
		cctx, cancel = context.WithDeadline(cctx, dl)
		defer cancel()
	}
	return ref.Refresh(cctx, rt)
}

// saveRefreshed writes the new pair under the ClientRequestToken derived
// from the consumed refresh token.
func (s *Source) saveRefreshed(ctx context.Context, old OAuthSecret, g Grant, started time.Time) error {
	if g.AccessToken == "" {
		return s.errorf("refresh", false, fmt.Errorf("%w: refresh grant without access token", ErrMalformedSecret))
	}
	sec := OAuthSecret{
		AccessToken: g.AccessToken, RefreshToken: g.RefreshToken, ExpiresAt: started.Add(g.ExpiresIn),
		Scope: or(g.Scope, old.Scope), UserType: or(g.UserType, old.UserType),
		CompanyID: or(g.CompanyID, old.CompanyID), LocationID: or(g.LocationID, old.LocationID),
	}
	s.setCur(tokenSecret{oauth: &sec})
	return s.persist(ctx, &pendingWrite{body: encodeOAuth(sec), token: ClientRequestToken(old.RefreshToken)})
}

// mint renews a location token from its company's token. old is the
// current minted secret, nil if the location has none yet.
func (s *Source) mint(ctx, crit context.Context, companyID string, old *OAuthSecret) error {
	if s.p.cfg.Minter == nil {
		return s.errorf("mint location token", false, fmt.Errorf("%w: no LocationTokenMinter", ErrNotConfigured))
	}
	cs, err := s.p.CompanySource(companyID)
	if err != nil {
		return s.errorf("mint location token", false, err)
	}
	ctok, err := cs.TokenContext(crit)
	if err != nil {
		return err // the company's own typed error (reauth, temporary, …)
	}
	companyToken := Sensitive(ctok.AccessToken)
	started := s.p.cfg.Now()
	g, err := s.p.cfg.Minter.MintLocationToken(crit, companyToken, companyID, s.id)
	if err != nil {
		err = scrub(err, companyToken)
		if errors.Is(err, ErrInvalidGrant) {
			cs.Invalidate() // the company token was refused: re-read it next time
		}
		return s.errorf("mint location token", true, err)
	}
	if g.AccessToken == "" {
		return s.errorf("mint location token", false, fmt.Errorf("%w: minted grant without access token", ErrMalformedSecret))
	}
	sec := OAuthSecret{
		AccessToken: g.AccessToken, RefreshToken: g.RefreshToken, ExpiresAt: started.Add(g.ExpiresIn),
		Scope: g.Scope, UserType: UserTypeLocation, CompanyID: companyID, LocationID: s.id,
	}
	if old != nil && sec.Scope == "" {
		sec.Scope = old.Scope
	}
	s.setCur(tokenSecret{oauth: &sec})
	return s.persist(ctx, &pendingWrite{body: encodeOAuth(sec), token: versionToken("mint", string(g.AccessToken)), create: old == nil})
}

// reauth marks the installation reauth_required (once) and remembers the
// rejected token so it is not sent again.
func (s *Source) reauth(ctx context.Context, sec OAuthSecret, reason string) error {
	e := &ReauthRequiredError{SecretName: s.name, Reason: reason, CompanyID: sec.CompanyID}
	if s.company {
		e.CompanyID = s.id
	} else {
		e.LocationID = s.id
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.p.cfg.PersistTimeout)
	defer cancel()
	e.RecordErr = s.p.markReauth(rctx, s, sec.CompanyID, reason)
	s.mu.Lock()
	s.dead = &deadMark{refresh: sec.RefreshToken, checked: s.p.cfg.Now(), err: e}
	s.mu.Unlock()
	return e
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

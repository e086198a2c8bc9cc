package tokens

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/store"
)

// stageCurrent is always passed explicitly: some emulators (moto) return a
// stale version when it is left out.
const stageCurrent = "AWSCURRENT"

// read fetches and decodes the AWSCURRENT version of the source's secret.
func (s *Source) read(ctx context.Context) (tokenSecret, error) {
	cctx, cancel := context.WithTimeout(ctx, s.p.cfg.SecretsTimeout)
	defer cancel()
	out, err := s.p.cfg.Secrets.GetSecretValue(cctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(s.name), VersionStage: aws.String(stageCurrent),
	})
	if err != nil {
		if isGone(err) {
			return tokenSecret{}, s.errorf("read secret", false, fmt.Errorf("%w: %w", ErrNoSecret, err))
		}
		return tokenSecret{}, s.errorf("read secret", true, err)
	}
	if out.SecretString == nil {
		return tokenSecret{}, s.errorf("read secret", false, fmt.Errorf("%w: binary secret", ErrMalformedSecret))
	}
	t, err := parseTokenSecret([]byte(*out.SecretString))
	if err != nil {
		return tokenSecret{}, s.errorf("read secret", false, err)
	}
	if loc := t.locationID(); !s.company && loc != "" && loc != s.id {
		return tokenSecret{}, s.errorf("read secret", false, fmt.Errorf("%w: secret belongs to location %s", ErrMalformedSecret, loc))
	}
	if t.pit != nil && s.company {
		return tokenSecret{}, s.errorf("read secret", false, fmt.Errorf("%w: PIT in a company secret", ErrMalformedSecret))
	}
	return t, nil
}

func (t tokenSecret) locationID() string {
	if t.pit != nil {
		return t.pit.LocationID
	}
	return t.oauth.LocationID
}

// isGone reports a secret that does not exist or is scheduled for deletion.
func isGone(err error) bool {
	var nf *types.ResourceNotFoundException
	var ir *types.InvalidRequestException
	return errors.As(err, &nf) || errors.As(err, &ir)
}

// isPermanentWrite reports write errors a retry cannot fix.
func isPermanentWrite(err error) bool {
	var ex *types.ResourceExistsException
	var ip *types.InvalidParameterException
	return isGone(err) || errors.As(err, &ex) || errors.As(err, &ip)
}

// persist saves w, retrying with the same ClientRequestToken (a retry of a
// write that did land is ignored by Secrets Manager) until PersistTimeout.
// It goes on when ctx ends: the renewed token exists only in memory. On
// failure w stays pending, the lease stays held and the next call retries.
func (s *Source) persist(ctx context.Context, w *pendingWrite) error {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.p.cfg.PersistTimeout)
	defer cancel()
	err := s.write(pctx, w.body, w.token, w.create)
	s.mu.Lock()
	if err != nil {
		s.pending = w
	} else {
		s.pending = nil
	}
	s.mu.Unlock()
	if err != nil {
		return s.errorf("save renewed token", true, fmt.Errorf("%w: %w", errNotSaved, err))
	}
	return nil
}

// write puts body as the new AWSCURRENT version with ClientRequestToken
// token, creating the secret when create is set and it does not exist.
func (s *Source) write(ctx context.Context, body []byte, token string, create bool) error {
	cfg := &s.p.cfg
	var err error
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, cfg.SecretsTimeout)
		_, err = cfg.Secrets.PutSecretValue(cctx, &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(s.name), SecretString: aws.String(string(body)), ClientRequestToken: aws.String(token),
		})
		var nf *types.ResourceNotFoundException
		if err != nil && create && errors.As(err, &nf) {
			_, err = cfg.Secrets.CreateSecret(cctx, &secretsmanager.CreateSecretInput{
				Name: aws.String(s.name), SecretString: aws.String(string(body)), ClientRequestToken: aws.String(token),
				Description: aws.String("ghlsync GHL token"),
			})
			var ex *types.ResourceExistsException
			if errors.As(err, &ex) {
				cancel()
				continue // created meanwhile by someone else: put a new version
			}
		}
		cancel()
		if err == nil || isPermanentWrite(err) {
			return err
		}
		backoff := min(cfg.PollInterval<<min(attempt, 4), 2*time.Second)
		if serr := sleep(ctx, s.p.jitter(backoff)); serr != nil {
			return err
		}
	}
}

// store writes a secret given by the install flow and caches it.
func (s *Source) store(ctx context.Context, t tokenSecret, body []byte, token string) (*oauth2.Token, error) {
	if err := s.lock(ctx); err != nil {
		return nil, s.errorf("wait for token source", true, err)
	}
	defer s.unlock()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.p.cfg.PersistTimeout)
	defer cancel()
	if err := s.write(wctx, body, token, true); err != nil {
		return nil, s.errorf("save token secret", !isPermanentWrite(err), err)
	}
	s.mu.Lock()
	s.cur, s.dead, s.pending = &t, nil, nil
	s.mu.Unlock()
	return toOAuth2(t), nil
}

// markReauth records reauth_required on the installation, once.
func (p *Provider) markReauth(ctx context.Context, s *Source, companyID, reason string) error {
	if p.cfg.Installations == nil {
		return fmt.Errorf("%w: no Installations store", ErrNotConfigured)
	}
	in, err := p.cfg.Installations.GetInstallation(ctx, s.id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		in = &store.Installation{LocationID: s.id}
	case err != nil:
		return fmt.Errorf("get installation %s: %w", s.id, err)
	case in.Status == store.InstallReauthRequired:
		return nil // recorded already (by this or another container)
	}
	in.Status = store.InstallReauthRequired
	in.Reason = reason
	in.UpdatedAt = p.cfg.Now()
	if in.SecretName == "" {
		in.SecretName = s.name
	}
	if s.company {
		in.CompanyID = s.id
	} else if in.CompanyID == "" {
		in.CompanyID = companyID
	}
	if err := p.cfg.Installations.PutInstallation(ctx, *in); err != nil {
		return fmt.Errorf("put installation %s: %w", s.id, err)
	}
	return nil
}

// LoadAppSecret reads the marketplace app secret ({client_id, client_secret}).
func LoadAppSecret(ctx context.Context, api SecretsAPI, name string) (AppSecret, error) {
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(name), VersionStage: aws.String(stageCurrent),
	})
	if err != nil {
		if isGone(err) {
			return AppSecret{}, fmt.Errorf("tokens: read app secret %s: %w: %w", name, ErrNoSecret, err)
		}
		return AppSecret{}, fmt.Errorf("tokens: read app secret %s: %w", name, err)
	}
	if out.SecretString == nil {
		return AppSecret{}, fmt.Errorf("tokens: read app secret %s: %w: binary secret", name, ErrMalformedSecret)
	}
	a, err := ParseAppSecret([]byte(*out.SecretString))
	if err != nil {
		return AppSecret{}, fmt.Errorf("tokens: read app secret %s: %w", name, err)
	}
	return a, nil
}

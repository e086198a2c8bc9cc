package syncapp

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/incidentio"
	"github.com/ghlsync/ghlsync/internal/peer/peersecret"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/sweep"
)

// PeerAPITimeout bounds one request to the peer's API (incident.io); the
// client's retries come on top, bounded by the invocation's deadline.
const PeerAPITimeout = 20 * time.Second

// Option configures NewApp and New.
type Option func(*options)

type options struct {
	peer config.PeerConfig
	// progress is the sweep Runner's progress hook (WithProgress, app.go).
	progress func(sweep.LocationReport)
}

// WithPeer selects the peer connector, as config.PeerFromEnv reads it
// (PEER and the incident.io settings). Without it NewApp and New build the
// Standard Webhooks peer. LoadApp passes it.
func WithPeer(pc config.PeerConfig) Option {
	return func(o *options) { o.peer = pc }
}

func newOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// NewPeer builds the peer connector pc selects, with its keys from the
// peer secret ps (read from cfg.PeerSecretName):
//
//   - stdwebhooks (also when pc.Peer is empty): outbound deliveries to
//     cfg.PeerWebhookURL, else the secret's webhook_url, signed with
//     signing_secret; inbound ones verified with signing_secret and
//     previous_signing_secret.
//   - incidentio: the incident.io API with incidentio_api_key; inbound
//     webhooks verified with any of incidentio_signing_secrets (one per
//     incident.io webhook endpoint). Both fields are required.
//
// Errors name the secret and its fields, never a value.
func NewPeer(cfg config.Config, pc config.PeerConfig, ps peersecret.Secret) (crmsync.Peer, error) {
	switch pc.Peer {
	case "", config.PeerStdWebhooks:
		url := cfg.PeerWebhookURL
		if url == "" {
			url = ps.WebhookURL
		}
		conn, err := stdwebhooks.New(stdwebhooks.Config{URL: url, Secret: ps.SigningSecret, PreviousSecret: ps.PreviousSigningSecret,
			LocationID: cfg.DefaultLocationID})
		if err != nil {
			return nil, err
		}
		return conn, nil
	case config.PeerIncidentIO:
		var missing []string
		if ps.IncidentIOAPIKey == "" {
			missing = append(missing, "incidentio_api_key (the incident.io API key)")
		}
		if len(ps.IncidentIOSigningSecrets) == 0 {
			missing = append(missing, "incidentio_signing_secrets (the signing secret of each incident.io webhook endpoint)")
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("peer secret %s: PEER=incidentio needs %s", cfg.PeerSecretName, strings.Join(missing, " and "))
		}
		conn, err := incidentio.New(incidentio.Config{
			APIKey:            string(ps.IncidentIOAPIKey),
			BaseURL:           pc.IncidentIOBaseURL,
			HTTPClient:        &http.Client{Timeout: PeerAPITimeout},
			CatalogTypeName:   pc.IncidentIOCatalogType,
			CustomField:       pc.IncidentIOCustomField,
			DefaultLocationID: cfg.DefaultLocationID,
			GHLAppURL:         pc.GHLAppURL,
			Secrets:           ps.IncidentIOSigningSecrets,
		})
		if err != nil {
			return nil, err
		}
		return conn, nil
	}
	return nil, fmt.Errorf("PEER: unknown peer %q (want %s or %s)", pc.Peer, config.PeerStdWebhooks, config.PeerIncidentIO)
}

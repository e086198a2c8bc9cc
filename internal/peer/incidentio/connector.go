package incidentio

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	iio "github.com/ghlsync/ghlsync/internal/incidentio"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Name is the connector's name (crmsync.Peer.Name).
const Name = "incidentio"

// Defaults applied by New.
const (
	DefaultCatalogTypeName = "GHL Contact"
	DefaultCustomField     = "GHL contacts"
	DefaultGHLAppURL       = "https://app.gohighlevel.com"
	// DefaultTaskDue is how long after a follow-up or action was created
	// its GHL task is due (incident.io tasks have no due date; GHL
	// requires one).
	DefaultTaskDue = 7 * 24 * time.Hour
	// DefaultMaxBody bounds an inbound webhook body.
	DefaultMaxBody = 256 << 10
	// catalogTypeName is the type_name of the catalog type; it cannot be
	// changed after creation.
	catalogTypeName = `Custom["GhlContact"]`
)

// Config configures a Connector.
type Config struct {
	// Client is the incident.io client. When nil, one is built from
	// APIKey (required then), BaseURL and HTTPClient.
	Client *iio.Client
	// APIKey is the incident.io API key (the peer secret's
	// incidentio_api_key).
	APIKey string
	// BaseURL overrides the API base URL (tests).
	BaseURL string
	// HTTPClient sends API requests when Client is nil.
	HTTPClient *http.Client
	// CatalogTypeName is the catalog type holding GHL contacts;
	// DefaultCatalogTypeName when empty. Created with its schema on first
	// use.
	CatalogTypeName string
	// CustomField is the id or name of the incident custom field (a
	// catalog-backed multi_select on the catalog type) naming an
	// incident's GHL contacts; DefaultCustomField when empty.
	CustomField string
	// DefaultLocationID is the GHL location of contacts whose catalog
	// entry names none.
	DefaultLocationID string
	// GHLAppURL is the GHL web app, for deep links; DefaultGHLAppURL when
	// empty.
	GHLAppURL string
	// Secrets verify inbound webhooks: the signing secret of each
	// incident.io webhook endpoint (each Svix endpoint has its own), plus
	// previous ones during a rotation. At least one is required.
	Secrets []webhook.Secret
	// Window bounds the skew of webhook-timestamp (webhook.DefaultWindow
	// when zero).
	Window time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// TaskDue is the due delay of GHL tasks (DefaultTaskDue when zero).
	TaskDue time.Duration
	// MaxBody bounds an inbound body (DefaultMaxBody when zero).
	MaxBody int64
}

// String describes the configuration without the API key or secrets.
func (c Config) String() string {
	return fmt.Sprintf("incidentio.Config{api_key=%t secrets=%d catalog_type=%q custom_field=%q base_url=%q}",
		c.APIKey != "", len(c.Secrets), c.CatalogTypeName, c.CustomField, c.BaseURL)
}

// GoString redacts the configuration in %#v.
func (c Config) GoString() string { return c.String() }

// LogValue implements slog.LogValuer without the API key or secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("api_key", c.APIKey != ""), slog.Int("secrets", len(c.Secrets)),
		slog.String("catalog_type", c.CatalogTypeName), slog.String("custom_field", c.CustomField))
}

// Connector is the incident.io peer: contacts go to a catalog, incidents,
// follow-ups, actions and incident updates come back as GHL contacts,
// tags, tasks and notes. It is safe for concurrent use.
type Connector struct {
	api      *iio.Client
	typeName string
	field    string
	location string
	appURL   string
	verifier webhook.StandardVerifier
	now      func() time.Time
	taskDue  time.Duration
	maxBody  int64
	typeMu   sync.Mutex
	ctype    *contactType // nil until ensured
	fieldMu  sync.Mutex
	fieldID  string // resolved id of the custom field
}

var _ crmsync.Peer = (*Connector)(nil)

// New checks cfg and returns a Connector. Errors name the setting, never
// its value.
func New(cfg Config) (*Connector, error) {
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("incidentio connector: Secrets: at least one webhook signing secret is required")
	}
	c := &Connector{api: cfg.Client, typeName: cfg.CatalogTypeName, field: cfg.CustomField, location: cfg.DefaultLocationID,
		appURL: strings.TrimRight(cfg.GHLAppURL, "/"), now: cfg.Now, taskDue: cfg.TaskDue, maxBody: cfg.MaxBody}
	if c.api == nil {
		if strings.TrimSpace(cfg.APIKey) == "" {
			return nil, errors.New("incidentio connector: APIKey is required (peer secret field incidentio_api_key)")
		}
		opts := []iio.Option{iio.WithAPIKey(cfg.APIKey)}
		if cfg.BaseURL != "" {
			opts = append(opts, iio.WithBaseURL(cfg.BaseURL))
		}
		api, err := iio.NewClient(cfg.HTTPClient, opts...)
		if err != nil {
			return nil, fmt.Errorf("incidentio connector: %w", err)
		}
		c.api = api
	}
	if c.typeName == "" {
		c.typeName = DefaultCatalogTypeName
	}
	if c.field == "" {
		c.field = DefaultCustomField
	}
	if c.appURL == "" {
		c.appURL = DefaultGHLAppURL
	}
	if u, err := url.Parse(c.appURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("incidentio connector: GHLAppURL must be an absolute http(s) URL")
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.taskDue <= 0 {
		c.taskDue = DefaultTaskDue
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	c.verifier = webhook.StandardVerifier{Secrets: cfg.Secrets, Window: cfg.Window, Now: c.now}
	return c, nil
}

// Name returns "incidentio".
func (c *Connector) Name() string { return Name }

// peerError classifies an API failure for the flows: transient failures
// wrap crmsync.ErrPeerUnavailable; refusals are *crmsync.PeerRejectedError.
func peerError(op string, err error) error {
	var apiErr *iio.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, iio.ErrAmbiguous):
		return fmt.Errorf("%s: %w: %w", op, crmsync.ErrPeerUnavailable, err)
	case errors.As(err, &apiErr):
		s := apiErr.StatusCode
		if s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500 {
			return fmt.Errorf("%s: %w: %w", op, crmsync.ErrPeerUnavailable, err)
		}
		msg := apiErr.Type
		if len(apiErr.Errors) > 0 {
			msg += ": " + apiErr.Errors[0].Message
		}
		return &crmsync.PeerRejectedError{Status: s, Message: op + ": " + msg}
	case errors.Is(err, iio.ErrInvalidArgument):
		return &crmsync.PeerRejectedError{Status: http.StatusUnprocessableEntity, Message: op + ": " + err.Error()}
	}
	return fmt.Errorf("%s: %w: %w", op, crmsync.ErrPeerUnavailable, err)
}

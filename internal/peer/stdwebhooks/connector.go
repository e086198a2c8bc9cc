package stdwebhooks

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Name is the connector's name (crmsync.Peer.Name).
const Name = "stdwebhooks"

// Defaults applied by New.
const (
	// DefaultMaxBody bounds an inbound body (the API Gateway edge bounds it
	// too) and the part of a peer's answer that is read.
	DefaultMaxBody = 256 << 10
	// DefaultTimeout bounds one outbound delivery with the default client.
	DefaultTimeout = 15 * time.Second
	// DefaultUserAgent is sent with every delivery.
	DefaultUserAgent = "ghlsync-stdwebhooks/1"
)

// outboundKinds are the kinds ghlsync sends events for; each needs a URL.
var outboundKinds = []crmsync.Kind{crmsync.KindContact, crmsync.KindTask, crmsync.KindNote, crmsync.KindAppointment}

// Config configures a Connector.
type Config struct {
	// URL receives every outbound delivery, unless URLs names another URL
	// for the event's kind. Absolute http or https. Either URL or a URL per
	// kind (contact, task, note, appointment) is required.
	URL string
	// URLs overrides URL per entity kind.
	URLs map[crmsync.Kind]string
	// Secret signs outbound deliveries and verifies inbound ones. Required.
	Secret webhook.Secret
	// PreviousSecret, during a rotation, still verifies inbound deliveries.
	PreviousSecret webhook.Secret
	// Window bounds the skew of an inbound webhook-timestamp;
	// webhook.DefaultWindow (5 min) when zero.
	Window time.Duration
	// HTTPClient sends outbound deliveries. The default has DefaultTimeout
	// and does not follow redirects (a 3xx is a refusal).
	HTTPClient *http.Client
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// LocationID is used for inbound events without locationId: a
	// single-location deployment whose peer does not send one.
	LocationID string
	// MaxBody bounds an inbound body; DefaultMaxBody when zero.
	MaxBody int64
	// UserAgent is sent with every delivery; DefaultUserAgent when empty.
	UserAgent string
}

// Connector is the Standard Webhooks peer. It is safe for concurrent use.
type Connector struct {
	urls      map[crmsync.Kind]string
	secret    webhook.Secret
	verifier  webhook.StandardVerifier
	client    *http.Client
	now       func() time.Time
	location  string
	maxBody   int64
	userAgent string
}

var _ crmsync.Peer = (*Connector)(nil)

// New checks cfg and returns a Connector. Errors name the setting, never
// its value (a URL may carry a token).
func New(cfg Config) (*Connector, error) {
	if len(cfg.Secret) == 0 {
		return nil, errors.New("stdwebhooks: Secret is required")
	}
	c := &Connector{
		urls:      map[crmsync.Kind]string{},
		secret:    cfg.Secret,
		client:    cfg.HTTPClient,
		now:       cfg.Now,
		location:  cfg.LocationID,
		maxBody:   cfg.MaxBody,
		userAgent: cfg.UserAgent,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.client == nil {
		c.client = &http.Client{
			Timeout:       DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	secrets := []webhook.Secret{cfg.Secret}
	if len(cfg.PreviousSecret) > 0 {
		secrets = append(secrets, cfg.PreviousSecret)
	}
	c.verifier = webhook.StandardVerifier{Secrets: secrets, Window: cfg.Window, Now: c.now}
	for k := range cfg.URLs {
		if !isOutboundKind(k) {
			return nil, fmt.Errorf("stdwebhooks: URLs[%q]: not an entity kind (want contact, task, note or appointment)", k)
		}
	}
	for _, k := range outboundKinds {
		u, setting := cfg.URLs[k], fmt.Sprintf("URLs[%s]", k)
		if u == "" {
			u, setting = cfg.URL, "URL"
		}
		if u == "" {
			return nil, fmt.Errorf("stdwebhooks: no outbound URL for %s events: set URL or URLs[%s]", k, k)
		}
		if err := checkURL(u); err != nil {
			return nil, fmt.Errorf("stdwebhooks: %s: %w", setting, err)
		}
		c.urls[k] = u
	}
	return c, nil
}

func isOutboundKind(k crmsync.Kind) bool {
	for _, o := range outboundKinds {
		if k == o {
			return true
		}
	}
	return false
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	return nil
}

// Name returns "stdwebhooks".
func (c *Connector) Name() string { return Name }

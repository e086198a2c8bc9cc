package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is what every ghlsync function reads from its environment.
type Config struct {
	// Stage names the deployment (dev, prod); part of secret names.
	Stage string // STAGE, default "dev"
	// TableName is the DynamoDB table of state and idempotency records.
	TableName string // TABLE_NAME, required
	// SecretPrefix prefixes token secrets: <prefix>/locations/<locationId>
	// and <prefix>/companies/<companyId>.
	SecretPrefix string // SECRET_PREFIX, default "ghlsync/<stage>"
	// AppSecretName holds {client_id, client_secret} of the GHL app.
	AppSecretName string // APP_SECRET_NAME, default "ghlsync/<stage>/app"
	// PeerSecretName holds the peer signing secret and API keys.
	PeerSecretName string // PEER_SECRET_NAME, default "ghlsync/<stage>/peer"
	// GHLBaseURL is the GHL API base URL.
	GHLBaseURL string // GHL_BASE_URL, default https://services.leadconnectorhq.com
	// GHLWebhookEd25519PEM and GHLWebhookRSAPEM override GHL's published
	// webhook public keys (PEM text).
	GHLWebhookEd25519PEM string // GHL_WEBHOOK_ED25519_PUBLIC_KEY
	GHLWebhookRSAPEM     string // GHL_WEBHOOK_RSA_PUBLIC_KEY
	// GHLWebhookWindow bounds the age of a GHL webhook's timestamp. GHL
	// redelivers a 429-answered event up to six times about ten minutes
	// apart with its original body, so the default covers that schedule.
	// 0 disables the timestamp check: for tests and local runs of signed
	// sample events only (events/README.md), never in a deployment.
	GHLWebhookWindow time.Duration // GHL_WEBHOOK_WINDOW, default 90m
	// RedirectURL is the OAuth redirect URI registered with the GHL app.
	RedirectURL string // OAUTH_REDIRECT_URL, optional
	// OAuthRequireState refuses OAuth callbacks without a signed state.
	// Off by default: installs started from the GHL marketplace carry no
	// state (a present state is always verified).
	OAuthRequireState bool // OAUTH_REQUIRE_STATE, default false
	// DynamoDBEndpoint and SecretsManagerEndpoint override AWS endpoints
	// (local runs and tests only).
	DynamoDBEndpoint       string // DYNAMODB_ENDPOINT
	SecretsManagerEndpoint string // SECRETSMANAGER_ENDPOINT
	// SecretDeletionWindow is the recovery window when an uninstall schedules
	// a location's secret for deletion (7..30 days, AWS limits).
	SecretDeletionWindow int // SECRET_DELETION_DAYS, default 7

	// PeerWebhookURL receives the events ghlsync sends to the peer; when
	// empty, the peer secret's webhook_url is used.
	PeerWebhookURL string // PEER_WEBHOOK_URL, optional
	// AllowPeerContactDelete lets a peer contact.deleted delete the GHL
	// contact; off by default (the delete is recorded as ignored).
	AllowPeerContactDelete bool // ALLOW_PEER_CONTACT_DELETE, default false
	// DefaultLocationID is the location of peer events and pulls that name
	// none (a single-location deployment).
	DefaultLocationID string // DEFAULT_LOCATION_ID, optional
	// EchoSettle is the longest the GHL→peer flow waits for a write of
	// ghlsync's own to be recorded, only for brand-new entities and writes
	// in flight (see crmsync.Options.EchoSettle); zero leaves the flows'
	// default.
	EchoSettle time.Duration // ECHO_SETTLE, optional
}

// Error lists every configuration problem found.
type Error struct {
	Problems []string
}

func (e *Error) Error() string { return "config: " + strings.Join(e.Problems, "; ") }

// ErrInvalid is matched by every *Error with errors.Is.
var ErrInvalid = errors.New("config: invalid")

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// FromEnv reads the configuration through getenv (os.Getenv in main).
func FromEnv(getenv func(string) string) (Config, error) {
	var problems []string
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{Stage: get("STAGE", "dev")}
	if !validName(c.Stage) {
		problems = append(problems, "STAGE: use letters, digits, - or _")
	}
	c.TableName = get("TABLE_NAME", "")
	if c.TableName == "" {
		problems = append(problems, "TABLE_NAME is required")
	}
	c.SecretPrefix = strings.TrimRight(get("SECRET_PREFIX", "ghlsync/"+c.Stage), "/")
	c.AppSecretName = get("APP_SECRET_NAME", "ghlsync/"+c.Stage+"/app")
	c.PeerSecretName = get("PEER_SECRET_NAME", "ghlsync/"+c.Stage+"/peer")
	c.GHLBaseURL = strings.TrimRight(get("GHL_BASE_URL", "https://services.leadconnectorhq.com"), "/")
	if u, err := url.Parse(c.GHLBaseURL); err != nil || !u.IsAbs() || u.Host == "" {
		problems = append(problems, "GHL_BASE_URL: not an absolute URL")
	}
	c.GHLWebhookEd25519PEM = getenv("GHL_WEBHOOK_ED25519_PUBLIC_KEY")
	c.GHLWebhookRSAPEM = getenv("GHL_WEBHOOK_RSA_PUBLIC_KEY")
	var err error
	if c.GHLWebhookWindow, err = time.ParseDuration(get("GHL_WEBHOOK_WINDOW", "90m")); err != nil || c.GHLWebhookWindow < 0 {
		problems = append(problems, "GHL_WEBHOOK_WINDOW: want a duration such as 90m")
	}
	c.RedirectURL = get("OAUTH_REDIRECT_URL", "")
	if c.RedirectURL != "" {
		if u, err := url.Parse(c.RedirectURL); err != nil || !u.IsAbs() {
			problems = append(problems, "OAUTH_REDIRECT_URL: not an absolute URL")
		}
	}
	if c.OAuthRequireState, err = strconv.ParseBool(get("OAUTH_REQUIRE_STATE", "false")); err != nil {
		problems = append(problems, "OAUTH_REQUIRE_STATE: want true or false")
	}
	c.DynamoDBEndpoint = get("DYNAMODB_ENDPOINT", "")
	c.SecretsManagerEndpoint = get("SECRETSMANAGER_ENDPOINT", "")
	if c.SecretDeletionWindow, err = strconv.Atoi(get("SECRET_DELETION_DAYS", "7")); err != nil || c.SecretDeletionWindow < 7 || c.SecretDeletionWindow > 30 {
		problems = append(problems, "SECRET_DELETION_DAYS: want a whole number of days from 7 to 30")
	}
	c.PeerWebhookURL = get("PEER_WEBHOOK_URL", "")
	if c.PeerWebhookURL != "" {
		if u, err := url.Parse(c.PeerWebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, "PEER_WEBHOOK_URL: not an absolute http(s) URL")
		}
	}
	if c.AllowPeerContactDelete, err = strconv.ParseBool(get("ALLOW_PEER_CONTACT_DELETE", "false")); err != nil {
		problems = append(problems, "ALLOW_PEER_CONTACT_DELETE: want true or false")
	}
	c.DefaultLocationID = get("DEFAULT_LOCATION_ID", "")
	if c.EchoSettle, err = time.ParseDuration(get("ECHO_SETTLE", "0s")); err != nil || c.EchoSettle < 0 {
		problems = append(problems, "ECHO_SETTLE: want a duration such as 250ms")
	}
	if len(problems) > 0 {
		return Config{}, &Error{Problems: problems}
	}
	return c, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// String prints the configuration; it holds no secret values (secrets live
// in Secrets Manager and are read at run time), only names and URLs.
func (c Config) String() string {
	return fmt.Sprintf("stage=%s table=%s secretPrefix=%s ghl=%s", c.Stage, c.TableName, c.SecretPrefix, c.GHLBaseURL)
}

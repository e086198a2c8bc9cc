package peersecret

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/webhook"
)

// ErrMalformed reports a peer secret document that cannot be used. The
// message names the field and the rule, never the value.
var ErrMalformed = errors.New("peersecret: malformed peer secret")

// SecretsAPI is the part of the Secrets Manager client Load uses;
// *secretsmanager.Client satisfies it.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Sensitive is a credential string. It redacts itself when printed,
// formatted or logged; convert it with string(k) where it is used.
type Sensitive string

const redacted = "[REDACTED]"

// String redacts the value.
func (s Sensitive) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts the value in %#v.
func (s Sensitive) GoString() string { return strconv.Quote(s.String()) }

// Format prints String() for every verb.
func (s Sensitive) Format(f fmt.State, verb rune) { writeSafe(f, verb, s.String()) }

// LogValue implements slog.LogValuer without the value.
func (s Sensitive) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON redacts the value, so a Secret marshalled by mistake leaks
// nothing.
func (s Sensitive) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Secret is the parsed peer secret.
type Secret struct {
	// SigningSecret signs outbound deliveries and verifies inbound ones.
	SigningSecret webhook.Secret
	// PreviousSigningSecret, during a rotation, still verifies inbound
	// deliveries; nil otherwise.
	PreviousSigningSecret webhook.Secret
	// PullAPIKey is the bearer key of the on-demand pull API (CheckPullKey).
	PullAPIKey Sensitive
	// IncidentIOAPIKey is the incident.io API key, when that peer is used.
	IncidentIOAPIKey Sensitive
	// IncidentIOSigningSecrets verify inbound incident.io webhooks, when
	// that peer is used: the signing secret of each incident.io webhook
	// endpoint (each has its own), plus previous ones during a rotation.
	// Any of them may match.
	IncidentIOSigningSecrets []webhook.Secret
	// WebhookURL is the peer's outbound webhook URL, when kept in the
	// secret (it may embed a token). Absolute http or https.
	WebhookURL string
}

// VerifySecrets returns the secrets inbound deliveries may be signed with:
// the current one, then the previous one during a rotation.
func (s Secret) VerifySecrets() []webhook.Secret {
	out := []webhook.Secret{s.SigningSecret}
	if len(s.PreviousSigningSecret) > 0 {
		out = append(out, s.PreviousSigningSecret)
	}
	return out
}

// CheckPullKey reports whether presented is the pull API key, in constant
// time (the lengths are hidden too: both sides are hashed first). An empty
// key never matches.
func (s Secret) CheckPullKey(presented string) bool {
	if presented == "" || s.PullAPIKey == "" {
		return false
	}
	a := sha256.Sum256([]byte(presented))
	b := sha256.Sum256([]byte(s.PullAPIKey))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// String describes the secret by which fields are set, never their values.
func (s Secret) String() string {
	return fmt.Sprintf("peersecret.Secret{signing_secret=%t previous_signing_secret=%t pull_api_key=%t incidentio_api_key=%t incidentio_signing_secrets=%d webhook_url=%s}",
		len(s.SigningSecret) > 0, len(s.PreviousSigningSecret) > 0, s.PullAPIKey != "", s.IncidentIOAPIKey != "", len(s.IncidentIOSigningSecrets), safeURL(s.WebhookURL))
}

// GoString redacts the secret in %#v.
func (s Secret) GoString() string { return s.String() }

// Format prints String() for every verb.
func (s Secret) Format(f fmt.State, verb rune) { writeSafe(f, verb, s.String()) }

// LogValue implements slog.LogValuer without any secret.
func (s Secret) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("signing_secret", len(s.SigningSecret) > 0),
		slog.Bool("previous_signing_secret", len(s.PreviousSigningSecret) > 0),
		slog.Bool("pull_api_key", s.PullAPIKey != ""),
		slog.Bool("incidentio_api_key", s.IncidentIOAPIKey != ""),
		slog.Int("incidentio_signing_secrets", len(s.IncidentIOSigningSecrets)),
		slog.String("webhook_url", safeURL(s.WebhookURL)))
}

// MarshalJSON writes the same redacted description as LogValue, so a
// Secret marshalled inside another value (or logged by a JSON handler as
// part of a slice or struct) leaks nothing.
func (s Secret) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		SigningSecret         bool   `json:"signing_secret"`
		PreviousSigningSecret bool   `json:"previous_signing_secret"`
		PullAPIKey            bool   `json:"pull_api_key"`
		IncidentIOAPIKey      bool   `json:"incidentio_api_key"`
		IncidentIOSecrets     int    `json:"incidentio_signing_secrets"`
		WebhookURL            string `json:"webhook_url"`
	}{len(s.SigningSecret) > 0, len(s.PreviousSigningSecret) > 0, s.PullAPIKey != "", s.IncidentIOAPIKey != "", len(s.IncidentIOSigningSecrets), safeURL(s.WebhookURL)})
}

// safeURL shows scheme and host only: a webhook URL may carry a token in
// its path or query.
func safeURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return redacted
	}
	return u.Scheme + "://" + u.Host + "/" + redacted
}

func writeSafe(f fmt.State, verb rune, safe string) {
	if verb == 'q' || (verb == 'v' && f.Flag('#')) {
		fmt.Fprint(f, strconv.Quote(safe))
		return
	}
	fmt.Fprint(f, safe)
}

// knownFields are the fields of the stored JSON document.
var knownFields = []string{"signing_secret", "previous_signing_secret", "pull_api_key", "incidentio_api_key", "incidentio_signing_secrets", "webhook_url"}

// Parse decodes and validates a peer secret document. Every problem found
// is reported (joined), each naming its field.
func Parse(b []byte) (Secret, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return Secret{}, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var problems []string
	var unknown []string
	for k := range raw {
		if !contains(knownFields, k) {
			unknown = append(unknown, fieldName(k))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		problems = append(problems, "unknown field(s) "+strings.Join(unknown, ", ")+" (known: "+strings.Join(knownFields, ", ")+")")
	}
	str := func(name string) (string, bool) {
		v, ok := raw[name]
		if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return "", false
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			problems = append(problems, name+": must be a string")
			return "", false
		}
		return s, true
	}
	var s Secret
	if v, ok := str("signing_secret"); !ok {
		if _, present := raw["signing_secret"]; !present {
			problems = append(problems, "signing_secret: required")
		}
	} else if sec, err := webhook.ParseSecret(v); err != nil {
		problems = append(problems, "signing_secret: "+secretRule)
	} else {
		s.SigningSecret = sec
	}
	if v, ok := str("previous_signing_secret"); ok && v != "" {
		if sec, err := webhook.ParseSecret(v); err != nil {
			problems = append(problems, "previous_signing_secret: "+secretRule)
		} else {
			s.PreviousSigningSecret = sec
		}
	}
	if v, ok := str("pull_api_key"); !ok {
		if _, present := raw["pull_api_key"]; !present {
			problems = append(problems, "pull_api_key: required")
		}
	} else if v = strings.TrimSpace(v); len(v) < minKeyLen {
		problems = append(problems, fmt.Sprintf("pull_api_key: at least %d characters", minKeyLen))
	} else {
		s.PullAPIKey = Sensitive(v)
	}
	if v, ok := str("incidentio_api_key"); ok {
		s.IncidentIOAPIKey = Sensitive(strings.TrimSpace(v))
	}
	if v, ok := raw["incidentio_signing_secrets"]; ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			problems = append(problems, "incidentio_signing_secrets: must be an array of strings")
			list = nil
		}
		for i, e := range list {
			if sec, err := webhook.ParseSecret(e); err != nil {
				problems = append(problems, fmt.Sprintf("incidentio_signing_secrets[%d]: %s", i, secretRule))
			} else {
				s.IncidentIOSigningSecrets = append(s.IncidentIOSigningSecrets, sec)
			}
		}
	}
	if v, ok := str("webhook_url"); ok && v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, "webhook_url: must be an absolute http or https URL")
		} else {
			s.WebhookURL = v
		}
	}
	if len(problems) > 0 {
		return Secret{}, fmt.Errorf("%w: %s", ErrMalformed, strings.Join(problems, "; "))
	}
	return s, nil
}

// minKeyLen is the shortest pull API key accepted.
const minKeyLen = 16

const secretRule = "must be whsec_ followed by base64 of at least 16 bytes"

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fieldName quotes an unknown field name for an error when it looks like a
// field name (lower-case letters and underscores); anything else might be a
// value pasted in the wrong place and is not echoed.
func fieldName(s string) string {
	if len(s) == 0 || len(s) > 40 {
		return "(unnamed)"
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return "(unnamed)"
		}
	}
	return strconv.Quote(s)
}

// Load reads the AWSCURRENT version of the named peer secret and parses it.
func Load(ctx context.Context, api SecretsAPI, name string) (Secret, error) {
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"),
	})
	if err != nil {
		return Secret{}, fmt.Errorf("peersecret: read %s: %w", name, err)
	}
	if out.SecretString == nil {
		return Secret{}, fmt.Errorf("peersecret: read %s: %w: binary secret, want a JSON string", name, ErrMalformed)
	}
	s, err := Parse([]byte(*out.SecretString))
	if err != nil {
		return Secret{}, fmt.Errorf("peersecret: read %s: %w", name, err)
	}
	return s, nil
}

package peersecret

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Secret values used across the tests; none may appear in any output.
var (
	current    = "whsec_" + base64.StdEncoding.EncodeToString([]byte("current-signing-key-0123456789ab"))
	previous   = "whsec_" + base64.StdEncoding.EncodeToString([]byte("previous-signing-key-0123456789a"))
	pullKey    = "pk_live_7f3a9c2e5b1d4f60a8e2"
	incidentIO = "inc_api_5c1e0b9d8a7f6e5d4c3b"
	hookURL    = "https://hooks.example.com/in/tok_9f8e7d6c5b4a?sig=qs_secret_123"
	// One signing secret per incident.io webhook endpoint.
	iioContacts = "whsec_" + base64.StdEncoding.EncodeToString([]byte("incidentio-contacts-endpoint-key"))
	iioNotes    = "whsec_" + base64.StdEncoding.EncodeToString([]byte("incidentio-notes-endpoint-key-01"))
)

var secretParts = []string{
	strings.TrimPrefix(current, "whsec_"), strings.TrimPrefix(previous, "whsec_"),
	"current-signing-key", "previous-signing-key", pullKey, incidentIO, "tok_9f8e7d6c5b4a", "qs_secret_123",
	strings.TrimPrefix(iioContacts, "whsec_"), strings.TrimPrefix(iioNotes, "whsec_"), "incidentio-contacts", "incidentio-notes",
}

func fullDoc() string {
	return fmt.Sprintf(`{"signing_secret":%q,"previous_signing_secret":%q,"pull_api_key":%q,"incidentio_api_key":%q,"incidentio_signing_secrets":[%q,%q],"webhook_url":%q}`,
		current, previous, pullKey, incidentIO, iioContacts, iioNotes, hookURL)
}

func TestParse(t *testing.T) {
	t.Parallel()
	cur, _ := webhook.ParseSecret(current)
	prev, _ := webhook.ParseSecret(previous)
	contacts, _ := webhook.ParseSecret(iioContacts)
	notes, _ := webhook.ParseSecret(iioNotes)
	minimal := func(extra string) string {
		return fmt.Sprintf(`{"signing_secret":%q,"pull_api_key":%q,%s}`, current, pullKey, extra)
	}
	tests := []struct {
		name    string
		doc     string
		want    Secret
		wantErr string
	}{
		{name: "full", doc: fullDoc(), want: Secret{SigningSecret: cur, PreviousSigningSecret: prev, PullAPIKey: Sensitive(pullKey), IncidentIOAPIKey: Sensitive(incidentIO),
			IncidentIOSigningSecrets: []webhook.Secret{contacts, notes}, WebhookURL: hookURL}},
		{name: "minimal", doc: fmt.Sprintf(`{"signing_secret":%q,"pull_api_key":%q}`, current, pullKey), want: Secret{SigningSecret: cur, PullAPIKey: Sensitive(pullKey)}},
		{name: "nulls and empty optionals", doc: fmt.Sprintf(`{"signing_secret":%q,"pull_api_key":%q,"previous_signing_secret":"","incidentio_api_key":null,"incidentio_signing_secrets":null,"webhook_url":""}`, current, pullKey),
			want: Secret{SigningSecret: cur, PullAPIKey: Sensitive(pullKey)}},
		{name: "empty incident.io secret list", doc: minimal(`"incidentio_signing_secrets":[]`), want: Secret{SigningSecret: cur, PullAPIKey: Sensitive(pullKey)}},
		{name: "incident.io secrets not a list", doc: minimal(fmt.Sprintf(`"incidentio_signing_secrets":%q`, iioContacts)),
			wantErr: "peersecret: malformed peer secret: incidentio_signing_secrets: must be an array of strings"},
		{name: "incident.io secrets not strings", doc: minimal(fmt.Sprintf(`"incidentio_signing_secrets":[%q,12345678901234567890]`, iioContacts)),
			wantErr: "peersecret: malformed peer secret: incidentio_signing_secrets: must be an array of strings"},
		{name: "bad incident.io secrets named by index", doc: minimal(fmt.Sprintf(`"incidentio_signing_secrets":[%q,"%s",""]`, iioContacts, pullKey)),
			wantErr: "peersecret: malformed peer secret: incidentio_signing_secrets[1]: must be whsec_ followed by base64 of at least 16 bytes; " +
				"incidentio_signing_secrets[2]: must be whsec_ followed by base64 of at least 16 bytes"},
		{name: "not JSON", doc: `signing_secret=` + current, wantErr: "peersecret: malformed peer secret: not a JSON object"},
		{name: "JSON array", doc: `["` + current + `"]`, wantErr: "peersecret: malformed peer secret: not a JSON object"},
		{name: "empty object", doc: `{}`, wantErr: "peersecret: malformed peer secret: signing_secret: required; pull_api_key: required"},
		{name: "bad signing secret", doc: fmt.Sprintf(`{"signing_secret":"whsec_%s!","pull_api_key":%q}`, pullKey, pullKey),
			wantErr: "peersecret: malformed peer secret: signing_secret: must be whsec_ followed by base64 of at least 16 bytes"},
		{name: "short signing secret", doc: fmt.Sprintf(`{"signing_secret":"whsec_c2hvcnQ=","pull_api_key":%q}`, pullKey),
			wantErr: "peersecret: malformed peer secret: signing_secret: must be whsec_ followed by base64 of at least 16 bytes"},
		{name: "bad previous secret", doc: fmt.Sprintf(`{"signing_secret":%q,"previous_signing_secret":"%s","pull_api_key":%q}`, current, pullKey, pullKey),
			wantErr: "peersecret: malformed peer secret: previous_signing_secret: must be whsec_ followed by base64 of at least 16 bytes"},
		{name: "short pull key", doc: fmt.Sprintf(`{"signing_secret":%q,"pull_api_key":"abc"}`, current),
			wantErr: "peersecret: malformed peer secret: pull_api_key: at least 16 characters"},
		{name: "wrong type", doc: fmt.Sprintf(`{"signing_secret":%q,"pull_api_key":12345678901234567890}`, current),
			wantErr: "peersecret: malformed peer secret: pull_api_key: must be a string"},
		{name: "bad url", doc: fmt.Sprintf(`{"signing_secret":%q,"pull_api_key":%q,"webhook_url":"ftp://x/%s"}`, current, pullKey, pullKey),
			wantErr: "peersecret: malformed peer secret: webhook_url: must be an absolute http or https URL"},
		{name: "typo in field name", doc: fmt.Sprintf(`{"signing_secert":%q,"pull_api_key":%q}`, current, pullKey),
			wantErr: `peersecret: malformed peer secret: unknown field(s) "signing_secert" (known: signing_secret, previous_signing_secret, pull_api_key, incidentio_api_key, incidentio_signing_secrets, webhook_url); signing_secret: required`},
		{name: "value pasted as a key", doc: fmt.Sprintf(`{%q:"x","signing_secret":%q,"pull_api_key":%q}`, pullKey, current, pullKey),
			wantErr: `peersecret: malformed peer secret: unknown field(s) (unnamed) (known: signing_secret, previous_signing_secret, pull_api_key, incidentio_api_key, incidentio_signing_secrets, webhook_url)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(tt.doc))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				assertNoSecrets(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func assertNoSecrets(t *testing.T, vs ...any) {
	t.Helper()
	for _, v := range vs {
		var outs []string
		for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			outs = append(outs, fmt.Sprintf(f, v))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		outs = append(outs, buf.String())
		if b, err := json.Marshal(v); err == nil {
			outs = append(outs, string(b))
		}
		for _, out := range outs {
			for _, p := range secretParts {
				if strings.Contains(out, p) {
					t.Errorf("output %q contains a secret (%.6s…)", out, p)
				}
			}
		}
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte(fullDoc()))
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, s, &s, s.PullAPIKey, s.IncidentIOAPIKey, s.IncidentIOSigningSecrets, []Secret{s}, struct{ S Secret }{s}, map[string]any{"peer": s})
	want := "peersecret.Secret{signing_secret=true previous_signing_secret=true pull_api_key=true incidentio_api_key=true incidentio_signing_secrets=2 webhook_url=https://hooks.example.com/[REDACTED]}"
	if got := fmt.Sprintf("%v", s); got != want {
		t.Errorf("%%v = %s\nwant %s", got, want)
	}
	if got := fmt.Sprintf("%v", Secret{}); got != "peersecret.Secret{signing_secret=false previous_signing_secret=false pull_api_key=false incidentio_api_key=false incidentio_signing_secrets=0 webhook_url=}" {
		t.Errorf("empty: %s", got)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded", "peer_secret", s)
	if !strings.Contains(buf.String(), `"peer_secret":{"signing_secret":true,"previous_signing_secret":true,"pull_api_key":true,"incidentio_api_key":true,"incidentio_signing_secrets":2,"webhook_url":"https://hooks.example.com/[REDACTED]"}`) {
		t.Errorf("slog = %s", buf.String())
	}
	if string(s.PullAPIKey) != pullKey {
		t.Error("string conversion must reveal the key to its user")
	}
}

func TestCheckPullKey(t *testing.T) {
	t.Parallel()
	s := Secret{PullAPIKey: Sensitive(pullKey)}
	tests := []struct {
		presented string
		want      bool
	}{
		{pullKey, true},
		{pullKey + "x", false},
		{pullKey[:len(pullKey)-1], false},
		{strings.ToUpper(pullKey), false},
		{"", false},
	}
	for _, tt := range tests {
		if got := s.CheckPullKey(tt.presented); got != tt.want {
			t.Errorf("CheckPullKey(len %d) = %v, want %v", len(tt.presented), got, tt.want)
		}
	}
	if (Secret{}).CheckPullKey("") {
		t.Error("an unset key must never match")
	}
}

func TestVerifySecrets(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte(fullDoc()))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.VerifySecrets(); len(got) != 2 || !bytes.Equal(got[0], s.SigningSecret) || !bytes.Equal(got[1], s.PreviousSigningSecret) {
		t.Errorf("VerifySecrets = %d secrets, want current then previous", len(got))
	}
	if got := (Secret{SigningSecret: s.SigningSecret}).VerifySecrets(); len(got) != 1 {
		t.Errorf("without rotation: %d secrets", len(got))
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	srv := secretstest.Start(t)
	c := srv.Client()
	ctx := t.Context()
	name := "ghlsync/test/peer"
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(`{"signing_secret":"old"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(fullDoc())}); err != nil {
		t.Fatal(err)
	}
	s, err := Load(ctx, c, name)
	if err != nil {
		t.Fatal(err)
	}
	if string(s.PullAPIKey) != pullKey || s.WebhookURL != hookURL {
		t.Errorf("Load = %v, want the AWSCURRENT version", s)
	}
	if n := srv.Calls(secretstest.OpGetSecretValue); n != 1 {
		t.Errorf("GetSecretValue calls = %d, want 1", n)
	}

	_, err = Load(ctx, c, "ghlsync/test/missing")
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "peersecret: read ghlsync/test/missing") {
		t.Errorf("missing secret: err = %v", err)
	}

	bin := "ghlsync/test/binary"
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(bin), SecretBinary: []byte(fullDoc())}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, c, bin); !errors.Is(err, ErrMalformed) {
		t.Errorf("binary secret: err = %v", err)
	}

	bad := "ghlsync/test/bad"
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(bad), SecretString: aws.String(fmt.Sprintf(`{"signing_secret":%q,"pull_api_key":"short"}`, current))}); err != nil {
		t.Fatal(err)
	}
	_, err = Load(ctx, c, bad)
	if !errors.Is(err, ErrMalformed) || err.Error() != "peersecret: read ghlsync/test/bad: peersecret: malformed peer secret: pull_api_key: at least 16 characters" {
		t.Errorf("bad secret: err = %v", err)
	}
	assertNoSecrets(t, err)
}

// stageRecorder is a SecretsAPI that records what Load asked for.
type stageRecorder struct {
	in *secretsmanager.GetSecretValueInput
}

func (r *stageRecorder) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	r.in = in
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(fullDoc())}, nil
}

func TestLoadAsksForCurrentStage(t *testing.T) {
	t.Parallel()
	r := &stageRecorder{}
	if _, err := Load(t.Context(), r, "n"); err != nil {
		t.Fatal(err)
	}
	if got := []string{aws.ToString(r.in.SecretId), aws.ToString(r.in.VersionStage)}; !cmp.Equal(got, []string{"n", "AWSCURRENT"}) {
		t.Errorf("request = %v", got)
	}
}

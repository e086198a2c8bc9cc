package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		env       map[string]string
		want      Config
		wantProbs []string
	}{
		{
			name: "defaults",
			env:  map[string]string{"TABLE_NAME": "t"},
			want: Config{Stage: "dev", TableName: "t", SecretPrefix: "ghlsync/dev", AppSecretName: "ghlsync/dev/app",
				PeerSecretName: "ghlsync/dev/peer", GHLBaseURL: "https://services.leadconnectorhq.com", GHLWebhookWindow: 90 * time.Minute, SecretDeletionWindow: 7},
		},
		{
			name: "overrides",
			env: map[string]string{"TABLE_NAME": "t", "STAGE": "prod", "GHL_BASE_URL": "http://127.0.0.1:9/", "GHL_WEBHOOK_WINDOW": "5m",
				"SECRET_DELETION_DAYS": "30", "OAUTH_REDIRECT_URL": "https://x.example/oauth/callback"},
			want: Config{Stage: "prod", TableName: "t", SecretPrefix: "ghlsync/prod", AppSecretName: "ghlsync/prod/app",
				PeerSecretName: "ghlsync/prod/peer", GHLBaseURL: "http://127.0.0.1:9", GHLWebhookWindow: 5 * time.Minute, SecretDeletionWindow: 30,
				RedirectURL: "https://x.example/oauth/callback"},
		},
		{
			name: "window 0 disables the timestamp check; state required",
			env:  map[string]string{"TABLE_NAME": "t", "GHL_WEBHOOK_WINDOW": "0", "OAUTH_REQUIRE_STATE": "true"},
			want: Config{Stage: "dev", TableName: "t", SecretPrefix: "ghlsync/dev", AppSecretName: "ghlsync/dev/app",
				PeerSecretName: "ghlsync/dev/peer", GHLBaseURL: "https://services.leadconnectorhq.com", GHLWebhookWindow: 0,
				SecretDeletionWindow: 7, OAuthRequireState: true},
		},
		{
			name: "every problem at once",
			env: map[string]string{"STAGE": "a b", "GHL_BASE_URL": "nope", "GHL_WEBHOOK_WINDOW": "soon", "SECRET_DELETION_DAYS": "3",
				"OAUTH_REDIRECT_URL": "/cb", "OAUTH_REQUIRE_STATE": "maybe"},
			wantProbs: []string{"STAGE", "TABLE_NAME", "GHL_BASE_URL", "GHL_WEBHOOK_WINDOW", "OAUTH_REDIRECT_URL", "SECRET_DELETION_DAYS", "OAUTH_REQUIRE_STATE"},
		},
		{
			name:      "negative window",
			env:       map[string]string{"TABLE_NAME": "t", "GHL_WEBHOOK_WINDOW": "-1m"},
			wantProbs: []string{"GHL_WEBHOOK_WINDOW"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FromEnv(env(tt.env))
			if tt.wantProbs != nil {
				var ce *Error
				if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("err = %v, want *Error", err)
				}
				if len(ce.Problems) != len(tt.wantProbs) {
					t.Errorf("problems = %q", ce.Problems)
				}
				for _, p := range tt.wantProbs {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("error %q does not name %s", err, p)
					}
				}
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

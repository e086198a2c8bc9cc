package config

import (
	"strings"
	"testing"
	"time"
)

func TestFromEnvSyncSettings(t *testing.T) {
	t.Parallel()
	got, err := FromEnv(env(map[string]string{"TABLE_NAME": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	if got.AllowPeerContactDelete || got.PeerWebhookURL != "" || got.DefaultLocationID != "" || got.EchoSettle != 0 {
		t.Errorf("defaults = %+v; want peer contact deletes off, no URL, no default location, no settle override", got)
	}

	got, err = FromEnv(env(map[string]string{"TABLE_NAME": "t", "PEER_WEBHOOK_URL": "https://peer.example/hooks",
		"ALLOW_PEER_CONTACT_DELETE": "true", "DEFAULT_LOCATION_ID": "loc1", "ECHO_SETTLE": "100ms"}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.AllowPeerContactDelete || got.PeerWebhookURL != "https://peer.example/hooks" || got.DefaultLocationID != "loc1" || got.EchoSettle != 100*time.Millisecond {
		t.Errorf("overrides = %+v", got)
	}

	_, err = FromEnv(env(map[string]string{"TABLE_NAME": "t", "PEER_WEBHOOK_URL": "ftp://x", "ALLOW_PEER_CONTACT_DELETE": "sometimes", "ECHO_SETTLE": "-1s"}))
	for _, name := range []string{"PEER_WEBHOOK_URL", "ALLOW_PEER_CONTACT_DELETE", "ECHO_SETTLE"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}

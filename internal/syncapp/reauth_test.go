package syncapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/tokens"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// reauthSources is a token provider whose locations all need a new OAuth
// install: every token request fails with *tokens.ReauthRequiredError.
type reauthSources struct{}

// staleRefreshToken is the rejected refresh token; it must never be logged.
const staleRefreshToken = "rt-0123456789abcdef-never-logged"

func (reauthSources) TokenSource(_ context.Context, locationID string) (oauth2.TokenSource, error) {
	return reauthSource(locationID), nil
}

type reauthSource string

func (s reauthSource) Token() (*oauth2.Token, error) {
	return nil, &tokens.ReauthRequiredError{LocationID: string(s), SecretName: "ghlsync/locations/" + string(s),
		Reason: "refresh token rejected (invalid_grant)"}
}

type acceptAll struct{}

func (acceptAll) Verify(http.Header, []byte) error { return nil }

// TestReauthRequiredIsLogged: a location whose installation needs
// re-authorisation answers GHL 429 and the peer 503, and the request's log
// line carries outcome reauth_required (what the ReauthRequired alarm
// counts) and the location, and no token.
func TestReauthRequiredIsLogged(t *testing.T) {
	t.Parallel()
	const loc = "LocReauth0000000001"
	ghlSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("GHL called without a token: %s %s", r.Method, r.URL.Path)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	t.Cleanup(ghlSrv.Close)
	secret, err := webhook.ParseSecret(TestPeerSecret)
	if err != nil {
		t.Fatal(err)
	}
	peer, err := stdwebhooks.New(stdwebhooks.Config{URL: "http://127.0.0.1:1/unused", Secret: secret, LocationID: loc})
	if err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	s, err := crmsync.New(crmsync.Options{GHL: syncapp.GHLFactory(reauthSources{}, ghlSrv.URL), Links: st, Idempotency: idempotency.New(st),
		Peer: peer, Verifier: acceptAll{}, DefaultLocationID: loc, EchoSettle: -1})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := &syncapp.Handler{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Routes: map[string]syncapp.Route{
		"POST /ghl/webhooks/contacts":  syncapp.GHLWebhook(s, crmsync.KindContact),
		"POST /peer/webhooks/contacts": syncapp.PeerWebhook(s, crmsync.KindContact),
	}}

	peerBody := `{"type":"contact.upserted","timestamp":"` + time.Now().UTC().Format(time.RFC3339) + `","data":{"peerId":"p-1","email":"a@example.com"}}`
	peerHeader := secret.SignedHeaders("msg_reauth", time.Now(), []byte(peerBody))
	tests := []struct {
		route  string
		header http.Header
		body   string
		want   int
	}{
		{"POST /ghl/webhooks/contacts", http.Header{}, `{"type":"ContactUpdate","locationId":"` + loc + `","id":"c-1","webhookId":"wh-reauth"}`, http.StatusTooManyRequests},
		{"POST /peer/webhooks/contacts", peerHeader, peerBody, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		logs.Reset()
		hd := map[string]string{}
		for k := range tt.header {
			hd[k] = tt.header.Get(k)
		}
		resp, _ := h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{RouteKey: tt.route, Headers: hd, Body: tt.body})
		if resp.StatusCode != tt.want || !strings.Contains(resp.Body, `"error":"reauth_required"`) {
			t.Errorf("%s: %d %s, want %d reauth_required", tt.route, resp.StatusCode, resp.Body, tt.want)
		}
		var line map[string]any
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("%s: log %q: %v", tt.route, logs.String(), err)
		}
		if line["outcome"] != "reauth_required" || line["location_id"] != loc || line["status"] != float64(tt.want) {
			t.Errorf("%s: log line %s, want outcome reauth_required, location_id %s, status %d", tt.route, logs.String(), loc, tt.want)
		}
		for _, secretText := range []string{staleRefreshToken, "Bearer", "access_token", "refresh_token"} {
			if strings.Contains(logs.String(), secretText) {
				t.Errorf("%s: log line holds %q: %s", tt.route, secretText, logs.String())
			}
		}
	}
	// The claims were released: a redelivery after reinstalling runs again.
	if _, err := st.GetIdempotency(t.Context(), crmsync.ScopeGHL, "wh-reauth", time.Now()); err == nil {
		t.Error("the GHL delivery's idempotency record was kept")
	}
}

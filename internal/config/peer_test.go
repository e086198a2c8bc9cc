package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPeerFromEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want PeerConfig
	}{
		{"defaults", nil, PeerConfig{Peer: "stdwebhooks", IncidentIOCustomField: "GHL contacts", IncidentIOCatalogType: "GHL Contact",
			GHLAppURL: "https://app.gohighlevel.com"}},
		{"incident.io", map[string]string{"PEER": " IncidentIO ", "INCIDENTIO_CUSTOM_FIELD": "01FCNDV6P870EA6S7TK1DSYDG0",
			"INCIDENTIO_CATALOG_TYPE": "Customers", "INCIDENTIO_BASE_URL": "http://127.0.0.1:8089/", "GHL_APP_URL": "https://crm.agency.example/"},
			PeerConfig{Peer: "incidentio", IncidentIOCustomField: "01FCNDV6P870EA6S7TK1DSYDG0", IncidentIOCatalogType: "Customers",
				IncidentIOBaseURL: "http://127.0.0.1:8089", GHLAppURL: "https://crm.agency.example"}},
	}
	for _, tc := range cases {
		got, err := PeerFromEnv(env(tc.env))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

func TestPeerFromEnvReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := PeerFromEnv(env(map[string]string{"PEER": "zapier", "INCIDENTIO_BASE_URL": "api.incident", "GHL_APP_URL": "ftp://x",
		"INCIDENTIO_CATALOG_TYPE": strings.Repeat("x", 101)}))
	var ce *Error
	if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	want := []string{"GHL_APP_URL: not an absolute http(s) URL", "INCIDENTIO_BASE_URL: not an absolute http(s) URL",
		"INCIDENTIO_CATALOG_TYPE: at most 100 characters", "PEER: want stdwebhooks or incidentio"}
	if d := cmp.Diff(want, ce.Problems); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
}

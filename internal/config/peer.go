package config

import (
	"net/url"
	"sort"
	"strings"
)

// Peer connector names (PEER).
const (
	PeerStdWebhooks = "stdwebhooks"
	PeerIncidentIO  = "incidentio"
)

// Defaults of the incident.io connector settings.
const (
	DefaultIncidentIOCustomField = "GHL contacts"
	DefaultIncidentIOCatalogType = "GHL Contact"
	DefaultGHLAppURL             = "https://app.gohighlevel.com"
)

// PeerConfig selects the peer connector of a deployment and holds the
// settings of the incident.io one. Read it with PeerFromEnv next to
// FromEnv; the incident.io API key and the webhook signing secrets live in
// the peer secret, not here.
type PeerConfig struct {
	// Peer names the connector: stdwebhooks (default) or incidentio.
	Peer string // PEER
	// IncidentIOCustomField is the id or name of the incident custom field
	// (catalog-backed multi_select) naming an incident's GHL contacts.
	IncidentIOCustomField string // INCIDENTIO_CUSTOM_FIELD, default "GHL contacts"
	// IncidentIOCatalogType is the name of the catalog type holding GHL
	// contacts (created on first use).
	IncidentIOCatalogType string // INCIDENTIO_CATALOG_TYPE, default "GHL Contact"
	// IncidentIOBaseURL overrides the incident.io API base URL (local runs
	// against a fake); empty means the real API.
	IncidentIOBaseURL string // INCIDENTIO_BASE_URL, optional
	// GHLAppURL is the GHL web app, for the deep links put in catalog
	// entries and attachments.
	GHLAppURL string // GHL_APP_URL, default https://app.gohighlevel.com
}

// PeerFromEnv reads the peer selection through getenv. Every problem
// found is reported at once (*Error, matching ErrInvalid).
func PeerFromEnv(getenv func(string) string) (PeerConfig, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	var problems []string
	c := PeerConfig{
		Peer:                  strings.ToLower(get("PEER", PeerStdWebhooks)),
		IncidentIOCustomField: get("INCIDENTIO_CUSTOM_FIELD", DefaultIncidentIOCustomField),
		IncidentIOCatalogType: get("INCIDENTIO_CATALOG_TYPE", DefaultIncidentIOCatalogType),
		IncidentIOBaseURL:     strings.TrimRight(get("INCIDENTIO_BASE_URL", ""), "/"),
		GHLAppURL:             strings.TrimRight(get("GHL_APP_URL", DefaultGHLAppURL), "/"),
	}
	if c.Peer != PeerStdWebhooks && c.Peer != PeerIncidentIO {
		problems = append(problems, "PEER: want stdwebhooks or incidentio")
	}
	for name, v := range map[string]string{"INCIDENTIO_BASE_URL": c.IncidentIOBaseURL, "GHL_APP_URL": c.GHLAppURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, name+": not an absolute http(s) URL")
		}
	}
	if len(c.IncidentIOCatalogType) > 100 {
		problems = append(problems, "INCIDENTIO_CATALOG_TYPE: at most 100 characters")
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return PeerConfig{}, &Error{Problems: problems}
	}
	return c, nil
}

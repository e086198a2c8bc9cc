package incidentio

import (
	"fmt"
	"net/url"
	"strings"
)

// Endpoint is one operation of the incident.io API the client calls.
type Endpoint struct {
	// Operation is the spec's operationId.
	Operation string
	// Method and Path (with {id} placeholders) as the spec writes them.
	Method, Path string
	// Safety decides what the retry policy may repeat.
	Safety Safety
}

// The operations the client calls, one per method of its services.
var (
	epListCatalogTypes        = &Endpoint{"Catalog V3#ListTypes", "GET", "/v3/catalog_types", Safe}
	epCreateCatalogType       = &Endpoint{"Catalog V3#CreateType", "POST", "/v3/catalog_types", NotIdempotent}
	epUpdateCatalogTypeSchema = &Endpoint{"Catalog V3#UpdateTypeSchema", "POST", "/v3/catalog_types/{id}/actions/update_schema", NotIdempotent}
	epListCatalogEntries      = &Endpoint{"Catalog V3#ListEntries", "GET", "/v3/catalog_entries", Safe}
	epShowCatalogEntry        = &Endpoint{"Catalog V3#ShowEntry", "GET", "/v3/catalog_entries/{id}", Safe}
	epCreateCatalogEntry      = &Endpoint{"Catalog V3#CreateEntry", "POST", "/v3/catalog_entries", Idempotent}
	epUpdateCatalogEntry      = &Endpoint{"Catalog V3#UpdateEntry", "PUT", "/v3/catalog_entries/{id}", Idempotent}
	epDeleteCatalogEntry      = &Endpoint{"Catalog V3#DestroyEntry", "DELETE", "/v3/catalog_entries/{id}", Idempotent}
	epListCustomFields        = &Endpoint{"Custom Fields V2#List", "GET", "/v2/custom_fields", Safe}
	epShowCustomField         = &Endpoint{"Custom Fields V2#Show", "GET", "/v2/custom_fields/{id}", Safe}
	epListIncidents           = &Endpoint{"Incidents V2#List", "GET", "/v2/incidents", Safe}
	epShowIncident            = &Endpoint{"Incidents V2#Show", "GET", "/v2/incidents/{id}", Safe}
	epListFollowUps           = &Endpoint{"Follow-ups V2#List", "GET", "/v2/follow_ups", Safe}
	epShowFollowUp            = &Endpoint{"Follow-ups V2#Show", "GET", "/v2/follow_ups/{id}", Safe}
	epUpdateFollowUp          = &Endpoint{"Follow-ups V2#Update", "PUT", "/v2/follow_ups/{id}", Idempotent}
	epListActions             = &Endpoint{"Actions V2#List", "GET", "/v2/actions", Safe}
	epShowAction              = &Endpoint{"Actions V2#Show", "GET", "/v2/actions/{id}", Safe}
	epUpdateAction            = &Endpoint{"Actions V2#Update", "PUT", "/v2/actions/{id}", Idempotent}
	epListIncidentUpdates     = &Endpoint{"Incident Updates V2#List", "GET", "/v2/incident_updates", Safe}
	epListAttachments         = &Endpoint{"Incident Attachments V1#List", "GET", "/v1/incident_attachments", Safe}
	epCreateAttachment        = &Endpoint{"Incident Attachments V1#Create", "POST", "/v1/incident_attachments", NotIdempotent}
	epDeleteAttachment        = &Endpoint{"Incident Attachments V1#Delete", "DELETE", "/v1/incident_attachments/{id}", Idempotent}
	epListUsers               = &Endpoint{"Users V2#List", "GET", "/v2/users", Safe}
)

// Endpoints lists every operation the client calls.
func Endpoints() []*Endpoint {
	return []*Endpoint{
		epListCatalogTypes, epCreateCatalogType, epUpdateCatalogTypeSchema,
		epListCatalogEntries, epShowCatalogEntry, epCreateCatalogEntry, epUpdateCatalogEntry, epDeleteCatalogEntry,
		epListCustomFields, epShowCustomField, epListIncidents, epShowIncident,
		epListFollowUps, epShowFollowUp, epUpdateFollowUp, epListActions, epShowAction, epUpdateAction,
		epListIncidentUpdates, epListAttachments, epCreateAttachment, epDeleteAttachment, epListUsers,
	}
}

// expand fills the {id} placeholder of e.Path, path-escaped.
func (e *Endpoint) expand(params []string) (string, error) {
	path := e.Path
	for _, p := range params {
		if strings.TrimSpace(p) == "" {
			return "", fmt.Errorf("incidentio: %s: %w: empty id", e.Operation, ErrInvalidArgument)
		}
		i := strings.Index(path, "{")
		j := strings.Index(path, "}")
		if i < 0 || j < i {
			return "", fmt.Errorf("incidentio: %s: %w: too many path parameters", e.Operation, ErrInvalidArgument)
		}
		path = path[:i] + url.PathEscape(p) + path[j+1:]
	}
	if strings.Contains(path, "{") {
		return "", fmt.Errorf("incidentio: %s: %w: missing path parameter", e.Operation, ErrInvalidArgument)
	}
	return path, nil
}

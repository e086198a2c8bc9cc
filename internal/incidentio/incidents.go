package incidentio

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// IncidentsService covers incidents (Incidents V2).
type IncidentsService service

// MaxIncidentsPageSize is the largest page_size of Incidents V2#List.
const MaxIncidentsPageSize = 250

// Incident is an incident (IncidentV2).
type Incident struct {
	ID                 string             `json:"id"`
	Reference          string             `json:"reference"`
	Name               string             `json:"name"`
	Summary            string             `json:"summary,omitempty"`
	Permalink          string             `json:"permalink,omitempty"`
	Visibility         string             `json:"visibility"`
	Mode               string             `json:"mode"`
	IncidentStatus     IncidentStatus     `json:"incident_status"`
	Severity           *Severity          `json:"severity,omitempty"`
	CustomFieldEntries []CustomFieldEntry `json:"custom_field_entries"`
	Creator            Actor              `json:"creator"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
}

// CustomFieldEntry is the value of one custom field on an incident.
type CustomFieldEntry struct {
	CustomField struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		FieldType string `json:"field_type"`
	} `json:"custom_field"`
	Values []CustomFieldValue `json:"values"`
}

// CustomFieldValue is one value of a custom field entry.
type CustomFieldValue struct {
	ValueCatalogEntry *EmbeddedCatalogEntry `json:"value_catalog_entry,omitempty"`
	ValueText         string                `json:"value_text,omitempty"`
	ValueLink         string                `json:"value_link,omitempty"`
	ValueNumeric      string                `json:"value_numeric,omitempty"`
	ValueOption       *struct {
		ID    string `json:"id"`
		Value string `json:"value"`
	} `json:"value_option,omitempty"`
}

// EmbeddedCatalogEntry is a catalog entry as a custom field value.
type EmbeddedCatalogEntry struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	ExternalID string   `json:"external_id,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
}

// CatalogValues returns the catalog entries set on the custom field that
// matches fieldIDOrName (its id, else its name).
func (i *Incident) CatalogValues(fieldIDOrName string) []EmbeddedCatalogEntry {
	var out []EmbeddedCatalogEntry
	for _, byID := range []bool{true, false} {
		for _, e := range i.CustomFieldEntries {
			if (byID && e.CustomField.ID == fieldIDOrName) || (!byID && e.CustomField.Name == fieldIDOrName) {
				for _, v := range e.Values {
					if v.ValueCatalogEntry != nil {
						out = append(out, *v.ValueCatalogEntry)
					}
				}
				return out
			}
		}
	}
	return out
}

// ListIncidentsOptions are the query of GET /v2/incidents.
type ListIncidentsOptions struct {
	// PageSize is 0 for MaxIncidentsPageSize.
	PageSize int
	After    string
	// CustomFieldOneOf filters on custom fields: field id → values (entry
	// ids, external ids or aliases for catalog fields), sent as
	// custom_field[<id>][one_of]=<value>.
	CustomFieldOneOf map[string][]string
	// StatusCategoryOneOf filters on status categories.
	StatusCategoryOneOf []string
}

func (o *ListIncidentsOptions) query() url.Values {
	q := url.Values{}
	size := o.PageSize
	if size <= 0 || size > MaxIncidentsPageSize {
		size = MaxIncidentsPageSize
	}
	q.Set("page_size", strconv.Itoa(size))
	if o.After != "" {
		q.Set("after", o.After)
	}
	ids := make([]string, 0, len(o.CustomFieldOneOf))
	for id := range o.CustomFieldOneOf {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, v := range o.CustomFieldOneOf[id] {
			q.Add("custom_field["+id+"][one_of]", v)
		}
	}
	for _, c := range o.StatusCategoryOneOf {
		q.Add("status_category[one_of]", c)
	}
	return q
}

// IncidentsPage is one page of Incidents V2#List.
type IncidentsPage struct {
	Incidents      []Incident      `json:"incidents"`
	PaginationMeta *PaginationMeta `json:"pagination_meta,omitempty"`
}

// List returns one page of incidents (Incidents V2#List).
func (s *IncidentsService) List(ctx context.Context, o *ListIncidentsOptions) (*IncidentsPage, *Response, error) {
	if o == nil {
		o = &ListIncidentsOptions{}
	}
	var out IncidentsPage
	resp, err := (*service)(s).call(ctx, epListIncidents, nil, o.query(), nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list incidents: %w", err)
	}
	return &out, resp, nil
}

// All iterates over every incident matching o.
func (s *IncidentsService) All(ctx context.Context, o ListIncidentsOptions) iter.Seq2[Incident, error] {
	return paginate(ctx, func(ctx context.Context, after string) ([]Incident, string, error) {
		o.After = after
		page, _, err := s.List(ctx, &o)
		if err != nil {
			return nil, "", err
		}
		next := ""
		if page.PaginationMeta != nil {
			next = page.PaginationMeta.After
		}
		return page.Incidents, next, nil
	})
}

// Get returns an incident by id or by reference number (Incidents V2#Show).
func (s *IncidentsService) Get(ctx context.Context, id string) (*Incident, *Response, error) {
	var out struct {
		Incident *Incident `json:"incident"`
	}
	resp, err := (*service)(s).call(ctx, epShowIncident, []string{id}, nil, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("get incident %s: %w", id, err)
	}
	return out.Incident, resp, nil
}

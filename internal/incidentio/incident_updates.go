package incidentio

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// IncidentUpdatesService covers incident updates (Incident Updates V2):
// read-only, the public API cannot post one.
type IncidentUpdatesService service

// IncidentUpdate is a status update with its message (IncidentUpdateV2).
type IncidentUpdate struct {
	ID                string         `json:"id"`
	IncidentID        string         `json:"incident_id"`
	Message           string         `json:"message,omitempty"`
	NewIncidentStatus IncidentStatus `json:"new_incident_status"`
	NewSeverity       *Severity      `json:"new_severity,omitempty"`
	Updater           Actor          `json:"updater"`
	CreatedAt         time.Time      `json:"created_at"`
}

// ListIncidentUpdatesOptions are the query of GET /v2/incident_updates.
type ListIncidentUpdatesOptions struct {
	IncidentID string
	// PageSize is 0 for the maximum, 250.
	PageSize int
	After    string
}

// IncidentUpdatesPage is one page of Incident Updates V2#List.
type IncidentUpdatesPage struct {
	IncidentUpdates []IncidentUpdate `json:"incident_updates"`
	PaginationMeta  *PaginationMeta  `json:"pagination_meta,omitempty"`
}

// List returns one page of updates (Incident Updates V2#List).
func (s *IncidentUpdatesService) List(ctx context.Context, o *ListIncidentUpdatesOptions) (*IncidentUpdatesPage, *Response, error) {
	if o == nil {
		o = &ListIncidentUpdatesOptions{}
	}
	size := o.PageSize
	if size <= 0 || size > 250 {
		size = 250
	}
	q := url.Values{"page_size": {strconv.Itoa(size)}}
	if o.IncidentID != "" {
		q.Set("incident_id", o.IncidentID)
	}
	if o.After != "" {
		q.Set("after", o.After)
	}
	var out IncidentUpdatesPage
	resp, err := (*service)(s).call(ctx, epListIncidentUpdates, nil, q, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list updates of incident %s: %w", o.IncidentID, err)
	}
	return &out, resp, nil
}

// All iterates over every update matching o.
func (s *IncidentUpdatesService) All(ctx context.Context, o ListIncidentUpdatesOptions) iter.Seq2[IncidentUpdate, error] {
	return paginate(ctx, func(ctx context.Context, after string) ([]IncidentUpdate, string, error) {
		o.After = after
		page, _, err := s.List(ctx, &o)
		if err != nil {
			return nil, "", err
		}
		next := ""
		if page.PaginationMeta != nil {
			next = page.PaginationMeta.After
		}
		return page.IncidentUpdates, next, nil
	})
}

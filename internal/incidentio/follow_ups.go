package incidentio

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// FollowUpsService covers post-incident follow-ups (Follow-ups V2).
type FollowUpsService service

// FollowUp is a follow-up (FollowUpV2).
type FollowUp struct {
	ID           string     `json:"id"`
	IncidentID   string     `json:"incident_id"`
	Title        string     `json:"title"`
	Description  string     `json:"description,omitempty"`
	Status       string     `json:"status"`
	Labels       []string   `json:"labels"`
	Assignee     *User      `json:"assignee,omitempty"`
	AssigneeTeam *Named     `json:"assignee_team,omitempty"`
	Priority     *Named     `json:"priority,omitempty"`
	Creator      Actor      `json:"creator"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// UpdateFollowUpRequest is the body of PUT /v2/follow_ups/{id}. Title and
// Status are required; the PUT replaces the follow-up, so send the fields
// to keep.
type UpdateFollowUpRequest struct {
	Title                    string   `json:"title"`
	Status                   string   `json:"status"`
	Description              string   `json:"description,omitempty"`
	AssigneeID               string   `json:"assignee_id,omitempty"`
	AssigneeTeamID           string   `json:"assignee_team_id,omitempty"`
	FollowUpPriorityOptionID string   `json:"follow_up_priority_option_id,omitempty"`
	Labels                   []string `json:"labels,omitempty"`
}

// UpdateRequestFrom returns the PUT body that keeps f as it is, for a
// caller to change one field.
func (f *FollowUp) UpdateRequestFrom() *UpdateFollowUpRequest {
	r := &UpdateFollowUpRequest{Title: f.Title, Status: f.Status, Description: f.Description, Labels: f.Labels}
	if f.Assignee != nil {
		r.AssigneeID = f.Assignee.ID
	}
	if f.AssigneeTeam != nil {
		r.AssigneeTeamID = f.AssigneeTeam.ID
	}
	if f.Priority != nil {
		r.FollowUpPriorityOptionID = f.Priority.ID
	}
	return r
}

// List returns the follow-ups of an incident, or of all incidents when
// incidentID is empty (Follow-ups V2#List; not paginated).
func (s *FollowUpsService) List(ctx context.Context, incidentID string) ([]FollowUp, *Response, error) {
	var q url.Values
	if incidentID != "" {
		q = url.Values{"incident_id": {incidentID}}
	}
	var out struct {
		FollowUps []FollowUp `json:"follow_ups"`
	}
	resp, err := (*service)(s).call(ctx, epListFollowUps, nil, q, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list follow-ups of incident %s: %w", incidentID, err)
	}
	return out.FollowUps, resp, nil
}

// Get returns a follow-up (Follow-ups V2#Show).
func (s *FollowUpsService) Get(ctx context.Context, id string) (*FollowUp, *Response, error) {
	var out struct {
		FollowUp *FollowUp `json:"follow_up"`
	}
	resp, err := (*service)(s).call(ctx, epShowFollowUp, []string{id}, nil, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("get follow-up %s: %w", id, err)
	}
	return out.FollowUp, resp, nil
}

// Update replaces a follow-up (Follow-ups V2#Update).
func (s *FollowUpsService) Update(ctx context.Context, id string, r *UpdateFollowUpRequest) (*FollowUp, *Response, error) {
	if r == nil || r.Title == "" || r.Status == "" {
		return nil, nil, fmt.Errorf("update follow-up %s: %w: title and status are required", id, ErrInvalidArgument)
	}
	var out struct {
		FollowUp *FollowUp `json:"follow_up"`
	}
	resp, err := (*service)(s).call(ctx, epUpdateFollowUp, []string{id}, nil, r, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("update follow-up %s: %w", id, err)
	}
	return out.FollowUp, resp, nil
}

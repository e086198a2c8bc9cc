package incidentio

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// ActionsService covers in-incident actions (Actions V2).
type ActionsService service

// Action is an action (ActionV2; the v1 webhook payload adds follow_up).
type Action struct {
	ID          string     `json:"id"`
	IncidentID  string     `json:"incident_id"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	Assignee    *User      `json:"assignee,omitempty"`
	Creator     *Actor     `json:"creator,omitempty"`
	FollowUp    bool       `json:"follow_up,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// UpdateActionRequest is the body of PUT /v2/actions/{id}.
type UpdateActionRequest struct {
	Description string `json:"description"`
	Status      string `json:"status"`
	AssigneeID  string `json:"assignee_id,omitempty"`
}

// List returns the actions of an incident, or all when incidentID is empty
// (Actions V2#List; not paginated).
func (s *ActionsService) List(ctx context.Context, incidentID string) ([]Action, *Response, error) {
	var q url.Values
	if incidentID != "" {
		q = url.Values{"incident_id": {incidentID}}
	}
	var out struct {
		Actions []Action `json:"actions"`
	}
	resp, err := (*service)(s).call(ctx, epListActions, nil, q, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list actions of incident %s: %w", incidentID, err)
	}
	return out.Actions, resp, nil
}

// Get returns an action (Actions V2#Show).
func (s *ActionsService) Get(ctx context.Context, id string) (*Action, *Response, error) {
	var out struct {
		Action *Action `json:"action"`
	}
	resp, err := (*service)(s).call(ctx, epShowAction, []string{id}, nil, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("get action %s: %w", id, err)
	}
	return out.Action, resp, nil
}

// Update replaces an action (Actions V2#Update).
func (s *ActionsService) Update(ctx context.Context, id string, r *UpdateActionRequest) (*Action, *Response, error) {
	if r == nil || r.Description == "" || r.Status == "" {
		return nil, nil, fmt.Errorf("update action %s: %w: description and status are required", id, ErrInvalidArgument)
	}
	var out struct {
		Action *Action `json:"action"`
	}
	resp, err := (*service)(s).call(ctx, epUpdateAction, []string{id}, nil, r, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("update action %s: %w", id, err)
	}
	return out.Action, resp, nil
}

package ghl

import "context"

// LocationsService covers location-wide endpoints of the GHL Locations
// API (Version 2021-07-28).
type LocationsService service

// SearchTasksRequest is the body of the location task search
// (TaskSearchParamsDto). Zero fields are not sent.
type SearchTasksRequest struct {
	ContactIDs []string `json:"contactId,omitempty"`
	Completed  *bool    `json:"completed,omitempty"`
	AssignedTo []string `json:"assignedTo,omitempty"`
	Query      string   `json:"query,omitempty"`
	// Limit is the page size (GHL default 25).
	Limit int `json:"limit,omitempty"`
	// Skip is the number of tasks to skip (offset paging).
	Skip       int    `json:"skip,omitempty"`
	BusinessID string `json:"businessId,omitempty"`
}

// SearchTasks searches the tasks of a location. It is a read: it is
// retried like a GET.
//
// GHL API: POST /locations/{locationId}/tasks/search (task-search).
func (s *LocationsService) SearchTasks(ctx context.Context, locationID string, r *SearchTasksRequest) ([]Task, *Response, error) {
	if r == nil {
		r = &SearchTasksRequest{}
	}
	if r.Limit < 0 || r.Skip < 0 {
		return nil, nil, invalid(epSearchTasks, "negative limit or skip")
	}
	req, err := s.client.NewRequest(ctx, epSearchTasks, []string{locationID}, nil, r)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Tasks []Task `json:"tasks"`
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Tasks, resp, nil
}

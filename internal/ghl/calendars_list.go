package ghl

import (
	"context"
	"net/url"
	"strconv"
)

// Calendar is a calendar of a location (CalendarDTO; the booking settings
// ghlsync does not use are left out).
type Calendar struct {
	ID           string `json:"id"`
	LocationID   string `json:"locationId"`
	GroupID      string `json:"groupId,omitempty"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	Slug         string `json:"slug,omitempty"`
	WidgetSlug   string `json:"widgetSlug,omitempty"`
	CalendarType string `json:"calendarType,omitempty"`
	IsActive     *bool  `json:"isActive,omitempty"`
}

// ListCalendarsOptions are the query of a calendar listing. LocationID is
// required.
type ListCalendarsOptions struct {
	LocationID string
	// GroupID limits the list to one calendar group.
	GroupID string
	// ShowDrafted includes draft calendars (GHL's default: true).
	ShowDrafted *bool
}

func (o *ListCalendarsOptions) values() url.Values {
	q := url.Values{}
	q.Set("locationId", o.LocationID)
	if o.GroupID != "" {
		q.Set("groupId", o.GroupID)
	}
	if o.ShowDrafted != nil {
		q.Set("showDrafted", strconv.FormatBool(*o.ShowDrafted))
	}
	return q
}

// List returns the calendars of a location.
//
// GHL API: GET /calendars/ (get-calendars).
func (s *CalendarsService) List(ctx context.Context, opts *ListCalendarsOptions) ([]Calendar, *Response, error) {
	if opts == nil || opts.LocationID == "" {
		return nil, nil, invalid(epListCalendars, "empty locationId")
	}
	req, err := s.client.NewRequest(ctx, epListCalendars, nil, opts.values(), nil)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Calendars []Calendar `json:"calendars"`
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Calendars, resp, nil
}

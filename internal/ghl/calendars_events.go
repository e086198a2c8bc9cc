package ghl

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// ListEventsOptions are the query of a calendar events listing.
// LocationID, one of CalendarID, UserID and GroupID, and a window with
// StartTime before EndTime are required.
type ListEventsOptions struct {
	LocationID string
	// CalendarID, UserID (the appointment's owner) or GroupID (a calendar
	// group) selects the events; GHL requires one of them.
	CalendarID string
	UserID     string
	GroupID    string
	// StartTime and EndTime bound the window; they are sent as epoch
	// milliseconds.
	StartTime time.Time
	EndTime   time.Time
}

func (o *ListEventsOptions) values() url.Values {
	q := url.Values{}
	q.Set("locationId", o.LocationID)
	for k, v := range map[string]string{"calendarId": o.CalendarID, "userId": o.UserID, "groupId": o.GroupID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("startTime", strconv.FormatInt(o.StartTime.UnixMilli(), 10))
	q.Set("endTime", strconv.FormatInt(o.EndTime.UnixMilli(), 10))
	return q
}

// ListEvents returns the events (appointments) of a calendar, a user or a
// calendar group in a time window, whether or not their contact changed.
// Times come back as ISO-8601 with the location's offset. GHL documents no
// paging for this operation: narrow the window to bound a response.
//
// GHL API: GET /calendars/events (get-calendar-events).
func (s *CalendarsService) ListEvents(ctx context.Context, opts *ListEventsOptions) ([]Appointment, *Response, error) {
	switch {
	case opts == nil:
		return nil, nil, invalid(epListEvents, "%v", errNilRequest)
	case opts.LocationID == "":
		return nil, nil, invalid(epListEvents, "empty locationId")
	case opts.CalendarID == "" && opts.UserID == "" && opts.GroupID == "":
		return nil, nil, invalid(epListEvents, "one of calendarId, userId and groupId is required")
	case opts.StartTime.IsZero() || opts.EndTime.IsZero() || !opts.StartTime.Before(opts.EndTime):
		return nil, nil, invalid(epListEvents, "startTime must be before endTime")
	}
	req, err := s.client.NewRequest(ctx, epListEvents, nil, opts.values(), nil)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Events []Appointment `json:"events"`
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Events, resp, nil
}

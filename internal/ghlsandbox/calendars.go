package ghlsandbox

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Calendars: each location has a default calendar (LocationInfo.CalendarID)
// and may get more with AddCalendar. GET /calendars/ lists them;
// GET /calendars/events lists the events of a calendar, a user or a group
// in a window given in epoch milliseconds. Choices where GHL is silent: an
// event is in the window when it overlaps it (start <= endTime and end >=
// startTime), events come oldest first, an unknown calendarId answers 400
// "Calendar not found" as the appointment create does, and calendars
// belong to no group (a groupId matches no calendar and no event).

func (l *location) hasCalendar(id string) bool { _, ok := l.calendars[id]; return ok }

// AddCalendar adds a calendar to a location and returns its id. GHL sends
// no webhook for calendars.
func (s *Sandbox) AddCalendar(locationID, name string) (string, error) {
	var id string
	err := s.lockedLocation(locationID, func(l *location) error {
		id = s.ids.id()
		if name == "" {
			name = "Calendar " + id[:6]
		}
		l.calendars[id] = name
		return nil
	})
	return id, err
}

// calendarJSON is the part of CalendarDTO the sandbox models.
type calendarJSON struct {
	ID           string `json:"id"`
	LocationID   string `json:"locationId"`
	Name         string `json:"name"`
	CalendarType string `json:"calendarType"`
	IsActive     bool   `json:"isActive"`
}

// listCalendars is GET /calendars/ (get-calendars).
func (s *Sandbox) listCalendars(rc *reqCtx) (int, any, *apiError) {
	q := rc.r.URL.Query()
	if q.Get("locationId") == "" {
		return 0, nil, errBadRequest("locationId should not be empty")
	}
	if v := q.Get("showDrafted"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			return 0, nil, errBadRequest("showDrafted must be a boolean value")
		}
	}
	l, e := s.locationFor(rc, q.Get("locationId"))
	if e != nil {
		return 0, nil, e
	}
	out := []calendarJSON{}
	if q.Get("groupId") != "" {
		return http.StatusOK, map[string]any{"calendars": out}, nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	for id, name := range l.calendars {
		out = append(out, calendarJSON{ID: id, LocationID: l.id, Name: name, CalendarType: "event", IsActive: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return http.StatusOK, map[string]any{"calendars": out}, nil
}

// calendarEvents is GET /calendars/events (get-calendar-events).
func (s *Sandbox) calendarEvents(rc *reqCtx) (int, any, *apiError) {
	q := rc.r.URL.Query()
	calID, userID, groupID := q.Get("calendarId"), q.Get("userId"), q.Get("groupId")
	millis := func(name string) (time.Time, *apiError) {
		n, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil {
			return time.Time{}, errBadRequest(fmt.Sprintf("%s must be a number string (epoch milliseconds)", name))
		}
		return time.UnixMilli(n).UTC(), nil
	}
	if q.Get("locationId") == "" {
		return 0, nil, errBadRequest("locationId should not be empty")
	}
	if calID == "" && userID == "" && groupID == "" {
		return 0, nil, errBadRequest("Either of calendarId, userId or groupId is required")
	}
	start, e := millis("startTime")
	if e != nil {
		return 0, nil, e
	}
	end, e := millis("endTime")
	if e != nil {
		return 0, nil, e
	}
	l, e := s.locationFor(rc, q.Get("locationId"))
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if calID != "" && !l.hasCalendar(calID) {
		return 0, nil, errBadRequest("Calendar not found")
	}
	var as []*Appointment
	for _, a := range l.appts {
		switch {
		case calID != "" && a.CalendarID != calID,
			groupID != "" && a.GroupID != groupID,
			userID != "" && a.AssignedUserID != userID && !slices.Contains(a.Users, userID),
			a.StartTime.After(end) || a.EndTime.Before(start):
			continue
		}
		as = append(as, a)
	}
	sort.Slice(as, func(i, j int) bool {
		if !as[i].StartTime.Equal(as[j].StartTime) {
			return as[i].StartTime.Before(as[j].StartTime)
		}
		return as[i].ID < as[j].ID
	})
	out := make([]calendarEventJSON, len(as))
	for i, a := range as {
		out[i] = l.eventView(a)
	}
	return http.StatusOK, map[string]any{"events": out}, nil
}

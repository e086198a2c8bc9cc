package ghl

import "context"

// Appointment is a calendar appointment (event). GHL returns times in
// several shapes ("2021-07-16 11:00:00" for a contact's appointments,
// "2021-06-23T03:30:00+05:30" from the calendars API), so StartTime,
// EndTime, DateAdded and DateUpdated are kept as sent; parse them with
// Timestamp when needed.
type Appointment struct {
	ID                  string   `json:"id"`
	CalendarID          string   `json:"calendarId,omitempty"`
	LocationID          string   `json:"locationId,omitempty"`
	ContactID           string   `json:"contactId,omitempty"`
	GroupID             string   `json:"groupId,omitempty"`
	Title               string   `json:"title,omitempty"`
	Status              string   `json:"status,omitempty"`
	AppointmentStatus   string   `json:"appointmentStatus,omitempty"`
	AssignedUserID      string   `json:"assignedUserId,omitempty"`
	Users               []string `json:"users,omitempty"`
	AssignedResources   []string `json:"assignedResources,omitempty"`
	Notes               string   `json:"notes,omitempty"`
	Description         string   `json:"description,omitempty"`
	Address             string   `json:"address,omitempty"`
	MeetingLocationType string   `json:"meetingLocationType,omitempty"`
	IsRecurring         bool     `json:"isRecurring,omitempty"`
	RRule               string   `json:"rrule,omitempty"`
	StartTime           string   `json:"startTime,omitempty"`
	EndTime             string   `json:"endTime,omitempty"`
	DateAdded           string   `json:"dateAdded,omitempty"`
	DateUpdated         string   `json:"dateUpdated,omitempty"`
	// MasterEventID is set on an instance of a recurring event, whose ID
	// is then "<master>_<startMillis>_<duration>" (calendars API only).
	MasterEventID string `json:"masterEventId,omitempty"`
}

// ListAppointments returns a contact's appointments.
//
// GHL API: GET /contacts/{contactId}/appointments (get-appointments-for-contact).
func (s *ContactsService) ListAppointments(ctx context.Context, contactID string) ([]Appointment, *Response, error) {
	req, err := s.client.NewRequest(ctx, epContactAppointments, []string{contactID}, nil, nil)
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

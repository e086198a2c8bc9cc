package ghl

import (
	"context"
	"time"
)

// CalendarsService covers the GHL Calendars API (Version 2021-04-15).
type CalendarsService service

// CreateAppointmentRequest is the body of an appointment create
// (AppointmentCreateSchema). CalendarID, LocationID, ContactID and
// StartTime are required.
type CreateAppointmentRequest struct {
	CalendarID string     `json:"calendarId"`
	LocationID string     `json:"locationId"`
	ContactID  string     `json:"contactId"`
	StartTime  time.Time  `json:"startTime"`
	EndTime    *time.Time `json:"endTime,omitempty"`
	Title      string     `json:"title,omitempty"`
	// MeetingLocationType is custom, zoom, gmeet, phone, address, ms_teams
	// or google.
	MeetingLocationType    string `json:"meetingLocationType,omitempty"`
	MeetingLocationID      string `json:"meetingLocationId,omitempty"`
	OverrideLocationConfig *bool  `json:"overrideLocationConfig,omitempty"`
	// AppointmentStatus is new, confirmed, cancelled, showed, noshow or
	// invalid.
	AppointmentStatus        string `json:"appointmentStatus,omitempty"`
	AssignedUserID           string `json:"assignedUserId,omitempty"`
	Description              string `json:"description,omitempty"`
	Address                  string `json:"address,omitempty"`
	IgnoreDateRange          *bool  `json:"ignoreDateRange,omitempty"`
	ToNotify                 *bool  `json:"toNotify,omitempty"`
	IgnoreFreeSlotValidation *bool  `json:"ignoreFreeSlotValidation,omitempty"`
	RRule                    string `json:"rrule,omitempty"`
}

func (r *CreateAppointmentRequest) rateLimitLocation() string { return r.LocationID }

// UpdateAppointmentRequest is the body of an appointment update
// (AppointmentEditSchema). Nil fields are not sent.
type UpdateAppointmentRequest struct {
	CalendarID               *string    `json:"calendarId,omitempty"`
	StartTime                *time.Time `json:"startTime,omitempty"`
	EndTime                  *time.Time `json:"endTime,omitempty"`
	Title                    *string    `json:"title,omitempty"`
	MeetingLocationType      *string    `json:"meetingLocationType,omitempty"`
	MeetingLocationID        *string    `json:"meetingLocationId,omitempty"`
	OverrideLocationConfig   *bool      `json:"overrideLocationConfig,omitempty"`
	AppointmentStatus        *string    `json:"appointmentStatus,omitempty"`
	AssignedUserID           *string    `json:"assignedUserId,omitempty"`
	Description              *string    `json:"description,omitempty"`
	Address                  *string    `json:"address,omitempty"`
	IgnoreDateRange          *bool      `json:"ignoreDateRange,omitempty"`
	ToNotify                 *bool      `json:"toNotify,omitempty"`
	IgnoreFreeSlotValidation *bool      `json:"ignoreFreeSlotValidation,omitempty"`
	RRule                    *string    `json:"rrule,omitempty"`
}

// CreateAppointment books an appointment (GHL answers 200). A failure after
// the request may have reached GHL is an *AmbiguousError and is not
// retried.
//
// GHL API: POST /calendars/events/appointments (create-appointment).
func (s *CalendarsService) CreateAppointment(ctx context.Context, r *CreateAppointmentRequest) (*Appointment, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epCreateAppointment, "%v", errNilRequest)
	}
	if r.CalendarID == "" || r.LocationID == "" || r.ContactID == "" || r.StartTime.IsZero() {
		return nil, nil, invalid(epCreateAppointment, "calendarId, locationId, contactId and startTime are required")
	}
	return s.appointment(ctx, epCreateAppointment, nil, r)
}

// UpdateAppointment changes an appointment; nil fields are left as they
// are.
//
// GHL API: PUT /calendars/events/appointments/{eventId} (edit-appointment).
func (s *CalendarsService) UpdateAppointment(ctx context.Context, eventID string, r *UpdateAppointmentRequest) (*Appointment, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epUpdateAppointment, "%v", errNilRequest)
	}
	return s.appointment(ctx, epUpdateAppointment, []string{eventID}, r)
}

func (s *CalendarsService) appointment(ctx context.Context, ep *Endpoint, params []string, body any) (*Appointment, *Response, error) {
	req, err := s.client.NewRequest(ctx, ep, params, nil, body)
	if err != nil {
		return nil, nil, err
	}
	var out Appointment
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

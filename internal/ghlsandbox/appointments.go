package ghlsandbox

import (
	"net/http"
	"slices"
	"sort"
	"time"
)

// Appointment times: the calendars API and webhooks use ISO-8601 with the
// location's offset ("2023-09-25T16:00:00+05:30"); GET
// /contacts/{id}/appointments uses "2006-01-02 15:04:05" in the location's
// zone, as its documented example does (NOTES §4.7, §8.13).
const contactApptLayout = "2006-01-02 15:04:05"

func (l *location) apptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(l.timezone).Format(time.RFC3339)
}

// calendarEventJSON is CalendarEventDTO (GET) and AppointmentSchemaResponse
// (POST/PUT) in one.
type calendarEventJSON struct {
	ID                  string   `json:"id"`
	Address             string   `json:"address,omitempty"`
	Title               string   `json:"title"`
	CalendarID          string   `json:"calendarId"`
	LocationID          string   `json:"locationId"`
	ContactID           string   `json:"contactId"`
	GroupID             string   `json:"groupId"`
	AppointmentStatus   string   `json:"appointmentStatus"`
	AssignedUserID      string   `json:"assignedUserId"`
	Users               []string `json:"users"`
	Notes               string   `json:"notes,omitempty"`
	Description         string   `json:"description,omitempty"`
	MeetingLocationType string   `json:"meetingLocationType,omitempty"`
	IsRecurring         bool     `json:"isRecurring"`
	RRule               string   `json:"rrule,omitempty"`
	StartTime           string   `json:"startTime"`
	EndTime             string   `json:"endTime"`
	DateAdded           string   `json:"dateAdded"`
	DateUpdated         string   `json:"dateUpdated"`
}

func (l *location) eventView(a *Appointment) calendarEventJSON {
	users := slices.Clone(a.Users)
	if users == nil {
		users = []string{}
	}
	return calendarEventJSON{ID: a.ID, Address: a.Address, Title: a.Title, CalendarID: a.CalendarID, LocationID: a.LocationID,
		ContactID: a.ContactID, GroupID: a.GroupID, AppointmentStatus: a.Status, AssignedUserID: a.AssignedUserID, Users: users,
		Notes: a.Notes, Description: a.Description, MeetingLocationType: a.MeetingLocationType, IsRecurring: a.RRule != "", RRule: a.RRule,
		StartTime: l.apptTime(a.StartTime), EndTime: l.apptTime(a.EndTime), DateAdded: l.apptTime(a.DateAdded), DateUpdated: l.apptTime(a.DateUpdated)}
}

// contactEventJSON is GetEventSchema (GET /contacts/{id}/appointments).
type contactEventJSON struct {
	ID                string   `json:"id"`
	CalendarID        string   `json:"calendarId"`
	Status            string   `json:"status"`
	Title             string   `json:"title"`
	AssignedUserID    string   `json:"assignedUserId,omitempty"`
	Notes             string   `json:"notes,omitempty"`
	StartTime         string   `json:"startTime"`
	EndTime           string   `json:"endTime"`
	Address           string   `json:"address,omitempty"`
	LocationID        string   `json:"locationId"`
	ContactID         string   `json:"contactId"`
	GroupID           string   `json:"groupId,omitempty"`
	AppointmentStatus string   `json:"appointmentStatus"`
	Users             []string `json:"users"`
	DateAdded         string   `json:"dateAdded"`
	DateUpdated       string   `json:"dateUpdated"`
	AssignedResources []string `json:"assignedResources"`
}

func (l *location) contactEventView(a *Appointment) contactEventJSON {
	users := slices.Clone(a.Users)
	if users == nil {
		users = []string{}
	}
	f := func(t time.Time) string { return t.In(l.timezone).Format(contactApptLayout) }
	return contactEventJSON{ID: a.ID, CalendarID: a.CalendarID, Status: "booked", Title: a.Title, AssignedUserID: a.AssignedUserID,
		Notes: a.Notes, StartTime: f(a.StartTime), EndTime: f(a.EndTime), Address: a.Address, LocationID: a.LocationID,
		ContactID: a.ContactID, GroupID: a.GroupID, AppointmentStatus: a.Status, Users: users, DateAdded: f(a.DateAdded),
		DateUpdated: f(a.DateUpdated), AssignedResources: []string{}}
}

var appointmentStatuses = []string{"new", "confirmed", "cancelled", "showed", "noshow", "invalid"}

type appointmentRequest struct {
	Title, MeetingLocationType, MeetingLocationID, AppointmentStatus, AssignedUserID, Description opt[string]
	Address, RRule, CalendarID, LocationID, ContactID, StartTime, EndTime                         opt[string]
	OverrideLocationConfig, IgnoreDateRange, ToNotify, IgnoreFreeSlotValidation                   opt[bool]
}

func (r *appointmentRequest) fields() map[string]any {
	return map[string]any{"title": &r.Title, "meetingLocationType": &r.MeetingLocationType, "meetingLocationId": &r.MeetingLocationID,
		"appointmentStatus": &r.AppointmentStatus, "assignedUserId": &r.AssignedUserID, "description": &r.Description,
		"address": &r.Address, "rrule": &r.RRule, "calendarId": &r.CalendarID, "locationId": &r.LocationID, "contactId": &r.ContactID,
		"startTime": &r.StartTime, "endTime": &r.EndTime, "overrideLocationConfig": &r.OverrideLocationConfig,
		"ignoreDateRange": &r.IgnoreDateRange, "toNotify": &r.ToNotify, "ignoreFreeSlotValidation": &r.IgnoreFreeSlotValidation}
}

func (r *appointmentRequest) validate(create bool) *apiError {
	var msgs []string
	if create {
		for _, f := range []struct {
			name string
			v    opt[string]
		}{{"calendarId", r.CalendarID}, {"locationId", r.LocationID}, {"contactId", r.ContactID}, {"startTime", r.StartTime}} {
			if !f.v.has() || f.v.V == "" {
				msgs = append(msgs, f.name+" should not be empty")
			}
		}
	}
	for _, f := range []struct {
		name string
		v    opt[string]
	}{{"startTime", r.StartTime}, {"endTime", r.EndTime}} {
		if f.v.has() && f.v.V != "" {
			if _, ok := parseTime(f.v.V); !ok {
				msgs = append(msgs, f.name+" must be a valid ISO 8601 date string")
			}
		}
	}
	if r.AppointmentStatus.has() && !slices.Contains(appointmentStatuses, r.AppointmentStatus.V) {
		msgs = append(msgs, "appointmentStatus must be one of the following values: new, confirmed, cancelled, showed, noshow, invalid")
	}
	if msgs != nil {
		return &apiError{status: http.StatusBadRequest, message: msgs[0]}
	}
	return nil
}

func (s *Sandbox) contactAppointments(rc *reqCtx) (int, any, *apiError) {
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.contacts[cid] == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	var as []*Appointment
	for _, a := range l.appts {
		if a.ContactID == cid {
			as = append(as, a)
		}
	}
	sort.Slice(as, func(i, j int) bool {
		if !as[i].StartTime.Equal(as[j].StartTime) {
			return as[i].StartTime.Before(as[j].StartTime)
		}
		return as[i].ID < as[j].ID
	})
	out := make([]contactEventJSON, len(as))
	for i, a := range as {
		out[i] = l.contactEventView(a)
	}
	return http.StatusOK, map[string]any{"events": out}, nil
}

// insertAppointment stores an appointment and emits AppointmentCreate.
// Caller holds l.mu.
func (s *Sandbox) insertAppointment(l *location, a *Appointment) {
	l.appts[a.ID] = a
	s.index.Store(a.ID, l)
	s.emitAppointment("AppointmentCreate", l, a)
}

// createAppointment is POST /calendars/events/appointments (200 per spec).
func (s *Sandbox) createAppointment(rc *reqCtx) (int, any, *apiError) {
	var r appointmentRequest
	if e := bind(rc.body, "AppointmentCreateSchema", r.fields()); e != nil {
		return 0, nil, e
	}
	if e := r.validate(true); e != nil {
		return 0, nil, e
	}
	l, e := s.locationFor(rc, r.LocationID.V)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.hasCalendar(r.CalendarID.V) {
		return 0, nil, errBadRequest("Calendar not found")
	}
	if l.contacts[r.ContactID.V] == nil {
		return 0, nil, errBadRequest("Contact not found")
	}
	now := s.now()
	start, _ := parseTime(r.StartTime.V)
	end := start.Add(30 * time.Minute)
	if r.EndTime.has() && r.EndTime.V != "" {
		end, _ = parseTime(r.EndTime.V)
	}
	status := "confirmed"
	if r.AppointmentStatus.has() {
		status = r.AppointmentStatus.V
	}
	a := &Appointment{ID: s.ids.id(), LocationID: l.id, CalendarID: r.CalendarID.V, ContactID: r.ContactID.V, Title: r.Title.V,
		Status: status, AssignedUserID: r.AssignedUserID.V, Address: r.Address.V, Description: r.Description.V,
		MeetingLocationType: r.MeetingLocationType.V, RRule: r.RRule.V, Source: "third_party", StartTime: start, EndTime: end,
		DateAdded: now, DateUpdated: now}
	if a.AssignedUserID != "" {
		a.Users = []string{a.AssignedUserID}
	}
	s.insertAppointment(l, a)
	return http.StatusOK, l.eventView(a), nil
}

func (s *Sandbox) appointmentFor(rc *reqCtx) (*location, *apiError) {
	return s.entityLocation(rc, rc.param("eventId"), "Appointment")
}

func (s *Sandbox) getAppointment(rc *reqCtx) (int, any, *apiError) {
	l, e := s.appointmentFor(rc)
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	a := l.appts[rc.param("eventId")]
	if a == nil {
		return 0, nil, errNotFound("Appointment not found")
	}
	return http.StatusOK, map[string]any{"event": l.eventView(a)}, nil
}

// updateAppointmentLocked applies a change and emits AppointmentUpdate.
// Caller holds l.mu.
func (s *Sandbox) updateAppointmentLocked(l *location, a *Appointment, r *appointmentRequest) {
	before := a.clone()
	str := func(dst *string, o opt[string]) {
		if o.Set {
			*dst = o.V
		}
	}
	str(&a.Title, r.Title)
	str(&a.Status, r.AppointmentStatus)
	str(&a.AssignedUserID, r.AssignedUserID)
	str(&a.Address, r.Address)
	str(&a.Description, r.Description)
	str(&a.MeetingLocationType, r.MeetingLocationType)
	str(&a.RRule, r.RRule)
	if r.CalendarID.has() && l.hasCalendar(r.CalendarID.V) {
		a.CalendarID = r.CalendarID.V
	}
	if r.StartTime.has() {
		a.StartTime, _ = parseTime(r.StartTime.V)
	}
	if r.EndTime.has() {
		a.EndTime, _ = parseTime(r.EndTime.V)
	}
	if r.AssignedUserID.has() && !slices.Contains(a.Users, a.AssignedUserID) {
		a.Users = append(a.Users, a.AssignedUserID)
	}
	after := a.clone()
	after.DateUpdated = before.DateUpdated
	if !jsonEqual(before, after) {
		a.DateUpdated = s.now()
		s.emitAppointment("AppointmentUpdate", l, a)
	}
}

func (s *Sandbox) editAppointment(rc *reqCtx) (int, any, *apiError) {
	var r appointmentRequest
	if e := bind(rc.body, "AppointmentEditSchema", r.fields()); e != nil {
		return 0, nil, e
	}
	if e := r.validate(false); e != nil {
		return 0, nil, e
	}
	l, e := s.appointmentFor(rc)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.appts[rc.param("eventId")]
	if a == nil {
		return 0, nil, errNotFound("Appointment not found")
	}
	if r.CalendarID.has() && !l.hasCalendar(r.CalendarID.V) {
		return 0, nil, errBadRequest("Calendar not found")
	}
	s.updateAppointmentLocked(l, a, &r)
	return http.StatusOK, l.eventView(a), nil
}

// deleteAppointment is DELETE /calendars/events/{eventId}: 201
// {succeeded: true} (spelt correctly here, unlike the contacts API).
func (s *Sandbox) deleteAppointment(rc *reqCtx) (int, any, *apiError) {
	if e := bind(rc.body, "DeleteAppointmentSchema", map[string]any{}); e != nil {
		return 0, nil, e
	}
	l, e := s.appointmentFor(rc)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.appts[rc.param("eventId")]
	if a == nil {
		return 0, nil, errNotFound("Appointment not found")
	}
	delete(l.appts, a.ID)
	s.index.Delete(a.ID)
	s.emitAppointment("AppointmentDelete", l, a)
	return http.StatusCreated, map[string]any{"succeeded": true}, nil
}

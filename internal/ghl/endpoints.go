package ghl

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Safety says what a repeated request does, and so whether the retry policy
// may send it again after a failure whose outcome is unknown.
type Safety int

const (
	// Safe requests only read (GET, and the search POSTs).
	Safe Safety = iota
	// Idempotent requests leave the same state however often they are sent
	// (PUT, DELETE, adding tags).
	Idempotent
	// NotIdempotent requests create something each time they are processed
	// (creates, upsert). They are never re-sent once they may have reached
	// GHL; the outcome is reported as an *AmbiguousError.
	NotIdempotent
	// SingleUse requests consume a single-use credential (an authorization
	// code, a refresh token). Like NotIdempotent, and a second attempt
	// would fail anyway with "invalid grant".
	SingleUse
)

// String returns the name of s.
func (s Safety) String() string {
	switch s {
	case Safe:
		return "safe"
	case Idempotent:
		return "idempotent"
	case NotIdempotent:
		return "not idempotent"
	case SingleUse:
		return "single use"
	}
	return fmt.Sprintf("Safety(%d)", int(s))
}

// Endpoint describes one GHL API operation: what NewRequest and Do need to
// build, pace, retry and report a call.
type Endpoint struct {
	// OperationID is the operationId of the official spec, e.g. "get-contact".
	OperationID string
	// Method is the HTTP method.
	Method string
	// Path is the path template, e.g. "/contacts/{contactId}".
	Path string
	// Version is the Version header value; empty sends none.
	Version string
	// Safety drives the retry policy.
	Safety Safety
}

// expand fills the {name} placeholders of the path with the escaped
// params, rejecting empty ones. It also returns the {locationId} value.
func (e *Endpoint) expand(params []string) (path, locationID string, err error) {
	var b strings.Builder
	rest := e.Path
	i := 0
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return "", "", fmt.Errorf("ghl: %s: malformed path template %q", e.OperationID, e.Path)
		}
		name := rest[open+1 : open+end]
		if i >= len(params) {
			return "", "", fmt.Errorf("ghl: %s: %w: missing %s", e.OperationID, ErrInvalidArgument, name)
		}
		v := params[i]
		if strings.TrimSpace(v) == "" {
			return "", "", fmt.Errorf("ghl: %s: %w: empty %s", e.OperationID, ErrInvalidArgument, name)
		}
		if name == "locationId" {
			locationID = v
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(v))
		rest = rest[open+end+1:]
		i++
	}
	if i != len(params) {
		return "", "", fmt.Errorf("ghl: %s: %d path parameters for %d placeholders", e.OperationID, len(params), i)
	}
	return b.String(), locationID, nil
}

// The endpoints the client covers. Safety of each write is argued in
// retry.go.
var (
	epGetContact         = &Endpoint{"get-contact", http.MethodGet, "/contacts/{contactId}", Version20210728, Safe}
	epCreateContact      = &Endpoint{"create-contact", http.MethodPost, "/contacts/", Version20210728, NotIdempotent}
	epUpdateContact      = &Endpoint{"update-contact", http.MethodPut, "/contacts/{contactId}", Version20210728, Idempotent}
	epDeleteContact      = &Endpoint{"delete-contact", http.MethodDelete, "/contacts/{contactId}", Version20210728, Idempotent}
	epUpsertContact      = &Endpoint{"upsert-contact", http.MethodPost, "/contacts/upsert", Version20210728, NotIdempotent}
	epSearchContacts     = &Endpoint{"search-contacts-advanced", http.MethodPost, "/contacts/search", Version20210728, Safe}
	epListContacts       = &Endpoint{"get-contacts", http.MethodGet, "/contacts/", Version20210728, Safe}
	epDuplicateContact   = &Endpoint{"get-duplicate-contact", http.MethodGet, "/contacts/search/duplicate", Version20210728, Safe}
	epContactsByBusiness = &Endpoint{"get-contacts-by-businessId", http.MethodGet, "/contacts/business/{businessId}", Version20210728, Safe}

	epAddTags    = &Endpoint{"add-tags", http.MethodPost, "/contacts/{contactId}/tags", Version20210728, Idempotent}
	epRemoveTags = &Endpoint{"remove-tags", http.MethodDelete, "/contacts/{contactId}/tags", Version20210728, Idempotent}

	epListTasks    = &Endpoint{"get-all-tasks", http.MethodGet, "/contacts/{contactId}/tasks", Version20210728, Safe}
	epGetTask      = &Endpoint{"get-task", http.MethodGet, "/contacts/{contactId}/tasks/{taskId}", Version20210728, Safe}
	epCreateTask   = &Endpoint{"create-task", http.MethodPost, "/contacts/{contactId}/tasks", Version20210728, NotIdempotent}
	epUpdateTask   = &Endpoint{"update-task", http.MethodPut, "/contacts/{contactId}/tasks/{taskId}", Version20210728, Idempotent}
	epCompleteTask = &Endpoint{"update-task-completed", http.MethodPut, "/contacts/{contactId}/tasks/{taskId}/completed", Version20210728, Idempotent}
	epDeleteTask   = &Endpoint{"delete-task", http.MethodDelete, "/contacts/{contactId}/tasks/{taskId}", Version20210728, Idempotent}
	epSearchTasks  = &Endpoint{"task-search", http.MethodPost, "/locations/{locationId}/tasks/search", Version20210728, Safe}

	epListNotes  = &Endpoint{"get-all-notes", http.MethodGet, "/contacts/{contactId}/notes", Version20210728, Safe}
	epGetNote    = &Endpoint{"get-note", http.MethodGet, "/contacts/{contactId}/notes/{id}", Version20210728, Safe}
	epCreateNote = &Endpoint{"create-note", http.MethodPost, "/contacts/{contactId}/notes", Version20210728, NotIdempotent}
	epUpdateNote = &Endpoint{"update-note", http.MethodPut, "/contacts/{contactId}/notes/{id}", Version20210728, Idempotent}
	epDeleteNote = &Endpoint{"delete-note", http.MethodDelete, "/contacts/{contactId}/notes/{id}", Version20210728, Idempotent}

	epContactAppointments = &Endpoint{"get-appointments-for-contact", http.MethodGet, "/contacts/{contactId}/appointments", Version20210728, Safe}
	epCreateAppointment   = &Endpoint{"create-appointment", http.MethodPost, "/calendars/events/appointments", Version20210415, NotIdempotent}
	epUpdateAppointment   = &Endpoint{"edit-appointment", http.MethodPut, "/calendars/events/appointments/{eventId}", Version20210415, Idempotent}
	epListEvents          = &Endpoint{"get-calendar-events", http.MethodGet, "/calendars/events", Version20210415, Safe}
	epListCalendars       = &Endpoint{"get-calendars", http.MethodGet, "/calendars/", Version20210415, Safe}

	// POST /oauth/token declares no Version header (NOTES §1), so none is sent.
	epExchangeCode  = &Endpoint{"get-access-token", http.MethodPost, "/oauth/token", "", SingleUse}
	epRefreshToken  = &Endpoint{"get-access-token", http.MethodPost, "/oauth/token", "", SingleUse}
	epLocationToken = &Endpoint{"get-location-access-token", http.MethodPost, "/oauth/locationToken", Version20210728, Idempotent}
)

// methodEndpoints maps each client method to the endpoint it calls.
var methodEndpoints = map[string]*Endpoint{
	"Contacts.Get":                epGetContact,
	"Contacts.Create":             epCreateContact,
	"Contacts.Update":             epUpdateContact,
	"Contacts.Delete":             epDeleteContact,
	"Contacts.Upsert":             epUpsertContact,
	"Contacts.Search":             epSearchContacts,
	"Contacts.List":               epListContacts,
	"Contacts.FindDuplicate":      epDuplicateContact,
	"Contacts.ListByBusiness":     epContactsByBusiness,
	"Contacts.AddTags":            epAddTags,
	"Contacts.RemoveTags":         epRemoveTags,
	"Contacts.ListTasks":          epListTasks,
	"Contacts.GetTask":            epGetTask,
	"Contacts.CreateTask":         epCreateTask,
	"Contacts.UpdateTask":         epUpdateTask,
	"Contacts.CompleteTask":       epCompleteTask,
	"Contacts.DeleteTask":         epDeleteTask,
	"Contacts.ListNotes":          epListNotes,
	"Contacts.GetNote":            epGetNote,
	"Contacts.CreateNote":         epCreateNote,
	"Contacts.UpdateNote":         epUpdateNote,
	"Contacts.DeleteNote":         epDeleteNote,
	"Contacts.ListAppointments":   epContactAppointments,
	"Locations.SearchTasks":       epSearchTasks,
	"Calendars.CreateAppointment": epCreateAppointment,
	"Calendars.UpdateAppointment": epUpdateAppointment,
	"Calendars.ListEvents":        epListEvents,
	"Calendars.List":              epListCalendars,
	"OAuth.ExchangeCode":          epExchangeCode,
	"OAuth.RefreshToken":          epRefreshToken,
	"OAuth.LocationToken":         epLocationToken,
}

// MethodEndpoint is one row of Endpoints: a client method and the GHL
// operation it calls.
type MethodEndpoint struct {
	// ClientMethod is the client method, e.g. "Contacts.Get".
	ClientMethod string
	Endpoint
}

// Endpoints lists every GHL operation the client covers, sorted by method
// name. The iterators (SearchAll, ListAll) page over Search and List and
// are not listed separately.
func Endpoints() []MethodEndpoint {
	out := make([]MethodEndpoint, 0, len(methodEndpoints))
	for m, e := range methodEndpoints {
		out = append(out, MethodEndpoint{ClientMethod: m, Endpoint: *e})
	}
	slices.SortFunc(out, func(a, b MethodEndpoint) int { return strings.Compare(a.ClientMethod, b.ClientMethod) })
	return out
}

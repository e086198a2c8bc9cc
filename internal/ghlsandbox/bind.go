package ghlsandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// opt is a JSON body field that remembers whether it was sent and whether
// it was null, so PUT can tell "leave alone" from "clear".
type opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// UnmarshalJSON records presence and null.
func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// has reports a present, non-null value.
func (o opt[T]) has() bool { return o.Set && !o.Null }

// dtoFields lists the declared properties of each request DTO the sandbox
// accepts (from the specs' components; checked by TestDTOFieldsMatchSpec).
// Anything else in a body is answered with 422 "property x should not exist".
var dtoFields = map[string][]string{
	"CreateContactDto":       {"firstName", "lastName", "name", "email", "locationId", "gender", "phone", "address1", "city", "state", "postalCode", "website", "timezone", "dnd", "dndSettings", "inboundDndSettings", "tags", "customFields", "source", "dateOfBirth", "country", "companyName", "assignedTo"},
	"UpdateContactDto":       {"firstName", "lastName", "name", "email", "phone", "address1", "city", "state", "postalCode", "website", "timezone", "dnd", "dndSettings", "inboundDndSettings", "tags", "customFields", "source", "dateOfBirth", "country", "assignedTo"},
	"UpsertContactDto":       {"firstName", "lastName", "name", "email", "locationId", "gender", "phone", "address1", "city", "state", "postalCode", "website", "timezone", "dnd", "dndSettings", "inboundDndSettings", "tags", "customFields", "source", "dateOfBirth", "country", "companyName", "assignedTo", "createNewIfDuplicateAllowed"},
	"TagsDTO":                {"tags"},
	"CreateTaskParams":       {"title", "body", "dueDate", "completed", "assignedTo"},
	"UpdateTaskBody":         {"title", "body", "dueDate", "completed", "assignedTo"},
	"UpdateTaskStatusParams": {"completed"},
	"NotesDTO":               {"userId", "body", "title", "color", "pinned"},
	"UpdateNoteDTO":          {"userId", "body", "title", "color", "pinned"},
	"TaskSearchParamsDto":    {"contactId", "completed", "assignedTo", "query", "limit", "skip", "businessId"},
	"AppointmentCreateSchema": {"title", "meetingLocationType", "meetingLocationId", "overrideLocationConfig", "appointmentStatus", "assignedUserId", "description", "address", "ignoreDateRange",
		"toNotify", "ignoreFreeSlotValidation", "rrule", "calendarId", "locationId", "contactId", "startTime", "endTime"},
	"AppointmentEditSchema": {"title", "meetingLocationType", "meetingLocationId", "overrideLocationConfig", "appointmentStatus", "assignedUserId", "description", "address", "ignoreDateRange",
		"toNotify", "ignoreFreeSlotValidation", "rrule", "calendarId", "startTime", "endTime"},
	"DeleteAppointmentSchema": {},
	"CreateBusinessDto":       {"name", "locationId", "phone", "email", "website", "address", "city", "postalCode", "state", "country", "description"},
	"UpdateBusinessDto":       {"name", "phone", "email", "postalCode", "website", "address", "state", "city", "country", "description"},
	// SearchBodyV2DTO is empty in the spec; these are the keys confirmed by
	// maintainers (NOTES §4.2, ghlspec allow-list entry 1).
	"SearchBodyV2DTO": {"locationId", "pageLimit", "page", "query", "filters", "sort", "searchAfter"},
}

// bind decodes a JSON object body into the targets of fields (property
// name -> *opt[T]), which must be declared by dto. It answers GHL's 422s:
// "property x should not exist" for undeclared properties and class-validator
// style type messages for values of the wrong type.
func bind(body []byte, dto string, fields map[string]any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return errBadRequest("Unexpected token in JSON body")
	}
	declared := map[string]bool{}
	for _, f := range dtoFields[dto] {
		declared[f] = true
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var msgs []string
	for _, k := range keys {
		target, ok := fields[k]
		if !ok || !declared[k] {
			msgs = append(msgs, fmt.Sprintf("property %s should not exist", k))
			continue
		}
		if err := json.Unmarshal(raw[k], target); err != nil {
			msgs = append(msgs, k+" "+typeMessage(target))
		}
	}
	if len(msgs) > 0 {
		return errUnprocessable(msgs...)
	}
	return nil
}

func typeMessage(target any) string {
	switch target.(type) {
	case *opt[string]:
		return "must be a string"
	case *opt[bool]:
		return "must be a boolean value"
	case *opt[float64], *opt[int]:
		return "must be a number conforming to the specified constraints"
	case *opt[[]string]:
		return "must be an array of strings"
	default:
		return "has an invalid value"
	}
}

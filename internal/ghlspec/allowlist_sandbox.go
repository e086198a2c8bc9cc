package ghlspec

import (
	"errors"

	"github.com/getkin/kin-openapi/openapi3"
)

// Allow-list entries for the calendars and locations specs (numbered apart
// from allowlist.go's list; added with the GHL sandbox, which is the first
// code to answer these operations and so the first to be validated by them).
//
//	C1. calendars.json CalendarEventDTO (GET /calendars/events/appointments/
//	    {eventId}): startTime, endTime, dateAdded and dateUpdated are declared
//	    "type": "object" while each property's own example is a string
//	    ("2023-09-25T16:00:00+05:30"); the same fields are "type": "string" in
//	    AppointmentSchemaResponse of the same file and in the webhook schemas
//	    (ghl-api/webhooks/Appointment*.schema.json). They are validated as
//	    strings here.
//	L1. locations.json LocationTaskListSuccessfulResponseDto (POST
//	    /locations/{locationId}/tasks/search): "tasks" is declared an array of
//	    arrays ("items": {"type": "array"}), with no example. Every other task
//	    list of the API (contacts.json TasksListSuccessfulResponseDto) is an
//	    array of task objects and NOTES §4.6 records the item schema as
//	    untyped; items are validated as objects here.
func applyAllowListSandbox(name string, doc *openapi3.T) error {
	switch name {
	case "calendars.json":
		ev := doc.Components.Schemas["CalendarEventDTO"]
		if ev == nil || ev.Value == nil {
			return errors.New("CalendarEventDTO missing")
		}
		for _, f := range []string{"startTime", "endTime", "dateAdded", "dateUpdated"} {
			p := ev.Value.Properties[f]
			if p == nil || p.Value == nil {
				return errors.New("CalendarEventDTO." + f + " missing")
			}
			str := openapi3.NewStringSchema()
			str.Description, str.Example = p.Value.Description, p.Value.Example
			ev.Value.Properties[f] = openapi3.NewSchemaRef("", str)
		}
	case "locations.json":
		list := doc.Components.Schemas["LocationTaskListSuccessfulResponseDto"]
		if list == nil || list.Value == nil || list.Value.Properties["tasks"] == nil {
			return errors.New("LocationTaskListSuccessfulResponseDto.tasks missing")
		}
		list.Value.Properties["tasks"] = openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithItems(openapi3.NewObjectSchema()))
	}
	return nil
}

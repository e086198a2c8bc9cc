package ghl

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// methodCase calls one client method against the spec server.
type methodCase struct {
	method string // key of methodEndpoints
	status int    // success status GHL documents
	noAuth bool   // called without a bearer token (the token endpoint)
	call   func(ctx context.Context, c *Client) (any, *Response, error)
	// checkRequest asserts what the request carried beyond the spec.
	checkRequest func(t *testing.T, r seenRequest)
	// checkResult asserts the decoded result.
	checkResult func(t *testing.T, got any, clock *fakeClock)
}

func wantJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("request body is not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected JSON: %v", err)
	}
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("request body (-want +got):\n%s", d)
	}
}

func wantQuery(t *testing.T, raw string, want url.Values) {
	t.Helper()
	got, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("query %q: %v", raw, err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("query (-want +got):\n%s", d)
	}
}

func ts(s string) Timestamp {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return Timestamp{v}
}

const (
	locID     = "ve9EPM428h8vShlRW1KT"
	contactID = "seD4PfOuKoVMLkEZqohJ"
	taskID    = "lJpzYrWdpkC2hX6t2yue"
	noteID    = "HGPcayliwcdoUFzvbTok"
	eventID   = "0TkCdp9PfvLeWKYRRvIz"
)

var testCreds = ClientCredentials{ClientID: "app-client-id", ClientSecret: "cs-SECRET-client-5c1d"}

// goldenContact is the contact of testdata/responses/get-contact.json.
var goldenContact = &Contact{
	ID: contactID, Name: "rubika deo", LocationID: locID, FirstName: "rubika", LastName: "Deo",
	Email: "rubika@deos.com", Timezone: "Asia/Calcutta", CompanyName: "DGS VolMAX", Phone: "+18832327657",
	DND: true,
	DNDSettings: &DNDSettings{
		Call: &DNDSetting{"active", "x", "x"}, Email: &DNDSetting{"active", "x", "x"}, SMS: &DNDSetting{"active", "x", "x"},
		WhatsApp: &DNDSetting{"active", "x", "x"}, GMB: &DNDSetting{"active", "x", "x"}, FB: &DNDSetting{"active", "x", "x"},
	},
	Type: "read", Source: "public api", AssignedTo: locID, Address1: "3535 1st St N", City: "ruDolomitebika",
	State: "AL", Country: "US", PostalCode: "35061", Website: "https://www.tesla.com",
	Tags: []string{"nisi sint commodo amet", "consequat"}, DateOfBirth: "Date format YYYY-MM-DD",
	DateAdded: ts("2021-07-02T05:18:26.704Z"), DateUpdated: ts("2021-07-02T05:18:26.704Z"),
	CustomFields: []CustomField{{ID: "MgobCB14YMVKuE4Ka8p1", Value: "name"}},
	BusinessID:   "641c094001436dbc2081e642",
}

var goldenTask = &Task{
	ID: taskID, Title: "test", Body: "testing", AssignedTo: "tesTUcmRxWrjqzJS8EjkxNKting",
	DueDate: ts("2021-07-08T02:30:00.000Z"), Completed: true, ContactID: taskID,
}

var goldenNote = &Note{
	ID: noteID, Body: "lorem ipsum", UserID: "TUcmRxWrjqzJS8EjkxNK", ContactID: "TUcmRxWrjqzJS8EjkxNK",
	DateAdded: ts("2021-07-08T12:02:11.285Z"), Title: "Follow-up summary", Color: "#FFAA00",
}

var goldenCalendarAppointment = &Appointment{
	ID: eventID, CalendarID: "CVokAlI8fgw4WYWoCtQz", LocationID: "C2QujeCh8ZnC7al2InWR", ContactID: "0007BWpSzSwfiuSl0tR2",
	StartTime: "2021-06-23T03:30:00+05:30", EndTime: "2021-06-23T04:30:00+05:30", Title: "Test Event",
	MeetingLocationType: "custom", AppointmentStatus: "confirmed", AssignedUserID: "0007BWpSzSwfiuSl0tR2",
	Address: "Zoom", IsRecurring: true, RRule: "x",
}

func wantResult[T any](want T) func(t *testing.T, got any, _ *fakeClock) {
	return func(t *testing.T, got any, _ *fakeClock) {
		t.Helper()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("result (-want +got):\n%s", d)
		}
	}
}

func methodCases() []methodCase {
	ist := time.FixedZone("IST", 5*3600+1800)
	return []methodCase{
		{
			method: "Contacts.Get", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Contacts.Get(ctx, contactID) },
			checkRequest: func(t *testing.T, r seenRequest) {
				if r.path != "/contacts/"+contactID {
					t.Errorf("path = %s", r.path)
				}
			},
			checkResult: wantResult(goldenContact),
		},
		{
			method: "Contacts.Create", status: 201,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.Create(ctx, &CreateContactRequest{
					LocationID: locID, FirstName: "Rosan", LastName: "Deo", Email: "rosan@deos.com", Phone: "+1 888-888-8888",
					Gender: "male", CompanyName: "DGS VolMAX", DND: Ptr(false), Tags: []string{"vip"},
					CustomFields: []CustomFieldValue{{ID: "6dvNaf7VhkQ9snc5vnjJ", FieldValue: "My Text"}, {ID: "cb1", FieldValue: []string{"a", "b"}}},
					DateOfBirth:  "1990-09-25", Source: "ghlsync",
				})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"locationId":"`+locID+`","firstName":"Rosan","lastName":"Deo","email":"rosan@deos.com",
					"phone":"+1 888-888-8888","gender":"male","companyName":"DGS VolMAX","dnd":false,"tags":["vip"],
					"customFields":[{"id":"6dvNaf7VhkQ9snc5vnjJ","field_value":"My Text"},{"id":"cb1","field_value":["a","b"]}],
					"dateOfBirth":"1990-09-25","source":"ghlsync"}`)
			},
			checkResult: func(t *testing.T, got any, _ *fakeClock) {
				c := got.(*Contact)
				if c.ID != contactID || c.Email != "rubika@deos.com" || !c.DateAdded.Equal(ts("2021-08-31T09:59:41.937Z").Time) {
					t.Errorf("created contact = %+v", c)
				}
			},
		},
		{
			method: "Contacts.Update", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.Update(ctx, contactID, &UpdateContactRequest{
					FirstName: Ptr("rosan"), Email: Ptr(""), DND: Ptr(true), DateOfBirth: Ptr("1990-09-25"),
					DNDSettings: &DNDSettings{SMS: &DNDSetting{Status: "inactive"}},
				})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"firstName":"rosan","email":"","dnd":true,"dateOfBirth":"1990-09-25","dndSettings":{"SMS":{"status":"inactive"}}}`)
			},
			checkResult: wantResult(goldenContact),
		},
		{
			method: "Contacts.Delete", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				resp, err := c.Contacts.Delete(ctx, contactID)
				return nil, resp, err
			},
		},
		{
			method: "Contacts.Upsert", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.Upsert(ctx, &UpsertContactRequest{
					CreateContactRequest:        CreateContactRequest{LocationID: locID, Email: "rosan@deos.com", Phone: "+18888888888", Gender: "male"},
					CreateNewIfDuplicateAllowed: Ptr(false),
				})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"locationId":"`+locID+`","email":"rosan@deos.com","phone":"+18888888888","gender":"male","createNewIfDuplicateAllowed":false}`)
			},
			checkResult: wantResult(&UpsertContactResult{New: true, Contact: goldenContact, TraceID: "0c52d5b8-1d8c-4a36-a6a4-4cf0a2a7b9f4"}),
		},
		{
			method: "Contacts.Search", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.Search(ctx, &SearchContactsRequest{
					LocationID: locID,
					Filters: []SearchFilter{
						{Field: "dateUpdated", Operator: "range", Value: map[string]string{"gt": "2024-06-01T00:00:00Z"}},
						{Group: "OR", Filters: []SearchFilter{{Field: "tags", Operator: "contains", Value: "vip"}, {Field: "email", Operator: "exists"}}},
					},
					Sort:        []SearchSort{{Field: "dateUpdated", Direction: "asc"}},
					SearchAfter: []any{1717000000000, "abc"},
				})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"locationId":"`+locID+`","pageLimit":100,
					"filters":[{"field":"dateUpdated","operator":"range","value":{"gt":"2024-06-01T00:00:00Z"}},
					{"group":"OR","filters":[{"field":"tags","operator":"contains","value":"vip"},{"field":"email","operator":"exists"}]}],
					"sort":[{"field":"dateUpdated","direction":"asc"}],"searchAfter":[1717000000000,"abc"]}`)
			},
			checkResult: func(t *testing.T, got any, _ *fakeClock) {
				res := got.(*SearchContactsResult)
				if res.Total != 120 || len(res.Contacts) != 1 {
					t.Fatalf("result = %+v", res)
				}
				c := res.Contacts[0]
				if d := cmp.Diff([]any{float64(1234), "102goXVW3lIExEQPOnd3"}, c.SearchAfter); d != "" {
					t.Errorf("searchAfter (-want +got):\n%s", d)
				}
				if c.BusinessName != "Acme Corporation" || c.DNDSettings == nil || len(c.AdditionalEmails) != 2 {
					t.Errorf("contact = %+v", c)
				}
			},
		},
		{
			method: "Contacts.List", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.List(ctx, &ListContactsOptions{LocationID: locID, Query: "deo", Limit: 100, StartAfter: 1631087949919, StartAfterID: "yd0jdjOavGk2o6Nh5Ndb"})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantQuery(t, r.query, url.Values{"locationId": {locID}, "query": {"deo"}, "limit": {"100"}, "startAfter": {"1631087949919"}, "startAfterId": {"yd0jdjOavGk2o6Nh5Ndb"}})
			},
			checkResult: func(t *testing.T, got any, _ *fakeClock) {
				res := got.(*ContactList)
				want := &ListMeta{Total: 50, NextPageURL: res.Meta.NextPageURL, StartAfterID: "yd0jdjOavGk2o6Nh5Ndb", StartAfter: 1631087949919, CurrentPage: 2, NextPage: Ptr(3), PrevPage: Ptr(1)}
				if d := cmp.Diff(want, res.Meta); d != "" || res.Count != 10 || len(res.Contacts) != 1 || res.Contacts[0].ID != "ocQHyuzHvysMo5N5VsXc" {
					t.Errorf("list = %+v, meta diff %s", res, d)
				}
			},
		},
		{
			method: "Contacts.FindDuplicate", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.FindDuplicate(ctx, &FindDuplicateOptions{LocationID: locID, Number: "+18832327657", Email: "rubika+x@deos.com"})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				if !containsAll(r.query, "number=%2B18832327657", "email=rubika%2Bx%40deos.com") {
					t.Errorf("query %q: + and @ must be percent-encoded", r.query)
				}
				wantQuery(t, r.query, url.Values{"locationId": {locID}, "number": {"+18832327657"}, "email": {"rubika+x@deos.com"}})
			},
			checkResult: wantResult(goldenContact),
		},
		{
			method: "Contacts.ListByBusiness", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.ListByBusiness(ctx, "641c094001436dbc2081e642", &ListByBusinessOptions{LocationID: locID, Limit: 10, Skip: 20, Query: "acme"})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantQuery(t, r.query, url.Values{"locationId": {locID}, "limit": {"10"}, "skip": {"20"}, "query": {"acme"}})
			},
			checkResult: func(t *testing.T, got any, _ *fakeClock) {
				res := got.(*ContactList)
				if res.Count != 10 || len(res.Contacts) != 1 || res.Contacts[0].BusinessID != "641c094001436dbc2081e642" {
					t.Errorf("list = %+v", res)
				}
			},
		},
		{
			method: "Contacts.AddTags", status: 201,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.AddTags(ctx, contactID, []string{"minim", "velit magna"})
			},
			checkRequest: func(t *testing.T, r seenRequest) { wantJSON(t, r.body, `{"tags":["minim","velit magna"]}`) },
			checkResult:  wantResult([]string{"minim", "velit magna"}),
		},
		{
			method: "Contacts.RemoveTags", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.RemoveTags(ctx, contactID, []string{"minim"})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				if r.method != http.MethodDelete || r.header.Get("Content-Type") != "application/json" {
					t.Errorf("%s with Content-Type %q, want DELETE with a JSON body", r.method, r.header.Get("Content-Type"))
				}
				wantJSON(t, r.body, `{"tags":["minim"]}`)
			},
			checkResult: wantResult([]string{"minim", "velit magna"}),
		},
		{
			method: "Contacts.ListTasks", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.ListTasks(ctx, contactID)
			},
			checkResult: wantResult([]Task{*goldenTask}),
		},
		{
			method: "Contacts.GetTask", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.GetTask(ctx, contactID, taskID)
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				if r.path != "/contacts/"+contactID+"/tasks/"+taskID {
					t.Errorf("path = %s", r.path)
				}
			},
			checkResult: wantResult(goldenTask),
		},
		{
			method: "Contacts.CreateTask", status: 201,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.CreateTask(ctx, contactID, &CreateTaskRequest{
					Title: "First Task", Body: "loram ipsum", DueDate: time.Date(2020, 10, 25, 11, 0, 0, 0, time.UTC), AssignedTo: "hxHGVRb1YJUscrCB8eXK",
				})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"title":"First Task","body":"loram ipsum","dueDate":"2020-10-25T11:00:00Z","completed":false,"assignedTo":"hxHGVRb1YJUscrCB8eXK"}`)
			},
			checkResult: wantResult(goldenTask),
		},
		{
			method: "Contacts.UpdateTask", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.UpdateTask(ctx, contactID, taskID, &UpdateTaskRequest{Title: Ptr("Renamed"), Completed: Ptr(false)})
			},
			checkRequest: func(t *testing.T, r seenRequest) { wantJSON(t, r.body, `{"title":"Renamed","completed":false}`) },
			checkResult:  wantResult(goldenTask),
		},
		{
			method: "Contacts.CompleteTask", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.CompleteTask(ctx, contactID, taskID, true)
			},
			checkRequest: func(t *testing.T, r seenRequest) { wantJSON(t, r.body, `{"completed":true}`) },
			checkResult:  wantResult(goldenTask),
		},
		{
			method: "Contacts.DeleteTask", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				resp, err := c.Contacts.DeleteTask(ctx, contactID, taskID)
				return nil, resp, err
			},
		},
		{
			method: "Locations.SearchTasks", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Locations.SearchTasks(ctx, locID, &SearchTasksRequest{ContactIDs: []string{contactID}, Completed: Ptr(false), Limit: 10, Skip: 10, Query: "call"})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"contactId":["`+contactID+`"],"completed":false,"limit":10,"skip":10,"query":"call"}`)
			},
			// Items are task objects (allow-list entry L1), as in get-all-tasks.
			checkResult: wantResult([]Task{*goldenTask}),
		},
		{
			method: "Contacts.ListNotes", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.ListNotes(ctx, contactID)
			},
			checkResult: wantResult([]Note{*goldenNote}),
		},
		{
			method: "Contacts.GetNote", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.GetNote(ctx, contactID, noteID)
			},
			checkResult: wantResult(goldenNote),
		},
		{
			method: "Contacts.CreateNote", status: 201,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.CreateNote(ctx, contactID, &CreateNoteRequest{Body: "lorem ipsum", Title: "Follow-up summary", Color: "#FFAA00", Pinned: Ptr(false)})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"body":"lorem ipsum","title":"Follow-up summary","color":"#FFAA00","pinned":false}`)
			},
			checkResult: wantResult(goldenNote),
		},
		{
			method: "Contacts.UpdateNote", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.UpdateNote(ctx, contactID, noteID, &UpdateNoteRequest{Body: Ptr("edited"), Pinned: Ptr(true)})
			},
			checkRequest: func(t *testing.T, r seenRequest) { wantJSON(t, r.body, `{"body":"edited","pinned":true}`) },
			checkResult:  wantResult(goldenNote),
		},
		{
			method: "Contacts.DeleteNote", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				resp, err := c.Contacts.DeleteNote(ctx, contactID, noteID)
				return nil, resp, err
			},
		},
		{
			method: "Contacts.ListAppointments", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Contacts.ListAppointments(ctx, contactID)
			},
			checkResult: wantResult([]Appointment{{
				ID: "YS3jaqqeehkR2Is80miy", CalendarID: "YlWd2wuCAZQzh2cH1fVZ", Status: "booked", Title: "Test",
				AssignedUserID: "YlWd2wuCAZQzh2cH1fVZ", Notes: "test", StartTime: "2021-07-16 11:00:00", EndTime: "2021-07-16 11:30:00",
				Address: "Address", LocationID: "YlWd2wuCAZQzh2cH1fVZ", ContactID: "YlWd2wuCAZQzh2cH1fVZ", GroupID: "YlWd2wuCAZQzh2cH1fVZ",
				AppointmentStatus: "booked", Users: []string{"YlWd2wuCAZQzh2cH1fVZ", "YlWd2wuCAZQzh2cH1fVZ"},
				DateAdded: "2021-07-16 11:00:00", DateUpdated: "2021-07-16 11:30:00",
				AssignedResources: []string{"YlWd2wuCAZQzh2cH1fVZ", "YlWd2wuCAZQzh2cH1fVZ"},
			}}),
		},
		{
			method: "Calendars.CreateAppointment", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				end := time.Date(2021, 6, 23, 4, 30, 0, 0, ist)
				return c.Calendars.CreateAppointment(ctx, &CreateAppointmentRequest{
					CalendarID: "CVokAlI8fgw4WYWoCtQz", LocationID: "C2QujeCh8ZnC7al2InWR", ContactID: "0007BWpSzSwfiuSl0tR2",
					StartTime: time.Date(2021, 6, 23, 3, 30, 0, 0, ist), EndTime: &end, Title: "Test Event",
					MeetingLocationType: "custom", AppointmentStatus: "confirmed", IgnoreFreeSlotValidation: Ptr(true), ToNotify: Ptr(false),
				})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"calendarId":"CVokAlI8fgw4WYWoCtQz","locationId":"C2QujeCh8ZnC7al2InWR","contactId":"0007BWpSzSwfiuSl0tR2",
					"startTime":"2021-06-23T03:30:00+05:30","endTime":"2021-06-23T04:30:00+05:30","title":"Test Event",
					"meetingLocationType":"custom","appointmentStatus":"confirmed","ignoreFreeSlotValidation":true,"toNotify":false}`)
			},
			checkResult: wantResult(goldenCalendarAppointment),
		},
		{
			method: "Calendars.UpdateAppointment", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Calendars.UpdateAppointment(ctx, eventID, &UpdateAppointmentRequest{AppointmentStatus: Ptr("cancelled"), Title: Ptr("Moved")})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantJSON(t, r.body, `{"appointmentStatus":"cancelled","title":"Moved"}`)
			},
			checkResult: wantResult(goldenCalendarAppointment),
		},
		{
			method: "Calendars.ListEvents", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Calendars.ListEvents(ctx, &ListEventsOptions{LocationID: "0007BWpSzSwfiuSl0tR2", CalendarID: "BqTwX8QFwXzpegMve9EQ",
					StartTime: time.UnixMilli(1680373800000), EndTime: time.Date(2023, 4, 8, 18, 29, 59, 999e6, time.UTC)})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				// The spec's own examples: epoch milliseconds as strings.
				wantQuery(t, r.query, url.Values{"locationId": {"0007BWpSzSwfiuSl0tR2"}, "calendarId": {"BqTwX8QFwXzpegMve9EQ"},
					"startTime": {"1680373800000"}, "endTime": {"1680978599999"}})
			},
			checkResult: wantResult([]Appointment{{
				ID: "ocQHyuzHvysMo5N5VsXc", Address: "https://meet.google.com/yqp-gogr-wve", Title: "Appointment with GHL Dev team",
				CalendarID: "BqTwX8QFwXzpegMve9EQ", LocationID: "0007BWpSzSwfiuSl0tR2", ContactID: "9NkT25Vor1v4aQatFsv2",
				GroupID: "9NkT25Vor1v4aQatFsv2", AppointmentStatus: "confirmed", AssignedUserID: "YlWd2wuCAZQzh2cH1fVZ",
				Users: []string{"YlWd2wuCAZQzh2cH1fVZ", "9NkT25Vor1v4aQatFsv2"}, Notes: "Some dummy note", Description: "Some dummy description",
				IsRecurring: true, RRule: "RRULE:FREQ=DAILY;INTERVAL=1;COUNT=5", StartTime: "2023-09-25T16:00:00+05:30",
				EndTime: "2023-09-25T16:00:00+05:30", DateAdded: "2023-09-25T16:00:00+05:30", DateUpdated: "2023-09-25T16:00:00+05:30",
				MasterEventID: "ocWd2wuBGAQzh2cH1fSZ",
			}}),
		},
		{
			method: "Calendars.List", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Calendars.List(ctx, &ListCalendarsOptions{LocationID: locID, GroupID: "BqTwX8QFwXzpegMve9EQ", ShowDrafted: Ptr(false)})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantQuery(t, r.query, url.Values{"locationId": {locID}, "groupId": {"BqTwX8QFwXzpegMve9EQ"}, "showDrafted": {"false"}})
			},
			checkResult: wantResult([]Calendar{{
				ID: "0TkCdp9PfvLeWKYRRvIz", LocationID: "ocQHyuzHvysMo5N5VsXc", GroupID: "BqTwX8QFwXzpegMve9EQ", Name: "test calendar",
				Description: "this is used for testing", Slug: "test1", WidgetSlug: "test1", CalendarType: "event", IsActive: Ptr(true),
			}}),
		},
		{
			method: "OAuth.ExchangeCode", status: 200, noAuth: true,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.OAuth.ExchangeCode(ctx, testCreds, &ExchangeCodeRequest{Code: "code-123", UserType: UserTypeLocation, RedirectURI: "https://app.example/oauth/callback"})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantQuery(t, string(r.body), url.Values{"client_id": {"app-client-id"}, "client_secret": {testCreds.ClientSecret}, "grant_type": {"authorization_code"},
					"code": {"code-123"}, "user_type": {"Location"}, "redirect_uri": {"https://app.example/oauth/callback"}})
			},
			checkResult: wantToken("ab12dc0ae1234a7898f9ff06d4f69gh", "xy34dc0ae1234a4858f9ff06d4f66ba"),
		},
		{
			method: "OAuth.RefreshToken", status: 200, noAuth: true,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.OAuth.RefreshToken(ctx, testCreds, &RefreshTokenRequest{RefreshToken: "rt-old", UserType: UserTypeLocation})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantQuery(t, string(r.body), url.Values{"client_id": {"app-client-id"}, "client_secret": {testCreds.ClientSecret}, "grant_type": {"refresh_token"},
					"refresh_token": {"rt-old"}, "user_type": {"Location"}})
			},
			checkResult: wantToken("ab12dc0ae1234a7898f9ff06d4f69gh", "xy34dc0ae1234a4858f9ff06d4f66ba"),
		},
		{
			method: "OAuth.LocationToken", status: 200,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.OAuth.LocationToken(ctx, &LocationTokenRequest{CompanyID: "company-1", LocationID: locID})
			},
			checkRequest: func(t *testing.T, r seenRequest) {
				wantQuery(t, string(r.body), url.Values{"companyId": {"company-1"}, "locationId": {locID}})
			},
			checkResult: wantToken("ab12dc0ae1234a7898f9ff06d4f69gh", ""),
		},
	}
}

func wantToken(access, refresh string) func(t *testing.T, got any, clock *fakeClock) {
	return func(t *testing.T, got any, clock *fakeClock) {
		t.Helper()
		tok := got.(*Token)
		if tok.AccessToken != access || tok.RefreshToken != refresh || tok.ExpiresIn != 86399 || tok.UserID != "l1C08ntBrFjLS0elLIYU" {
			t.Errorf("token = %#v (access %q)", tok, tok.AccessToken)
		}
		if want := clock.Now().Add(86399 * time.Second); !tok.Expiry.Equal(want) {
			t.Errorf("expiry = %v, want %v", tok.Expiry, want)
		}
		if o := tok.OAuth2(); o.AccessToken != access || !o.Expiry.Equal(tok.Expiry) {
			t.Errorf("OAuth2() = %v", o)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// runCase calls mc against a spec server answering with ans, and returns
// what the call returned and what the server saw.
// caseRun is what runCase observed.
type caseRun struct {
	got   any
	resp  *Response
	reqs  []seenRequest
	clock *fakeClock
}

func runCase(t *testing.T, mc methodCase, ans func(n int, r *http.Request, body []byte) reply, opts ...Option) (caseRun, error) {
	t.Helper()
	srv := newSpecServer(t, ans)
	hc := srv.Client()
	if !mc.noAuth {
		hc = bearerClient(hc)
	}
	clock := newFakeClock()
	c := newTestClient(t, hc, srv.URL, clock, opts...)
	got, resp, err := mc.call(t.Context(), c)
	return caseRun{got: got, resp: resp, reqs: srv.requests(), clock: clock}, err
}

// TestMethods calls every client method against the spec-validating
// server, answering with the golden body built from the spec's examples,
// and checks the request, the status and the decoded result. When all
// subtests are done it checks that every claimed endpoint was exercised
// under its operationId.
func TestMethods(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]string{} // method -> operationId the server saw
	t.Cleanup(func() {
		for m, ep := range methodEndpoints {
			if got := seen[m]; got != ep.OperationID {
				t.Errorf("%s: claimed operation %s, test server saw %q", m, ep.OperationID, got)
			}
		}
	})
	cases := methodCases()
	for _, mc := range cases {
		ep, ok := methodEndpoints[mc.method]
		if !ok {
			t.Errorf("case %s is not in methodEndpoints", mc.method)
			continue
		}
		t.Run(mc.method, func(t *testing.T) {
			t.Parallel()
			run, err := runCase(t, mc, func(int, *http.Request, []byte) reply { return golden(t, ep.OperationID, mc.status) })
			got, resp, reqs, clock := run.got, run.resp, run.reqs, run.clock
			if err != nil {
				t.Fatalf("%s: %v", mc.method, err)
			}
			if resp == nil || resp.StatusCode != mc.status {
				t.Fatalf("response = %v, want status %d", resp, mc.status)
			}
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			mu.Lock()
			seen[mc.method] = r.op
			mu.Unlock()
			if r.op != ep.OperationID || r.method != ep.Method {
				t.Errorf("server matched %s %s, want %s %s", r.method, r.op, ep.Method, ep.OperationID)
			}
			if got := r.header.Get("Version"); got != ep.Version {
				t.Errorf("Version header = %q, want %q", got, ep.Version)
			}
			wantAuth := "Bearer " + testBearer
			if mc.noAuth {
				wantAuth = ""
			}
			if got := r.header.Get("Authorization"); got != wantAuth {
				t.Errorf("Authorization = %q, want %q", got, wantAuth)
			}
			if mc.checkRequest != nil {
				mc.checkRequest(t, r)
			}
			if mc.checkResult != nil {
				mc.checkResult(t, got, clock)
			}
		})
	}
	if len(cases) != len(methodEndpoints) {
		t.Errorf("%d method cases for %d endpoints", len(cases), len(methodEndpoints))
	}
}

// TestEndpointsExistInSpec checks every claimed operationId against the
// spec, and that the endpoint's method and path route to it.
func TestEndpointsExistInSpec(t *testing.T) {
	t.Parallel()
	v := specValidator(t)
	var all []string
	for _, ops := range v.Operations() {
		all = append(all, ops...)
	}
	sort.Strings(all)
	for _, me := range Endpoints() {
		t.Run(me.ClientMethod, func(t *testing.T) {
			t.Parallel()
			if _, found := slices.BinarySearch(all, me.OperationID); !found {
				t.Fatalf("operation %s is not in the specs", me.OperationID)
			}
			path, _, err := me.expand([]string{"p1", "p2", "p3"}[:countParams(me.Path)])
			if err != nil {
				t.Fatal(err)
			}
			r, _ := http.NewRequest(me.Method, "http://127.0.0.1"+path, nil)
			rt, err := v.FindRoute(r)
			if err != nil || rt.OperationID != me.OperationID {
				t.Errorf("%s %s routes to %v (%v), want %s", me.Method, path, rt, err, me.OperationID)
			}
		})
	}
}

func countParams(path string) int {
	n := 0
	for _, c := range path {
		if c == '{' {
			n++
		}
	}
	return n
}

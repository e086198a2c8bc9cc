package ghl_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestE2ETagsAddAndRemoveNeverOverwrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	ctx := t.Context()
	c := e.createContact(ghl.CreateContactRequest{Email: "tags@example.com", Tags: []string{"lead", "newsletter"}})
	steps := []struct {
		name   string
		call   func() ([]string, *ghl.Response, error)
		status int
		want   []string // stored and returned
	}{
		{"add keeps the others", func() ([]string, *ghl.Response, error) {
			return e.c.Contacts.AddTags(ctx, c.ID, []string{"VIP", " webinar "})
		}, http.StatusCreated, []string{"lead", "newsletter", "vip", "webinar"}},
		{"adding again changes nothing", func() ([]string, *ghl.Response, error) {
			return e.c.Contacts.AddTags(ctx, c.ID, []string{"vip"})
		}, http.StatusCreated, []string{"lead", "newsletter", "vip", "webinar"}},
		{"remove keeps the others", func() ([]string, *ghl.Response, error) {
			return e.c.Contacts.RemoveTags(ctx, c.ID, []string{"newsletter", "not-there"})
		}, http.StatusOK, []string{"lead", "vip", "webinar"}},
	}
	for _, s := range steps {
		got, resp, err := s.call()
		e.must(err)
		if resp.StatusCode != s.status {
			t.Errorf("%s: status %d, want %d", s.name, resp.StatusCode, s.status)
		}
		if d := cmp.Diff(s.want, got); d != "" {
			t.Errorf("%s: returned tags (-want +got):\n%s", s.name, d)
		}
		if d := cmp.Diff(s.want, e.contact(c.ID).Tags); d != "" {
			t.Errorf("%s: stored tags (-want +got):\n%s", s.name, d)
		}
	}
}

func TestE2ETasks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	ctx := t.Context()
	c := e.createContact(ghl.CreateContactRequest{Email: "tasks@example.com"})
	other := e.createContact(ghl.CreateContactRequest{Email: "other@example.com"})
	due := e.clock.Now().Add(48 * time.Hour).Truncate(time.Second)

	// Create: 201, stored.
	task, resp, err := e.c.Contacts.CreateTask(ctx, c.ID, &ghl.CreateTaskRequest{Title: "Call back", Body: "About the quote", DueDate: due})
	e.must(err)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("create task status %d, want 201", resp.StatusCode)
	}
	_, _, err = e.c.Contacts.CreateTask(ctx, other.ID, &ghl.CreateTaskRequest{Title: "Unrelated", DueDate: due, Completed: true})
	e.must(err)
	wantStored := []ghlsandbox.Task{{ID: task.ID, LocationID: e.loc.ID, ContactID: c.ID, Title: "Call back", Body: "About the quote", DueDate: due}}
	storedOpts := cmpopts.IgnoreFields(ghlsandbox.Task{}, "DateAdded")
	if d := cmp.Diff(wantStored, e.sb.Tasks(e.loc.ID, c.ID), storedOpts); d != "" {
		t.Errorf("stored after create (-want +got):\n%s", d)
	}

	// List and get return it.
	list, _, err := e.c.Contacts.ListTasks(ctx, c.ID)
	e.must(err)
	if d := cmp.Diff([]ghl.Task{*task}, list); d != "" {
		t.Errorf("list (-created +listed):\n%s", d)
	}
	got, _, err := e.c.Contacts.GetTask(ctx, c.ID, task.ID)
	e.must(err)
	if d := cmp.Diff(task, got); d != "" {
		t.Errorf("get (-created +got):\n%s", d)
	}
	if !got.DueDate.Equal(due) || got.ContactID != c.ID {
		t.Errorf("task due %v contact %s, want %v %s", got.DueDate, got.ContactID, due, c.ID)
	}

	// Update changes only what it sends; complete sets completed.
	_, _, err = e.c.Contacts.UpdateTask(ctx, c.ID, task.ID, &ghl.UpdateTaskRequest{Title: ghl.Ptr("Call back today")})
	e.must(err)
	done, _, err := e.c.Contacts.CompleteTask(ctx, c.ID, task.ID, true)
	e.must(err)
	if !done.Completed || done.Title != "Call back today" {
		t.Errorf("completed task = %+v", done)
	}
	wantStored[0].Title, wantStored[0].Completed = "Call back today", true
	if d := cmp.Diff(wantStored, e.sb.Tasks(e.loc.ID, c.ID), storedOpts); d != "" {
		t.Errorf("stored after update and complete (-want +got):\n%s", d)
	}

	// The location's task search finds it as an object (allow-list L1).
	tests := []struct {
		name string
		req  *ghl.SearchTasksRequest
		want []string // task titles
	}{
		{"by contact", &ghl.SearchTasksRequest{ContactIDs: []string{c.ID}}, []string{"Call back today"}},
		{"completed", &ghl.SearchTasksRequest{Completed: ghl.Ptr(true)}, []string{"Call back today", "Unrelated"}},
		{"query", &ghl.SearchTasksRequest{Query: "unrelated"}, []string{"Unrelated"}},
		{"not completed", &ghl.SearchTasksRequest{Completed: ghl.Ptr(false)}, nil},
	}
	for _, tt := range tests {
		found, _, err := e.c.Locations.SearchTasks(ctx, e.loc.ID, tt.req)
		e.must(err)
		var titles []string
		for _, f := range found {
			titles = append(titles, f.Title)
			if f.ID == task.ID && (f.ContactID != c.ID || !f.Completed || !f.DueDate.Equal(due)) {
				t.Errorf("%s: task %+v", tt.name, f)
			}
		}
		if d := cmp.Diff(tt.want, titles, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
			t.Errorf("search %s (-want +got):\n%s", tt.name, d)
		}
	}

	// Delete removes it and leaves the other contact's task.
	_, err = e.c.Contacts.DeleteTask(ctx, c.ID, task.ID)
	e.must(err)
	if n := len(e.sb.Tasks(e.loc.ID, c.ID)); n != 0 {
		t.Errorf("%d tasks left after delete", n)
	}
	if n := len(e.sb.Tasks(e.loc.ID, other.ID)); n != 1 {
		t.Errorf("other contact has %d tasks, want 1", n)
	}
	_, _, err = e.c.Contacts.GetTask(ctx, c.ID, task.ID)
	e.apiError(err, http.StatusNotFound, "")
}

func TestE2ENotes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	ctx := t.Context()
	c := e.createContact(ghl.CreateContactRequest{Email: "notes@example.com"})

	note, resp, err := e.c.Contacts.CreateNote(ctx, c.ID, &ghl.CreateNoteRequest{Body: "Prefers email.", Title: "Contact", Color: "#FFAA00"})
	e.must(err)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("create note status %d, want 201", resp.StatusCode)
	}
	wantStored := []ghlsandbox.Note{{ID: note.ID, LocationID: e.loc.ID, ContactID: c.ID, Body: "Prefers email.", Title: "Contact", Color: "#FFAA00", DateAdded: e.clock.Now()}}
	if d := cmp.Diff(wantStored, e.sb.Notes(e.loc.ID, c.ID)); d != "" {
		t.Errorf("stored after create (-want +got):\n%s", d)
	}

	list, _, err := e.c.Contacts.ListNotes(ctx, c.ID)
	e.must(err)
	if d := cmp.Diff([]ghl.Note{*note}, list); d != "" {
		t.Errorf("list (-created +listed):\n%s", d)
	}
	got, _, err := e.c.Contacts.GetNote(ctx, c.ID, note.ID)
	e.must(err)
	if d := cmp.Diff(note, got); d != "" {
		t.Errorf("get (-created +got):\n%s", d)
	}

	updated, _, err := e.c.Contacts.UpdateNote(ctx, c.ID, note.ID, &ghl.UpdateNoteRequest{Body: ghl.Ptr("Prefers phone."), Pinned: ghl.Ptr(true)})
	e.must(err)
	if updated.Body != "Prefers phone." || !updated.Pinned || updated.Title != "Contact" {
		t.Errorf("updated note = %+v", updated)
	}
	wantStored[0].Body, wantStored[0].Pinned = "Prefers phone.", true
	if d := cmp.Diff(wantStored, e.sb.Notes(e.loc.ID, c.ID)); d != "" {
		t.Errorf("stored after update (-want +got):\n%s", d)
	}

	_, err = e.c.Contacts.DeleteNote(ctx, c.ID, note.ID)
	e.must(err)
	if n := len(e.sb.Notes(e.loc.ID, c.ID)); n != 0 {
		t.Errorf("%d notes left after delete", n)
	}
	_, _, err = e.c.Contacts.GetNote(ctx, c.ID, note.ID)
	e.apiError(err, http.StatusNotFound, "")
}

func TestE2EAppointments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	ctx := t.Context()
	c := e.createContact(ghl.CreateContactRequest{Email: "appt@example.com"})
	start := e.clock.Now().Add(72 * time.Hour).Truncate(time.Hour)

	created, resp, err := e.c.Calendars.CreateAppointment(ctx, &ghl.CreateAppointmentRequest{
		CalendarID: e.loc.CalendarID, LocationID: e.loc.ID, ContactID: c.ID, StartTime: start, Title: "Consultation",
		AppointmentStatus: "new", IgnoreFreeSlotValidation: ghl.Ptr(true),
	})
	e.must(err)
	if resp.StatusCode != http.StatusOK || created.ID == "" || created.ContactID != c.ID {
		t.Fatalf("create appointment: status %d, %+v", resp.StatusCode, created)
	}
	type appt struct {
		ID, ContactID, CalendarID, Title, Status string
		StartTime, EndTime                       time.Time
	}
	stored := func() []appt {
		var out []appt
		for _, a := range e.sb.Appointments(e.loc.ID, c.ID) {
			out = append(out, appt{a.ID, a.ContactID, a.CalendarID, a.Title, a.Status, a.StartTime, a.EndTime})
		}
		return out
	}
	want := []appt{{created.ID, c.ID, e.loc.CalendarID, "Consultation", "new", start, start.Add(30 * time.Minute)}}
	if d := cmp.Diff(want, stored()); d != "" {
		t.Errorf("stored after create (-want +got):\n%s", d)
	}

	later, end := start.Add(2*time.Hour), start.Add(3*time.Hour)
	updated, _, err := e.c.Calendars.UpdateAppointment(ctx, created.ID, &ghl.UpdateAppointmentRequest{
		Title: ghl.Ptr("Consultation (moved)"), StartTime: &later, EndTime: &end, AppointmentStatus: ghl.Ptr("confirmed"),
	})
	e.must(err)
	if updated.ID != created.ID || updated.Title != "Consultation (moved)" {
		t.Errorf("updated appointment = %+v", updated)
	}
	want[0].Title, want[0].Status, want[0].StartTime, want[0].EndTime = "Consultation (moved)", "confirmed", later, end
	if d := cmp.Diff(want, stored()); d != "" {
		t.Errorf("stored after update (-want +got):\n%s", d)
	}

	// The contact's appointments list it, with GHL's non-ISO times.
	list, _, err := e.c.Contacts.ListAppointments(ctx, c.ID)
	e.must(err)
	if len(list) != 1 || list[0].ID != created.ID || list[0].Title != "Consultation (moved)" || list[0].CalendarID != e.loc.CalendarID {
		t.Fatalf("contact appointments = %+v", list)
	}
	var ts ghl.Timestamp
	if err := ts.UnmarshalJSON([]byte(`"` + list[0].StartTime + `"`)); err != nil || !ts.Equal(later) {
		t.Errorf("listed startTime %q parses to %v (%v), want %v", list[0].StartTime, ts.Time, err, later)
	}
}

func TestE2ECalendarEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	ctx := t.Context()
	c := e.createContact(ghl.CreateContactRequest{Email: "window@example.com"})
	second, err := e.sb.AddCalendar(e.loc.ID, "Second calendar")
	e.must(err)
	start := e.clock.Now().Add(48 * time.Hour).Truncate(time.Hour)
	inWindow, _, err := e.c.Calendars.CreateAppointment(ctx, &ghl.CreateAppointmentRequest{
		CalendarID: second, LocationID: e.loc.ID, ContactID: c.ID, StartTime: start, Title: "In the window",
	})
	e.must(err)
	_, _, err = e.c.Calendars.CreateAppointment(ctx, &ghl.CreateAppointmentRequest{
		CalendarID: second, LocationID: e.loc.ID, ContactID: c.ID, StartTime: start.Add(10 * 24 * time.Hour), Title: "Later",
	})
	e.must(err)

	cals, _, err := e.c.Calendars.List(ctx, &ghl.ListCalendarsOptions{LocationID: e.loc.ID})
	e.must(err)
	var ids []string
	for _, cal := range cals {
		ids = append(ids, cal.ID)
	}
	if !slices.Contains(ids, e.loc.CalendarID) || !slices.Contains(ids, second) || len(ids) != 2 {
		t.Errorf("calendars = %v, want the default and %s", ids, second)
	}

	events, _, err := e.c.Calendars.ListEvents(ctx, &ghl.ListEventsOptions{LocationID: e.loc.ID, CalendarID: second,
		StartTime: start.Add(-24 * time.Hour), EndTime: start.Add(24 * time.Hour)})
	e.must(err)
	if len(events) != 1 || events[0].ID != inWindow.ID || events[0].ContactID != c.ID || events[0].CalendarID != second {
		t.Fatalf("events = %+v, want only %s", events, inWindow.ID)
	}
	var ts ghl.Timestamp
	if err := ts.UnmarshalJSON([]byte(`"` + events[0].StartTime + `"`)); err != nil || !ts.Equal(start) {
		t.Errorf("event startTime %q parses to %v (%v), want %v", events[0].StartTime, ts.Time, err, start)
	}
	none, _, err := e.c.Calendars.ListEvents(ctx, &ghl.ListEventsOptions{LocationID: e.loc.ID, CalendarID: e.loc.CalendarID,
		StartTime: start.Add(-24 * time.Hour), EndTime: start.Add(24 * time.Hour)})
	e.must(err)
	if len(none) != 0 {
		t.Errorf("default calendar's events = %+v, want none", none)
	}
}

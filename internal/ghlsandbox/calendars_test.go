package ghlsandbox_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

func TestCalendarEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	cid := e.createContact(map[string]any{"email": "window@example.com"})
	other, err := e.sb.AddCalendar(e.loc.ID, "Second calendar")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	book := func(cal string, start time.Time, d time.Duration, user string) string {
		t.Helper()
		a, err := e.sb.CreateAppointment(e.loc.ID, ghlsandbox.Appointment{ContactID: cid, CalendarID: cal, Title: "Visit",
			StartTime: start, EndTime: start.Add(d), AssignedUserID: user})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	inside := book(e.loc.CalendarID, day.Add(10*time.Hour), time.Hour, "user-1")
	overlapping := book(e.loc.CalendarID, day.Add(-30*time.Minute), time.Hour, "")
	book(e.loc.CalendarID, day.Add(30*time.Hour), time.Hour, "user-1") // after the window
	onOther := book(other, day.Add(12*time.Hour), time.Hour, "user-1")

	// The calendars of the location.
	r := e.do(req{method: "GET", path: "/calendars/?locationId=" + e.loc.ID})
	mustStatus(t, r, http.StatusOK)
	var cals struct {
		Calendars []struct{ ID, LocationID, Name string } `json:"calendars"`
	}
	r.decode(t, &cals)
	got := map[string]string{}
	for _, c := range cals.Calendars {
		if c.LocationID != e.loc.ID {
			t.Errorf("calendar %s of location %s", c.ID, c.LocationID)
		}
		got[c.ID] = c.Name
	}
	if _, ok := got[e.loc.CalendarID]; !ok || got[other] != "Second calendar" || len(got) != 2 {
		t.Errorf("calendars = %v, want the default and %s", got, other)
	}

	window := func(sel string) []string {
		t.Helper()
		r := e.do(req{method: "GET", path: fmt.Sprintf("/calendars/events?locationId=%s&%s&startTime=%d&endTime=%d",
			e.loc.ID, sel, day.UnixMilli(), day.Add(24*time.Hour).UnixMilli()-1)})
		mustStatus(t, r, http.StatusOK)
		var out struct {
			Events []struct{ ID, ContactID, CalendarID, StartTime string } `json:"events"`
		}
		r.decode(t, &out)
		var ids []string
		for _, ev := range out.Events {
			if ev.ContactID != cid {
				t.Errorf("event %s: contactId %q", ev.ID, ev.ContactID)
			}
			if _, err := time.Parse(time.RFC3339, ev.StartTime); err != nil {
				t.Errorf("event %s: startTime %q is not ISO-8601", ev.ID, ev.StartTime)
			}
			ids = append(ids, ev.ID)
		}
		return ids
	}
	if d := cmp.Diff([]string{overlapping, inside}, window("calendarId="+e.loc.CalendarID)); d != "" {
		t.Errorf("default calendar's window (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{onOther}, window("calendarId="+other)); d != "" {
		t.Errorf("second calendar's window (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{inside, onOther}, window("userId=user-1")); d != "" {
		t.Errorf("user's window (-want +got):\n%s", d)
	}

	// Refusals: no selector, an unknown calendar, a bad time, no scope.
	base := fmt.Sprintf("/calendars/events?locationId=%s&startTime=%d&endTime=%d", e.loc.ID, day.UnixMilli(), day.Add(time.Hour).UnixMilli())
	mustStatus(t, e.do(req{method: "GET", path: base}), http.StatusBadRequest)
	mustStatus(t, e.do(req{method: "GET", path: base + "&calendarId=nope"}), http.StatusBadRequest)
	mustStatus(t, e.do(req{method: "GET", path: "/calendars/events?locationId=" + e.loc.ID + "&calendarId=" + other + "&startTime=today&endTime=1"}), http.StatusBadRequest)
	mustStatus(t, e.do(req{method: "GET", path: "/calendars/events?locationId=" + e.loc.ID + "&calendarId=" + other, specInvalid: true}), http.StatusBadRequest)
	narrow, err := e.sb.IssuePrivateToken(e.loc.ID, "contacts.readonly")
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, e.do(req{method: "GET", path: base + "&calendarId=" + other, token: &narrow}), http.StatusUnauthorized)
	mustStatus(t, e.do(req{method: "GET", path: "/calendars/?locationId=" + e.loc.ID, token: &narrow}), http.StatusUnauthorized)
}

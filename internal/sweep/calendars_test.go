package sweep_test

import (
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/sweep"
)

// TestCalendarWindowDeliversAppointmentWithoutContactChange: an
// appointment booked in GHL on a second calendar, its webhook lost and its
// contact untouched (so the contact-ordered pass cannot see it), reaches
// the peer through the next appointments sweep exactly once; one booked
// beyond the window's horizon does not; a second sweep sends nothing. The
// window costs one calendar list and one events request per calendar.
func TestCalendarWindowDeliversAppointmentWithoutContactChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{scale: 2000, seed: ghlsandbox.SeedOptions{Seed: 16, Locations: 1, ContactsPerLocation: 40,
		TasksPerContact: -1, NotesPerContact: -1, AppointmentsPerContact: 1}})
	loc := e.locs[0].ID
	ctx := t.Context()
	second, err := e.sb.AddCalendar(loc, "Second calendar")
	if err != nil {
		t.Fatal(err)
	}
	run := func(s sweep.Stream) sweep.LocationReport {
		t.Helper()
		rep, err := e.runner.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: s, LocationID: loc})
		if err != nil || rep.Err() != nil {
			t.Fatalf("%s sweep: %v %v", s, err, rep.Err())
		}
		return rep.Locations[0]
	}
	// The backfill: the seeded appointments arrive through the contact
	// pass; the window re-reads those in range and sends none of them again.
	run(sweep.Contacts)
	backfill := run(sweep.Appointments)
	if n := len(e.sb.Appointments(loc, "")); backfill.Delivered != n || backfill.CalendarWindow != "complete" {
		t.Fatalf("backfill delivered %d appointments (window %q), want the %d seeded, window complete", backfill.Delivered, backfill.CalendarWindow, n)
	}

	// Booked in GHL with every webhook lost; the contact does not change.
	e.webhooksToApp()
	e.sb.SetFaults(ghlsandbox.Faults{Seed: 1, Webhooks: ghlsandbox.WebhookFaults{Drop: 1}})
	contact := e.sb.Contacts(loc)[7]
	now := e.clock.Now()
	booked, err := e.sb.CreateAppointment(loc, ghlsandbox.Appointment{ContactID: contact.ID, CalendarID: second, Title: "Booked in GHL",
		StartTime: now.Add(48 * time.Hour).Truncate(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	beyond, err := e.sb.CreateAppointment(loc, ghlsandbox.Appointment{ContactID: contact.ID, Title: "Beyond the horizon",
		StartTime: now.Add(60 * 24 * time.Hour).Truncate(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sb.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	e.sb.SetFaults(ghlsandbox.Faults{})
	if after, _ := e.sb.Contact(loc, contact.ID); !after.DateUpdated.Equal(contact.DateUpdated) {
		t.Fatalf("booking moved the contact's dateUpdated from %v to %v: the contact pass would see it", contact.DateUpdated, after.DateUpdated)
	}
	if _, ok := e.peer.State().Appointments[booked.ID]; ok {
		t.Fatal("the peer has the appointment before the sweep: its webhook was not lost")
	}

	deliveries := len(e.peer.Deliveries())
	counts := func() map[string]int64 {
		return map[string]int64{"get-calendars": e.sb.RequestCount("get-calendars"), "get-calendar-events": e.sb.RequestCount("get-calendar-events"),
			"all": int64(e.ans.total())}
	}
	c0 := counts()
	first := run(sweep.Appointments)
	c1 := counts()
	if first.Delivered != 1 || first.CalendarWindow != "complete" {
		t.Errorf("sweep delivered %d (window %q), want the one booked appointment", first.Delivered, first.CalendarWindow)
	}
	got := e.peer.Deliveries()[deliveries:]
	if len(got) != 1 || got[0].Envelope.Type != crmsync.AppointmentUpserted || !got[0].Accepted() {
		t.Fatalf("peer received %d deliveries (%+v), want one accepted appointment.upserted", len(got), got)
	}
	state := e.peer.State().Appointments
	if a, ok := state[booked.ID]; !ok || a.ContactGHLID != contact.ID || a.CalendarID != second || !a.StartTime.Equal(booked.StartTime) {
		t.Errorf("peer appointment %s = %+v (present %v), want the booking on %s", booked.ID, a, ok, second)
	}
	if _, ok := state[beyond.ID]; ok {
		t.Errorf("appointment %s beyond the horizon was delivered", beyond.ID)
	}
	if n := c1["get-calendars"] - c0["get-calendars"]; n != 1 {
		t.Errorf("%d calendar lists, want 1", n)
	}
	if n := c1["get-calendar-events"] - c0["get-calendar-events"]; n != 2 {
		t.Errorf("%d events requests, want 2 (one per calendar)", n)
	}
	if n := c1["all"] - c0["all"]; int(n) != first.Requests {
		t.Errorf("sandbox answered %d requests, report says %d", n, first.Requests)
	}

	// Nothing changed: nothing is sent.
	second2 := run(sweep.Appointments)
	if second2.Delivered != 0 || len(e.peer.Deliveries()) != deliveries+1 {
		t.Errorf("second sweep delivered %d (peer received %d more), want none", second2.Delivered, len(e.peer.Deliveries())-deliveries-1)
	}
	if second2.Unchanged == 0 {
		t.Error("second sweep saw nothing: the window was not read")
	}
	t.Logf("backfill: %d appointments in %d requests; sweep after the lost webhook: %d delivered in %d requests (%d calendar list, %d events); second sweep: %d requests, %d unchanged",
		backfill.Delivered, backfill.Requests, first.Delivered, first.Requests, c1["get-calendars"]-c0["get-calendars"],
		c1["get-calendar-events"]-c0["get-calendar-events"], second2.Requests, second2.Unchanged)
}

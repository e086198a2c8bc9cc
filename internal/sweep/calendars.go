package sweep

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
)

// cursorCalendars is the appointments stream's position in its calendar
// window: the last calendar whose events were all handled.
const cursorCalendars = "appointments.calendars"

type calendarPos struct {
	After string `json:"after,omitempty"`
}

// calendarWindow delivers the events of each of the location's calendars
// that overlap [now - CalendarLookback, now + CalendarHorizon]: the
// appointments booked or moved without any change to their contact, which
// the contact-ordered pass cannot see once their webhook was lost. It costs
// one request for the calendar list and one per calendar (GHL does not page
// this listing); fingerprints make the events the peer already has free.
// Calendars are read in id order from the appointments.calendars cursor, so
// a run stopped by its time budget resumes with the next calendar.
//
// Events without a contact (blocked time) and the instances of a recurring
// event (masterEventId set; the contact pass and the webhooks carry the
// event itself) are skipped.
func (j *job) calendarWindow(ctx context.Context) error {
	if j.r.opts.CalendarHorizon < 0 {
		return nil
	}
	var pos calendarPos
	if err := j.load(ctx, cursorCalendars, &pos); err != nil {
		return err
	}
	if j.timeUp() {
		return errStopped
	}
	cals, err := j.calendars(ctx)
	if err != nil {
		return err
	}
	now := j.r.opts.Clock.Now()
	from, to := now.Add(-j.r.opts.CalendarLookback), now.Add(j.r.opts.CalendarHorizon)
	j.rep.CalendarWindow = "partial"
	for _, cal := range cals {
		if cal <= pos.After {
			continue
		}
		if j.timeUp() {
			return errStopped
		}
		gctx, cancel := j.ghlCtx(ctx)
		events, _, err := j.api.ListEvents(gctx, &ghl.ListEventsOptions{LocationID: j.loc, CalendarID: cal, StartTime: from, EndTime: to})
		cancel()
		switch {
		case scopeDenied(err):
			j.rep.CalendarWindow = "no_scope"
			return nil
		case isNotFound(err):
			// deleted since it was listed
		case err != nil:
			return fmt.Errorf("list events of calendar %s: %w", cal, j.ghlErr(ctx, err))
		}
		j.addPage()
		events = slices.DeleteFunc(events, func(a ghl.Appointment) bool { return a.ID == "" || a.ContactID == "" || a.MasterEventID != "" })
		if _, err := j.each(len(events), func(i int) error {
			return j.deliver(ctx, crmsync.KindAppointment, events[i].ContactID, &events[i])
		}); err != nil {
			return err
		}
		pos.After = cal
		if err := j.save(ctx, cursorCalendars, pos); err != nil {
			return err
		}
	}
	j.rep.CalendarWindow = "complete"
	if pos.After == "" {
		return nil
	}
	return j.save(ctx, cursorCalendars, calendarPos{})
}

// calendars returns the ids of the location's calendars (GET /calendars/)
// and of Options.Calendars, sorted. Without the calendars.readonly scope
// only the configured ones are read.
func (j *job) calendars(ctx context.Context) ([]string, error) {
	ids := map[string]bool{}
	for _, id := range j.r.opts.Calendars[j.loc] {
		ids[id] = true
	}
	gctx, cancel := j.ghlCtx(ctx)
	cals, _, err := j.api.ListCalendars(gctx, j.loc)
	cancel()
	switch {
	case scopeDenied(err):
	case err != nil:
		return nil, fmt.Errorf("list calendars: %w", j.ghlErr(ctx, err))
	}
	for _, c := range cals {
		if c.ID != "" {
			ids[c.ID] = true
		}
	}
	return slices.Sorted(maps.Keys(ids)), nil
}

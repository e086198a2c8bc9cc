// Package sweep is the scheduled side of the sync: per installed
// location, it reads what changed in GHL since a stored cursor and hands
// each entity to the GHL→peer deliver step of internal/crmsync, whose
// fingerprints and links make a redelivery of a state the peer already
// has a no-op. It recovers what GHL's webhooks lost (GHL drops any event
// not answered 200 or 429), detects deletes, and is the backfill.
//
// # Streams and cursors (one store.Cursor per location and name)
//
//   - contacts: POST /contacts/search sorted by dateUpdated ascending,
//     paged with GHL's searchAfter [dateUpdated, id]; the cursor is the
//     searchAfter of the last contact handled, written after every page (or
//     after the completed prefix of a page that stopped). A contact updated
//     during a sweep moves to the end of the order and is read later, never
//     skipped; each run starts Overlap (2 min) before its cursor, so a late
//     search index cannot hide an update either. The first run (no cursor)
//     is the backfill.
//   - notes, appointments: the same contact order with a cursor of their
//     own — the hand-off of "contacts changed since the last note
//     (appointment) sweep" — and one GET of the contact's notes
//     (appointments) per changed contact: requests grow with what changed,
//     not with the location.
//   - appointments.calendars: after that pass has caught up, the calendar
//     window — the events of each of the location's calendars (GET
//     /calendars/ plus Options.Calendars) overlapping [now − 1 day, now +
//     30 days] (CalendarLookback, CalendarHorizon), one GET
//     /calendars/events per calendar — delivers the appointments booked or
//     moved without any change to their contact; the cursor is the last
//     calendar done, so a run stopped by its deadline resumes with the
//     next. Events without a contact and instances of recurring events are
//     skipped; without the calendar scopes the window is skipped
//     (calendarWindow "no_scope" in the report).
//   - tasks: the location task search (offset paging; tasks carry no update
//     time, so each pass reads them all, fingerprints telling what
//     changed, the links read once per run); without its scope (401/403)
//     the tasks of the contacts changed since the tasks.contacts cursor.
//   - <stream>.deletes: delete detection, every DeleteEvery (6 h) or on
//     Input.Deletes, after the stream caught up: the links of the stream's
//     kind in GHL id order, 100 at a time — contacts checked with one search
//     by id per 100 (a miss confirmed by a GET 404), tasks, notes and
//     appointments by listing each linked contact's entities (a contact
//     gone takes its entities with it) — and a *.deleted to the peer for
//     each one gone.
//   - ratelimit.daily: when GHL's daily budget ran out, the time (next UTC
//     midnight) until which the location is skipped.
//
// # Time, rate and isolation
//
// Run stops starting work Margin (5 s) before the context deadline; a
// page that started finishes its deliveries and checkpoint, so the next
// run resumes with no gap and, the links recording what was sent, no
// duplicate. Every GHL request takes a unit of the location's Budget,
// shared through the store by every container (store.TakeRateBudget) on
// top of each client's own limiter and the X-RateLimit-* headers: sweeps
// may use SweepShare (95 %) of the burst limit and pace their requests
// evenly, webhook traffic the whole of it. A sweep stops a location when
// GHL reports only DailyReserve requests left today (outcome daily_limit,
// one log line and metric at the function's edge), before any 429.
// Locations run Parallel at a time; one location's failure is in its
// report, the others go on.
//
// Example (the dev server's local clock, the backfill command and the
// functions' schedule all call Run):
//
//	r, err := sweep.New(sweep.Options{Store: st, GHL: clients, Syncer: syncer, Budget: budget})
//	rep, err := r.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: sweep.Contacts})
//	for _, l := range rep.Locations {
//		fmt.Println(l.LocationID, l.Outcome, l.Delivered, l.Requests)
//	}
package sweep

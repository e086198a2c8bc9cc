package sweep_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/sweep"
)

// ghlPrints reads the fingerprint of every contact and task of a location
// from GHL, as the flows compute it.
func (e *env) ghlPrints(t *testing.T, loc string) map[string]string {
	t.Helper()
	c, err := e.client(loc)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for ct, err := range c.Contacts.SearchAll(t.Context(), &ghl.SearchContactsRequest{LocationID: loc, Sort: []ghl.SearchSort{{Field: "dateUpdated", Direction: "asc"}}}) {
		if err != nil {
			t.Fatal(err)
		}
		out["contact/"+ct.ID] = crmsync.GHLFingerprint(loc, crmsync.KindContact, "", &ct)
	}
	for skip := 0; ; skip += 100 {
		ts, _, err := c.Locations.SearchTasks(t.Context(), loc, &ghl.SearchTasksRequest{Limit: 100, Skip: skip})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ts {
			out["task/"+tk.ID] = crmsync.GHLFingerprint(loc, crmsync.KindTask, tk.ContactID, &tk)
		}
		if len(ts) < 100 {
			return out
		}
	}
}

// missing counts the entities whose GHL state the peer does not have,
// by the fingerprints the links record.
func (e *env) missing(t *testing.T, loc string, prints map[string]string) int {
	t.Helper()
	n := 0
	for key, fp := range prints {
		kind, id, _ := cutKey(key)
		l, err := e.st.GetLinkByGHL(t.Context(), loc, store.LinkKind(kind), id)
		if err != nil || l.Deleted || l.PeerFingerprint != fp {
			n++
		}
	}
	return n
}

func cutKey(k string) (string, string, bool) {
	for i := range k {
		if k[i] == '/' {
			return k[:i], k[i+1:], true
		}
	}
	return k, "", false
}

// TestMissedWebhooksDeliveredBySweeps: after a backfill, 200 random
// changes (contact fields, tags, new tasks, completed tasks) with 20 % of
// GHL's webhooks dropped; the webhooks that arrive are delivered while a
// sweep runs; the next sweeps deliver exactly the changes the peer missed,
// nothing twice, and GHL never answers 429.
func TestMissedWebhooksDeliveredBySweeps(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{scale: 2000, seed: ghlsandbox.SeedOptions{Seed: 11, Locations: 1, ContactsPerLocation: 120,
		NotesPerContact: -1, AppointmentsPerContact: -1, TasksPerContact: 1}})
	loc := e.locs[0].ID
	ctx := t.Context()
	e.runAll(ctx, false)
	e.webhooksToApp()
	e.sb.SetFaults(ghlsandbox.Faults{Seed: 3, Webhooks: ghlsandbox.WebhookFaults{Drop: 0.2}})

	contacts := e.sb.Contacts(loc)
	rnd := rand.New(rand.NewPCG(5, 6))
	var sweeping sync.WaitGroup
	sweeping.Add(1)
	go func() { // a sweep runs while the webhooks arrive
		defer sweeping.Done()
		if _, err := e.runner.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: sweep.Tasks, LocationID: loc}); err != nil {
			t.Error(err)
		}
	}()
	for i := range 200 {
		c := contacts[rnd.IntN(len(contacts))]
		var err error
		switch i % 4 {
		case 0:
			_, err = e.sb.UpdateContact(loc, c.ID, func(c *ghlsandbox.Contact) { c.City = fmt.Sprintf("City %d", i) })
		case 1:
			_, err = e.sb.UpdateContact(loc, c.ID, func(c *ghlsandbox.Contact) { c.Tags = append(c.Tags, fmt.Sprintf("tag-%d", i)) })
		case 2:
			_, err = e.sb.CreateTask(loc, c.ID, ghlsandbox.Task{Title: fmt.Sprintf("Task %d", i), DueDate: e.clock.Now().Add(48 * time.Hour).Truncate(time.Hour)})
		case 3:
			if ts := e.sb.Tasks(loc, c.ID); len(ts) > 0 {
				_, err = e.sb.SetTaskCompleted(loc, c.ID, ts[0].ID, !ts[0].Completed)
			} else {
				_, err = e.sb.UpdateContact(loc, c.ID, func(c *ghlsandbox.Contact) { c.Website = fmt.Sprintf("https://w%d.example.org", i) })
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := e.sb.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sweeping.Wait()
	e.sb.SetFaults(ghlsandbox.Faults{})

	// While the sweep and the webhooks ran together, a webhook and the
	// sweep may both have sent the same new state before either recorded
	// its link: the second send carries the same event id (webhook-id), so
	// the peer drops it. The sweeps below run after GHL went quiet.
	_, concurrentDups := e.deliveries()
	prints := e.ghlPrints(t, loc)
	missed := e.missing(t, loc, prints)
	if missed == 0 {
		t.Fatal("no change was missed: the drop fault did not bite")
	}
	before := len(e.peer.Deliveries())
	delivered := 0
	for _, s := range []sweep.Stream{sweep.Contacts, sweep.Tasks} {
		rep, err := e.runner.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: s})
		if err != nil || rep.Err() != nil {
			t.Fatalf("%s sweep: %v %v", s, err, rep.Err())
		}
		delivered += rep.Totals().Delivered
	}
	if delivered != missed || len(e.peer.Deliveries())-before != missed {
		t.Errorf("sweeps delivered %d (peer received %d), want exactly the %d missed changes", delivered, len(e.peer.Deliveries())-before, missed)
	}
	if n := e.missing(t, loc, prints); n != 0 {
		t.Errorf("%d entities still differ from GHL after the sweeps", n)
	}
	if _, dups := e.deliveries(); dups != concurrentDups {
		t.Errorf("the sweeps repeated %d states the peer had", dups-concurrentDups)
	}
	if n := e.ans.count(http.StatusTooManyRequests); n != 0 {
		t.Errorf("GHL answered 429 %d times with webhooks and sweeps together", n)
	}
	t.Logf("%d changes missed by webhooks, %d delivered by the sweeps; %d GHL requests, 0 x 429; %d same-id repeats while webhooks and a sweep raced",
		missed, delivered, e.ans.total(), concurrentDups)
}

// TestSweepResumesAfterDeadline: a first sweep stopped by its deadline
// checkpoints, the next run resumes from the cursor, and every contact
// reaches the peer exactly once overall.
func TestSweepResumesAfterDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{scale: 2000, margin: 200 * time.Millisecond, seed: ghlsandbox.SeedOptions{Seed: 12, Locations: 1, ContactsPerLocation: 500,
		TasksPerContact: -1, NotesPerContact: -1, AppointmentsPerContact: -1}})
	in := sweep.Input{Kind: sweep.KindSweep, Stream: sweep.Contacts}
	ctx, cancel := context.WithTimeout(t.Context(), 1200*time.Millisecond)
	rep, err := e.runner.Run(ctx, in)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	first := rep.Totals()
	if !first.StoppedByDeadline || first.Delivered == 0 || first.Delivered >= 500 || rep.Err() != nil {
		t.Fatalf("first run = %+v (%v), want a clean stop part-way", first, rep.Err())
	}
	runs := 1
	for ; runs < 10; runs++ {
		rep, err = e.runner.Run(t.Context(), in)
		if err != nil || rep.Err() != nil {
			t.Fatal(err, rep.Err())
		}
		if rep.Locations[0].Outcome == sweep.OutcomeCaughtUp {
			break
		}
	}
	got, dups := e.deliveries()
	if got[crmsync.ContactUpserted] != 500 || len(e.peer.Deliveries()) != 500 || dups != 0 {
		t.Errorf("peer got %d contacts in %d deliveries (%d repeats), want each of 500 exactly once", got[crmsync.ContactUpserted], len(e.peer.Deliveries()), dups)
	}
	t.Logf("first run stopped after %d of 500 contacts; caught up after %d more run(s)", first.Delivered, runs)
}

// TestDeleteDetection: 50 contacts deleted in GHL whose webhooks never
// arrive reach the peer as 50 contact.deleted, and their tasks as
// task.deleted.
func TestDeleteDetection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{scale: 2000, seed: ghlsandbox.SeedOptions{Seed: 13, Locations: 1, ContactsPerLocation: 100,
		TasksPerContact: 1, NotesPerContact: -1, AppointmentsPerContact: -1}})
	loc := e.locs[0].ID
	e.runAll(t.Context(), false)
	contacts := e.sb.Contacts(loc)
	gone := map[string]bool{}
	wantTasks := 0
	for _, c := range contacts[:50] {
		wantTasks += len(e.sb.Tasks(loc, c.ID))
		if err := e.sb.DeleteContact(loc, c.ID); err != nil {
			t.Fatal(err)
		}
		gone[c.ID] = true
	}
	before := len(e.peer.Deliveries())
	reps := e.runAll(t.Context(), true)
	if n := reps[sweep.Contacts].Totals().Deleted; n != 50 {
		t.Errorf("contact sweep sent %d deletes, want 50", n)
	}
	if n := reps[sweep.Tasks].Totals().Deleted; n != wantTasks {
		t.Errorf("task sweep sent %d deletes, want %d (the tasks of the deleted contacts)", n, wantTasks)
	}
	deleted := 0
	for _, d := range e.peer.Deliveries()[before:] {
		if d.Envelope.Type == crmsync.ContactDeleted && d.Accepted() {
			deleted++
		}
	}
	state := e.peer.State()
	for id := range gone {
		if _, ok := state.Contacts[id]; ok {
			t.Errorf("contact %s deleted in GHL is still at the peer", id)
		}
	}
	if deleted != 50 || len(state.Contacts) != 50 {
		t.Errorf("peer got %d contact.deleted and keeps %d contacts, want 50 and 50", deleted, len(state.Contacts))
	}
	// A second pass finds nothing more to delete.
	reps = e.runAll(t.Context(), true)
	if n := reps[sweep.Contacts].Totals().Deleted + reps[sweep.Tasks].Totals().Deleted; n != 0 {
		t.Errorf("second delete pass sent %d deletes, want 0", n)
	}
}

// TestDailyLimitPausesLocation: GHL's daily budget spent stops the
// location with a typed outcome and a pause until the next UTC day; the
// next run skips it; the other locations are not affected by one
// location's failure.
func TestDailyLimitPausesLocation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{scale: 2000, daily: 40, seed: ghlsandbox.SeedOptions{Seed: 14, Locations: 3, ContactsPerLocation: 60,
		TasksPerContact: -1, NotesPerContact: 1, AppointmentsPerContact: -1}})
	in := sweep.Input{Kind: sweep.KindSweep, Stream: sweep.Notes}
	rep, err := e.runner.Run(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Locations {
		if l.Outcome != sweep.OutcomeDailyLimit || !l.DailyLimit || !l.ResumeAt.After(e.clock.Now()) || l.ResumeAt.Sub(e.clock.Now()) > 24*time.Hour {
			t.Errorf("%s: %+v, want daily_limit with a resume time tomorrow", l.LocationID, l)
		}
	}
	requests := e.ans.total()
	rep, err = e.runner.Run(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Locations {
		if l.Outcome != sweep.OutcomePaused {
			t.Errorf("%s after the limit: %s, want paused", l.LocationID, l.Outcome)
		}
	}
	if n := e.ans.total() - requests; n != 0 {
		t.Errorf("a paused location made %d GHL requests", n)
	}
	if n := e.ans.count(http.StatusTooManyRequests); n != 0 {
		t.Errorf("%d answers 429: a sweep stops before the daily budget is spent", n)
	}
}

func TestLocationFailureIsolated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{scale: 2000, seed: ghlsandbox.SeedOptions{Seed: 15, Locations: 3, ContactsPerLocation: 20,
		TasksPerContact: -1, NotesPerContact: -1, AppointmentsPerContact: -1}})
	e.failLocation = e.locs[1].ID
	rep, err := e.runner.Run(t.Context(), sweep.Input{Kind: sweep.KindSweep, Stream: sweep.Contacts})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() == nil {
		t.Error("Report.Err = nil, want the failed location's error")
	}
	for _, l := range rep.Locations {
		want := sweep.OutcomeCaughtUp
		if l.LocationID == e.failLocation {
			want = sweep.OutcomeFailed
		}
		if l.Outcome != want {
			t.Errorf("%s: %s (%s), want %s", l.LocationID, l.Outcome, l.Error, want)
		}
	}
	if got, _ := e.deliveries(); got[crmsync.ContactUpserted] != 40 {
		t.Errorf("peer got %d contacts, want the 40 of the two healthy locations", got[crmsync.ContactUpserted])
	}
}

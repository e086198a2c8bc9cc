package sweep

import (
	"context"
	"fmt"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
)

// contacts delivers the contacts updated since the cursor.
func (j *job) contacts(ctx context.Context) error {
	return j.scanContacts(ctx, string(Contacts), func(ctx context.Context, c *ghl.Contact) error {
		return j.deliver(ctx, crmsync.KindContact, "", c)
	})
}

// scanContacts pages through the location's contacts in ascending
// dateUpdated order (ties by id, GHL's searchAfter [dateUpdated, id]) from
// the cursor name, calls handle for each, and checkpoints the cursor after
// every page — or, when the page stops part-way (time budget, a failed
// delivery), after the last contact of its completed prefix, so the next
// run resumes with no gap. Each run starts Overlap before the cursor.
// An update during the sweep moves a contact to the end of the order: it
// is read later in this run or by the next one, never skipped.
func (j *job) scanContacts(ctx context.Context, name string, handle func(ctx context.Context, c *ghl.Contact) error) error {
	var pos contactPos
	if err := j.load(ctx, name, &pos); err != nil {
		return err
	}
	overlap := max(j.r.opts.Overlap, 0)
	after := rewind(pos.After, overlap)
	limit := j.r.opts.PageLimit
	for {
		if j.timeUp() {
			return errStopped
		}
		gctx, cancel := j.ghlCtx(ctx)
		res, _, err := j.api.SearchContacts(gctx, &ghl.SearchContactsRequest{LocationID: j.loc, PageLimit: limit,
			Sort: []ghl.SearchSort{{Field: "dateUpdated", Direction: "asc"}}, SearchAfter: after})
		cancel()
		if err != nil {
			return fmt.Errorf("search contacts: %w", j.ghlErr(ctx, err))
		}
		j.addPage()
		page := res.Contacts
		done, herr := j.each(len(page), func(i int) error { return handle(ctx, &page[i]) })
		if done > 0 {
			last := page[done-1].SearchAfter
			if len(last) == 0 {
				return fmt.Errorf("search contacts: contact %s without a searchAfter cursor", page[done-1].ID)
			}
			if err := j.save(ctx, name, contactPos{After: last}); err != nil {
				return err
			}
			after = last
		}
		if herr != nil {
			return herr
		}
		if len(page) < limit {
			return nil
		}
	}
}

// notesOf delivers the notes of a contact the scan found changed.
func (j *job) notesOf(ctx context.Context, c *ghl.Contact) error {
	gctx, cancel := j.ghlCtx(ctx)
	notes, _, err := j.api.ListNotes(gctx, c.ID)
	cancel()
	switch {
	case isNotFound(err):
		return nil // deleted since the search: the contact's delete covers it
	case err != nil:
		return fmt.Errorf("list notes of contact %s: %w", c.ID, j.ghlErr(ctx, err))
	}
	for i := range notes {
		if err := j.deliver(ctx, crmsync.KindNote, c.ID, &notes[i]); err != nil {
			return err
		}
	}
	return nil
}

// appointmentsOf delivers the appointments of a contact the scan found
// changed.
func (j *job) appointmentsOf(ctx context.Context, c *ghl.Contact) error {
	gctx, cancel := j.ghlCtx(ctx)
	appts, _, err := j.api.ListAppointments(gctx, c.ID)
	cancel()
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("list appointments of contact %s: %w", c.ID, j.ghlErr(ctx, err))
	}
	for i := range appts {
		if err := j.deliver(ctx, crmsync.KindAppointment, c.ID, &appts[i]); err != nil {
			return err
		}
	}
	return nil
}

// tasksOf delivers the tasks of a contact the scan found changed (the
// task sweep without the location task search scope).
func (j *job) tasksOf(ctx context.Context, c *ghl.Contact) error {
	gctx, cancel := j.ghlCtx(ctx)
	tasks, _, err := j.api.ListTasks(gctx, c.ID)
	cancel()
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("list tasks of contact %s: %w", c.ID, j.ghlErr(ctx, err))
	}
	for i := range tasks {
		if err := j.deliver(ctx, crmsync.KindTask, c.ID, &tasks[i]); err != nil {
			return err
		}
	}
	return nil
}

package sweep

import (
	"context"
	"fmt"
	"sort"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/store"
)

// Delete detection compares the ids ghlsync has links for with the ids GHL
// still has, and sends a delete for each link whose entity is gone. It runs
// after a stream caught up, every DeleteEvery (or when Input.Deletes asks),
// walks the links in GHL id order 100 at a time with the <stream>.deletes
// cursor (so a pass spans runs when it must), and costs one GHL request per
// 100 contact links, or one per contact that has linked tasks, notes or
// appointments. A first sweep (the backfill) only starts the clock: it has
// just read every entity that exists.

func (j *job) deletes(ctx context.Context) error {
	name := string(j.stream) + ".deletes"
	var pos deletePos
	if err := j.load(ctx, name, &pos); err != nil {
		return err
	}
	now := j.r.opts.Clock.Now()
	if pos.After == "" && !j.force {
		if pos.Completed.IsZero() {
			return j.save(ctx, name, deletePos{Completed: now})
		}
		if now.Sub(pos.Completed) < j.r.opts.DeleteEvery {
			return nil
		}
	}
	j.rep.Deletes = "partial"
	limit := j.r.opts.PageLimit
	for {
		if j.timeUp() {
			return errStopped
		}
		links, err := j.r.opts.Store.ListLinks(ctx, j.loc, j.stream.linkKind(), pos.After, limit)
		if err != nil {
			return fmt.Errorf("list %s links: %w", j.stream.Kind(), err)
		}
		var live []store.Link
		for _, l := range links {
			if !l.Deleted {
				live = append(live, l)
			}
		}
		if j.stream == Contacts {
			err = j.contactDeletes(ctx, live)
		} else {
			err = j.childDeletes(ctx, live)
		}
		if err != nil {
			return err
		}
		if len(links) < limit {
			j.rep.Deletes = "complete"
			return j.save(ctx, name, deletePos{Completed: j.r.opts.Clock.Now()})
		}
		pos.After = links[len(links)-1].GHLID
		if err := j.save(ctx, name, pos); err != nil {
			return err
		}
	}
}

// contactDeletes checks up to 100 contact links with one search by id;
// a contact the search misses is confirmed gone with a GET (404) before
// its delete is sent, so an index lag never deletes a live contact.
func (j *job) contactDeletes(ctx context.Context, live []store.Link) error {
	if len(live) == 0 {
		return nil
	}
	ids := make([]string, len(live))
	for i, l := range live {
		ids[i] = l.GHLID
	}
	gctx, cancel := j.ghlCtx(ctx)
	res, _, err := j.api.SearchContacts(gctx, &ghl.SearchContactsRequest{LocationID: j.loc, PageLimit: j.r.opts.PageLimit,
		Filters: []ghl.SearchFilter{{Field: "id", Operator: "eq", Value: ids}}})
	cancel()
	if err != nil {
		return fmt.Errorf("search contacts by id: %w", j.ghlErr(ctx, err))
	}
	found := map[string]bool{}
	for _, c := range res.Contacts {
		found[c.ID] = true
	}
	var missing []string
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	_, err = j.each(len(missing), func(i int) error {
		id := missing[i]
		gctx, cancel := j.ghlCtx(ctx)
		_, _, err := j.api.GetContact(gctx, id)
		cancel()
		switch {
		case isNotFound(err):
			return j.deleted(ctx, crmsync.KindContact, id, "")
		case err != nil:
			return fmt.Errorf("get contact %s: %w", id, j.ghlErr(ctx, err))
		}
		return nil
	})
	return err
}

// childDeletes lists the tasks, notes or appointments of each contact the
// links name once, and sends a delete for each linked entity that is no
// longer listed (all of them when the contact is gone).
func (j *job) childDeletes(ctx context.Context, live []store.Link) error {
	byContact := map[string][]store.Link{}
	for _, l := range live {
		if c := crmsync.LinkContactID(l); c != "" {
			byContact[c] = append(byContact[c], l)
		}
	}
	contacts := make([]string, 0, len(byContact))
	for c := range byContact {
		contacts = append(contacts, c)
	}
	sort.Strings(contacts)
	kind := j.stream.Kind()
	_, err := j.each(len(contacts), func(i int) error {
		c := contacts[i]
		have, err := j.listIDs(ctx, c)
		if err != nil {
			return err
		}
		for _, l := range byContact[c] {
			if !have[l.GHLID] {
				if err := j.deleted(ctx, kind, l.GHLID, c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return err
}

// listIDs returns the ids of the contact's entities of the job's stream
// (empty when the contact is gone).
func (j *job) listIDs(ctx context.Context, contactID string) (map[string]bool, error) {
	gctx, cancel := j.ghlCtx(ctx)
	defer cancel()
	ids := map[string]bool{}
	var err error
	switch j.stream {
	case Tasks:
		var ts []ghl.Task
		ts, _, err = j.api.ListTasks(gctx, contactID)
		for _, t := range ts {
			ids[t.ID] = true
		}
	case Notes:
		var ns []ghl.Note
		ns, _, err = j.api.ListNotes(gctx, contactID)
		for _, n := range ns {
			ids[n.ID] = true
		}
	case Appointments:
		var as []ghl.Appointment
		as, _, err = j.api.ListAppointments(gctx, contactID)
		for _, a := range as {
			ids[a.ID] = true
		}
	}
	switch {
	case isNotFound(err):
		return map[string]bool{}, nil
	case err != nil:
		return nil, fmt.Errorf("list %ss of contact %s: %w", j.stream.Kind(), contactID, j.ghlErr(ctx, err))
	}
	return ids, nil
}

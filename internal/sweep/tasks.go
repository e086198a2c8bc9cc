package sweep

import (
	"context"
	"fmt"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
)

// cursorTaskContacts is the task sweep's contact cursor when the token
// lacks the location task search scope.
const cursorTaskContacts = "tasks.contacts"

// tasks runs a pass of the location task search (offset paging, resumable
// by the tasks cursor; GHL tasks carry no update time, so every pass reads
// them all and fingerprints tell what changed). The links of the
// location's tasks are read once per run (a few store queries) so that an
// unchanged task costs no store read. Without the search scope (401/403)
// it falls back to the tasks of the contacts changed since its own contact
// cursor.
func (j *job) tasks(ctx context.Context) error {
	var pos taskPos
	if err := j.load(ctx, string(Tasks), &pos); err != nil {
		return err
	}
	known, err := j.fingerprints(ctx, Tasks)
	if err != nil {
		return err
	}
	limit := j.r.opts.PageLimit
	for {
		if j.timeUp() {
			return errStopped
		}
		gctx, cancel := j.ghlCtx(ctx)
		page, _, err := j.api.SearchTasks(gctx, j.loc, &ghl.SearchTasksRequest{Limit: limit, Skip: pos.Skip})
		cancel()
		if scopeDenied(err) {
			return j.scanContacts(ctx, cursorTaskContacts, j.tasksOf)
		}
		if err != nil {
			return fmt.Errorf("search tasks: %w", j.ghlErr(ctx, err))
		}
		j.addPage()
		done, herr := j.each(len(page), func(i int) error {
			t := &page[i]
			if fp := crmsync.GHLFingerprint(j.loc, crmsync.KindTask, t.ContactID, t); fp != "" && known[t.ID].has(fp) {
				j.count(crmsync.OutcomeUnchanged, false)
				return nil
			}
			return j.deliver(ctx, crmsync.KindTask, t.ContactID, t)
		})
		next := taskPos{Skip: pos.Skip + done}
		if herr == nil && len(page) < limit {
			next.Skip = 0 // pass complete; the next run starts another
		}
		if next != pos {
			if err := j.save(ctx, string(Tasks), next); err != nil {
				return err
			}
			pos = next
		}
		if herr != nil {
			return herr
		}
		if len(page) < limit {
			return nil
		}
	}
}

// linkPrints are the fingerprints a link records.
type linkPrints struct{ peer, ghl string }

func (p linkPrints) has(fp string) bool { return fp == p.peer || fp == p.ghl }

// fingerprints reads the live links of a stream's kind in the location.
func (j *job) fingerprints(ctx context.Context, s Stream) (map[string]linkPrints, error) {
	const batch = 1000
	out := map[string]linkPrints{}
	after := ""
	for {
		links, err := j.r.opts.Store.ListLinks(ctx, j.loc, s.linkKind(), after, batch)
		if err != nil {
			return nil, fmt.Errorf("list %s links: %w", s.Kind(), err)
		}
		for _, l := range links {
			if !l.Deleted {
				out[l.GHLID] = linkPrints{peer: l.PeerFingerprint, ghl: l.GHLFingerprint}
			}
		}
		if len(links) < batch {
			return out, nil
		}
		after = links[len(links)-1].GHLID
	}
}

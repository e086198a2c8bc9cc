package crmsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/store"
)

// contact applies contact.upserted: one GHL call (update by id when
// linked, else upsert, which matches by email or phone), then tag calls
// only for the tags that differ.
func (a *applier) contact(ctx context.Context, c *Contact) error {
	if c == nil {
		return permanent("contact.upserted carries no contact")
	}
	peerID := c.PeerID
	if peerID == "" {
		peerID = c.GHLID
	}
	if peerID == "" {
		return permanent("the contact has neither peerId nor ghlId")
	}
	a.rep.PeerID, a.rep.GHLID = peerID, c.GHLID
	link, err := a.resolve(ctx, KindContact, peerID, c.GHLID)
	if err != nil {
		return err
	}
	fp := Fingerprint(c)
	if a.skip(link, fp, c.UpdatedAt) {
		return nil
	}
	finish := func(ctx context.Context, got *ghl.Contact) error {
		var err error
		if got.Tags, err = a.applyTags(ctx, got.ID, NormalizeTags(got.Tags), NormalizeTags(c.Tags)); err != nil {
			return err
		}
		canon := contactFromGHL(a.loc, got)
		return a.record(ctx, link, KindContact, got.ID, peerID, Fingerprint(canon), fp, canon.UpdatedAt, c.UpdatedAt, "")
	}
	if link == nil || link.Deleted {
		return a.createOnce(ctx, KindContact, peerID, link, func(ctx context.Context) error {
			got, err := a.upsert(ctx, c)
			if err != nil {
				return err
			}
			return finish(ctx, got)
		})
	}
	if link, err = a.markPending(ctx, link, fp); err != nil {
		return err
	}
	got, _, err := a.g.Contacts.Update(ctx, link.GHLID, updateRequest(c))
	if isNotFound(err) {
		return a.done(OutcomeIgnored, "the contact was deleted in GHL")
	}
	if err != nil {
		return fmt.Errorf("update contact %s: %w", link.GHLID, err)
	}
	return finish(ctx, got)
}

// upsert creates or matches the contact in one call. Upsert is not
// idempotent (the client never repeats it after an ambiguous failure), so
// after a timeout, a 5xx or a 422 that may nonetheless have created the
// contact, the contact is looked up by email or phone first: found, the
// fields are applied with an update by id (idempotent); not found, an
// ambiguous failure is retried by the sender and a 422 is permanent.
func (a *applier) upsert(ctx context.Context, c *Contact) (*ghl.Contact, error) {
	if c.Email == "" && c.Phone == "" {
		return nil, permanent("a new contact needs an email or a phone to be matched in GHL")
	}
	res, _, err := a.g.Contacts.Upsert(ctx, upsertRequest(a.loc, c))
	if err == nil {
		return res.Contact, nil
	}
	if !errors.Is(err, ghl.ErrAmbiguous) && !isUnprocessable(err) {
		return nil, fmt.Errorf("upsert contact %s: %w", c.PeerID, err)
	}
	found, lerr := a.findContact(ctx, c)
	if lerr != nil {
		return nil, errors.Join(fmt.Errorf("upsert contact %s: %w", c.PeerID, err), lerr)
	}
	if found == nil {
		return nil, fmt.Errorf("upsert contact %s (not found afterwards): %w", c.PeerID, err)
	}
	got, _, err := a.g.Contacts.Update(ctx, found.ID, updateRequest(c))
	if err != nil {
		return nil, fmt.Errorf("update contact %s after an unclear upsert: %w", found.ID, err)
	}
	return got, nil
}

// findContact looks a contact up by email, then by phone.
func (a *applier) findContact(ctx context.Context, c *Contact) (*ghl.Contact, error) {
	for _, o := range []ghl.FindDuplicateOptions{{LocationID: a.loc, Email: c.Email}, {LocationID: a.loc, Number: c.Phone}} {
		if o.Email == "" && o.Number == "" {
			continue
		}
		found, _, err := a.g.Contacts.FindDuplicate(ctx, &o)
		if err != nil {
			return nil, fmt.Errorf("look up contact %s: %w", c.PeerID, err)
		}
		if found != nil && found.ID != "" {
			return found, nil
		}
	}
	return nil, nil
}

// applyTags adds and removes the tags that differ between have and want,
// and returns the contact's tags as GHL reports them afterwards.
func (a *applier) applyTags(ctx context.Context, contactID string, have, want []string) ([]string, error) {
	add, remove := diffTags(have, want)
	tags := have
	var err error
	if len(add) > 0 {
		if tags, _, err = a.g.Contacts.AddTags(ctx, contactID, add); err != nil {
			return nil, fmt.Errorf("add tags to contact %s: %w", contactID, err)
		}
	}
	if len(remove) > 0 {
		if tags, _, err = a.g.Contacts.RemoveTags(ctx, contactID, remove); err != nil {
			return nil, fmt.Errorf("remove tags from contact %s: %w", contactID, err)
		}
	}
	return tags, nil
}

// tags applies contact.tagged / contact.untagged: only the named tags are
// added or removed; then the contact is read once so that the link holds
// its fingerprint and GHL's ContactTagUpdate webhook is an echo.
func (a *applier) tags(ctx context.Context, c *Contact, tags []string, add bool) error {
	if c == nil || (c.PeerID == "" && c.GHLID == "") {
		return permanent("the tag change names no contact")
	}
	tags = NormalizeTags(tags)
	if len(tags) == 0 {
		return permanent("the tag change names no tags")
	}
	a.rep.PeerID, a.rep.GHLID = c.PeerID, c.GHLID
	link, err := a.resolve(ctx, KindContact, c.PeerID, c.GHLID)
	if err != nil {
		return err
	}
	if link == nil || link.Deleted {
		return a.done(OutcomeIgnored, "the contact is not linked to GHL")
	}
	if link, err = a.markPending(ctx, link, ""); err != nil {
		return err
	}
	if add {
		_, _, err = a.g.Contacts.AddTags(ctx, link.GHLID, tags)
	} else {
		_, _, err = a.g.Contacts.RemoveTags(ctx, link.GHLID, tags)
	}
	if err != nil {
		return fmt.Errorf("change tags of contact %s: %w", link.GHLID, err)
	}
	got, _, err := a.g.Contacts.Get(ctx, link.GHLID)
	if err != nil {
		return fmt.Errorf("get contact %s: %w", link.GHLID, err)
	}
	canon := contactFromGHL(a.loc, got)
	fp := Fingerprint(canon)
	return a.record(ctx, link, KindContact, link.GHLID, link.PeerID, fp, fp, canon.UpdatedAt, c.UpdatedAt, "")
}

// deleteContact applies contact.deleted, only when the configuration
// allows peer-initiated contact deletes (off by default).
func (a *applier) deleteContact(ctx context.Context, ref *Ref) error {
	if !a.s.opts.AllowPeerContactDelete {
		if ref != nil {
			a.rep.GHLID, a.rep.PeerID = ref.GHLID, ref.PeerID
		}
		return a.done(OutcomeIgnored, "deletes disabled: peer-initiated GHL contact deletes are off (ALLOW_PEER_CONTACT_DELETE)")
	}
	link, err := a.refLink(ctx, KindContact, ref)
	if err != nil {
		return err
	}
	return a.deleteLinked(ctx, link, func(ctx context.Context) (*ghl.Response, error) {
		return a.g.Contacts.Delete(ctx, link.GHLID)
	})
}

// deleteLinked deletes a linked GHL entity (a 404 means gone already) and
// marks its link deleted, so GHL's delete webhook is an echo.
func (a *applier) deleteLinked(ctx context.Context, link *store.Link, del func(context.Context) (*ghl.Response, error)) error {
	switch {
	case link == nil:
		return a.done(OutcomeIgnored, "not linked to GHL")
	case link.Deleted:
		return a.done(OutcomeUnchanged, "")
	}
	a.rep.GHLID, a.rep.PeerID = link.GHLID, link.PeerID
	link, err := a.markPending(ctx, link, pendingDelete)
	if err != nil {
		return err
	}
	if _, err := del(ctx); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s %s: %w", link.Kind, link.GHLID, err)
	}
	return a.tombstone(ctx, link)
}

package incidentio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	iio "github.com/ghlsync/ghlsync/internal/incidentio"
)

// Event types the connector maps (the part after "public_incident." or
// "private_incident.").
const (
	evIncidentCreated  = "incident_created_v2"
	evIncidentUpdated  = "incident_updated_v2"
	evIncidentStatus   = "incident_status_updated_v2"
	evFollowUpCreated  = "follow_up_created_v2"
	evFollowUpUpdated  = "follow_up_updated_v2"
	evFollowUpCreated1 = "follow_up_created_v1"
	evFollowUpUpdated1 = "follow_up_updated_v1"
	evActionCreated    = "action_created_v1"
	evActionUpdated    = "action_updated_v1"
)

// TagIncidentIO is added to every contact an incident names, next to
// "incident:<reference>" (lower-cased, as GHL stores tags).
const TagIncidentIO = "incident.io"

// Receive verifies one incident.io webhook (Svix: webhook-* or svix-*
// headers) on its raw bytes and maps it to the changes of its route's
// domain:
//
//   - incident_created_v2, incident_updated_v2, incident_status_updated_v2
//     on the contact route: contact.upserted for every contact named by the
//     "GHL contacts" field, tagged "incident.io" and "incident:<ref>" for
//     each incident naming it; on the note route: note.upserted
//     "Incident INC-123: <name> — <status>" per contact (one note per
//     incident and contact, updated as the incident moves) and one per
//     incident update.
//   - follow_up_*, action_* on the task route: task.upserted or
//     task.completed (task.deleted for a deleted one) per contact of the
//     incident.
//
// Private events carry only the id: the object is fetched. Any other event
// type, or an event for another route's domain, is verified and answered
// with no changes. A verification failure wraps crmsync.ErrUnauthenticated;
// a malformed body is a *crmsync.BadEventError.
func (c *Connector) Receive(ctx context.Context, domain crmsync.Kind, header http.Header, body []byte) (crmsync.Inbound, error) {
	if err := ctx.Err(); err != nil {
		return crmsync.Inbound{}, err
	}
	if int64(len(body)) > c.maxBody {
		return crmsync.Inbound{}, bad("body is %d bytes, over the limit of %d", len(body), c.maxBody)
	}
	d, err := c.verifier.Verify(header, body)
	if err != nil {
		return crmsync.Inbound{}, fmt.Errorf("incidentio connector: receive: %w: %w", crmsync.ErrUnauthenticated, err)
	}
	in := crmsync.Inbound{DeliveryID: d.ID}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return in, bad("body is not a JSON object")
	}
	var eventType string
	if err := json.Unmarshal(env["event_type"], &eventType); err != nil || eventType == "" {
		return in, bad("/event_type: required string")
	}
	scope, name, _ := strings.Cut(eventType, ".")
	if scope != "public_incident" && scope != "private_incident" {
		return in, nil // alerts, escalations, schedules: not synced
	}
	obj, ok := env[eventType]
	if !ok {
		return in, bad("/%s: the event object is missing", eventType)
	}
	private := scope == "private_incident"
	switch name {
	case evIncidentCreated, evIncidentUpdated, evIncidentStatus:
		if domain != crmsync.KindContact && domain != crmsync.KindNote {
			return in, nil
		}
		inc, err := c.incidentOf(ctx, name, private, obj)
		if err != nil {
			return in, err
		}
		in.Changes, err = c.incidentChanges(ctx, domain, inc, d.Timestamp)
		return in, err
	case evFollowUpCreated, evFollowUpUpdated, evFollowUpCreated1, evFollowUpUpdated1:
		if domain != crmsync.KindTask {
			return in, nil
		}
		fu, err := c.followUpOf(ctx, name, private, obj)
		if err != nil || fu == nil {
			return in, err
		}
		t := taskSource{kind: KindFollowUp, id: fu.ID, incidentID: fu.IncidentID, title: fu.Title, description: fu.Description,
			status: fu.Status, created: fu.CreatedAt, updated: fu.UpdatedAt}
		in.Changes, err = c.taskChanges(ctx, t, d.Timestamp)
		return in, err
	case evActionCreated, evActionUpdated:
		if domain != crmsync.KindTask {
			return in, nil
		}
		a, err := c.actionOf(ctx, private, obj)
		if err != nil || a == nil {
			return in, err
		}
		t := taskSource{kind: KindAction, id: a.ID, incidentID: a.IncidentID, title: actionTitle(a.Description), description: a.Description,
			status: a.Status, created: a.CreatedAt, updated: a.UpdatedAt}
		in.Changes, err = c.taskChanges(ctx, t, d.Timestamp)
		return in, err
	}
	return in, nil
}

func bad(format string, args ...any) *crmsync.BadEventError {
	return &crmsync.BadEventError{Problem: fmt.Sprintf(format, args...)}
}

type idOnly struct {
	ID string `json:"id"`
}

func decodeID(obj json.RawMessage) (string, error) {
	var o idOnly
	if err := json.Unmarshal(obj, &o); err != nil || o.ID == "" {
		return "", bad("the event object has no id")
	}
	return o.ID, nil
}

// incidentOf reads the incident of an incident event: from the payload
// when public, fetched when private.
func (c *Connector) incidentOf(ctx context.Context, name string, private bool, obj json.RawMessage) (*iio.Incident, error) {
	if private {
		id, err := decodeID(obj)
		if err != nil {
			return nil, err
		}
		return c.fetchIncident(ctx, id)
	}
	if name == evIncidentStatus {
		var w struct {
			Incident json.RawMessage `json:"incident"`
		}
		if err := json.Unmarshal(obj, &w); err != nil || len(w.Incident) == 0 {
			return nil, bad("/%s/incident: required object", "public_incident."+name)
		}
		obj = w.Incident
	}
	var inc iio.Incident
	if err := json.Unmarshal(obj, &inc); err != nil || inc.ID == "" {
		return nil, bad("the incident object is malformed")
	}
	return &inc, nil
}

func (c *Connector) fetchIncident(ctx context.Context, id string) (*iio.Incident, error) {
	inc, _, err := c.api.Incidents.Get(ctx, id)
	if errors.Is(err, iio.ErrNotFound) {
		return nil, bad("incident %s cannot be read with this API key (private incidents need a key with access to them)", id)
	}
	if err != nil {
		return nil, peerError("get incident "+id, err)
	}
	return inc, nil
}

func (c *Connector) followUpOf(ctx context.Context, name string, private bool, obj json.RawMessage) (*iio.FollowUp, error) {
	if !private && (name == evFollowUpCreated || name == evFollowUpUpdated) {
		var fu iio.FollowUp
		if err := json.Unmarshal(obj, &fu); err != nil || fu.ID == "" || fu.IncidentID == "" {
			return nil, bad("the follow-up object is malformed")
		}
		return &fu, nil
	}
	// Private events and the v1 shape: read the follow-up itself.
	id, err := decodeID(obj)
	if err != nil {
		return nil, err
	}
	fu, _, err := c.api.FollowUps.Get(ctx, id)
	if errors.Is(err, iio.ErrNotFound) {
		return nil, bad("follow-up %s cannot be read with this API key", id)
	}
	if err != nil {
		return nil, peerError("get follow-up "+id, err)
	}
	return fu, nil
}

func (c *Connector) actionOf(ctx context.Context, private bool, obj json.RawMessage) (*iio.Action, error) {
	if !private {
		var a iio.Action
		if err := json.Unmarshal(obj, &a); err != nil || a.ID == "" || a.IncidentID == "" {
			return nil, bad("the action object is malformed")
		}
		return &a, nil
	}
	id, err := decodeID(obj)
	if err != nil {
		return nil, err
	}
	a, _, err := c.api.Actions.Get(ctx, id)
	if errors.Is(err, iio.ErrNotFound) {
		return nil, bad("action %s cannot be read with this API key", id)
	}
	if err != nil {
		return nil, peerError("get action "+id, err)
	}
	return a, nil
}

// linkedContact is one GHL contact an incident names.
type linkedContact struct {
	entry   *iio.CatalogEntry
	contact *crmsync.Contact
}

// contactsOf reads the catalog entries the incident's contacts field names
// (entries without external_id are not GHL contacts and are skipped).
func (c *Connector) contactsOf(ctx context.Context, inc *iio.Incident) ([]linkedContact, error) {
	values := inc.CatalogValues(c.field)
	if len(values) == 0 {
		return nil, nil
	}
	ct, err := c.ensureType(ctx)
	if err != nil {
		return nil, err
	}
	var out []linkedContact
	seen := map[string]bool{}
	for _, v := range values {
		if seen[v.ID] {
			continue
		}
		seen[v.ID] = true
		e, _, err := c.api.CatalogEntries.Get(ctx, v.ID)
		if errors.Is(err, iio.ErrNotFound) {
			continue // removed from the catalog since
		}
		if err != nil {
			return nil, peerError("get catalog entry "+v.ID, err)
		}
		if e.ExternalID == "" || e.CatalogTypeID != ct.id {
			continue
		}
		out = append(out, linkedContact{entry: e, contact: c.contactFromEntry(ct, e)})
	}
	return out, nil
}

// incidentChanges maps an incident to the changes of domain.
func (c *Connector) incidentChanges(ctx context.Context, domain crmsync.Kind, inc *iio.Incident, at time.Time) ([]crmsync.Change, error) {
	contacts, err := c.contactsOf(ctx, inc)
	if err != nil || len(contacts) == 0 {
		return nil, err
	}
	var changes []crmsync.Change
	if domain == crmsync.KindContact {
		for _, lc := range contacts {
			refs := []string{inc.Reference}
			others, err := c.contactIncidents(ctx, lc.entry.ID)
			if err != nil {
				return nil, err
			}
			for _, o := range others {
				refs = append(refs, o.Reference)
			}
			k := lc.contact
			k.Tags = append(k.Tags, TagIncidentIO)
			for _, r := range refs {
				if r != "" {
					k.Tags = append(k.Tags, "incident:"+r)
				}
			}
			k.Tags = crmsync.NormalizeTags(k.Tags)
			changes = append(changes, crmsync.Change{Type: crmsync.ContactUpserted, LocationID: k.LocationID, Time: at, Contact: k})
		}
		return changes, nil
	}
	var updates []iio.IncidentUpdate
	for u, err := range c.api.IncidentUpdates.All(ctx, iio.ListIncidentUpdatesOptions{IncidentID: inc.ID}) {
		if err != nil {
			return nil, peerError("list updates of incident "+inc.ID, err)
		}
		updates = append(updates, u)
	}
	for _, lc := range contacts {
		ghlID, loc := lc.contact.GHLID, lc.contact.LocationID
		changes = append(changes, crmsync.Change{Type: crmsync.NoteUpserted, LocationID: loc, Time: at, Note: &crmsync.Note{
			PeerID: PeerID{Kind: KindIncident, ObjectID: inc.ID, ContactID: ghlID}.String(), ContactGHLID: ghlID,
			Body: IncidentNoteBody(inc), UpdatedAt: inc.UpdatedAt}})
		for _, u := range updates {
			changes = append(changes, crmsync.Change{Type: crmsync.NoteUpserted, LocationID: loc, Time: at, Note: &crmsync.Note{
				PeerID: PeerID{Kind: KindIncidentUpdate, ObjectID: u.ID, ContactID: ghlID}.String(), ContactGHLID: ghlID,
				Body: UpdateNoteBody(inc, &u), DateAdded: u.CreatedAt, UpdatedAt: u.CreatedAt}})
		}
	}
	return changes, nil
}

// IncidentNoteBody is the GHL note summarising an incident:
// "Incident INC-123: <name> — <status>".
func IncidentNoteBody(inc *iio.Incident) string {
	return fmt.Sprintf("Incident %s: %s — %s", inc.Reference, inc.Name, inc.IncidentStatus.Name)
}

// UpdateNoteBody is the GHL note of one incident update:
// "Incident INC-123 update — <new status>: <message>".
func UpdateNoteBody(inc *iio.Incident, u *iio.IncidentUpdate) string {
	b := fmt.Sprintf("Incident %s update — %s", inc.Reference, u.NewIncidentStatus.Name)
	if m := strings.TrimSpace(u.Message); m != "" {
		b += ": " + m
	}
	return b
}

// taskSource is a follow-up or an action, as a GHL task sees it.
type taskSource struct {
	kind, id, incidentID, title, description, status string
	created, updated                                 time.Time
}

// taskChanges maps a follow-up or action to one task change per contact of
// its incident.
func (c *Connector) taskChanges(ctx context.Context, t taskSource, at time.Time) ([]crmsync.Change, error) {
	inc, err := c.fetchIncident(ctx, t.incidentID)
	if err != nil {
		return nil, err
	}
	contacts, err := c.contactsOf(ctx, inc)
	if err != nil {
		return nil, err
	}
	var changes []crmsync.Change
	for _, lc := range contacts {
		ghlID, loc := lc.contact.GHLID, lc.contact.LocationID
		pid := PeerID{Kind: t.kind, ObjectID: t.id, ContactID: ghlID}.String()
		if t.status == iio.StatusDeleted {
			changes = append(changes, crmsync.Change{Type: crmsync.TaskDeleted, LocationID: loc, Time: at,
				Deleted: &crmsync.Ref{Kind: crmsync.KindTask, PeerID: pid, ContactGHLID: ghlID}})
			continue
		}
		task := &crmsync.Task{PeerID: pid, ContactGHLID: ghlID, Title: t.title, Body: taskBody(t, inc),
			DueDate: t.created.Add(c.taskDue).UTC().Truncate(time.Second), Completed: TaskDone(t.status), UpdatedAt: t.updated}
		typ := crmsync.TaskUpserted
		if task.Completed {
			typ = crmsync.TaskCompleted
		}
		changes = append(changes, crmsync.Change{Type: typ, LocationID: loc, Time: at, Task: task})
	}
	return changes, nil
}

// TaskDone maps a follow-up or action status onto GHL's completed flag:
// completed and not_doing are done; outstanding and unknown values are
// open.
func TaskDone(status string) bool {
	return status == iio.StatusCompleted || status == iio.StatusNotDoing
}

func taskBody(t taskSource, inc *iio.Incident) string {
	what := "follow-up"
	if t.kind == KindAction {
		what = "action"
	}
	footer := fmt.Sprintf("incident.io %s on %s", what, inc.Reference)
	if inc.Permalink != "" {
		footer += " (" + inc.Permalink + ")"
	}
	if d := strings.TrimSpace(t.description); d != "" && t.kind == KindFollowUp {
		return d + "\n\n" + footer
	}
	if t.kind == KindAction {
		return strings.TrimSpace(t.description) + "\n\n" + footer
	}
	return footer
}

func actionTitle(description string) string {
	line := strings.TrimSpace(strings.SplitN(strings.TrimSpace(description), "\n", 2)[0])
	if line == "" {
		line = "incident.io action"
	}
	return truncate(line, 100)
}

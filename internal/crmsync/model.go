package crmsync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// Kind names an entity family the sync moves.
type Kind string

// Entity kinds.
const (
	KindContact     Kind = "contact"
	KindTask        Kind = "task"
	KindNote        Kind = "note"
	KindAppointment Kind = "appointment"
)

// EventType is the type of an event exchanged with a peer, "<kind>.<action>".
type EventType string

// Outbound (to the peer) and inbound (from the peer) event types.
const (
	ContactUpserted     EventType = "contact.upserted"
	ContactDeleted      EventType = "contact.deleted"
	ContactTagged       EventType = "contact.tagged"   // inbound only
	ContactUntagged     EventType = "contact.untagged" // inbound only
	TaskUpserted        EventType = "task.upserted"
	TaskCompleted       EventType = "task.completed"
	TaskDeleted         EventType = "task.deleted"
	NoteUpserted        EventType = "note.upserted"
	NoteDeleted         EventType = "note.deleted"
	AppointmentUpserted EventType = "appointment.upserted"
	AppointmentDeleted  EventType = "appointment.deleted"
)

// Kind returns the entity kind of the event type.
func (t EventType) Kind() Kind {
	k, _, _ := strings.Cut(string(t), ".")
	return Kind(k)
}

// CustomField is one GHL custom field value.
type CustomField struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// Contact is the canonical, peer-facing form of a GHL contact: the fields
// the sync moves both ways. Tags are lower-cased and sorted.
type Contact struct {
	GHLID        string        `json:"ghlId,omitempty"`
	PeerID       string        `json:"peerId,omitempty"`
	LocationID   string        `json:"locationId,omitempty"`
	FirstName    string        `json:"firstName,omitempty"`
	LastName     string        `json:"lastName,omitempty"`
	Name         string        `json:"name,omitempty"`
	Email        string        `json:"email,omitempty"`
	Phone        string        `json:"phone,omitempty"`
	CompanyName  string        `json:"companyName,omitempty"`
	Address1     string        `json:"address1,omitempty"`
	City         string        `json:"city,omitempty"`
	State        string        `json:"state,omitempty"`
	PostalCode   string        `json:"postalCode,omitempty"`
	Country      string        `json:"country,omitempty"`
	Website      string        `json:"website,omitempty"`
	Timezone     string        `json:"timezone,omitempty"`
	Source       string        `json:"source,omitempty"`
	DateOfBirth  string        `json:"dateOfBirth,omitempty"`
	DND          bool          `json:"dnd,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	CustomFields []CustomField `json:"customFields,omitempty"`
	BusinessID   string        `json:"businessId,omitempty"`
	// UpdatedAt is the source's last-modified time (GHL dateUpdated, or the
	// peer's own version time on inbound events).
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// Task is the canonical form of a GHL contact task.
type Task struct {
	GHLID         string    `json:"ghlId,omitempty"`
	PeerID        string    `json:"peerId,omitempty"`
	ContactGHLID  string    `json:"contactGhlId,omitempty"`
	ContactPeerID string    `json:"contactPeerId,omitempty"`
	Title         string    `json:"title,omitempty"`
	Body          string    `json:"body,omitempty"`
	DueDate       time.Time `json:"dueDate,omitzero"`
	Completed     bool      `json:"completed"`
	AssignedTo    string    `json:"assignedTo,omitempty"`
	UpdatedAt     time.Time `json:"updatedAt,omitzero"`
}

// Note is the canonical form of a GHL contact note.
type Note struct {
	GHLID         string    `json:"ghlId,omitempty"`
	PeerID        string    `json:"peerId,omitempty"`
	ContactGHLID  string    `json:"contactGhlId,omitempty"`
	ContactPeerID string    `json:"contactPeerId,omitempty"`
	Body          string    `json:"body,omitempty"`
	DateAdded     time.Time `json:"dateAdded,omitzero"`
	UpdatedAt     time.Time `json:"updatedAt,omitzero"`
}

// Appointment is the canonical form of a GHL calendar appointment.
type Appointment struct {
	GHLID          string    `json:"ghlId,omitempty"`
	PeerID         string    `json:"peerId,omitempty"`
	ContactGHLID   string    `json:"contactGhlId,omitempty"`
	ContactPeerID  string    `json:"contactPeerId,omitempty"`
	CalendarID     string    `json:"calendarId,omitempty"`
	Title          string    `json:"title,omitempty"`
	Status         string    `json:"status,omitempty"` // GHL appointmentStatus: new, confirmed, cancelled, showed, noshow, invalid
	StartTime      time.Time `json:"startTime,omitzero"`
	EndTime        time.Time `json:"endTime,omitzero"`
	Address        string    `json:"address,omitempty"`
	Notes          string    `json:"notes,omitempty"`
	AssignedUserID string    `json:"assignedUserId,omitempty"`
	UpdatedAt      time.Time `json:"updatedAt,omitzero"`
}

// Ref identifies an entity on both sides; deletes carry only a Ref.
type Ref struct {
	Kind         Kind   `json:"kind"`
	GHLID        string `json:"ghlId,omitempty"`
	PeerID       string `json:"peerId,omitempty"`
	ContactGHLID string `json:"contactGhlId,omitempty"`
}

// Event is one change sent to a peer. Exactly one of Contact, Task, Note,
// Appointment or Deleted is set, matching Type.
type Event struct {
	// ID is deterministic (see EventID): the same change always has the
	// same id, so a peer can drop redeliveries (Standard Webhooks webhook-id).
	ID         string    `json:"-"`
	Type       EventType `json:"type"`
	LocationID string    `json:"locationId"`
	Time       time.Time `json:"timestamp"`

	Contact     *Contact     `json:"-"`
	Task        *Task        `json:"-"`
	Note        *Note        `json:"-"`
	Appointment *Appointment `json:"-"`
	Deleted     *Ref         `json:"-"`
}

// Data returns the entity the event carries.
func (e Event) Data() any {
	switch {
	case e.Contact != nil:
		return e.Contact
	case e.Task != nil:
		return e.Task
	case e.Note != nil:
		return e.Note
	case e.Appointment != nil:
		return e.Appointment
	case e.Deleted != nil:
		return e.Deleted
	}
	return nil
}

// EventID returns the deterministic id of an outbound event: a hash of its
// type, location, GHL id and the fingerprint of the state it carries.
func EventID(t EventType, locationID, ghlID, fingerprint string) string {
	h := sha256.New()
	for _, p := range []string{string(t), locationID, ghlID, fingerprint} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "evt_" + hex.EncodeToString(h.Sum(nil))[:32]
}

// Fingerprint hashes the synced fields of v (a *Contact, *Task, *Note or
// *Appointment) in canonical form: ids of either side, UpdatedAt and
// DateAdded are excluded, tags are lower-cased, de-duplicated and sorted,
// custom fields sorted by id. Equal fingerprints mean nothing a peer or
// GHL would see has changed (the echo check).
func Fingerprint(v any) string {
	var canon any
	switch x := v.(type) {
	case *Contact:
		c := *x
		c.GHLID, c.PeerID, c.LocationID, c.UpdatedAt = "", "", "", time.Time{}
		c.Tags = NormalizeTags(c.Tags)
		c.Email = strings.ToLower(strings.TrimSpace(c.Email))
		cf := append([]CustomField(nil), c.CustomFields...)
		sort.Slice(cf, func(i, j int) bool { return cf[i].ID < cf[j].ID })
		c.CustomFields = cf
		canon = c
	case *Task:
		t := *x
		t.GHLID, t.PeerID, t.ContactGHLID, t.ContactPeerID, t.UpdatedAt = "", "", "", "", time.Time{}
		t.DueDate = t.DueDate.UTC().Truncate(time.Second)
		canon = t
	case *Note:
		n := *x
		n.GHLID, n.PeerID, n.ContactGHLID, n.ContactPeerID, n.UpdatedAt, n.DateAdded = "", "", "", "", time.Time{}, time.Time{}
		canon = n
	case *Appointment:
		a := *x
		a.GHLID, a.PeerID, a.ContactGHLID, a.ContactPeerID, a.UpdatedAt = "", "", "", "", time.Time{}
		a.StartTime, a.EndTime = a.StartTime.UTC().Truncate(time.Second), a.EndTime.UTC().Truncate(time.Second)
		canon = a
	default:
		return ""
	}
	b, _ := json.Marshal(canon)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// NormalizeTags lower-cases, trims, de-duplicates and sorts tags as GHL
// stores them.
func NormalizeTags(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(tags))
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

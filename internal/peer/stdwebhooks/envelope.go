package stdwebhooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
)

// Envelope is the JSON of every event, both ways. Data is the crmsync
// entity (Contact, Task, Note, Appointment), a crmsync.Ref for deletes, or
// TagChange for contact.tagged/untagged.
type Envelope struct {
	Type       crmsync.EventType `json:"type"`
	Timestamp  time.Time         `json:"timestamp"`
	LocationID string            `json:"locationId,omitempty"`
	Data       json.RawMessage   `json:"data"`
}

// TagChange is the data of contact.tagged and contact.untagged: the
// contact (by PeerID and/or GHLID, or by Email) and the tags.
type TagChange struct {
	PeerID string   `json:"peerId,omitempty"`
	GHLID  string   `json:"ghlId,omitempty"`
	Email  string   `json:"email,omitempty"`
	Tags   []string `json:"tags"`
}

// Encode returns the body ghlsync sends for ev: the envelope with ev's
// entity as data, timestamp ev.Time in UTC. The entity must match the
// event type (a contact for contact.*, a Ref of the same kind for deletes).
func Encode(ev crmsync.Event) ([]byte, error) {
	data, err := eventData(ev)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("stdwebhooks: encode %s: %w", ev.Type, err)
	}
	return json.Marshal(Envelope{Type: ev.Type, Timestamp: ev.Time.UTC(), LocationID: ev.LocationID, Data: raw})
}

func eventData(ev crmsync.Event) (any, error) {
	set := 0
	for _, p := range []bool{ev.Contact != nil, ev.Task != nil, ev.Note != nil, ev.Appointment != nil, ev.Deleted != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("stdwebhooks: encode %s: event carries %d entities, want exactly 1", ev.Type, set)
	}
	ok := false
	switch ev.Type {
	case crmsync.ContactUpserted:
		ok = ev.Contact != nil
	case crmsync.TaskUpserted, crmsync.TaskCompleted:
		ok = ev.Task != nil
	case crmsync.NoteUpserted:
		ok = ev.Note != nil
	case crmsync.AppointmentUpserted:
		ok = ev.Appointment != nil
	case crmsync.ContactDeleted, crmsync.TaskDeleted, crmsync.NoteDeleted, crmsync.AppointmentDeleted:
		ok = ev.Deleted != nil && ev.Deleted.Kind == ev.Type.Kind()
	case crmsync.ContactTagged, crmsync.ContactUntagged:
		return nil, fmt.Errorf("stdwebhooks: encode %s: an inbound-only event type", ev.Type)
	default:
		return nil, fmt.Errorf("stdwebhooks: encode %q: unknown event type", ev.Type)
	}
	if !ok {
		return nil, fmt.Errorf("stdwebhooks: encode %s: the event carries a different entity", ev.Type)
	}
	return ev.Data(), nil
}

// errNoID reports an outbound event without its deterministic id.
var errNoID = errors.New("event has no ID (webhook-id)")

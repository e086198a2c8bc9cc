package incidentio

import (
	"fmt"
	"strings"
)

// The peer-id scheme: how incident.io objects are named in ghlsync's links
// (store.Link.PeerID) and in crmsync events.
//
//	contact      <catalog entry id>                    e.g. 01HXYZ…      (SendResult of contact.upserted)
//	note         incident:<incident id>:<GHL contact id>        one summary note per incident and contact
//	note         incident_update:<update id>:<GHL contact id>   one note per incident update and contact
//	task         follow_up:<follow-up id>:<GHL contact id>      one GHL task per follow-up and contact
//	task         action:<action id>:<GHL contact id>            one GHL task per action and contact
//
// incident.io objects belong to an incident, which may name several
// contacts; GHL tasks and notes belong to one contact. The contact part
// keeps the ids of the GHL copies distinct, and Send reads only the kind
// and object id: completing any copy completes the follow-up.
// Attachments ghlsync puts on incidents are found by their external_id
// (AttachmentExternalID), not by a peer id.

// Peer-id kinds.
const (
	KindIncident       = "incident"
	KindIncidentUpdate = "incident_update"
	KindFollowUp       = "follow_up"
	KindAction         = "action"
)

// PeerID is a parsed task or note peer id.
type PeerID struct {
	Kind      string
	ObjectID  string
	ContactID string // the GHL contact id
}

// String returns "<kind>:<object id>:<GHL contact id>".
func (p PeerID) String() string { return p.Kind + ":" + p.ObjectID + ":" + p.ContactID }

// ParsePeerID reads a task or note peer id; ok is false for anything else
// (a GHL-native task that has no incident.io counterpart).
func ParsePeerID(s string) (PeerID, bool) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return PeerID{}, false
	}
	switch kind {
	case KindIncident, KindIncidentUpdate, KindFollowUp, KindAction:
	default:
		return PeerID{}, false
	}
	obj, contact, _ := strings.Cut(rest, ":")
	if obj == "" {
		return PeerID{}, false
	}
	return PeerID{Kind: kind, ObjectID: obj, ContactID: contact}, true
}

// AttachmentExternalID is the external_id of the link ghlsync attaches to
// an incident for a GHL note or appointment: "ghl-note:<id>" or
// "ghl-appointment:<id>".
func AttachmentExternalID(kind, ghlID string) string { return fmt.Sprintf("ghl-%s:%s", kind, ghlID) }

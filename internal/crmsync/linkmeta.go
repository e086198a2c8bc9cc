package crmsync

import (
	"strings"
	"time"
)

// linkMeta is what the flows keep in a link's SourceVersion: the last GHL
// version (dateUpdated) and the last peer version (the event's updatedAt)
// applied, and the GHL contact of a task, note or appointment (GHL paths
// need it and TaskCreate webhooks may lack it). Encoded as
// "g=<RFC 3339>;p=<RFC 3339>;c=<contact id>", parts optional.
//
// While the peer→GHL flow writes to a linked entity, the link also holds
// the pending write ("w=<RFC 3339>;f=<fingerprint>") and a link made for
// an entity nobody had linked is marked orphan ("o=1", see Orphan): until when it is in
// flight and the fingerprint it writes (pendingDelete for a delete, ""
// when unknown before GHL answers), so that the GHL→peer flow recognises
// GHL's webhook about it before the write is recorded.
type linkMeta struct {
	GHL, Peer time.Time
	Contact   string
	// PendingUntil and PendingFP describe a peer→GHL write in flight.
	PendingUntil time.Time
	PendingFP    string
	// PendingBy names the delivery that made the mark ("d=", writerID).
	PendingBy string
	// Orphan marks a link the GHL→peer flow made for a recent entity
	// nobody had linked, which the peer has not written since ("o=1"): GHL's webhook
	// about a peer create whose link was lost with a failed attempt looks
	// just like a GHL user's create. A peer create that matches such an
	// entity (by email or phone, or by content) adopts it and retracts the
	// copy the peer was sent; any write of the peer→GHL flow clears the
	// mark.
	Orphan bool
}

// pendingDelete is the pending fingerprint of a delete.
const pendingDelete = "deleted"

// pending reports whether a peer→GHL write is in flight at now.
func (m linkMeta) pending(now time.Time) bool { return m.PendingUntil.After(now) }

func parseLinkMeta(s string) linkMeta {
	var m linkMeta
	for part := range strings.SplitSeq(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		switch k {
		case "g":
			m.GHL, _ = time.Parse(time.RFC3339Nano, v)
		case "p":
			m.Peer, _ = time.Parse(time.RFC3339Nano, v)
		case "c":
			m.Contact = v
		case "w":
			m.PendingUntil, _ = time.Parse(time.RFC3339Nano, v)
		case "f":
			m.PendingFP = v
		case "d":
			m.PendingBy = v
		case "o":
			m.Orphan = v == "1"
		}
	}
	return m
}

func (m linkMeta) String() string {
	var parts []string
	if !m.GHL.IsZero() {
		parts = append(parts, "g="+m.GHL.UTC().Format(time.RFC3339Nano))
	}
	if !m.Peer.IsZero() {
		parts = append(parts, "p="+m.Peer.UTC().Format(time.RFC3339Nano))
	}
	if m.Contact != "" {
		parts = append(parts, "c="+m.Contact)
	}
	if m.Orphan {
		parts = append(parts, "o=1")
	}
	if !m.PendingUntil.IsZero() {
		parts = append(parts, "w="+m.PendingUntil.UTC().Format(time.RFC3339Nano))
		if m.PendingFP != "" {
			parts = append(parts, "f="+m.PendingFP)
		}
		if m.PendingBy != "" {
			parts = append(parts, "d="+m.PendingBy)
		}
	}
	return strings.Join(parts, ";")
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

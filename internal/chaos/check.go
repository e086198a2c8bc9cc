package chaos

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
)

// Check is the comparison of GHL (the sandbox), the peer (what the app
// delivered to it) and the expected state, after the sweep. Each
// expected entity is looked up on the side it had to reach (both sides
// for an entity of GHL's: GHL's copy must also be as the workload left
// it; an entity of the peer's that the app echoed back to the peer must
// be as the peer made it, unless the peer changed it after that delivery:
// the peer holds its own change then):
//
//   - Lost: the change is on no side it had to reach: the entity is
//     missing there, or a delete never arrived (the entity is still
//     there).
//   - Mismatches: the entity is there with another state than expected
//     (fields, tags, completion, status, its contact), or an entity no
//     change made.
//   - Duplicates: one entity twice on a side (GHL entities made twice by
//     peer events, one GHL entity under two ids at the peer), and the
//     peer receiving the same state of an entity again under another
//     webhook id.
type Check struct {
	Mismatches, Duplicates, Lost int
	// GHLDuplicates, PeerDuplicates and RepeatedStates break Duplicates down.
	GHLDuplicates, PeerDuplicates, RepeatedStates int
	// PeerDeduped counts redeliveries the peer dropped by webhook id (at
	// least once delivery working as designed, not a duplicate).
	PeerDeduped int
	// Entities counts the expected entities that exist at the end.
	Entities int
	// Problems describes the first problems found.
	Problems []string
}

func (c *Check) problem(kind *int, format string, args ...any) {
	*kind++
	if len(c.Problems) < 50 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

// views are one side's entities by marker.
type views struct {
	contacts map[string][]crmsync.Contact
	tasks    map[string][]crmsync.Task
	notes    map[string][]crmsync.Note
	appts    map[string][]crmsync.Appointment
}

func (r *run) ghlView() (views, map[string]string) {
	loc := r.e.loc.ID
	v := views{contacts: map[string][]crmsync.Contact{}, tasks: map[string][]crmsync.Task{}, notes: map[string][]crmsync.Note{},
		appts: map[string][]crmsync.Appointment{}}
	emails := map[string]string{} // GHL contact id → email
	for _, c := range r.e.sb.Contacts(loc) {
		email := strings.ToLower(c.Email)
		emails[c.ID] = email
		v.contacts[email] = append(v.contacts[email], crmsync.Contact{GHLID: c.ID, Email: email, FirstName: c.FirstName,
			LastName: c.LastName, City: c.City, Tags: crmsync.NormalizeTags(c.Tags)})
	}
	for _, t := range r.e.sb.Tasks(loc, "") {
		v.tasks[t.Body] = append(v.tasks[t.Body], crmsync.Task{GHLID: t.ID, ContactGHLID: t.ContactID, Title: t.Title, Body: t.Body, Completed: t.Completed})
	}
	for _, n := range r.e.sb.Notes(loc, "") {
		m := noteMarker(n.Body)
		v.notes[m] = append(v.notes[m], crmsync.Note{GHLID: n.ID, ContactGHLID: n.ContactID, Body: n.Body})
	}
	for _, a := range r.e.sb.Appointments(loc, "") {
		v.appts[a.Address] = append(v.appts[a.Address], crmsync.Appointment{GHLID: a.ID, ContactGHLID: a.ContactID, Title: a.Title,
			Status: a.Status, Address: a.Address})
	}
	return v, emails
}

func (r *run) peerView() views {
	s := r.e.peer.State()
	v := views{contacts: map[string][]crmsync.Contact{}, tasks: map[string][]crmsync.Task{}, notes: map[string][]crmsync.Note{},
		appts: map[string][]crmsync.Appointment{}}
	for _, c := range s.Contacts {
		c.Email = strings.ToLower(c.Email)
		c.Tags = crmsync.NormalizeTags(c.Tags)
		v.contacts[c.Email] = append(v.contacts[c.Email], c)
	}
	for _, t := range s.Tasks {
		v.tasks[t.Body] = append(v.tasks[t.Body], t)
	}
	for _, n := range s.Notes {
		m := noteMarker(n.Body)
		v.notes[m] = append(v.notes[m], n)
	}
	for _, a := range s.Appointments {
		v.appts[a.Address] = append(v.appts[a.Address], a)
	}
	return v
}

func (r *run) check() Check {
	var c Check
	ghl, emails := r.ghlView()
	peer := r.peerView()
	// When the peer got its last delivery of each entity (kind/GHL id).
	delivered := map[string]time.Time{}
	for _, d := range r.e.peer.Deliveries() {
		if d.Duplicate || !d.Accepted() {
			continue
		}
		var ids struct {
			GHLID string `json:"ghlId"`
		}
		_ = json.Unmarshal(d.Envelope.Data, &ids)
		delivered[string(d.Envelope.Type.Kind())+"/"+ids.GHLID] = d.Received
	}
	// superseded reports whether the peer's record of one of its own
	// entities (kind, its GHL id and peer id) is older than the peer's
	// last change to it: the peer made that change on top of whatever
	// ghlsync had delivered, so the record (the deliveries only) is not
	// what the peer holds. A delivery after the change — an older state
	// sent back over the peer's newer one — is compared; so is a copy
	// under another peer id (a stray at the peer).
	superseded := func(kind crmsync.Kind, ghlID, gotPeerID, peerID string) bool {
		made, ok := r.peerMade[string(kind)+"/"+peerID]
		return ok && gotPeerID == peerID && delivered[string(kind)+"/"+ghlID].Before(made)
	}
	side := func(o origin, onGHL bool) string {
		switch {
		case onGHL && o == fromGHL:
			return "GHL (its own entity)"
		case onGHL:
			return "GHL"
		case o == fromGHL:
			return "peer"
		}
		return "peer (echo of its own entity)"
	}
	// must: the side has to have the change; otherwise (an echo to the
	// peer of its own entity) only what is there is checked.
	type target struct {
		onGHL, must bool
	}
	targets := func(o origin) []target {
		if o == fromGHL {
			return []target{{true, true}, {false, true}}
		}
		return []target{{true, true}, {false, false}}
	}
	seen := map[string]bool{}
	compare := func(kind, marker string, o origin, gone bool, n int, t target, diff func(i int) string) {
		seen[kind+"/"+marker] = true
		where := side(o, t.onGHL)
		switch {
		case gone && n > 0:
			if t.must {
				c.problem(&c.Lost, "%s %s: deleted, still on %s", kind, marker, where)
			} else {
				c.problem(&c.Mismatches, "%s %s: deleted, still on %s", kind, marker, where)
			}
		case gone:
		case n == 0 && t.must:
			c.problem(&c.Lost, "%s %s: missing on %s", kind, marker, where)
		default:
			for i := range n {
				if d := diff(i); d != "" {
					c.problem(&c.Mismatches, "%s %s on %s: %s", kind, marker, where, d)
				}
			}
		}
		if n > 1 {
			if t.onGHL {
				c.GHLDuplicates += n - 1
			} else {
				c.PeerDuplicates += n - 1
			}
			c.problem(&c.Duplicates, "%s %s: %d copies on %s", kind, marker, n, where)
		}
	}
	contactEmail := func(ghlID string) string {
		if e, ok := emails[ghlID]; ok {
			return e
		}
		return "?" + ghlID
	}
	for _, x := range r.w.exp.contacts {
		c.Entities++
		want := crmsync.Contact{Email: x.email, FirstName: x.first, LastName: x.last, City: x.city, Tags: crmsync.NormalizeTags(x.tags)}
		for _, t := range targets(x.origin) {
			v := peer
			if t.onGHL {
				v = ghl
			}
			got := v.contacts[x.email]
			if !t.onGHL && x.origin == fromPeer {
				got = slices.DeleteFunc(slices.Clone(got), func(g crmsync.Contact) bool {
					return superseded(crmsync.KindContact, g.GHLID, g.PeerID, x.peerID)
				})
			}
			compare("contact", x.email, x.origin, false, len(got), t, func(i int) string {
				g := got[i]
				return withID(g.GHLID, diffFields([]string{"firstName", "lastName", "city", "tags"},
					[]string{g.FirstName, g.LastName, g.City, strings.Join(g.Tags, ",")},
					[]string{want.FirstName, want.LastName, want.City, strings.Join(want.Tags, ",")}))
			})
		}
	}
	for _, x := range r.w.exp.tasks {
		if !x.gone {
			c.Entities++
		}
		for _, t := range targets(x.origin) {
			v := peer
			if t.onGHL {
				v = ghl
			}
			got := v.tasks[x.marker]
			if !t.onGHL && x.origin == fromPeer {
				got = slices.DeleteFunc(slices.Clone(got), func(g crmsync.Task) bool {
					return superseded(crmsync.KindTask, g.GHLID, g.PeerID, x.peerID)
				})
			}
			compare("task", x.marker, x.origin, x.gone, len(got), t, func(i int) string {
				g := got[i]
				return withID(g.GHLID, diffFields([]string{"title", "completed", "contact"},
					[]string{g.Title, fmt.Sprint(g.Completed), contactEmail(g.ContactGHLID)},
					[]string{x.title, fmt.Sprint(x.completed), x.contact.email}))
			})
		}
	}
	for _, x := range r.w.exp.notes {
		if !x.gone {
			c.Entities++
		}
		for _, t := range targets(x.origin) {
			v := peer
			if t.onGHL {
				v = ghl
			}
			got := v.notes[x.marker]
			if !t.onGHL && x.origin == fromPeer {
				got = slices.DeleteFunc(slices.Clone(got), func(g crmsync.Note) bool {
					return superseded(crmsync.KindNote, g.GHLID, g.PeerID, x.peerID)
				})
			}
			compare("note", x.marker, x.origin, x.gone, len(got), t, func(i int) string {
				g := got[i]
				return withID(g.GHLID, diffFields([]string{"body", "contact"}, []string{g.Body, contactEmail(g.ContactGHLID)}, []string{x.body, x.contact.email}))
			})
		}
	}
	for _, x := range r.w.exp.appts {
		if !x.gone {
			c.Entities++
		}
		for _, t := range targets(x.origin) {
			v := peer
			if t.onGHL {
				v = ghl
			}
			got := v.appts[x.marker]
			if !t.onGHL && x.origin == fromPeer {
				got = slices.DeleteFunc(slices.Clone(got), func(g crmsync.Appointment) bool {
					return superseded(crmsync.KindAppointment, g.GHLID, g.PeerID, x.peerID)
				})
			}
			compare("appointment", x.marker, x.origin, x.gone, len(got), t, func(i int) string {
				g := got[i]
				return withID(g.GHLID, diffFields([]string{"title", "status", "contact"}, []string{g.Title, g.Status, contactEmail(g.ContactGHLID)},
					[]string{x.title, x.status, x.contact.email}))
			})
		}
	}
	// Entities no change made.
	for _, v := range []views{ghl, peer} {
		unexpected := func(kind, marker string) {
			if !seen[kind+"/"+marker] {
				c.problem(&c.Mismatches, "%s %q: made by no change", kind, marker)
			}
		}
		for m := range v.contacts {
			unexpected("contact", m)
		}
		for m := range v.tasks {
			unexpected("task", m)
		}
		for m := range v.notes {
			unexpected("note", m)
		}
		for m := range v.appts {
			unexpected("appointment", m)
		}
	}
	r.repeatedStates(&c)
	return c
}

// repeatedStates counts the peer's accepted deliveries that carried the
// state of an entity the previous accepted delivery of it already had.
func (r *run) repeatedStates(c *Check) {
	last := map[string]string{}
	for _, d := range r.e.peer.Deliveries() {
		if d.Duplicate {
			c.PeerDeduped++
			continue
		}
		if !d.Accepted() {
			continue
		}
		var ids struct {
			GHLID string `json:"ghlId"`
		}
		_ = json.Unmarshal(d.Envelope.Data, &ids)
		key := string(d.Envelope.Type.Kind()) + "/" + ids.GHLID
		fp := string(d.Envelope.Type) + "/" + stateFingerprint(d.Envelope.Type.Kind(), d.Envelope.Data)
		if strings.HasSuffix(string(d.Envelope.Type), ".deleted") {
			fp = "deleted"
		}
		if last[key] == fp {
			c.RepeatedStates++
			c.problem(&c.Duplicates, "peer got %s %s again under webhook id %s", d.Envelope.Type, ids.GHLID, d.ID)
		}
		last[key] = fp
	}
}

func stateFingerprint(kind crmsync.Kind, data json.RawMessage) string {
	var v any
	switch kind {
	case crmsync.KindContact:
		v = &crmsync.Contact{}
	case crmsync.KindTask:
		v = &crmsync.Task{}
	case crmsync.KindNote:
		v = &crmsync.Note{}
	case crmsync.KindAppointment:
		v = &crmsync.Appointment{}
	default:
		return string(data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return string(data)
	}
	return crmsync.Fingerprint(v)
}

func diffFields(names, got, want []string) string {
	var out []string
	for i := range names {
		if got[i] != want[i] {
			out = append(out, fmt.Sprintf("%s %q, want %q", names[i], got[i], want[i]))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

// withID names the GHL id of the entity a difference is about.
func withID(ghlID, diff string) string {
	if diff == "" {
		return ""
	}
	return diff + " (GHL id " + ghlID + ")"
}

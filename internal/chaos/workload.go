package chaos

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
)

// The workload. Every entity changes on one side only — the side that
// made it — so that what the workload intends (the expected state) does
// not depend on the order in which the copies of its events are
// delivered:
//
//   - GHL's changes are made with the sandbox's UI mutators (no token, the
//     same signed webhooks as the API). A GHL webhook is a hint: the app
//     reads the entity, so the expected state of a GHL entity is its last
//     state, whatever order the webhooks arrive in.
//   - The peer's upserts carry the whole entity with an increasing
//     updatedAt: the app must apply the latest and drop the stale ones.
//     contact.tagged/untagged carry no version, so they go to contacts
//     that get no upsert after their first, in the second phase, and they
//     commute: each adds a tag never used before or removes one of the
//     contact's first tags, once. Deletes, in the second phase too, end
//     an entity's events.
//
// The first phase (three quarters of the events) is delivered, with its
// redeliveries, before the second starts: the second phase's events need
// what the first made (a peer sends a tag change or a delete only for an
// entity it has synced).

// origin is the side that made an entity.
type origin int

const (
	fromGHL origin = iota + 1
	fromPeer
)

// Domains of the workload (Report.Events).
const (
	DomainContacts     = "contacts"
	DomainTags         = "tags"
	DomainTasks        = "tasks"
	DomainNotes        = "notes"
	DomainAppointments = "appointments"
)

type expContact struct {
	origin                 origin
	n                      int
	email                  string // the marker
	peerID, ghlID          string
	first, last, city      string
	tags                   []string
	tagMode                bool // peer: tag events only after the first upsert
	firstTags, tagsRemoved []string
	nextTag                int
}

type expTask struct {
	origin          origin
	marker          string // Body, never changed
	peerID, ghlID   string
	contact         *expContact
	title           string
	due             time.Time
	completed, gone bool
}

type expNote struct {
	origin        origin
	marker        string // body prefix
	peerID, ghlID string
	contact       *expContact
	body          string
	gone          bool
}

type expAppt struct {
	origin        origin
	marker        string // Address, never changed
	peerID, ghlID string
	contact       *expContact
	title, status string
	start         time.Time
	gone          bool
}

// expected is the state the workload intends.
type expected struct {
	contacts []*expContact
	tasks    []*expTask
	notes    []*expNote
	appts    []*expAppt
}

// change is one workload event: a GHL change (applied to the sandbox
// when the batch is made) or a peer event (delivered by the run).
type change struct {
	domain string
	ghl    func() error
	peer   *peertest.Event
}

// workload makes the events, in order, and keeps the expected state.
type workload struct {
	rng   *rand.Rand
	sb    *ghlsandbox.Sandbox
	loc   ghlsandbox.LocationInfo
	epoch time.Time
	exp   expected
	n     int // events made
}

func newWorkload(seed uint64, sb *ghlsandbox.Sandbox, loc ghlsandbox.LocationInfo) *workload {
	return &workload{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), sb: sb, loc: loc,
		epoch: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// at is the peer's version time of event i (one second apart, so every
// version is distinct at the store's precision).
func (w *workload) at() time.Time { return w.epoch.Add(time.Duration(w.n) * time.Second) }

func (w *workload) pick(weights []int) int {
	total := 0
	for _, x := range weights {
		total += x
	}
	r := w.rng.IntN(total)
	for i, x := range weights {
		if r < x {
			return i
		}
		r -= x
	}
	return len(weights) - 1
}

// next makes event number w.n of a workload of total events.
func (w *workload) next(total int) change {
	phase2 := w.n >= total*3/4
	var c change
	if w.rng.IntN(2) == 0 {
		c = w.ghlChange()
	} else if phase2 {
		c = w.peerPhase2()
	} else {
		c = w.peerPhase1()
	}
	w.n++
	return c
}

func alive[T any](list []*T, ok func(*T) bool) []*T {
	var out []*T
	for _, x := range list {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}

func oneOf[T any](w *workload, list []*T) *T { return list[w.rng.IntN(len(list))] }

func (w *workload) contactsOf(o origin, ok func(*expContact) bool) []*expContact {
	return alive(w.exp.contacts, func(c *expContact) bool { return c.origin == o && (ok == nil || ok(c)) })
}

// ---- GHL side (UI mutators) ----

func (w *workload) ghlChange() change {
	contacts := w.contactsOf(fromGHL, nil)
	if len(contacts) < 3 {
		return w.ghlNewContact()
	}
	tasks := alive(w.exp.tasks, func(t *expTask) bool { return t.origin == fromGHL && !t.gone })
	notes := alive(w.exp.notes, func(n *expNote) bool { return n.origin == fromGHL && !n.gone })
	appts := alive(w.exp.appts, func(a *expAppt) bool { return a.origin == fromGHL && !a.gone })
	switch w.pick([]int{10, 12, 14, 10, 6, 2, 10, 7, 2, 7, 6, 2}) {
	case 0:
		return w.ghlNewContact()
	case 1:
		c := oneOf(w, contacts)
		c.first, c.city = fmt.Sprintf("Gf%d", w.n), fmt.Sprintf("City %d", w.rng.IntN(50))
		first, city := c.first, c.city
		return change{domain: DomainContacts, ghl: func() error {
			_, err := w.sb.UpdateContact(w.loc.ID, c.ghlID, func(gc *ghlsandbox.Contact) { gc.FirstName, gc.City = first, city })
			return err
		}}
	case 2:
		c := oneOf(w, contacts)
		if len(c.tags) > 0 && w.rng.IntN(3) == 0 {
			c.tags = slices.Delete(slices.Clone(c.tags), 0, 1)
		} else {
			c.nextTag++
			c.tags = crmsync.NormalizeTags(append(slices.Clone(c.tags), fmt.Sprintf("g%d-t%d", c.n, c.nextTag)))
		}
		tags := slices.Clone(c.tags)
		return change{domain: DomainTags, ghl: func() error {
			_, err := w.sb.UpdateContact(w.loc.ID, c.ghlID, func(gc *ghlsandbox.Contact) { gc.Tags = tags })
			return err
		}}
	case 3:
		c := oneOf(w, contacts)
		t := &expTask{origin: fromGHL, marker: fmt.Sprintf("G-task-%d", w.n), contact: c, title: fmt.Sprintf("Call %d", w.n),
			due: w.epoch.Add(time.Duration(w.n) * time.Hour)}
		w.exp.tasks = append(w.exp.tasks, t)
		return change{domain: DomainTasks, ghl: func() error {
			got, err := w.sb.CreateTask(w.loc.ID, c.ghlID, ghlsandbox.Task{Title: t.title, Body: t.marker, DueDate: t.due})
			t.ghlID = got.ID
			return err
		}}
	case 4, 5:
		if len(tasks) == 0 {
			return w.ghlChange()
		}
		t := oneOf(w, tasks)
		if w.pick([]int{6, 2}) == 1 {
			t.gone = true
			return change{domain: DomainTasks, ghl: func() error { return w.sb.DeleteTask(w.loc.ID, t.contact.ghlID, t.ghlID) }}
		}
		t.completed = !t.completed
		done := t.completed
		return change{domain: DomainTasks, ghl: func() error {
			_, err := w.sb.SetTaskCompleted(w.loc.ID, t.contact.ghlID, t.ghlID, done)
			return err
		}}
	case 6:
		c := oneOf(w, contacts)
		n := &expNote{origin: fromGHL, marker: fmt.Sprintf("G-note-%d", w.n), contact: c}
		n.body = n.marker + " v0"
		w.exp.notes = append(w.exp.notes, n)
		return change{domain: DomainNotes, ghl: func() error {
			got, err := w.sb.CreateNote(w.loc.ID, c.ghlID, ghlsandbox.Note{Body: n.body})
			n.ghlID = got.ID
			return err
		}}
	case 7, 8:
		if len(notes) == 0 {
			return w.ghlChange()
		}
		n := oneOf(w, notes)
		if w.pick([]int{7, 2}) == 1 {
			n.gone = true
			return change{domain: DomainNotes, ghl: func() error { return w.sb.DeleteNote(w.loc.ID, n.contact.ghlID, n.ghlID) }}
		}
		n.body = fmt.Sprintf("%s v%d", n.marker, w.n)
		body := n.body
		return change{domain: DomainNotes, ghl: func() error {
			_, err := w.sb.UpdateNote(w.loc.ID, n.contact.ghlID, n.ghlID, body)
			return err
		}}
	case 9:
		c := oneOf(w, contacts)
		a := &expAppt{origin: fromGHL, marker: fmt.Sprintf("G-appt-%d", w.n), contact: c, title: fmt.Sprintf("Visit %d", w.n),
			status: "confirmed", start: w.epoch.Add(time.Duration(w.n) * time.Hour)}
		w.exp.appts = append(w.exp.appts, a)
		return change{domain: DomainAppointments, ghl: func() error {
			got, err := w.sb.CreateAppointment(w.loc.ID, ghlsandbox.Appointment{ContactID: c.ghlID, Title: a.title, Address: a.marker,
				Status: a.status, StartTime: a.start, EndTime: a.start.Add(30 * time.Minute)})
			a.ghlID = got.ID
			return err
		}}
	default:
		if len(appts) == 0 {
			return w.ghlChange()
		}
		a := oneOf(w, appts)
		if w.pick([]int{6, 2}) == 1 {
			a.gone = true
			return change{domain: DomainAppointments, ghl: func() error { return w.sb.DeleteAppointment(w.loc.ID, a.ghlID) }}
		}
		a.title = fmt.Sprintf("Visit %d", w.n)
		a.status = []string{"confirmed", "showed", "noshow"}[w.rng.IntN(3)]
		title, status := a.title, a.status
		return change{domain: DomainAppointments, ghl: func() error {
			_, err := w.sb.UpdateAppointment(w.loc.ID, a.ghlID, func(ga *ghlsandbox.Appointment) { ga.Title, ga.Status = title, status })
			return err
		}}
	}
}

func (w *workload) ghlNewContact() change {
	c := &expContact{origin: fromGHL, n: w.n, email: fmt.Sprintf("g%d@chaos.example", w.n), first: fmt.Sprintf("Gf%d", w.n),
		last: fmt.Sprintf("Gl%d", w.n), city: "Springfield", tags: []string{fmt.Sprintf("g%d-a", w.n)}}
	w.exp.contacts = append(w.exp.contacts, c)
	return change{domain: DomainContacts, ghl: func() error {
		got, err := w.sb.CreateContact(w.loc.ID, ghlsandbox.Contact{Email: c.email, FirstName: c.first, LastName: c.last, City: c.city,
			Tags: slices.Clone(c.tags)})
		c.ghlID = got.ID
		return err
	}}
}

// ---- the peer's side ----

func (w *workload) peerEvent(domain string, ev peertest.Event) change {
	ev.ID = fmt.Sprintf("msg_chaos_%d", w.n)
	ev.LocationID = w.loc.ID
	ev.Timestamp = w.at()
	return change{domain: domain, peer: &ev}
}

func (w *workload) peerContact(c *expContact) crmsync.Contact {
	return crmsync.Contact{PeerID: c.peerID, Email: c.email, FirstName: c.first, LastName: c.last, City: c.city,
		Tags: slices.Clone(c.tags), UpdatedAt: w.at()}
}

func (w *workload) peerPhase1() change {
	contacts := w.contactsOf(fromPeer, nil)
	if len(contacts) < 3 {
		return w.peerNewContact()
	}
	upserted := w.contactsOf(fromPeer, func(c *expContact) bool { return !c.tagMode })
	tasks := alive(w.exp.tasks, func(t *expTask) bool { return t.origin == fromPeer })
	notes := alive(w.exp.notes, func(n *expNote) bool { return n.origin == fromPeer })
	appts := alive(w.exp.appts, func(a *expAppt) bool { return a.origin == fromPeer })
	switch w.pick([]int{14, 14, 12, 10, 12, 10, 8, 6}) {
	case 0:
		return w.peerNewContact()
	case 1:
		if len(upserted) == 0 {
			return w.peerNewContact()
		}
		c := oneOf(w, upserted)
		c.first, c.city = fmt.Sprintf("Pf%d", w.n), fmt.Sprintf("Town %d", w.rng.IntN(50))
		c.tags = nil
		for i, t := range []string{"a", "b", "c", "d"} {
			if w.rng.IntN(2) == 0 || i == 0 {
				c.tags = append(c.tags, fmt.Sprintf("p%d-%s", c.n, t))
			}
		}
		domain := DomainContacts
		if w.rng.IntN(2) == 0 {
			domain = DomainTags
		}
		return w.peerEvent(domain, peertest.ContactUpserted(w.loc.ID, w.peerContact(c)))
	case 2:
		c := oneOf(w, contacts)
		t := &expTask{origin: fromPeer, marker: fmt.Sprintf("P-task-%d", w.n), peerID: fmt.Sprintf("pt-%d", w.n), contact: c,
			title: fmt.Sprintf("Follow up %d", w.n), due: w.epoch.Add(time.Duration(w.n) * time.Hour)}
		w.exp.tasks = append(w.exp.tasks, t)
		return w.peerEvent(DomainTasks, peertest.TaskUpserted(w.loc.ID, w.peerTask(t)))
	case 3:
		if len(tasks) == 0 {
			return w.peerPhase1()
		}
		t := oneOf(w, tasks)
		if !t.completed && w.rng.IntN(3) == 0 {
			t.completed = true
			return w.peerEvent(DomainTasks, peertest.TaskCompleted(w.loc.ID, w.peerTask(t)))
		}
		t.title = fmt.Sprintf("Follow up %d", w.n)
		return w.peerEvent(DomainTasks, peertest.TaskUpserted(w.loc.ID, w.peerTask(t)))
	case 4:
		c := oneOf(w, contacts)
		n := &expNote{origin: fromPeer, marker: fmt.Sprintf("P-note-%d", w.n), peerID: fmt.Sprintf("pn-%d", w.n), contact: c}
		n.body = n.marker + " v0"
		w.exp.notes = append(w.exp.notes, n)
		return w.peerEvent(DomainNotes, peertest.NoteUpserted(w.loc.ID, w.peerNote(n)))
	case 5:
		if len(notes) == 0 {
			return w.peerPhase1()
		}
		n := oneOf(w, notes)
		n.body = fmt.Sprintf("%s v%d", n.marker, w.n)
		return w.peerEvent(DomainNotes, peertest.NoteUpserted(w.loc.ID, w.peerNote(n)))
	case 6:
		c := oneOf(w, contacts)
		a := &expAppt{origin: fromPeer, marker: fmt.Sprintf("P-appt-%d", w.n), peerID: fmt.Sprintf("pa-%d", w.n), contact: c,
			title: fmt.Sprintf("Meeting %d", w.n), status: "confirmed", start: w.epoch.Add(time.Duration(w.n) * time.Hour)}
		w.exp.appts = append(w.exp.appts, a)
		return w.peerEvent(DomainAppointments, peertest.AppointmentUpserted(w.loc.ID, w.peerAppt(a)))
	default:
		if len(appts) == 0 {
			return w.peerPhase1()
		}
		a := oneOf(w, appts)
		a.title = fmt.Sprintf("Meeting %d", w.n)
		a.status = []string{"confirmed", "showed"}[w.rng.IntN(2)]
		return w.peerEvent(DomainAppointments, peertest.AppointmentUpserted(w.loc.ID, w.peerAppt(a)))
	}
}

func (w *workload) peerNewContact() change {
	c := &expContact{origin: fromPeer, n: w.n, email: fmt.Sprintf("p%d@chaos.example", w.n), peerID: fmt.Sprintf("pc-%d", w.n),
		first: fmt.Sprintf("Pf%d", w.n), last: fmt.Sprintf("Pl%d", w.n), city: "Shelbyville", tagMode: w.rng.IntN(5) < 2}
	c.tags = []string{fmt.Sprintf("p%d-a", w.n), fmt.Sprintf("p%d-b", w.n)}
	c.firstTags = slices.Clone(c.tags)
	w.exp.contacts = append(w.exp.contacts, c)
	return w.peerEvent(DomainContacts, peertest.ContactUpserted(w.loc.ID, w.peerContact(c)))
}

func (w *workload) peerTask(t *expTask) crmsync.Task {
	return crmsync.Task{PeerID: t.peerID, ContactPeerID: t.contact.peerID, Title: t.title, Body: t.marker, DueDate: t.due,
		Completed: t.completed, UpdatedAt: w.at()}
}

func (w *workload) peerNote(n *expNote) crmsync.Note {
	return crmsync.Note{PeerID: n.peerID, ContactPeerID: n.contact.peerID, Body: n.body, UpdatedAt: w.at()}
}

func (w *workload) peerAppt(a *expAppt) crmsync.Appointment {
	return crmsync.Appointment{PeerID: a.peerID, ContactPeerID: a.contact.peerID, CalendarID: w.loc.CalendarID, Title: a.title,
		Status: a.status, StartTime: a.start, EndTime: a.start.Add(30 * time.Minute), Address: a.marker, UpdatedAt: w.at()}
}

// peerPhase2 makes tag changes and deletes.
func (w *workload) peerPhase2() change {
	tagged := w.contactsOf(fromPeer, func(c *expContact) bool { return c.tagMode })
	untaggable := w.contactsOf(fromPeer, func(c *expContact) bool { return c.tagMode && len(c.tagsRemoved) < len(c.firstTags) })
	tasks := alive(w.exp.tasks, func(t *expTask) bool { return t.origin == fromPeer && !t.gone })
	notes := alive(w.exp.notes, func(n *expNote) bool { return n.origin == fromPeer && !n.gone })
	appts := alive(w.exp.appts, func(a *expAppt) bool { return a.origin == fromPeer && a.status != "cancelled" })
	choice := w.pick([]int{40, 15, 15, 15, 10})
	switch {
	case choice == 1 && len(untaggable) > 0:
		c := oneOf(w, untaggable)
		tag := c.firstTags[len(c.tagsRemoved)]
		c.tagsRemoved = append(c.tagsRemoved, tag)
		c.tags = slices.DeleteFunc(slices.Clone(c.tags), func(t string) bool { return t == tag })
		return w.peerEvent(DomainTags, peertest.ContactUntagged(w.loc.ID, crmsync.Contact{PeerID: c.peerID, Email: c.email}, tag))
	case choice == 2 && len(tasks) > 0:
		t := oneOf(w, tasks)
		t.gone = true
		return w.peerEvent(DomainTasks, peertest.TaskDeleted(w.loc.ID, crmsync.Ref{PeerID: t.peerID}))
	case choice == 3 && len(notes) > 0:
		n := oneOf(w, notes)
		n.gone = true
		return w.peerEvent(DomainNotes, peertest.NoteDeleted(w.loc.ID, crmsync.Ref{PeerID: n.peerID}))
	case choice == 4 && len(appts) > 0:
		a := oneOf(w, appts)
		a.status = "cancelled" // the app cancels: GHL keeps the appointment
		return w.peerEvent(DomainAppointments, peertest.AppointmentDeleted(w.loc.ID, crmsync.Ref{PeerID: a.peerID}))
	case len(tagged) > 0:
		c := oneOf(w, tagged)
		c.nextTag++
		tag := fmt.Sprintf("p%d-x%d", c.n, c.nextTag)
		c.tags = crmsync.NormalizeTags(append(slices.Clone(c.tags), tag))
		return w.peerEvent(DomainTags, peertest.ContactTagged(w.loc.ID, crmsync.Contact{PeerID: c.peerID, Email: c.email}, tag))
	}
	return w.ghlChange()
}

// noteMarker returns the marker of a note body ("P-note-12 v40" → "P-note-12").
func noteMarker(body string) string {
	m, _, _ := strings.Cut(body, " ")
	return m
}

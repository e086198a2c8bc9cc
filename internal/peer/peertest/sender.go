package peertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Event is one inbound event as a peer would send it.
type Event struct {
	// ID is the webhook-id; when empty, Sign derives one from the body
	// (the same event always gets the same id, as a redelivery would).
	ID         string
	Type       crmsync.EventType
	LocationID string
	// Timestamp is the envelope timestamp (the sender's clock when zero).
	Timestamp time.Time
	// Data is the event's data: an entity, a crmsync.Ref or a
	// stdwebhooks.TagChange, or any value for negative tests.
	Data any
}

// ContactUpserted builds a contact.upserted event.
func ContactUpserted(locationID string, c crmsync.Contact) Event {
	return Event{Type: crmsync.ContactUpserted, LocationID: locationID, Data: c}
}

// ContactDeleted builds a contact.deleted event; r.Kind is set.
func ContactDeleted(locationID string, r crmsync.Ref) Event {
	r.Kind = crmsync.KindContact
	return Event{Type: crmsync.ContactDeleted, LocationID: locationID, Data: r}
}

// ContactTagged builds a contact.tagged event for the contact identified
// by c's PeerID, GHLID and Email.
func ContactTagged(locationID string, c crmsync.Contact, tags ...string) Event {
	return Event{Type: crmsync.ContactTagged, LocationID: locationID, Data: tagChange(c, tags)}
}

// ContactUntagged builds a contact.untagged event, like ContactTagged.
func ContactUntagged(locationID string, c crmsync.Contact, tags ...string) Event {
	return Event{Type: crmsync.ContactUntagged, LocationID: locationID, Data: tagChange(c, tags)}
}

func tagChange(c crmsync.Contact, tags []string) stdwebhooks.TagChange {
	return stdwebhooks.TagChange{PeerID: c.PeerID, GHLID: c.GHLID, Email: c.Email, Tags: tags}
}

// TaskUpserted builds a task.upserted event.
func TaskUpserted(locationID string, t crmsync.Task) Event {
	return Event{Type: crmsync.TaskUpserted, LocationID: locationID, Data: t}
}

// TaskCompleted builds a task.completed event; t.Completed is set.
func TaskCompleted(locationID string, t crmsync.Task) Event {
	t.Completed = true
	return Event{Type: crmsync.TaskCompleted, LocationID: locationID, Data: t}
}

// TaskDeleted builds a task.deleted event; r.Kind is set.
func TaskDeleted(locationID string, r crmsync.Ref) Event {
	r.Kind = crmsync.KindTask
	return Event{Type: crmsync.TaskDeleted, LocationID: locationID, Data: r}
}

// NoteUpserted builds a note.upserted event.
func NoteUpserted(locationID string, n crmsync.Note) Event {
	return Event{Type: crmsync.NoteUpserted, LocationID: locationID, Data: n}
}

// NoteDeleted builds a note.deleted event; r.Kind is set.
func NoteDeleted(locationID string, r crmsync.Ref) Event {
	r.Kind = crmsync.KindNote
	return Event{Type: crmsync.NoteDeleted, LocationID: locationID, Data: r}
}

// AppointmentUpserted builds an appointment.upserted event.
func AppointmentUpserted(locationID string, a crmsync.Appointment) Event {
	return Event{Type: crmsync.AppointmentUpserted, LocationID: locationID, Data: a}
}

// AppointmentDeleted builds an appointment.deleted event; r.Kind is set.
func AppointmentDeleted(locationID string, r crmsync.Ref) Event {
	r.Kind = crmsync.KindAppointment
	return Event{Type: crmsync.AppointmentDeleted, LocationID: locationID, Data: r}
}

// Body returns the envelope JSON of ev, with now as the timestamp when
// ev.Timestamp is zero.
func (ev Event) Body(now time.Time) ([]byte, error) {
	data, err := json.Marshal(ev.Data)
	if err != nil {
		return nil, fmt.Errorf("peertest: encode %s data: %w", ev.Type, err)
	}
	ts := ev.Timestamp
	if ts.IsZero() {
		ts = now
	}
	return json.Marshal(stdwebhooks.Envelope{Type: ev.Type, Timestamp: ts.UTC().Truncate(time.Second), LocationID: ev.LocationID, Data: data})
}

// Signed is a delivery ready to post: headers and the exact body bytes.
type Signed struct {
	Header http.Header
	Body   []byte
}

// ID returns the delivery's webhook-id (or svix-id).
func (d Signed) ID() string { return header(d.Header, "Webhook-Id", "Svix-Id") }

// Sender signs and posts inbound events as a Standard Webhooks peer.
type Sender struct {
	// Secret signs. Required.
	Secret webhook.Secret
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Client posts (a client with a 10 s timeout when nil).
	Client *http.Client
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Sign returns ev signed now.
func (s *Sender) Sign(ev Event) (Signed, error) { return s.SignAt(ev, s.now()) }

// SignAt returns ev signed with webhook-timestamp at: a time outside the
// receiver's window makes a stale or replayed delivery.
func (s *Sender) SignAt(ev Event, at time.Time) (Signed, error) {
	body, err := ev.Body(at)
	if err != nil {
		return Signed{}, err
	}
	id := ev.ID
	if id == "" {
		sum := sha256.Sum256(body)
		id = "msg_" + hex.EncodeToString(sum[:12])
	}
	return s.SignRaw(id, at, body), nil
}

// SignRaw signs arbitrary bytes (malformed JSON, an oversized body) as a
// delivery with the given id, at time at.
func (s *Sender) SignRaw(id string, at time.Time, body []byte) Signed {
	h := s.Secret.SignedHeaders(id, at, body)
	h.Set("Content-Type", "application/json")
	return Signed{Header: h, Body: body}
}

// Forge signs ev with a random secret: a delivery that must not verify.
func (s *Sender) Forge(ev Event) (Signed, error) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	forger := &Sender{Secret: webhook.Secret(key), Now: s.Now}
	return forger.Sign(ev)
}

// Tampered returns a copy whose body differs from the signed bytes by one
// trailing space: still the same JSON, but not what was signed.
func (d Signed) Tampered() Signed {
	return Signed{Header: d.Header.Clone(), Body: append(bytes.Clone(d.Body), ' ')}
}

// Svix returns a copy with the headers under their svix-* names.
func (d Signed) Svix() Signed {
	h := d.Header.Clone()
	for _, name := range []string{"Id", "Timestamp", "Signature"} {
		h.Set("Svix-"+name, h.Get("Webhook-"+name))
		h.Del("Webhook-" + name)
	}
	return Signed{Header: h, Body: bytes.Clone(d.Body)}
}

// Without returns a copy without the named header.
func (d Signed) Without(name string) Signed {
	h := d.Header.Clone()
	h.Del(name)
	return Signed{Header: h, Body: bytes.Clone(d.Body)}
}

// Request builds the POST of d to url.
func (d Signed) Request(ctx context.Context, url string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	req.Header = d.Header.Clone()
	return req, nil
}

// Post sends d to url; the caller closes the response body.
func (s *Sender) Post(ctx context.Context, url string, d Signed) (*http.Response, error) {
	req, err := d.Request(ctx, url)
	if err != nil {
		return nil, err
	}
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return c.Do(req)
}

// Serve posts d to path on h in process and returns the recorded answer.
func Serve(h http.Handler, path string, d Signed) *httptest.ResponseRecorder {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(d.Body))
	req.Header = d.Header.Clone()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

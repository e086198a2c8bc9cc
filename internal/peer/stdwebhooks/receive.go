package stdwebhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	peerevents "github.com/ghlsync/ghlsync/docs/peer-events"
	"github.com/ghlsync/ghlsync/internal/crmsync"
)

// Receive verifies one inbound delivery on its raw bytes, validates it
// against the published inbound schema of its type, checks that the type
// belongs to domain (the route it was posted to) and maps it to one
// crmsync.Change. Errors: a verification failure wraps
// crmsync.ErrUnauthenticated; a body over MaxBody, malformed JSON, a schema
// violation, a wrong route or a missing location is a *crmsync.BadEventError
// naming the JSON Pointer and the rule.
func (c *Connector) Receive(ctx context.Context, domain crmsync.Kind, header http.Header, body []byte) (crmsync.Inbound, error) {
	if err := ctx.Err(); err != nil {
		return crmsync.Inbound{}, err
	}
	if !isOutboundKind(domain) {
		return crmsync.Inbound{}, fmt.Errorf("stdwebhooks: receive: unknown route domain %q", domain)
	}
	if int64(len(body)) > c.maxBody {
		return crmsync.Inbound{}, bad("body is %d bytes, over the limit of %d", len(body), c.maxBody)
	}
	d, err := c.verifier.Verify(header, body)
	if err != nil {
		return crmsync.Inbound{}, fmt.Errorf("stdwebhooks: receive: %w: %w", crmsync.ErrUnauthenticated, err)
	}
	doc, err := peerevents.Decode(body)
	if err != nil {
		return crmsync.Inbound{}, bad("%s", strings.TrimPrefix(err.Error(), "peerevents: "))
	}
	if err := peerevents.Validate(peerevents.Inbound, doc); err != nil {
		var inv *peerevents.InvalidError
		if !errors.As(err, &inv) && !errors.Is(err, peerevents.ErrUnknownType) {
			return crmsync.Inbound{}, fmt.Errorf("stdwebhooks: receive %s: %w", d.ID, err)
		}
		return crmsync.Inbound{}, bad("%s", strings.TrimPrefix(err.Error(), "peerevents: "))
	}
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return crmsync.Inbound{}, bad("/timestamp: %s", "not a time Go can read as RFC 3339")
	}
	if kind := env.Type.Kind(); kind != domain {
		return crmsync.Inbound{}, bad("/type: %s is a %s event; post it to /peer/webhooks/%ss, not the %s route", env.Type, kind, kind, domain)
	}
	ch, err := c.change(env)
	if err != nil {
		return crmsync.Inbound{}, err
	}
	return crmsync.Inbound{DeliveryID: d.ID, Changes: []crmsync.Change{ch}}, nil
}

func bad(format string, args ...any) *crmsync.BadEventError {
	return &crmsync.BadEventError{Problem: fmt.Sprintf(format, args...)}
}

// change maps a schema-valid envelope to its Change.
func (c *Connector) change(env Envelope) (crmsync.Change, error) {
	ch := crmsync.Change{Type: env.Type, LocationID: env.LocationID, Time: env.Timestamp}
	decode := func(v any) error {
		if err := json.Unmarshal(env.Data, v); err != nil {
			// The schema admits it but Go cannot read it: a date-time
			// outside time.Time's RFC 3339 subset.
			return bad("/data: %s", "a date-time Go cannot read as RFC 3339")
		}
		return nil
	}
	switch env.Type {
	case crmsync.ContactUpserted:
		var ct crmsync.Contact
		if err := decode(&ct); err != nil {
			return ch, err
		}
		if ct.LocationID != "" && ch.LocationID != "" && ct.LocationID != ch.LocationID {
			return ch, bad("/data/locationId: differs from /locationId")
		}
		if ch.LocationID == "" {
			ch.LocationID = ct.LocationID
		}
		ct.Tags = crmsync.NormalizeTags(ct.Tags)
		ch.Contact = &ct
	case crmsync.ContactTagged, crmsync.ContactUntagged:
		var tc TagChange
		if err := decode(&tc); err != nil {
			return ch, err
		}
		ch.Contact = &crmsync.Contact{PeerID: tc.PeerID, GHLID: tc.GHLID, Email: tc.Email}
		ch.Tags = crmsync.NormalizeTags(tc.Tags)
	case crmsync.TaskUpserted, crmsync.TaskCompleted:
		var t crmsync.Task
		if err := decode(&t); err != nil {
			return ch, err
		}
		if env.Type == crmsync.TaskCompleted {
			t.Completed = true
		}
		ch.Task = &t
	case crmsync.NoteUpserted:
		var n crmsync.Note
		if err := decode(&n); err != nil {
			return ch, err
		}
		ch.Note = &n
	case crmsync.AppointmentUpserted:
		var a crmsync.Appointment
		if err := decode(&a); err != nil {
			return ch, err
		}
		if !a.EndTime.After(a.StartTime) {
			return ch, bad("/data/endTime: must be after /data/startTime")
		}
		ch.Appointment = &a
	default: // the deletes; the schema fixed data.kind to the type's kind
		var r crmsync.Ref
		if err := decode(&r); err != nil {
			return ch, err
		}
		ch.Deleted = &r
	}
	if ch.LocationID == "" {
		ch.LocationID = c.location
	}
	if ch.LocationID == "" {
		return ch, bad("/locationId: required (this deployment has no default location)")
	}
	if ch.Contact != nil {
		ch.Contact.LocationID = ch.LocationID
	}
	return ch, nil
}

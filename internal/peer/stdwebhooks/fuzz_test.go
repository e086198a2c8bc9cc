package stdwebhooks_test

import (
	"encoding/base64"
	"errors"
	"testing"

	peerevents "github.com/ghlsync/ghlsync/docs/peer-events"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

var fuzzDomains = []crmsync.Kind{crmsync.KindContact, crmsync.KindTask, crmsync.KindNote, crmsync.KindAppointment}

// FuzzReceive: a correctly signed delivery with any body never panics
// Receive; the result is a delivery of one change of the route's domain
// with a location, or a *crmsync.BadEventError (never an authentication
// failure: the signature is valid). Seeds: the documented examples.
func FuzzReceive(f *testing.F) {
	for _, b := range peerevents.Examples() {
		for i := range fuzzDomains {
			f.Add(uint8(i), b)
		}
	}
	f.Add(uint8(0), []byte(`{"type":"contact.upserted","timestamp":"2026-03-01T09:30:00Z","data":{"peerId":"x","updatedAt":"10000-01-01T00:00:00Z"}}`))
	f.Add(uint8(3), []byte(`{"type":"appointment.upserted","timestamp":"2026-03-01T09:30:00Z","data":{"peerId":"m","contactPeerId":"c","calendarId":"k","startTime":"2026-03-05T15:00:00+25:00","endTime":"2026-03-05T15:30:00Z"}}`))
	secret, err := webhook.ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("current-secret-0123456789abcdef")))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, domain uint8, body []byte) {
		d := fuzzDomains[int(domain)%len(fuzzDomains)]
		c := newConnector(t, stdwebhooks.Config{Secret: secret})
		in, err := c.Receive(t.Context(), d, secret.SignedHeaders("msg_fuzz", now, body), body)
		if err != nil {
			var bad *crmsync.BadEventError
			if !errors.As(err, &bad) {
				t.Fatalf("not a *BadEventError: %v", err)
			}
			if errors.Is(err, crmsync.ErrUnauthenticated) {
				t.Fatalf("a valid signature was refused: %v", err)
			}
			return
		}
		if in.DeliveryID != "msg_fuzz" || len(in.Changes) != 1 {
			t.Fatalf("inbound %+v", in)
		}
		ch := in.Changes[0]
		if ch.Type.Kind() != d || ch.LocationID == "" {
			t.Fatalf("change %+v on the %s route", ch, d)
		}
		set := 0
		for _, p := range []bool{ch.Contact != nil, ch.Task != nil, ch.Note != nil, ch.Appointment != nil, ch.Deleted != nil} {
			if p {
				set++
			}
		}
		if set != 1 {
			t.Fatalf("change %+v sets %d entities, want 1", ch, set)
		}
	})
}

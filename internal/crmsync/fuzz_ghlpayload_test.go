package crmsync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/ghlspec"
)

var fuzzDomains = []Kind{KindContact, KindTask, KindNote, KindAppointment}

// FuzzParseGHLPayload: parsing a verified GHL webhook body never panics,
// and what it accepts is complete for the route: an event type of the
// domain, a location, a webhook id and the entity's id (and contact for
// notes and appointments). Seeds: GHL's published webhook examples.
func FuzzParseGHLPayload(f *testing.F) {
	dir, err := ghlspec.WebhooksDir()
	if err != nil {
		f.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.example*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no webhook examples in %s: %v", dir, err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for i := range fuzzDomains {
			f.Add(uint8(i), b)
		}
	}
	f.Fuzz(func(t *testing.T, domain uint8, body []byte) {
		d := fuzzDomains[int(domain)%len(fuzzDomains)]
		p, err := parseGHLPayload(d, body)
		if err != nil {
			if p != nil {
				t.Fatalf("error %v with a payload", err)
			}
			return
		}
		id, contactID := p.entityID()
		switch {
		case !contains(ghlEventTypes[d], p.Type):
			t.Fatalf("accepted type %q on the %s route", p.Type, d)
		case strings.TrimSpace(p.LocationID) == "" || strings.TrimSpace(p.WebhookID) == "":
			t.Fatalf("accepted without locationId or webhookId: %+v", p)
		case id == "":
			t.Fatalf("accepted without an entity id: %+v", p)
		case (d == KindNote || d == KindAppointment) && contactID == "":
			t.Fatalf("accepted a %s without contactId", d)
		}
	})
}

package crmsync

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFingerprint(t *testing.T) {
	t.Parallel()
	base := &Contact{GHLID: "g1", Email: "A@Example.com", Tags: []string{"VIP", "lead"}, CustomFields: []CustomField{{ID: "b", Value: "2"}, {ID: "a", Value: "1"}}}
	tests := []struct {
		name string
		c    *Contact
		same bool
	}{
		{name: "ids and times ignored", c: &Contact{GHLID: "other", PeerID: "p", UpdatedAt: time.Now(), Email: "a@example.com", Tags: []string{"lead", "vip"}, CustomFields: []CustomField{{ID: "a", Value: "1"}, {ID: "b", Value: "2"}}}, same: true},
		{name: "tag case and duplicates ignored", c: &Contact{Email: "a@example.com", Tags: []string{"Lead", "VIP", "vip"}, CustomFields: []CustomField{{ID: "a", Value: "1"}, {ID: "b", Value: "2"}}}, same: true},
		{name: "tag added", c: &Contact{Email: "a@example.com", Tags: []string{"lead", "vip", "new"}, CustomFields: []CustomField{{ID: "a", Value: "1"}, {ID: "b", Value: "2"}}}},
		{name: "name changed", c: &Contact{Email: "a@example.com", FirstName: "Ann", Tags: []string{"lead", "vip"}, CustomFields: []CustomField{{ID: "a", Value: "1"}, {ID: "b", Value: "2"}}}},
	}
	want := Fingerprint(base)
	for _, tt := range tests {
		if got := Fingerprint(tt.c); (got == want) != tt.same {
			t.Errorf("%s: same = %v, want %v", tt.name, got == want, tt.same)
		}
	}
	if Fingerprint(base) != want || len(want) != 32 {
		t.Errorf("fingerprint unstable or wrong length: %q", want)
	}
	if Fingerprint(&Task{Title: "a"}) == Fingerprint(&Task{Title: "a", Completed: true}) {
		t.Error("task completion must change the fingerprint")
	}
	if Fingerprint(&Note{Body: "x", GHLID: "1"}) != Fingerprint(&Note{Body: "x", GHLID: "2"}) {
		t.Error("note ids must not change the fingerprint")
	}
}

func TestEventID(t *testing.T) {
	t.Parallel()
	a := EventID(ContactUpserted, "loc", "c1", "fp1")
	if a != EventID(ContactUpserted, "loc", "c1", "fp1") {
		t.Error("not deterministic")
	}
	for _, other := range []string{EventID(ContactDeleted, "loc", "c1", "fp1"), EventID(ContactUpserted, "loc", "c1", "fp2"), EventID(ContactUpserted, "lo", "cc1", "fp1")} {
		if other == a {
			t.Errorf("collision: %s", other)
		}
	}
}

func TestNormalizeTags(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{"a", "b"}, NormalizeTags([]string{" B", "a", "A", ""})); diff != "" {
		t.Error(diff)
	}
	if NormalizeTags(nil) != nil {
		t.Error("nil in, nil out")
	}
	if ContactTagged.Kind() != KindContact || AppointmentDeleted.Kind() != KindAppointment {
		t.Error("Kind")
	}
}

package ghlsandbox_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

func seeded(t *testing.T, seed uint64) (*ghlsandbox.Sandbox, []ghlsandbox.LocationInfo) {
	t.Helper()
	sb, err := ghlsandbox.New(ghlsandbox.Options{Seed: 1, Clock: ghlsandbox.NewFakeClock(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	locs, err := sb.Seed(ghlsandbox.SeedOptions{Seed: seed, Locations: 2, ContactsPerLocation: 40})
	if err != nil {
		t.Fatal(err)
	}
	return sb, locs
}

func TestSeedDeterministic(t *testing.T) {
	t.Parallel()
	a, locsA := seeded(t, 9)
	b, locsB := seeded(t, 9)
	if diff := cmp.Diff(locsA, locsB); diff != "" {
		t.Fatalf("locations differ (-a +b):\n%s", diff)
	}
	for _, l := range locsA {
		if diff := cmp.Diff(a.Contacts(l.ID), b.Contacts(l.ID)); diff != "" {
			t.Errorf("contacts differ (-a +b):\n%s", diff)
		}
		if diff := cmp.Diff(a.Tasks(l.ID, ""), b.Tasks(l.ID, "")); diff != "" {
			t.Errorf("tasks differ (-a +b):\n%s", diff)
		}
		if diff := cmp.Diff(a.Appointments(l.ID, ""), b.Appointments(l.ID, "")); diff != "" {
			t.Errorf("appointments differ (-a +b):\n%s", diff)
		}
	}
	c, locsC := seeded(t, 10)
	var namesA, namesC []string
	for _, x := range a.Contacts(locsA[0].ID) {
		namesA = append(namesA, x.FirstName+" "+x.LastName)
	}
	for _, x := range c.Contacts(locsC[0].ID) {
		namesC = append(namesC, x.FirstName+" "+x.LastName)
	}
	if cmp.Equal(namesA, namesC) {
		t.Error("different seeds produced the same names")
	}
}

func TestSeedLooksReal(t *testing.T) {
	t.Parallel()
	sb, locs := seeded(t, 3)
	phones := map[string]bool{}
	var tasks, notes, appts, linked int
	for _, l := range locs {
		cs := sb.Contacts(l.ID)
		if len(cs) != 40 {
			t.Fatalf("location %s has %d contacts, want 40", l.ID, len(cs))
		}
		for _, c := range cs {
			if !idRE.MatchString(c.ID) || !strings.HasSuffix(c.Email, "@example.com") || c.FirstName == "" || len(c.Tags) == 0 {
				t.Errorf("contact %+v", c)
			}
			if phones[c.Phone] || !strings.HasPrefix(c.Phone, "+1") || !strings.Contains(c.Phone, "5550") {
				t.Errorf("phone %q duplicated or not a fictional 555-01xx number", c.Phone)
			}
			phones[c.Phone] = true
			if c.BusinessID != "" {
				linked++
			}
		}
		tasks += len(sb.Tasks(l.ID, ""))
		notes += len(sb.Notes(l.ID, ""))
		appts += len(sb.Appointments(l.ID, ""))
	}
	if tasks == 0 || notes == 0 || appts == 0 || linked == 0 {
		t.Errorf("seed made %d tasks, %d notes, %d appointments, %d business links", tasks, notes, appts, linked)
	}
}

func TestConcurrentUpsertsConverge(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	const n = 24
	news := make(chan bool, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do(req{method: "POST", path: "/contacts/upsert", body: map[string]any{"locationId": e.loc.ID, "email": "race@example.com", "city": "Tucson"}})
			if r.status != http.StatusOK {
				t.Errorf("upsert status %d: %s", r.status, r.body)
				return
			}
			var out struct{ New bool }
			r.decode(t, &out)
			news <- out.New
		}()
	}
	wg.Wait()
	close(news)
	created := 0
	for nw := range news {
		if nw {
			created++
		}
	}
	if created != 1 || len(e.sb.Contacts(e.loc.ID)) != 1 {
		t.Errorf("%d upserts reported new, %d contacts stored; want 1 and 1", created, len(e.sb.Contacts(e.loc.ID)))
	}
}

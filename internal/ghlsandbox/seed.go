package ghlsandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// SeedOptions size the demo data Seed creates.
type SeedOptions struct {
	// Seed drives names, emails, phones, tags and dates.
	Seed uint64
	// Locations to create; default 1.
	Locations int
	// ContactsPerLocation; default 25.
	ContactsPerLocation int
	// TasksPerContact, NotesPerContact: at most this many each (0..n,
	// seeded); default 2. Negative means none.
	TasksPerContact int
	NotesPerContact int
	// AppointmentsPerContact: at most this many (0..n, seeded); default 1.
	// Negative means none.
	AppointmentsPerContact int
	// Businesses per location, contacts linked round-robin to about half
	// of them; default 3. Negative means none.
	BusinessesPerLocation int
}

func (o *SeedOptions) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	if o.Locations <= 0 {
		o.Locations = 1
	}
	if o.ContactsPerLocation <= 0 {
		o.ContactsPerLocation = 25
	}
	def(&o.TasksPerContact, 2)
	def(&o.NotesPerContact, 2)
	def(&o.AppointmentsPerContact, 1)
	def(&o.BusinessesPerLocation, 3)
}

var (
	seedFirst = []string{"Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Leah", "Omar", "Iris", "Jonas", "Priya", "Mateo", "Hana", "Felix",
		"Sofia", "Ravi", "Elena", "Kofi", "Nina", "Tariq", "Grace", "Lucas", "Amara", "Owen", "Yara", "Diego", "Mei", "Samir", "Clara", "Theo"}
	seedLast = []string{"Okafor", "Lindqvist", "Moreau", "Tanaka", "Brennan", "Castillo", "Novak", "Haddad", "Whitfield", "Kowalski",
		"Adeyemi", "Fischer", "Romano", "Nakamura", "Quinlan", "Duarte", "Sorensen", "Mensah", "Vance", "Ibarra", "Keller", "Osei"}
	seedCompanies = []string{"Northwind Dental", "Bluebird Realty", "Copperline Fitness", "Harbor & Vine Law", "Juniper Home Care",
		"Summit Roofing", "Lakeside Pediatrics", "Brightpath Tutoring", "Ironwood Auto", "Meadow Spa"}
	seedTags    = []string{"lead", "customer", "vip", "newsletter", "webinar-2026", "referral", "cold", "follow-up", "trial", "churn-risk"}
	seedCities  = [][2]string{{"Austin", "TX"}, {"Denver", "CO"}, {"Portland", "OR"}, {"Raleigh", "NC"}, {"Madison", "WI"}, {"Tucson", "AZ"}}
	seedSources = []string{"website", "facebook", "referral", "import", "booking_widget"}
	seedTasks   = []string{"Call back about quote", "Send onboarding pack", "Confirm appointment", "Follow up on invoice", "Schedule demo"}
	seedNotes   = []string{"Prefers email over phone.", "Asked about annual pricing.", "Met at the spring open house.",
		"Wants a callback after 5pm.", "Referred by an existing customer."}
	seedTitles = []string{"Intro call", "Consultation", "Follow-up visit", "Quarterly review"}
)

// Seed creates Locations locations with realistic-looking fake contacts
// (example.com emails, 555-01xx phones), tags, tasks, notes, appointments
// and businesses. It emits no webhooks: the data predates the app. The
// content is a pure function of opts.Seed; ids follow Options.Seed.
func (s *Sandbox) Seed(opts SeedOptions) ([]LocationInfo, error) {
	opts.defaults()
	rnd := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed))
	pick := func(xs []string) string { return xs[rnd.IntN(len(xs))] }
	base := s.now()
	var out []LocationInfo
	for li := 0; li < opts.Locations; li++ {
		info, err := s.AddLocation(LocationOptions{Name: fmt.Sprintf("%s (demo %d)", pick(seedCompanies), li+1)})
		if err != nil {
			return nil, err
		}
		l := s.location(info.ID)
		l.mu.Lock()
		var bizIDs []string
		for b := 0; b < opts.BusinessesPerLocation; b++ {
			city := seedCities[rnd.IntN(len(seedCities))]
			biz := &Business{ID: s.ids.objectID(), LocationID: l.id, Name: seedCompanies[(li+b)%len(seedCompanies)], City: city[0], State: city[1],
				Country: "US", Website: fmt.Sprintf("https://biz%d-%d.example.org", li, b), CreatedAt: base, UpdatedAt: base}
			l.businesses[biz.ID] = biz
			s.index.Store(biz.ID, l)
			bizIDs = append(bizIDs, biz.ID)
		}
		for ci := 0; ci < opts.ContactsPerLocation; ci++ {
			first, last := pick(seedFirst), pick(seedLast)
			city := seedCities[rnd.IntN(len(seedCities))]
			added := base.Add(-time.Duration(rnd.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Millisecond)
			updated := added.Add(time.Duration(rnd.Int64N(int64(base.Sub(added)) + 1))).Truncate(time.Millisecond)
			n := li*opts.ContactsPerLocation + ci
			c := &Contact{ID: s.ids.id(), LocationID: l.id, FirstName: first, LastName: last,
				Email:    fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), n),
				Phone:    fmt.Sprintf("+1%03d555%04d", 201+(n/100)%700, 100+n%100),
				Address1: fmt.Sprintf("%d %s St", 10+rnd.IntN(980), pick(seedLast)), City: city[0], State: city[1], Country: "US",
				PostalCode: fmt.Sprintf("%05d", 10000+rnd.IntN(89999)), Source: pick(seedSources), Type: "lead",
				Tags: normTags([]string{pick(seedTags), pick(seedTags)}), DateAdded: added, DateUpdated: updated}
			if rnd.IntN(3) == 0 {
				c.CompanyName = pick(seedCompanies)
			}
			if rnd.IntN(10) == 0 {
				c.DND = true
				c.DNDSettings = map[string]DNDSetting{"SMS": {Status: "active", Message: "Opted out by reply STOP"}}
			}
			if len(bizIDs) > 0 && rnd.IntN(2) == 0 {
				c.BusinessID = bizIDs[ci%len(bizIDs)]
			}
			l.contacts[c.ID] = c
			s.index.Store(c.ID, l)
			for t := rnd.IntN(opts.TasksPerContact + 1); t > 0; t-- {
				tk := &Task{ID: s.ids.id(), LocationID: l.id, ContactID: c.ID, Title: pick(seedTasks), Body: pick(seedNotes),
					DueDate: updated.Add(time.Duration(1+rnd.IntN(14)) * 24 * time.Hour).Truncate(time.Hour), Completed: rnd.IntN(3) == 0, DateAdded: updated}
				if l.tasks[c.ID] == nil {
					l.tasks[c.ID] = map[string]*Task{}
				}
				l.tasks[c.ID][tk.ID] = tk
			}
			for k := rnd.IntN(opts.NotesPerContact + 1); k > 0; k-- {
				nt := &Note{ID: s.ids.id(), LocationID: l.id, ContactID: c.ID, Body: pick(seedNotes), DateAdded: updated.Add(-time.Duration(k) * time.Hour)}
				if l.notes[c.ID] == nil {
					l.notes[c.ID] = map[string]*Note{}
				}
				l.notes[c.ID][nt.ID] = nt
			}
			for k := rnd.IntN(opts.AppointmentsPerContact + 1); k > 0; k-- {
				start := base.Add(time.Duration(1+rnd.IntN(30))*24*time.Hour + time.Duration(9+rnd.IntN(8))*time.Hour).Truncate(time.Hour)
				a := &Appointment{ID: s.ids.id(), LocationID: l.id, CalendarID: l.calendar, ContactID: c.ID, Title: pick(seedTitles),
					Status: "confirmed", Source: "booking_widget", StartTime: start, EndTime: start.Add(30 * time.Minute), DateAdded: updated, DateUpdated: updated}
				l.appts[a.ID] = a
				s.index.Store(a.ID, l)
			}
		}
		l.mu.Unlock()
		out = append(out, info)
	}
	return out, nil
}

package ghlsandbox

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// DNDChannels are the channels of dndSettings, in GHL's order.
var DNDChannels = []string{"Call", "Email", "SMS", "WhatsApp", "GMB", "FB"}

// DNDSetting is one channel of a contact's do-not-disturb settings.
type DNDSetting struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Code    string `json:"code,omitempty"`
}

// InboundDND is a contact's inboundDndSettings.all.
type InboundDND struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// CustomField is a contact custom field value as GHL returns it.
type CustomField struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// Contact is the sandbox's stored contact. Readers get copies.
type Contact struct {
	ID           string
	LocationID   string
	FirstName    string
	LastName     string
	Name         string
	Email        string
	Phone        string
	CompanyName  string
	Gender       string
	Address1     string
	City         string
	State        string
	PostalCode   string
	Country      string
	Website      string
	Timezone     string
	Source       string
	AssignedTo   string
	Type         string
	DateOfBirth  string
	DND          bool
	DNDSettings  map[string]DNDSetting
	InboundDND   *InboundDND
	Tags         []string
	CustomFields []CustomField
	BusinessID   string
	DateAdded    time.Time
	DateUpdated  time.Time
}

func (c *Contact) clone() Contact {
	out := *c
	out.Tags = slices.Clone(c.Tags)
	out.CustomFields = slices.Clone(c.CustomFields)
	if c.DNDSettings != nil {
		out.DNDSettings = make(map[string]DNDSetting, len(c.DNDSettings))
		for k, v := range c.DNDSettings {
			out.DNDSettings[k] = v
		}
	}
	if c.InboundDND != nil {
		in := *c.InboundDND
		out.InboundDND = &in
	}
	return out
}

// fullName is what GHL shows as the contact name.
func (c *Contact) fullName() string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.Name
}

// Task is a stored contact task.
type Task struct {
	ID         string
	LocationID string
	ContactID  string
	Title      string
	Body       string
	AssignedTo string
	DueDate    time.Time
	Completed  bool
	DateAdded  time.Time
}

// Note is a stored contact note.
type Note struct {
	ID         string
	LocationID string
	ContactID  string
	Body       string
	UserID     string
	Title      string
	Color      string
	Pinned     bool
	DateAdded  time.Time
}

// Appointment is a stored calendar event booked for a contact.
type Appointment struct {
	ID                  string
	LocationID          string
	CalendarID          string
	ContactID           string
	GroupID             string
	Title               string
	Status              string // appointmentStatus
	AssignedUserID      string
	Users               []string
	Address             string
	Notes               string
	Description         string
	MeetingLocationType string
	RRule               string
	Source              string
	StartTime           time.Time
	EndTime             time.Time
	DateAdded           time.Time
	DateUpdated         time.Time
}

func (a *Appointment) clone() Appointment {
	out := *a
	out.Users = slices.Clone(a.Users)
	return out
}

// Business is a stored business (company record) of a location.
type Business struct {
	ID          string
	LocationID  string
	Name        string
	Phone       string
	Email       string
	Website     string
	Address     string
	City        string
	State       string
	PostalCode  string
	Country     string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// location holds one sub-account's data under its own lock.
type location struct {
	id        string
	companyID string
	name      string
	timezone  *time.Location
	calendar  string            // the default calendar id
	calendars map[string]string // id -> name; written under mu

	mu         sync.RWMutex
	active     bool
	allowDup   bool
	matchOrder []string // "email", "phone"
	contacts   map[string]*Contact
	tasks      map[string]map[string]*Task // contactID -> taskID -> task
	notes      map[string]map[string]*Note
	appts      map[string]*Appointment
	businesses map[string]*Business
}

func newLocation(id, companyID, name string, tz *time.Location, calendarID string) *location {
	return &location{
		id: id, companyID: companyID, name: name, timezone: tz,
		calendar: calendarID, calendars: map[string]string{calendarID: name + " calendar"},
		active: true, matchOrder: []string{"email", "phone"},
		contacts: map[string]*Contact{}, tasks: map[string]map[string]*Task{},
		notes: map[string]map[string]*Note{}, appts: map[string]*Appointment{},
		businesses: map[string]*Business{},
	}
}

// normPhone reduces a phone number to E.164-like digits for matching:
// a leading + is kept, 10 bare digits are taken as North American.
func normPhone(p string) string {
	var b strings.Builder
	for i, r := range p {
		if r == '+' && i == 0 {
			b.WriteRune(r)
		} else if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" {
		return ""
	}
	if s[0] != '+' {
		if len(s) == 10 {
			return "+1" + s
		}
		return "+" + s
	}
	return s
}

// normTags lower-cases, trims and de-duplicates tags, as GHL stores them.
func normTags(in []string) []string {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// findByField returns the first contact (oldest first) whose email or phone
// equals v. Caller holds l.mu.
func (l *location) findByField(field, v string) *Contact {
	if v == "" {
		return nil
	}
	var best *Contact
	for _, c := range l.contacts {
		var match bool
		switch field {
		case "email":
			match = c.Email != "" && strings.EqualFold(c.Email, v)
		case "phone":
			match = c.Phone != "" && normPhone(c.Phone) == normPhone(v)
		}
		if match && (best == nil || c.DateAdded.Before(best.DateAdded) || (c.DateAdded.Equal(best.DateAdded) && c.ID < best.ID)) {
			best = c
		}
	}
	return best
}

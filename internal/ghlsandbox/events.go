package ghlsandbox

import "slices"

// Payload shapes follow ghl-api/webhooks/<Event>.schema.json: flat objects,
// appointments nested under "appointment".

type contactPayload struct {
	envelope
	ID           string                `json:"id"`
	Address1     string                `json:"address1,omitempty"`
	City         string                `json:"city,omitempty"`
	State        string                `json:"state,omitempty"`
	CompanyName  string                `json:"companyName,omitempty"`
	Country      string                `json:"country,omitempty"`
	Source       string                `json:"source,omitempty"`
	DateAdded    string                `json:"dateAdded"`
	DateOfBirth  string                `json:"dateOfBirth,omitempty"`
	DND          bool                  `json:"dnd"`
	DNDSettings  map[string]DNDSetting `json:"dndSettings,omitempty"`
	Email        string                `json:"email,omitempty"`
	Name         string                `json:"name,omitempty"`
	FirstName    string                `json:"firstName,omitempty"`
	LastName     string                `json:"lastName,omitempty"`
	Phone        string                `json:"phone,omitempty"`
	PostalCode   string                `json:"postalCode,omitempty"`
	Tags         []string              `json:"tags"`
	Website      string                `json:"website,omitempty"`
	Attachments  []string              `json:"attachments"`
	AssignedTo   string                `json:"assignedTo,omitempty"`
	CustomFields []CustomField         `json:"customFields"`
	trailer
}

// emitContact emits a Contact* event; ContactDndUpdate carries dndSettings.
// Caller holds the location lock, so the snapshot is consistent.
func (s *Sandbox) emitContact(typ string, c *Contact) {
	s.emit(typ, func(_ webhookFault, t trailer) any {
		p := contactPayload{envelope: envelope{Type: typ, LocationID: c.LocationID}, ID: c.ID, Address1: c.Address1, City: c.City,
			State: c.State, CompanyName: c.CompanyName, Country: c.Country, Source: c.Source, DateAdded: fmtTime(c.DateAdded),
			DateOfBirth: c.DateOfBirth, DND: c.DND, Email: c.Email, Name: c.fullName(), FirstName: c.FirstName, LastName: c.LastName,
			Phone: c.Phone, PostalCode: c.PostalCode, Tags: slices.Clone(c.Tags), Website: c.Website, Attachments: []string{},
			AssignedTo: c.AssignedTo, CustomFields: slices.Clone(c.CustomFields), trailer: t}
		if p.Tags == nil {
			p.Tags = []string{}
		}
		if p.CustomFields == nil {
			p.CustomFields = []CustomField{}
		}
		if typ == "ContactDndUpdate" {
			p.DNDSettings = map[string]DNDSetting{}
			for k, v := range c.DNDSettings {
				p.DNDSettings[k] = v
			}
		}
		return p
	})
}

type taskPayload struct {
	envelope
	ID         string `json:"id"`
	AssignedTo string `json:"assignedTo,omitempty"`
	Body       string `json:"body,omitempty"`
	ContactID  string `json:"contactId,omitempty"`
	Title      string `json:"title"`
	DateAdded  string `json:"dateAdded"`
	DueDate    string `json:"dueDate"`
	trailer
}

// emitTask emits a Task* event. The TaskCreateWithoutContactID fault drops
// contactId and body, as real TaskCreate deliveries did (issue #332).
func (s *Sandbox) emitTask(typ string, tk *Task) {
	s.emit(typ, func(f webhookFault, t trailer) any {
		p := taskPayload{envelope: envelope{Type: typ, LocationID: tk.LocationID}, ID: tk.ID, AssignedTo: tk.AssignedTo, Body: tk.Body,
			ContactID: tk.ContactID, Title: tk.Title, DateAdded: fmtTime(tk.DateAdded), DueDate: fmtTime(tk.DueDate), trailer: t}
		if f.noContact {
			p.ContactID, p.Body = "", ""
		}
		return p
	})
}

type notePayload struct {
	envelope
	ID        string `json:"id"`
	Body      string `json:"body"`
	ContactID string `json:"contactId"`
	DateAdded string `json:"dateAdded"`
	trailer
}

func (s *Sandbox) emitNote(typ string, n *Note) {
	s.emit(typ, func(_ webhookFault, t trailer) any {
		return notePayload{envelope: envelope{Type: typ, LocationID: n.LocationID}, ID: n.ID, Body: n.Body, ContactID: n.ContactID,
			DateAdded: fmtTime(n.DateAdded), trailer: t}
	})
}

type appointmentBody struct {
	ID                string   `json:"id"`
	Address           string   `json:"address,omitempty"`
	Title             string   `json:"title"`
	CalendarID        string   `json:"calendarId"`
	ContactID         string   `json:"contactId"`
	GroupID           string   `json:"groupId,omitempty"`
	AppointmentStatus string   `json:"appointmentStatus"`
	AssignedUserID    string   `json:"assignedUserId,omitempty"`
	Users             []string `json:"users"`
	Notes             string   `json:"notes,omitempty"`
	Source            string   `json:"source,omitempty"`
	StartTime         string   `json:"startTime"`
	EndTime           string   `json:"endTime"`
	DateAdded         string   `json:"dateAdded"`
	DateUpdated       string   `json:"dateUpdated"`
}

type appointmentPayload struct {
	envelope
	Appointment appointmentBody `json:"appointment"`
	trailer
}

func (s *Sandbox) emitAppointment(typ string, l *location, a *Appointment) {
	s.emit(typ, func(_ webhookFault, t trailer) any {
		users := slices.Clone(a.Users)
		if users == nil {
			users = []string{}
		}
		return appointmentPayload{envelope: envelope{Type: typ, LocationID: a.LocationID}, Appointment: appointmentBody{
			ID: a.ID, Address: a.Address, Title: a.Title, CalendarID: a.CalendarID, ContactID: a.ContactID, GroupID: a.GroupID,
			AppointmentStatus: a.Status, AssignedUserID: a.AssignedUserID, Users: users, Notes: a.Notes, Source: a.Source,
			StartTime: l.apptTime(a.StartTime), EndTime: l.apptTime(a.EndTime), DateAdded: l.apptTime(a.DateAdded),
			DateUpdated: l.apptTime(a.DateUpdated)}, trailer: t}
	})
}

type installPayload struct {
	Type                string `json:"type"`
	AppID               string `json:"appId"`
	VersionID           string `json:"versionId"`
	InstallType         string `json:"installType,omitempty"`
	LocationID          string `json:"locationId,omitempty"`
	CompanyID           string `json:"companyId"`
	UserID              string `json:"userId,omitempty"`
	CompanyName         string `json:"companyName,omitempty"`
	IsWhitelabelCompany *bool  `json:"isWhitelabelCompany,omitempty"`
	WebhookID           string `json:"webhookId"`
	Timestamp           string `json:"timestamp"`
}

// emitInstall emits INSTALL or UNINSTALL to the app domain.
func (s *Sandbox) emitInstall(typ string, app *App, in *install) {
	s.emit(typ, func(_ webhookFault, t trailer) any {
		p := installPayload{Type: typ, AppID: app.ID, VersionID: app.VersionID, LocationID: in.locationID, CompanyID: in.companyID,
			WebhookID: t.WebhookID, Timestamp: t.Timestamp}
		if typ == "INSTALL" {
			no := false
			p.InstallType, p.UserID, p.IsWhitelabelCompany = in.userType, in.userID, &no
			s.mu.RLock()
			if co := s.companies[in.companyID]; co != nil {
				p.CompanyName = co.name
			}
			s.mu.RUnlock()
		}
		return p
	})
}

package incidentiofake

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

func (f *Fake) listFields(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*customField{}
	for _, id := range sortedKeys(f.st.fields) {
		out = append(out, f.st.fields[id])
	}
	writeJSON(w, http.StatusOK, map[string]any{"custom_fields": out})
}

func (f *Fake) showField(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cf, ok := f.st.fields[r.PathValue("id")]
	if !ok {
		notFound(w, "Custom field")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"custom_field": cf})
}

// CreateCustomField adds an incident custom field, as an admin would in
// the dashboard. A catalog-backed field names its catalog type by name
// (catalogTypeName, "" for none); it returns the field id.
func (f *Fake) CreateCustomField(name, fieldType, catalogTypeName string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cf := &customField{ID: f.newID(), Name: name, Description: name, FieldType: fieldType, CreatedAt: f.now(), UpdatedAt: f.now()}
	if catalogTypeName != "" {
		for _, t := range f.st.types {
			if t.Name == catalogTypeName {
				cf.CatalogTypeID = t.ID
			}
		}
		if cf.CatalogTypeID == "" {
			return "", fmt.Errorf("incidentiofake: no catalog type named %q", catalogTypeName)
		}
	}
	f.st.fields[cf.ID] = cf
	return cf.ID, nil
}

// IncidentSpec describes an incident a test creates.
type IncidentSpec struct {
	Name    string
	Summary string
	// Private makes the incident private: its webhooks carry only {id}.
	Private bool
	// Status is the status name ("Investigating" when empty) and
	// Category its category ("live" when empty).
	Status, Category string
	// Contacts sets catalog-backed custom fields: field id or name →
	// entry identifiers (entry id, external_id or alias).
	Contacts map[string][]string
	// CreatedBy is the creator (a user named "Responder" when nil).
	CreatedBy *UserRef
}

// UserRef names a user by id (see AddUser).
type UserRef struct{ ID string }

// resolveContacts maps field id-or-name → identifiers to field id →
// entry ids. f.mu is held.
func (f *Fake) resolveContacts(in map[string][]string) (map[string][]string, error) {
	out := map[string][]string{}
	for key, idents := range in {
		var cf *customField
		for _, c := range f.st.fields {
			if c.ID == key || c.Name == key {
				cf = c
			}
		}
		if cf == nil || cf.CatalogTypeID == "" {
			return nil, fmt.Errorf("incidentiofake: no catalog-backed custom field %q", key)
		}
		for _, ident := range idents {
			var found string
			for _, e := range f.st.entries {
				if e.CatalogTypeID == cf.CatalogTypeID && (e.ID == ident || e.ExternalID == ident || slices.Contains(e.Aliases, ident)) {
					found = e.ID
				}
			}
			if found == "" {
				return nil, fmt.Errorf("incidentiofake: no entry %q in the catalog of field %q", ident, cf.Name)
			}
			out[cf.ID] = append(out[cf.ID], found)
		}
	}
	return out, nil
}

func (f *Fake) status(name, category string) incidentStatus {
	if name == "" {
		name = "Investigating"
	}
	if category == "" {
		category = "live"
	}
	return incidentStatus{ID: "01FAKESTATUS" + strings.ToUpper(strings.ReplaceAll(name, " ", "")), Name: name, Description: name,
		Category: category, Rank: 1, CreatedAt: time.Unix(0, 0).UTC(), UpdatedAt: time.Unix(0, 0).UTC()}
}

// CreateIncident declares an incident and queues its incident_created_v2
// webhook (Flush delivers it). It returns the incident id and reference.
func (f *Fake) CreateIncident(spec IncidentSpec) (id, reference string, err error) {
	f.mu.Lock()
	contacts, err := f.resolveContacts(spec.Contacts)
	if err != nil {
		f.mu.Unlock()
		return "", "", err
	}
	f.st.nextRef++
	now := f.now()
	inc := &incident{ID: f.newID(), Reference: fmt.Sprintf("INC-%d", f.st.nextRef), Name: spec.Name, Summary: spec.Summary,
		Visibility: "public", Mode: "standard", IncidentStatus: f.status(spec.Status, spec.Category), IncidentRoleAssignments: []any{},
		SlackChannelID: "C0FAKE", SlackTeamID: "T0FAKE", CreatedAt: now, UpdatedAt: now, contacts: contacts,
		Creator: actor{User: &user{ID: "01FAKEUSERRESPONDER000000", Name: "Responder", Role: "responder"}}}
	if spec.CreatedBy != nil {
		if u, ok := f.st.users[spec.CreatedBy.ID]; ok {
			inc.Creator = actor{User: &user{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role}}
		}
	}
	inc.Permalink = "https://app.incident.io/incidents/" + strings.TrimPrefix(inc.Reference, "INC-")
	if spec.Private {
		inc.Visibility = "private"
	}
	f.st.incidents[inc.ID] = inc
	view := f.incidentView(inc)
	f.mu.Unlock()
	f.emitIncident("incident_created_v2", inc.Visibility, inc.ID, view)
	return inc.ID, inc.Reference, nil
}

// IncidentChange is a change a test makes to an incident.
type IncidentChange struct {
	Name string
	// Status and Category change the status; with Message they also
	// record an incident update.
	Status, Category string
	// Message is the incident update's text.
	Message string
	// Contacts replaces the catalog-backed field values it names.
	Contacts map[string][]string
}

// UpdateIncident changes an incident, records an incident update when the
// status changes or a message is given, and queues incident_updated_v2
// (and incident_status_updated_v2 on a status change).
func (f *Fake) UpdateIncident(id string, ch IncidentChange) error {
	f.mu.Lock()
	inc, ok := f.st.incidents[id]
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("incidentiofake: no incident %s", id)
	}
	if ch.Contacts != nil {
		c, err := f.resolveContacts(ch.Contacts)
		if err != nil {
			f.mu.Unlock()
			return err
		}
		for k, v := range c {
			inc.contacts[k] = v
		}
	}
	if ch.Name != "" {
		inc.Name = ch.Name
	}
	prev := inc.IncidentStatus
	statusChanged := ch.Status != "" && ch.Status != prev.Name
	if statusChanged {
		inc.IncidentStatus = f.status(ch.Status, ch.Category)
	}
	inc.UpdatedAt = f.now()
	var upd *incidentUpdate
	if statusChanged || ch.Message != "" {
		upd = &incidentUpdate{ID: f.newID(), IncidentID: inc.ID, Message: ch.Message, NewIncidentStatus: inc.IncidentStatus,
			Updater: actor{User: &user{ID: "01FAKEUSERRESPONDER000000", Name: "Responder", Role: "responder"}}, CreatedAt: inc.UpdatedAt}
		f.st.updates[upd.ID] = upd
	}
	view := f.incidentView(inc)
	f.mu.Unlock()
	extra := map[string]any{}
	if upd != nil && upd.Message != "" {
		extra["most_recent_update_message"] = upd.Message
	}
	f.emitIncidentExtra("incident_updated_v2", inc.Visibility, inc.ID, view, extra)
	if statusChanged && inc.Visibility == "public" {
		f.queue("public_incident.incident_status_updated_v2", map[string]any{
			"incident": view, "message": ch.Message, "new_status": inc.IncidentStatus, "previous_status": prev,
		})
	}
	return nil
}

// incidentView resolves the catalog-backed field values. f.mu is held.
func (f *Fake) incidentView(inc *incident) *incident {
	v := *inc
	v.CustomFieldEntries = []fieldEntry{}
	for _, fid := range sortedKeys(inc.contacts) {
		cf := f.st.fields[fid]
		if cf == nil {
			continue
		}
		fe := fieldEntry{CustomField: fieldTypeInfo{ID: cf.ID, Name: cf.Name, Description: cf.Description, FieldType: cf.FieldType, Options: []any{}}, Values: []fieldValue{}}
		for _, eid := range inc.contacts[fid] {
			e := f.st.entries[eid]
			if e == nil {
				continue // deleted since
			}
			fe.Values = append(fe.Values, fieldValue{ValueCatalogEntry: &embeddedEntry{ID: e.ID, Name: e.Name, ExternalID: e.ExternalID, Aliases: e.Aliases}})
		}
		v.CustomFieldEntries = append(v.CustomFieldEntries, fe)
	}
	return &v
}

func (f *Fake) visible(inc *incident) bool { return inc.Visibility == "public" || f.opts.PrivateAccess }

func (f *Fake) findIncident(idOrRef string) *incident {
	if inc, ok := f.st.incidents[idOrRef]; ok {
		return inc
	}
	for _, inc := range f.st.incidents {
		if inc.Reference == idOrRef || strings.TrimPrefix(inc.Reference, "INC-") == idOrRef {
			return inc
		}
	}
	return nil
}

func (f *Fake) showIncident(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inc := f.findIncident(r.PathValue("id"))
	if inc == nil || !f.visible(inc) {
		notFound(w, "Incident")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": f.incidentView(inc)})
}

func (f *Fake) listIncidents(w http.ResponseWriter, r *http.Request) {
	size, ok := pageSize(w, r, 25, 500)
	if !ok {
		return
	}
	q := r.URL.Query()
	fieldFilter := map[string][]string{}
	var categories []string
	for key, vals := range q {
		switch {
		case strings.HasPrefix(key, "custom_field["):
			fid, op, _ := strings.Cut(strings.TrimPrefix(key, "custom_field["), "][")
			if strings.TrimSuffix(op, "]") != "one_of" {
				invalid(w, key, "Only the one_of operator is supported for this field")
				return
			}
			fieldFilter[fid] = append(fieldFilter[fid], vals...)
		case key == "status_category[one_of]":
			categories = vals
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id, inc := range f.st.incidents {
		if !f.visible(inc) || (len(categories) > 0 && !slices.Contains(categories, inc.IncidentStatus.Category)) {
			continue
		}
		match := true
		for fid, want := range fieldFilter {
			hit := false
			for _, eid := range inc.contacts[fid] {
				e := f.st.entries[eid]
				if e != nil && (slices.Contains(want, e.ID) || slices.Contains(want, e.ExternalID)) {
					hit = true
				}
			}
			match = match && hit
		}
		if match {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	pageIDs, next := page(ids, q.Get("after"), size)
	out := make([]*incident, 0, len(pageIDs))
	for _, id := range pageIDs {
		out = append(out, f.incidentView(f.st.incidents[id]))
	}
	meta := map[string]any{"page_size": size, "total_record_count": len(ids)}
	if next != "" {
		meta["after"] = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": out, "pagination_meta": meta})
}

func (f *Fake) listUpdates(w http.ResponseWriter, r *http.Request) {
	size, ok := pageSize(w, r, 25, 250)
	if !ok {
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id, u := range f.st.updates {
		inc := f.st.incidents[u.IncidentID]
		if (q.Get("incident_id") == "" || u.IncidentID == q.Get("incident_id")) && inc != nil && f.visible(inc) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	pageIDs, next := page(ids, q.Get("after"), size)
	out := make([]*incidentUpdate, 0, len(pageIDs))
	for _, id := range pageIDs {
		out = append(out, f.st.updates[id])
	}
	meta := map[string]any{"page_size": size}
	if next != "" {
		meta["after"] = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident_updates": out, "pagination_meta": meta})
}

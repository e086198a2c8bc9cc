package incidentiofake

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"
)

var taskStatuses = []string{"outstanding", "completed", "deleted", "not_doing"}

// CreateFollowUp adds a follow-up to an incident, as a responder would in
// Slack, and queues follow_up_created_v2. It returns the follow-up id.
func (f *Fake) CreateFollowUp(incidentID, title, description string) (string, error) {
	f.mu.Lock()
	inc, ok := f.st.incidents[incidentID]
	if !ok {
		f.mu.Unlock()
		return "", fmt.Errorf("incidentiofake: no incident %s", incidentID)
	}
	now := f.now()
	fu := &followUp{ID: f.newID(), IncidentID: incidentID, Title: title, Description: description, Status: "outstanding", Labels: []string{},
		Creator: actor{User: &user{ID: "01FAKEUSERRESPONDER000000", Name: "Responder", Role: "responder"}}, CreatedAt: now, UpdatedAt: now}
	f.st.followUps[fu.ID] = fu
	c := *fu
	f.mu.Unlock()
	f.emitObject("follow_up_created_v2", inc.Visibility, fu.ID, &c)
	return fu.ID, nil
}

// SetFollowUpStatus changes a follow-up's status as a responder would and
// queues follow_up_updated_v2.
func (f *Fake) SetFollowUpStatus(id, status string) error {
	f.mu.Lock()
	fu, ok := f.st.followUps[id]
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("incidentiofake: no follow-up %s", id)
	}
	f.setStatus(&fu.Status, &fu.CompletedAt, &fu.UpdatedAt, status)
	c := *fu
	vis := f.st.incidents[fu.IncidentID].Visibility
	f.mu.Unlock()
	f.emitObject("follow_up_updated_v2", vis, id, &c)
	return nil
}

// CreateAction adds an action to an incident and queues action_created_v1.
func (f *Fake) CreateAction(incidentID, description string) (string, error) {
	f.mu.Lock()
	inc, ok := f.st.incidents[incidentID]
	if !ok {
		f.mu.Unlock()
		return "", fmt.Errorf("incidentiofake: no incident %s", incidentID)
	}
	now := f.now()
	a := &action{ID: f.newID(), IncidentID: incidentID, Description: description, Status: "outstanding",
		Creator: actor{User: &user{ID: "01FAKEUSERRESPONDER000000", Name: "Responder", Role: "responder"}}, CreatedAt: now, UpdatedAt: now}
	f.st.actions[a.ID] = a
	v1 := a.v1()
	f.mu.Unlock()
	f.emitObject("action_created_v1", inc.Visibility, a.ID, v1)
	return a.ID, nil
}

func (a *action) v1() *actionV1 {
	return &actionV1{ID: a.ID, IncidentID: a.IncidentID, Description: a.Description, Status: a.Status, Assignee: a.Assignee,
		CompletedAt: a.CompletedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func (f *Fake) setStatus(status *string, completedAt **time.Time, updatedAt *time.Time, to string) {
	now := f.now()
	*status = to
	*updatedAt = now
	if to == "completed" {
		*completedAt = &now
	} else {
		*completedAt = nil
	}
}

// FollowUp returns a follow-up's title and status.
func (f *Fake) FollowUp(id string) (title, status string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fu, ok := f.st.followUps[id]
	if !ok {
		return "", "", false
	}
	return fu.Title, fu.Status, true
}

// Action returns an action's description and status.
func (f *Fake) Action(id string) (description, status string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.st.actions[id]
	if !ok {
		return "", "", false
	}
	return a.Description, a.Status, true
}

func (f *Fake) listFollowUps(w http.ResponseWriter, r *http.Request) {
	incID := r.URL.Query().Get("incident_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*followUp{}
	for _, id := range sortedKeys(f.st.followUps) {
		fu := f.st.followUps[id]
		if fu.Status == "deleted" || (incID != "" && fu.IncidentID != incID) || !f.visible(f.st.incidents[fu.IncidentID]) {
			continue
		}
		out = append(out, fu)
	}
	writeJSON(w, http.StatusOK, map[string]any{"follow_ups": out})
}

func (f *Fake) showFollowUp(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fu, ok := f.st.followUps[r.PathValue("id")]
	if !ok || !f.visible(f.st.incidents[fu.IncidentID]) {
		notFound(w, "Follow-up")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"follow_up": fu})
}

func (f *Fake) updateFollowUp(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title       string   `json:"title"`
		Status      string   `json:"status"`
		Description *string  `json:"description"`
		AssigneeID  string   `json:"assignee_id"`
		Labels      []string `json:"labels"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Title == "" {
		invalid(w, "title", "A title is required")
		return
	}
	if !slices.Contains(taskStatuses, in.Status) || in.Status == "deleted" {
		invalid(w, "status", "Status must be outstanding, completed or not_doing")
		return
	}
	f.mu.Lock()
	fu, ok := f.st.followUps[r.PathValue("id")]
	if !ok || !f.visible(f.st.incidents[fu.IncidentID]) {
		f.mu.Unlock()
		notFound(w, "Follow-up")
		return
	}
	if in.AssigneeID != "" {
		u, ok := f.st.users[in.AssigneeID]
		if !ok {
			f.mu.Unlock()
			invalid(w, "assignee_id", "No such user")
			return
		}
		fu.Assignee = &user{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role}
	} else {
		fu.Assignee = nil
	}
	fu.Title = in.Title
	fu.Description = ""
	if in.Description != nil {
		fu.Description = *in.Description
	}
	fu.Labels = append([]string{}, in.Labels...)
	if in.Status != fu.Status {
		f.setStatus(&fu.Status, &fu.CompletedAt, &fu.UpdatedAt, in.Status)
	} else {
		fu.UpdatedAt = f.now()
	}
	c := *fu
	vis := f.st.incidents[fu.IncidentID].Visibility
	f.mu.Unlock()
	f.emitObject("follow_up_updated_v2", vis, c.ID, &c)
	writeJSON(w, http.StatusOK, map[string]any{"follow_up": &c})
}

func (f *Fake) listActions(w http.ResponseWriter, r *http.Request) {
	incID := r.URL.Query().Get("incident_id")
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*action{}
	for _, id := range sortedKeys(f.st.actions) {
		a := f.st.actions[id]
		if a.Status == "deleted" || (incID != "" && a.IncidentID != incID) || !f.visible(f.st.incidents[a.IncidentID]) {
			continue
		}
		out = append(out, a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": out})
}

func (f *Fake) showAction(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.st.actions[r.PathValue("id")]
	if !ok || !f.visible(f.st.incidents[a.IncidentID]) {
		notFound(w, "Action")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"action": a})
}

func (f *Fake) updateAction(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Description string `json:"description"`
		Status      string `json:"status"`
		AssigneeID  string `json:"assignee_id"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Description == "" {
		invalid(w, "description", "A description is required")
		return
	}
	if !slices.Contains(taskStatuses, in.Status) || in.Status == "deleted" {
		invalid(w, "status", "Status must be outstanding, completed or not_doing")
		return
	}
	f.mu.Lock()
	a, ok := f.st.actions[r.PathValue("id")]
	if !ok || !f.visible(f.st.incidents[a.IncidentID]) {
		f.mu.Unlock()
		notFound(w, "Action")
		return
	}
	a.Description = in.Description
	if in.Status != a.Status {
		f.setStatus(&a.Status, &a.CompletedAt, &a.UpdatedAt, in.Status)
	} else {
		a.UpdatedAt = f.now()
	}
	c := *a
	vis := f.st.incidents[a.IncidentID].Visibility
	f.mu.Unlock()
	f.emitObject("action_updated_v1", vis, c.ID, c.v1())
	writeJSON(w, http.StatusOK, map[string]any{"action": &c})
}

func (f *Fake) listAttachments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*attachment{}
	for _, id := range sortedKeys(f.st.attachments) {
		a := f.st.attachments[id]
		if (q.Get("incident_id") != "" && a.IncidentID != q.Get("incident_id")) ||
			(q.Get("external_id") != "" && a.Resource.ExternalID != q.Get("external_id")) ||
			(q.Get("resource_type") != "" && a.Resource.ResourceType != q.Get("resource_type")) {
			continue
		}
		out = append(out, a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident_attachments": out})
}

func (f *Fake) createAttachment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IncidentID string `json:"incident_id"`
		Resource   struct {
			ResourceType string `json:"resource_type"`
			URL          string `json:"url"`
			Title        string `json:"title"`
			Emoji        string `json:"emoji"`
			ExternalID   string `json:"external_id"`
		} `json:"resource"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Resource.ResourceType != "arbitrary_url" {
		invalid(w, "resource.resource_type", "The fake supports arbitrary_url attachments only")
		return
	}
	if in.Resource.URL == "" {
		invalid(w, "resource.url", "A URL is required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	inc := f.findIncident(in.IncidentID)
	if inc == nil || !f.visible(inc) {
		invalid(w, "incident_id", "No such incident")
		return
	}
	a := &attachment{ID: f.newID(), IncidentID: inc.ID}
	a.Resource.ResourceType, a.Resource.Permalink, a.Resource.Title = "arbitrary_url", in.Resource.URL, in.Resource.Title
	a.Resource.ExternalID = in.Resource.ExternalID
	if a.Resource.ExternalID == "" {
		a.Resource.ExternalID = in.Resource.URL
	}
	if a.Resource.Title == "" {
		a.Resource.Title = in.Resource.URL
	}
	f.st.attachments[a.ID] = a
	writeJSON(w, http.StatusCreated, map[string]any{"incident_attachment": a})
}

func (f *Fake) deleteAttachment(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.st.attachments[r.PathValue("id")]; !ok {
		notFound(w, "Incident attachment")
		return
	}
	delete(f.st.attachments, r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}

// Attachment is the test view of an incident attachment.
type Attachment struct {
	ID, IncidentID, ExternalID, URL, Title string
}

// Attachments returns the attachments of an incident, oldest first.
func (f *Fake) Attachments(incidentID string) []Attachment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Attachment
	for _, id := range sortedKeys(f.st.attachments) {
		a := f.st.attachments[id]
		if a.IncidentID == incidentID {
			out = append(out, Attachment{ID: a.ID, IncidentID: a.IncidentID, ExternalID: a.Resource.ExternalID, URL: a.Resource.Permalink, Title: a.Resource.Title})
		}
	}
	return out
}

// AddUser adds a user and returns its id.
func (f *Fake) AddUser(name, email string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := &userWithRoles{ID: f.newID(), Name: name, Email: email, Role: "responder", IsActive: true,
		BaseRole: rbacRole{ID: "01FAKEROLERESPONDER000000", Name: "Responder", Slug: "responder"}, CustomRoles: []rbacRole{}}
	u.Seats.OnCall, u.Seats.Response = "none", "full_access"
	f.st.users[u.ID] = u
	return u.ID
}

func (f *Fake) listUsers(w http.ResponseWriter, r *http.Request) {
	size, ok := pageSize(w, r, 25, 10000)
	if !ok {
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id, u := range f.st.users {
		if q.Get("email") == "" || u.Email == q.Get("email") {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	pageIDs, next := page(ids, q.Get("after"), size)
	out := make([]*userWithRoles, 0, len(pageIDs))
	for _, id := range pageIDs {
		out = append(out, f.st.users[id])
	}
	meta := map[string]any{"page_size": size}
	if next != "" {
		meta["after"] = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out, "pagination_meta": meta})
}

package ghlsandbox

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

type taskJSON struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Body       string `json:"body,omitempty"`
	AssignedTo string `json:"assignedTo,omitempty"`
	DueDate    string `json:"dueDate"`
	Completed  bool   `json:"completed"`
	ContactID  string `json:"contactId"`
	DateAdded  string `json:"dateAdded,omitempty"`
}

func taskView(t *Task) taskJSON {
	return taskJSON{ID: t.ID, Title: t.Title, Body: t.Body, AssignedTo: t.AssignedTo, DueDate: fmtTime(t.DueDate),
		Completed: t.Completed, ContactID: t.ContactID, DateAdded: fmtTime(t.DateAdded)}
}

type taskRequest struct {
	Title, Body, DueDate, AssignedTo opt[string]
	Completed                        opt[bool]
}

func (r *taskRequest) fields() map[string]any {
	return map[string]any{"title": &r.Title, "body": &r.Body, "dueDate": &r.DueDate, "assignedTo": &r.AssignedTo, "completed": &r.Completed}
}

func (r *taskRequest) validate(create bool) *apiError {
	var msgs []string
	if create && (!r.Title.has() || r.Title.V == "") {
		msgs = append(msgs, "title should not be empty")
	}
	if create && !r.DueDate.has() {
		msgs = append(msgs, "dueDate should not be empty")
	}
	if r.DueDate.has() {
		if _, ok := parseTime(r.DueDate.V); !ok {
			msgs = append(msgs, "dueDate must be a valid ISO 8601 date string")
		}
	}
	if create && !r.Completed.has() {
		msgs = append(msgs, "completed must be a boolean value")
	}
	if msgs != nil {
		return errUnprocessable(msgs...)
	}
	return nil
}

// taskOf finds a task of a contact. Caller holds l.mu.
func (l *location) taskOf(contactID, taskID string) (*Task, *apiError) {
	if l.contacts[contactID] == nil {
		return nil, errNotFound("Contact not found")
	}
	t := l.tasks[contactID][taskID]
	if t == nil {
		return nil, errNotFound("Task not found")
	}
	return t, nil
}

func (l *location) contactTasks(contactID string) []*Task {
	var out []*Task
	for _, t := range l.tasks[contactID] {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].DateAdded.Equal(out[j].DateAdded) {
			return out[i].DateAdded.Before(out[j].DateAdded)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (s *Sandbox) listTasks(rc *reqCtx) (int, any, *apiError) {
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.contacts[cid] == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	out := []taskJSON{}
	for _, t := range l.contactTasks(cid) {
		out = append(out, taskView(t))
	}
	return http.StatusOK, map[string]any{"tasks": out}, nil
}

func (s *Sandbox) getTask(rc *reqCtx) (int, any, *apiError) {
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	t, e := l.taskOf(cid, rc.param("taskId"))
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, map[string]any{"task": taskView(t)}, nil
}

// insertTask stores a task and emits TaskCreate. Caller holds l.mu.
func (s *Sandbox) insertTask(l *location, t *Task) {
	if l.tasks[t.ContactID] == nil {
		l.tasks[t.ContactID] = map[string]*Task{}
	}
	l.tasks[t.ContactID][t.ID] = t
	s.emitTask("TaskCreate", t)
	if t.Completed {
		s.emitTask("TaskComplete", t)
	}
}

func (s *Sandbox) createTask(rc *reqCtx) (int, any, *apiError) {
	var r taskRequest
	if e := bind(rc.body, "CreateTaskParams", r.fields()); e != nil {
		return 0, nil, e
	}
	if e := r.validate(true); e != nil {
		return 0, nil, e
	}
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.contacts[cid] == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	due, _ := parseTime(r.DueDate.V)
	t := &Task{ID: s.ids.id(), LocationID: l.id, ContactID: cid, Title: r.Title.V, Body: r.Body.V, AssignedTo: r.AssignedTo.V,
		DueDate: due.UTC(), Completed: r.Completed.V, DateAdded: s.now()}
	s.insertTask(l, t)
	return http.StatusCreated, map[string]any{"task": taskView(t)}, nil
}

// updateTaskLocked applies a change and emits TaskComplete when the task
// becomes completed (GHL has no TaskUpdate event). Caller holds l.mu.
func (s *Sandbox) updateTaskLocked(t *Task, r *taskRequest) {
	if r.Title.has() {
		t.Title = r.Title.V
	}
	if r.Body.Set {
		t.Body = r.Body.V
	}
	if r.AssignedTo.Set {
		t.AssignedTo = r.AssignedTo.V
	}
	if r.DueDate.has() {
		d, _ := parseTime(r.DueDate.V)
		t.DueDate = d.UTC()
	}
	if r.Completed.has() && r.Completed.V != t.Completed {
		t.Completed = r.Completed.V
		if t.Completed {
			s.emitTask("TaskComplete", t)
		}
	}
}

func (s *Sandbox) updateTask(rc *reqCtx) (int, any, *apiError) {
	var r taskRequest
	if e := bind(rc.body, "UpdateTaskBody", r.fields()); e != nil {
		return 0, nil, e
	}
	return s.modifyTask(rc, &r)
}

func (s *Sandbox) completeTask(rc *reqCtx) (int, any, *apiError) {
	var r taskRequest
	if e := bind(rc.body, "UpdateTaskStatusParams", map[string]any{"completed": &r.Completed}); e != nil {
		return 0, nil, e
	}
	if !r.Completed.has() {
		return 0, nil, errUnprocessable("completed must be a boolean value")
	}
	return s.modifyTask(rc, &r)
}

func (s *Sandbox) modifyTask(rc *reqCtx, r *taskRequest) (int, any, *apiError) {
	if e := r.validate(false); e != nil {
		return 0, nil, e
	}
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t, e := l.taskOf(cid, rc.param("taskId"))
	if e != nil {
		return 0, nil, e
	}
	s.updateTaskLocked(t, r)
	return http.StatusOK, map[string]any{"task": taskView(t)}, nil
}

func (s *Sandbox) deleteTask(rc *reqCtx) (int, any, *apiError) {
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t, e := l.taskOf(cid, rc.param("taskId"))
	if e != nil {
		return 0, nil, e
	}
	delete(l.tasks[cid], t.ID)
	s.emitTask("TaskDelete", t)
	return http.StatusOK, map[string]any{"succeded": true}, nil
}

type taskSearchRequest struct {
	ContactID  opt[[]string]
	Completed  opt[bool]
	AssignedTo opt[[]string]
	Query      opt[string]
	Limit      opt[float64]
	Skip       opt[float64]
	BusinessID opt[string]
}

// searchTasks is POST /locations/{locationId}/tasks/search (NOTES §4.6):
// newest due date first, limit default 25, skip default 0.
func (s *Sandbox) searchTasks(rc *reqCtx) (int, any, *apiError) {
	var r taskSearchRequest
	if e := bind(rc.body, "TaskSearchParamsDto", map[string]any{"contactId": &r.ContactID, "completed": &r.Completed, "assignedTo": &r.AssignedTo,
		"query": &r.Query, "limit": &r.Limit, "skip": &r.Skip, "businessId": &r.BusinessID}); e != nil {
		return 0, nil, e
	}
	limit, skip := 25, 0
	if r.Limit.has() {
		if r.Limit.V < 1 {
			return 0, nil, errUnprocessable("limit must not be less than 1")
		}
		limit = int(r.Limit.V)
	}
	if r.Skip.has() {
		if r.Skip.V < 0 {
			return 0, nil, errUnprocessable("skip must not be less than 0")
		}
		skip = int(r.Skip.V)
	}
	l, e := s.locationFor(rc, rc.param("locationId"))
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	var all []*Task
	for cid, ts := range l.tasks {
		if r.ContactID.has() && len(r.ContactID.V) > 0 && !slices.Contains(r.ContactID.V, cid) {
			continue
		}
		if r.BusinessID.has() && r.BusinessID.V != "" {
			if c := l.contacts[cid]; c == nil || c.BusinessID != r.BusinessID.V {
				continue
			}
		}
		for _, t := range ts {
			if r.Completed.has() && t.Completed != r.Completed.V {
				continue
			}
			if r.AssignedTo.has() && len(r.AssignedTo.V) > 0 && !slices.Contains(r.AssignedTo.V, t.AssignedTo) {
				continue
			}
			if q := strings.ToLower(r.Query.V); q != "" && !strings.Contains(strings.ToLower(t.Title+" "+t.Body), q) {
				continue
			}
			all = append(all, t)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].DueDate.Equal(all[j].DueDate) {
			return all[i].DueDate.After(all[j].DueDate)
		}
		return all[i].ID < all[j].ID
	})
	all = all[min(skip, len(all)):]
	all = all[:min(limit, len(all))]
	out := make([]taskJSON, len(all))
	for i, t := range all {
		out[i] = taskView(t)
	}
	l.mu.RUnlock()
	return http.StatusOK, map[string]any{"tasks": out}, nil
}

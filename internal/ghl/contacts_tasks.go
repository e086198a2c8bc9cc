package ghl

import (
	"context"
	"time"
)

// Task is a contact task (TaskSchema).
type Task struct {
	ID         string    `json:"id"`
	Title      string    `json:"title,omitempty"`
	Body       string    `json:"body,omitempty"`
	AssignedTo string    `json:"assignedTo,omitempty"`
	DueDate    Timestamp `json:"dueDate"`
	Completed  bool      `json:"completed"`
	ContactID  string    `json:"contactId,omitempty"`
}

// CreateTaskRequest is the body of a task create (CreateTaskParams).
// Title and DueDate are required; Completed is always sent.
type CreateTaskRequest struct {
	Title      string    `json:"title"`
	Body       string    `json:"body,omitempty"`
	DueDate    time.Time `json:"dueDate"`
	Completed  bool      `json:"completed"`
	AssignedTo string    `json:"assignedTo,omitempty"`
}

// UpdateTaskRequest is the body of a task update (UpdateTaskBody). Nil
// fields are not sent.
type UpdateTaskRequest struct {
	Title      *string    `json:"title,omitempty"`
	Body       *string    `json:"body,omitempty"`
	DueDate    *time.Time `json:"dueDate,omitempty"`
	Completed  *bool      `json:"completed,omitempty"`
	AssignedTo *string    `json:"assignedTo,omitempty"`
}

// CompleteTaskRequest is the body of the task completion call.
type CompleteTaskRequest struct {
	Completed bool `json:"completed"`
}

type taskEnvelope struct {
	Task *Task `json:"task"`
}

// ListTasks returns a contact's tasks.
//
// GHL API: GET /contacts/{contactId}/tasks (get-all-tasks).
func (s *ContactsService) ListTasks(ctx context.Context, contactID string) ([]Task, *Response, error) {
	req, err := s.client.NewRequest(ctx, epListTasks, []string{contactID}, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Tasks []Task `json:"tasks"`
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Tasks, resp, nil
}

// GetTask fetches a task of a contact.
//
// GHL API: GET /contacts/{contactId}/tasks/{taskId} (get-task).
func (s *ContactsService) GetTask(ctx context.Context, contactID, taskID string) (*Task, *Response, error) {
	return s.task(ctx, epGetTask, []string{contactID, taskID}, nil)
}

// CreateTask creates a task on a contact (201). A failure after the
// request may have reached GHL is an *AmbiguousError and is not retried.
//
// GHL API: POST /contacts/{contactId}/tasks (create-task).
func (s *ContactsService) CreateTask(ctx context.Context, contactID string, r *CreateTaskRequest) (*Task, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epCreateTask, "%v", errNilRequest)
	}
	if r.Title == "" || r.DueDate.IsZero() {
		return nil, nil, invalid(epCreateTask, "title and dueDate are required")
	}
	return s.task(ctx, epCreateTask, []string{contactID}, r)
}

// UpdateTask changes a task; nil fields are left as they are.
//
// GHL API: PUT /contacts/{contactId}/tasks/{taskId} (update-task).
func (s *ContactsService) UpdateTask(ctx context.Context, contactID, taskID string, r *UpdateTaskRequest) (*Task, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epUpdateTask, "%v", errNilRequest)
	}
	return s.task(ctx, epUpdateTask, []string{contactID, taskID}, r)
}

// CompleteTask marks a task completed or not completed.
//
// GHL API: PUT /contacts/{contactId}/tasks/{taskId}/completed (update-task-completed).
func (s *ContactsService) CompleteTask(ctx context.Context, contactID, taskID string, completed bool) (*Task, *Response, error) {
	return s.task(ctx, epCompleteTask, []string{contactID, taskID}, &CompleteTaskRequest{Completed: completed})
}

// DeleteTask deletes a task.
//
// GHL API: DELETE /contacts/{contactId}/tasks/{taskId} (delete-task).
func (s *ContactsService) DeleteTask(ctx context.Context, contactID, taskID string) (*Response, error) {
	return s.delete(ctx, epDeleteTask, contactID, taskID)
}

func (s *ContactsService) task(ctx context.Context, ep *Endpoint, params []string, body any) (*Task, *Response, error) {
	req, err := s.client.NewRequest(ctx, ep, params, nil, body)
	if err != nil {
		return nil, nil, err
	}
	var out taskEnvelope
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Task, resp, nil
}

// delete calls a delete endpoint answering {succeded: true}.
func (s *ContactsService) delete(ctx context.Context, ep *Endpoint, params ...string) (*Response, error) {
	req, err := s.client.NewRequest(ctx, ep, params, nil, nil)
	if err != nil {
		return nil, err
	}
	var out succeded
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return resp, err
	}
	return resp, out.check(ep, resp)
}

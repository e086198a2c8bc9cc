package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
)

// Cursor records (store.Cursor, per location; Position is JSON):
//
//	contacts, notes, appointments, tasks.contacts  contactPos: the search
//	    position [dateUpdated ms, id] of the last contact handled, in
//	    ascending dateUpdated order (tasks.contacts: the task sweep's
//	    fallback without the location task search scope)
//	appointments.calendars                         calendarPos: the last
//	    calendar whose window of events was handled ("" between passes)
//	tasks                                          taskPos: the offset of
//	    the location task search pass under way
//	<stream>.deletes                               deletePos: the last GHL
//	    id of the links checked by the delete pass under way, and when the
//	    last pass completed
//	ratelimit.daily                                the time (RFC 3339)
//	    until which the location is paused after GHL's daily limit
const cursorDaily = "ratelimit.daily"

// checkpointTimeout bounds a cursor write.
const checkpointTimeout = 10 * time.Second

type contactPos struct {
	After []any `json:"after,omitempty"`
}

type taskPos struct {
	Skip int `json:"skip"`
}

type deletePos struct {
	After     string    `json:"after,omitempty"`
	Completed time.Time `json:"completed,omitzero"`
}

// load reads the cursor name into v; an absent cursor leaves v zero.
func (j *job) load(ctx context.Context, name string, v any) error {
	c, err := j.r.opts.Store.GetCursor(ctx, j.loc, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("read cursor %s: %w", name, err)
	case c.Position == "":
		return nil
	}
	if err := json.Unmarshal([]byte(c.Position), v); err != nil {
		return fmt.Errorf("cursor %s: %w", name, err)
	}
	return nil
}

// save writes the cursor name.
func (j *job) save(ctx context.Context, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cursor %s: %w", name, err)
	}
	// A checkpoint is written even when ctx ended during the page it
	// closes (see job.work).
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), checkpointTimeout)
	defer cancel()
	if err := j.r.opts.Store.PutCursor(wctx, store.Cursor{LocationID: j.loc, Stream: name, Position: string(b), UpdatedAt: j.r.opts.Clock.Now()}); err != nil {
		return fmt.Errorf("write cursor %s: %w", name, err)
	}
	j.progress()
	return nil
}

func (j *job) pausedUntil(ctx context.Context) (time.Time, error) {
	c, err := j.r.opts.Store.GetCursor(ctx, j.loc, cursorDaily)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("read cursor %s: %w", cursorDaily, err)
	}
	t, _ := time.Parse(time.RFC3339, c.Position)
	return t, nil
}

func (j *job) putPause(ctx context.Context, until time.Time) error {
	return j.r.opts.Store.PutCursor(ctx, store.Cursor{LocationID: j.loc, Stream: cursorDaily,
		Position: until.UTC().Format(time.RFC3339), UpdatedAt: j.r.opts.Clock.Now()})
}

// rewind moves a search position back by d, to the first contact updated
// at or after its time minus d.
func rewind(after []any, d time.Duration) []any {
	if len(after) != 2 || d <= 0 {
		return after
	}
	var ms int64
	switch v := after[0].(type) {
	case float64:
		ms = int64(v)
	case int64:
		ms = v
	case json.Number:
		ms, _ = v.Int64()
	default:
		return after
	}
	return []any{ms - d.Milliseconds(), ""}
}

package sweep

import (
	"errors"
	"time"
)

// Outcomes of one location's sweep.
const (
	OutcomeCaughtUp     = "caught_up"     // nothing left to read: the cursor is at the end
	OutcomeDeadline     = "deadline"      // stopped before the time budget ran out; resumes from the cursor
	OutcomeDailyLimit   = "daily_limit"   // GHL's daily budget is spent: paused until ResumeAt
	OutcomePaused       = "paused"        // skipped: still paused by an earlier daily limit
	OutcomeFailed       = "failed"        // an error stopped the location; the others went on
	OutcomeNotInstalled = "not_installed" // the installation is not active
)

// LocationReport is what one stream's sweep of one location did.
type LocationReport struct {
	LocationID string `json:"locationId"`
	Stream     Stream `json:"stream"`
	Outcome    string `json:"outcome"`
	// Pages of contacts or tasks read.
	Pages int `json:"pages"`
	// Requests is the number of GHL calls made.
	Requests int `json:"ghlRequests"`
	// Seen entities, Delivered to the peer, Unchanged (the peer had them),
	// Deleted (deletes sent), Failed (refused permanently, recorded).
	Seen      int `json:"seen"`
	Delivered int `json:"delivered"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
	Failed    int `json:"failed"`
	// Deletes reports delete detection: "" (not due), "partial" (resumes
	// next run) or "complete".
	Deletes string `json:"deletes,omitempty"`
	// CalendarWindow reports the appointments stream's calendar window:
	// "" (not read), "partial" (resumes next run with the next calendar),
	// "complete" or "no_scope" (the token may not read calendar events).
	CalendarWindow string `json:"calendarWindow,omitempty"`
	// StoppedByDeadline reports a clean stop before the time budget.
	StoppedByDeadline bool `json:"stoppedByDeadline,omitempty"`
	// DailyLimit reports GHL's daily budget spent; ResumeAt is when the
	// location is swept again.
	DailyLimit bool      `json:"dailyLimit,omitempty"`
	ResumeAt   time.Time `json:"resumeAt,omitzero"`
	// Error is the failure that stopped the location (never a secret).
	Error string `json:"error,omitempty"`
	// DurationMS is the wall time spent, in milliseconds.
	DurationMS int64 `json:"durationMs"`

	err error
}

// Err returns the failure that stopped the location, or nil.
func (r LocationReport) Err() error { return r.err }

// Report is the outcome of one Run: one entry per location swept.
type Report struct {
	Stream    Stream           `json:"stream"`
	Locations []LocationReport `json:"locations"`
}

// Totals sums the counts of every location.
func (r Report) Totals() LocationReport {
	t := LocationReport{Stream: r.Stream}
	for _, l := range r.Locations {
		t.Pages += l.Pages
		t.Requests += l.Requests
		t.Seen += l.Seen
		t.Delivered += l.Delivered
		t.Unchanged += l.Unchanged
		t.Deleted += l.Deleted
		t.Failed += l.Failed
		t.StoppedByDeadline = t.StoppedByDeadline || l.StoppedByDeadline
		t.DailyLimit = t.DailyLimit || l.DailyLimit
	}
	return t
}

// Err joins the failures of every location (nil when none failed).
func (r Report) Err() error {
	var errs []error
	for _, l := range r.Locations {
		if l.err != nil {
			errs = append(errs, l.err)
		}
	}
	return errors.Join(errs...)
}

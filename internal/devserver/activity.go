package devserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// Directions of an activity entry.
const (
	DirGHLToPeer = "GHL → peer"
	DirPeerToGHL = "peer → GHL"
	DirPull      = "pull API"
	DirApp       = "GHL app"
	DirInbox     = "peer inbox"
	DirSchedule  = "schedule"
)

// Outcome labels shown on the page (and in Entry.Outcome).
const (
	LabelDelivered = "delivered"
	LabelEcho      = "echo dropped"
	LabelDuplicate = "duplicate"
	LabelStale     = "stale dropped"
	LabelIgnored   = "ignored"
	LabelRetry     = "retry later"
	LabelServed    = "served"
	LabelRejected  = "rejected"
	LabelFailed    = "failed"
)

// Entry is one thing that happened: a webhook or peer event handled, a
// delivery the peer inbox took, a pull, a schedule run.
type Entry struct {
	Seq       int
	At        time.Time
	Direction string
	// Route is the API route (or inbox path, or schedule stream).
	Route string
	// Entity names what changed: "contact.upserted ghl:abc peer:p1".
	Entity string
	Status int
	// Outcome is one of the Label* values; Failed entries carry the
	// cause in Why as well.
	Outcome string
	Why     string
}

// Class is the CSS class (and data-outcome value) of the entry.
func (e Entry) Class() string {
	return strings.ReplaceAll(e.Outcome, " ", "-")
}

// Activity is the in-memory log of recent entries, newest last, bounded.
// It is safe for concurrent use.
type Activity struct {
	mu      sync.Mutex
	max     int
	seq     int
	entries []Entry
	now     func() time.Time
}

// NewActivity returns a log keeping the last max entries.
func NewActivity(max int, now func() time.Time) *Activity {
	if now == nil {
		now = time.Now
	}
	return &Activity{max: max, now: now}
}

// Add records e (Seq and, when zero, At are set).
func (a *Activity) Add(e Entry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	e.Seq = a.seq
	if e.At.IsZero() {
		e.At = a.now()
	}
	a.entries = append(a.entries, e)
	if len(a.entries) > a.max {
		a.entries = append([]Entry(nil), a.entries[len(a.entries)-a.max:]...)
	}
}

// Entries returns the entries, newest first.
func (a *Activity) Entries() []Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Entry, len(a.entries))
	for i, e := range a.entries {
		out[len(out)-1-i] = e
	}
	return out
}

// WrapRoute records the Result of every call of r under routeKey.
func (a *Activity) WrapRoute(routeKey string, r syncapp.Route) syncapp.Route {
	dir := DirPull
	switch {
	case strings.HasPrefix(routeKey, "POST /ghl/webhooks/"):
		dir = DirGHLToPeer
	case strings.HasPrefix(routeKey, "POST /peer/webhooks/"):
		dir = DirPeerToGHL
	}
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) crmsync.Result {
		res := r(ctx, ev)
		for _, e := range resultEntries(dir, routeKey, ev, res) {
			a.Add(e)
		}
		return res
	}
}

// resultEntries turns a flow Result into entries: one per change of a
// report, else one for the whole request.
func resultEntries(dir, route string, ev events.APIGatewayV2HTTPRequest, res crmsync.Result) []Entry {
	base := Entry{Direction: dir, Route: route, Status: res.Status}
	var rep crmsync.Report
	switch b := res.Body.(type) {
	case crmsync.Report:
		rep = b
	case *crmsync.Report:
		rep = *b
	}
	if dir == DirPull {
		e := base
		e.Entity = strings.TrimPrefix(route, "GET ")
		if id := ev.PathParameters["id"]; id != "" {
			e.Entity = strings.Replace(e.Entity, "{id}", id, 1)
		}
		e.Outcome, e.Why = LabelServed, ""
		if res.Status >= 300 {
			e.Outcome, e.Why = LabelRejected, errorWhy(res)
		}
		return []Entry{e}
	}
	if len(rep.Changes) == 0 {
		e := base
		e.Outcome, e.Why = label(rep.Outcome, res)
		if rep.Outcome == "" {
			e.Outcome, e.Why = statusLabel(res), errorWhy(res)
		}
		return []Entry{e}
	}
	out := make([]Entry, 0, len(rep.Changes))
	for _, c := range rep.Changes {
		e := base
		e.Entity = entity(c)
		outcome := c.Outcome
		if rep.Outcome == crmsync.OutcomeDuplicate {
			outcome = crmsync.OutcomeDuplicate
		}
		e.Outcome, e.Why = label(outcome, res)
		if c.Reason != "" {
			e.Why = c.Reason
		}
		out = append(out, e)
	}
	return out
}

func entity(c crmsync.ChangeReport) string {
	s := string(c.Type)
	if c.GHLID != "" {
		s += " ghl:" + c.GHLID
	}
	if c.PeerID != "" {
		s += " peer:" + c.PeerID
	}
	return s
}

// label maps a flow outcome to the page's label and default reason.
func label(outcome string, res crmsync.Result) (string, string) {
	switch outcome {
	case crmsync.OutcomeSynced:
		return LabelDelivered, "written to the other side"
	case crmsync.OutcomeUnchanged:
		return LabelEcho, "the other side already has this state (ghlsync's own write, or a repeat)"
	case crmsync.OutcomeDuplicate:
		return LabelDuplicate, "this delivery id was already handled; the stored answer was replayed"
	case crmsync.OutcomeStale:
		return LabelStale, "older than the state already applied"
	case crmsync.OutcomeIgnored:
		return LabelIgnored, ""
	case crmsync.OutcomeFailed:
		return LabelFailed, errorWhy(res)
	}
	return statusLabel(res), errorWhy(res)
}

func statusLabel(res crmsync.Result) string {
	switch {
	case res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable || res.Status == http.StatusConflict:
		return LabelRetry
	case res.Status >= 400:
		return LabelFailed
	}
	return LabelDelivered
}

// errorWhy is the cause of a failed Result: the error body and the cause.
func errorWhy(res crmsync.Result) string {
	var parts []string
	switch b := res.Body.(type) {
	case crmsync.ErrorBody:
		parts = append(parts, b.Error+": "+b.Message)
	case *crmsync.ErrorBody:
		parts = append(parts, b.Error+": "+b.Message)
	}
	if res.Err != nil {
		parts = append(parts, res.Err.Error())
	}
	return strings.Join(parts, " — ")
}

// appEntry records an app-install request from its response.
func appEntry(route string, resp events.APIGatewayV2HTTPResponse) Entry {
	e := Entry{Direction: DirApp, Route: route, Status: resp.StatusCode, Outcome: LabelDelivered}
	var body struct {
		Outcome    string `json:"outcome"`
		Error      string `json:"error"`
		Message    string `json:"message"`
		LocationID string `json:"locationId"`
	}
	_ = json.Unmarshal([]byte(resp.Body), &body)
	e.Why = body.Outcome
	if resp.StatusCode >= 300 {
		e.Outcome = LabelFailed
		if resp.StatusCode == http.StatusTooManyRequests {
			e.Outcome = LabelRetry
		}
		e.Why = strings.TrimPrefix(body.Error+": "+body.Message, ": ")
	}
	return e
}

// inboxEntry records a delivery the local peer inbox answered.
func inboxEntry(typ, ghlID, webhookID string, status int, duplicate bool, why string) Entry {
	e := Entry{Direction: DirInbox, Route: "POST /peer-inbox", Status: status, Entity: typ, Outcome: LabelDelivered,
		Why: "the peer inbox accepted " + webhookID}
	if ghlID != "" {
		e.Entity += " ghl:" + ghlID
	}
	switch {
	case status/100 != 2:
		e.Outcome, e.Why = LabelFailed, fmt.Sprintf("the peer inbox answered %d: %s", status, why)
	case duplicate:
		e.Outcome, e.Why = LabelDuplicate, "the peer inbox already had webhook-id "+webhookID
	}
	return e
}

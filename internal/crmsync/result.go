package crmsync

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// Outcomes of a change, as reported in response bodies and log lines.
const (
	OutcomeSynced    = "synced"    // written to the other side
	OutcomeUnchanged = "unchanged" // echo or duplicate: the other side has it
	OutcomeStale     = "stale"     // older than what was already applied
	OutcomeIgnored   = "ignored"   // nothing to do (reason says why)
	OutcomeFailed    = "failed"    // permanent failure, recorded
	OutcomeDuplicate = "duplicate" // a completed delivery replayed
	// OutcomeReauthRequired: the location's GHL installation must be
	// authorised again (tokens.ErrReauthRequired); the delivery is asked
	// again later. The ReauthRequired alarm counts log lines with it.
	OutcomeReauthRequired = "reauth_required"
)

// ChangeReport is the outcome of one change.
type ChangeReport struct {
	Type       EventType `json:"type"`
	LocationID string    `json:"locationId,omitempty"`
	GHLID      string    `json:"ghlId,omitempty"`
	PeerID     string    `json:"peerId,omitempty"`
	Outcome    string    `json:"outcome"`
	Reason     string    `json:"reason,omitempty"`
}

// Report is the JSON body of a webhook answer: the delivery's outcome and
// one entry per change. It is also the result stored in the idempotency
// record and replayed to duplicates.
type Report struct {
	Outcome string         `json:"outcome"`
	Changes []ChangeReport `json:"changes,omitempty"`
}

// Result is what a flow answers: the HTTP status, the JSON body and, for
// the handler's one log line, the outcome and the cause of a failure.
type Result struct {
	Status int
	// Body is marshalled as the JSON response body.
	Body any
	// Header holds extra response headers (Retry-After).
	Header map[string]string
	// Outcome summarises the result for the log line.
	Outcome string
	// Err is the cause of a failure, for the log line only (never sent).
	Err error
}

func errorResult(status int, code, msg string, cause error) Result {
	return Result{Status: status, Body: ErrorBody{Error: code, Message: msg}, Outcome: code, Err: cause}
}

// ErrorBody is the JSON body of an error answer (apigw.ErrorBody's shape).
type ErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// retryable reports whether err is transient: the sender should deliver
// the triggering event again later. Unknown errors count as transient, so
// that nothing is lost to a failure nobody classified; permanent ones are
// refusals that a repeat would meet again.
func retryable(err error) bool {
	var rej *PeerRejectedError
	var apiErr *ghl.Error
	var rle *ghl.RateLimitError
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrPeerUnavailable), errors.As(err, &rle), errors.Is(err, ghl.ErrAmbiguous):
		return true
	case errors.As(err, &rej):
		return false
	case errors.Is(err, ghl.ErrInvalidArgument), errors.Is(err, store.ErrInvalid):
		return false
	case errors.Is(err, tokens.ErrReauthRequired), tokens.IsTemporary(err):
		return true
	case errors.As(err, &apiErr):
		s := apiErr.StatusCode
		return s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s == http.StatusUnauthorized || s >= 500
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var pe *permanentError
	return !errors.As(err, &pe)
}

// permanentError marks a failure of the flow's own checks (bad data) that
// no repeat can fix.
type permanentError struct{ msg string }

func (e *permanentError) Error() string { return e.msg }

func permanent(msg string) error { return &permanentError{msg: msg} }

// isNotFound reports a GHL 404.
func isNotFound(err error) bool {
	var apiErr *ghl.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// isUnprocessable reports a GHL 422 (validation; on create it may still
// have created the object).
func isUnprocessable(err error) bool {
	var apiErr *ghl.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity
}

// runDelivery runs fn under the idempotency record (scope, key) and turns
// the outcome into a Result. retryStatus is what the sender retries on
// (429 for GHL, 503 for the peer); busyStatus answers a duplicate that
// arrives while the first is still running (429 for GHL, 409 for the peer);
// failStatus answers a permanent failure (200 for GHL, which drops
// anything else; 422 for the peer).
func (s *Syncer) runDelivery(ctx context.Context, scope, key string, body []byte, retryStatus, busyStatus, failStatus int,
	fn func(ctx context.Context) (Report, error)) Result {
	var rep Report
	ctx, tx := withLinkTx(ctx)
	out, replayed, err := s.opts.Idempotency.RunWithLink(ctx, scope, key, body, func(ctx context.Context) ([]byte, *idempotency.LinkWrite, error) {
		var ferr error
		rep, ferr = fn(ctx)
		if ferr != nil {
			// Keep what earlier changes of the delivery wrote.
			if w := tx.take(); w != nil {
				ferr = errors.Join(ferr, s.writeLink(ctx, w))
			}
			return nil, nil, ferr
		}
		b, err := json.Marshal(rep)
		return b, tx.take(), err
	})
	switch {
	case errors.Is(err, idempotency.ErrInProgress):
		return Result{Status: busyStatus, Body: ErrorBody{Error: "in_progress", Message: "this delivery is being processed; retry later"},
			Header: map[string]string{"Retry-After": "5"}, Outcome: "in_progress", Err: err}
	case errors.Is(err, idempotency.ErrPayloadMismatch):
		return errorResult(http.StatusUnprocessableEntity, "id_reused", "this delivery id was used before with a different body", err)
	case errors.Is(err, tokens.ErrReauthRequired):
		// The location's installation needs a new OAuth install; the
		// handler's log line (outcome reauth_required) raises the alarm.
		return Result{Status: retryStatus, Body: ErrorBody{Error: "reauth_required", Message: "the GHL location must authorise the app again; deliver it again later"},
			Header: map[string]string{"Retry-After": "300"}, Outcome: OutcomeReauthRequired, Err: err}
	case err != nil:
		if retryable(err) {
			return Result{Status: retryStatus, Body: ErrorBody{Error: "retry", Message: "the change could not be completed now; deliver it again"},
				Header: map[string]string{"Retry-After": "30"}, Outcome: "retry", Err: err}
		}
		// Only flow errors that are permanent reach here (Report carries
		// them); a store that refuses the record is one too.
		return errorResult(failStatus, "failed", "the change cannot be applied", err)
	case replayed:
		var stored Report
		if jerr := json.Unmarshal(out, &stored); jerr != nil {
			stored = Report{Outcome: OutcomeDuplicate}
		}
		stored.Outcome = OutcomeDuplicate
		return Result{Status: http.StatusOK, Body: stored, Outcome: OutcomeDuplicate}
	}
	status := http.StatusOK
	if rep.Outcome == OutcomeFailed {
		status = failStatus
	}
	var cause error
	for _, c := range rep.Changes {
		if c.Outcome == OutcomeFailed {
			cause = errors.Join(cause, errors.New(string(c.Type)+" "+c.GHLID+c.PeerID+": "+c.Reason))
		}
	}
	return Result{Status: status, Body: rep, Outcome: rep.Outcome, Err: cause}
}

// summarize sets the delivery outcome from its changes: failed when any
// failed, else synced when any synced, else the first change's outcome.
func summarize(changes []ChangeReport) Report {
	rep := Report{Changes: changes, Outcome: OutcomeIgnored}
	for _, c := range changes {
		switch {
		case c.Outcome == OutcomeFailed:
			rep.Outcome = OutcomeFailed
			return rep
		case c.Outcome == OutcomeSynced:
			rep.Outcome = OutcomeSynced
		}
	}
	if rep.Outcome != OutcomeSynced && len(changes) > 0 {
		rep.Outcome = changes[0].Outcome
	}
	return rep
}

// finish turns a change's error into its report: a permanent error is
// recorded as failed, a transient one is returned to fail the delivery.
func finish(rep ChangeReport, err error) (ChangeReport, error) {
	if err == nil {
		return rep, nil
	}
	if retryable(err) {
		return rep, err
	}
	rep.Outcome, rep.Reason = OutcomeFailed, err.Error()
	return rep, nil
}

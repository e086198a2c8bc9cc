package sweep

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/store"
)

// Defaults of Options.
const (
	DefaultMargin      = 5 * time.Second
	DefaultOverlap     = 2 * time.Minute
	DefaultDeleteEvery = 6 * time.Hour
	DefaultWorkers     = 8
	DefaultParallel    = 4
	DefaultPageLimit   = ghl.MaxSearchPageLimit
	// The calendar window of the appointments stream: events starting from
	// a day back to 30 days ahead.
	DefaultCalendarLookback = 24 * time.Hour
	DefaultCalendarHorizon  = 30 * 24 * time.Hour
)

// Options configure a Runner. Store, GHL and Syncer are required.
type Options struct {
	Store  Store
	GHL    Clients
	Syncer Deliverer
	// Clock stamps cursors and daily pauses (the GHL client's clock;
	// system if nil).
	Clock ghl.Clock
	// WallNow reads the wall clock the context deadline is on (time.Now
	// if nil).
	WallNow func() time.Time
	// Margin is how long before the context deadline a sweep stops
	// starting new work (default 5 s).
	Margin time.Duration
	// Overlap is how far back of its cursor each run of a contact-ordered
	// stream starts reading, so that a contact whose update became
	// visible to search late is not skipped (default 2 min; re-reads are
	// unchanged by fingerprint and not delivered again).
	Overlap time.Duration
	// DeleteEvery is the period of delete detection (default 6 h).
	DeleteEvery time.Duration
	// Workers deliver one page concurrently (default 8).
	Workers int
	// Parallel locations swept at once (default 4).
	Parallel int
	// PageLimit of contact and task searches (default 100).
	PageLimit int
	// Progress, when set, is called (from the sweeping goroutine) with a
	// location's report so far after every checkpoint.
	Progress func(LocationReport)
	// Budget, when set, paces each location's sweep requests to its
	// sweep share (Budget.Pace); its Transport should carry the clients'
	// requests.
	Budget *Budget
	// CalendarLookback and CalendarHorizon bound the calendar window the
	// appointments stream reads after its contact pass: the events of each
	// of the location's calendars overlapping [now - CalendarLookback,
	// now + CalendarHorizon] (defaults 1 day and 30 days). A negative
	// CalendarHorizon turns the window off.
	CalendarLookback time.Duration
	CalendarHorizon  time.Duration
	// Calendars adds calendar ids, per location id, to those GET
	// /calendars/ lists (the only ones read when the token lacks the
	// calendars.readonly scope).
	Calendars map[string][]string
	// DailyReserve is how many of the day's GHL requests a sweep leaves to
	// webhook traffic: it stops a location (daily_limit) once GHL reports
	// that few left (default: 1 % of the daily limit, at least 2 per
	// worker).
	DailyReserve int
}

// Runner runs sweeps. It is safe for concurrent use.
type Runner struct {
	opts Options
}

// ErrNotConfigured reports a Runner built without a required dependency.
var ErrNotConfigured = errors.New("sweep: not configured")

// New returns a Runner.
func New(opts Options) (*Runner, error) {
	if opts.Store == nil || opts.GHL == nil || opts.Syncer == nil {
		return nil, fmt.Errorf("%w: Store, GHL and Syncer are required", ErrNotConfigured)
	}
	if opts.Clock == nil {
		opts.Clock = ghl.SystemClock()
	}
	if opts.WallNow == nil {
		opts.WallNow = time.Now
	}
	if opts.Margin <= 0 {
		opts.Margin = DefaultMargin
	}
	if opts.Overlap == 0 {
		opts.Overlap = DefaultOverlap
	}
	if opts.DeleteEvery <= 0 {
		opts.DeleteEvery = DefaultDeleteEvery
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.CalendarLookback <= 0 {
		opts.CalendarLookback = DefaultCalendarLookback
	}
	if opts.CalendarHorizon == 0 {
		opts.CalendarHorizon = DefaultCalendarHorizon
	}
	if opts.PageLimit <= 0 || opts.PageLimit > ghl.MaxSearchPageLimit {
		opts.PageLimit = DefaultPageLimit
	}
	return &Runner{opts: opts}, nil
}

// Run sweeps in.Stream for in.LocationID, or for every active location
// installation (uninstalled, reauth_required and agency records skipped),
// Parallel at a time. It stops Margin before ctx's deadline, each location
// having checkpointed its cursor. One location's failure does not stop the
// others: it is in the report (Report.Err joins them). The error is only
// for a bad input or an unreadable install registry.
func (r *Runner) Run(ctx context.Context, in Input) (Report, error) {
	rep := Report{Stream: in.Stream}
	if err := in.Validate(); err != nil {
		return rep, err
	}
	locs, skipped, err := r.locations(ctx, in.LocationID)
	if err != nil {
		return rep, err
	}
	stopAt := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if d, ok := ctx.Deadline(); ok {
		stopAt = d.Add(-r.opts.Margin)
	}
	rep.Locations = make([]LocationReport, len(locs))
	sem := make(chan struct{}, r.opts.Parallel)
	var wg sync.WaitGroup
	for i, loc := range locs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rep.Locations[i] = r.runLocation(ctx, in, loc, stopAt)
		}()
	}
	wg.Wait()
	for _, loc := range skipped {
		rep.Locations = append(rep.Locations, LocationReport{LocationID: loc, Stream: in.Stream, Outcome: OutcomeNotInstalled})
	}
	return rep, nil
}

// locations returns the locations to sweep and the named one when it is
// not active.
func (r *Runner) locations(ctx context.Context, only string) (run, skipped []string, err error) {
	if only != "" {
		in, err := r.opts.Store.GetInstallation(ctx, only)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// A location configured outside the registry (a Private
			// Integration Token given to the backfill command).
			return []string{only}, nil, nil
		case err != nil:
			return nil, nil, fmt.Errorf("sweep: installation %s: %w", only, err)
		case in.Company || in.Status != store.InstallActive:
			return nil, []string{only}, nil
		}
		return []string{only}, nil, nil
	}
	all, err := r.opts.Store.ListInstallations(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("sweep: list installations: %w", err)
	}
	for _, in := range all {
		if !in.Company && in.Status == store.InstallActive && in.LocationID != "" {
			run = append(run, in.LocationID)
		}
	}
	sort.Strings(run)
	return run, nil, nil
}

// job is one stream's sweep of one location.
type job struct {
	r      *Runner
	loc    string
	stream Stream
	api    API
	stopAt time.Time
	force  bool

	mu    sync.Mutex
	rep   *LocationReport
	reqs  atomic.Int64
	daily atomic.Bool
	// work is ctx without its cancellation: a page that started finishes
	// its deliveries and its checkpoint (the sweep stops Margin early).
	work context.Context
}

// ghlDailyLimit is GHL's documented daily budget per app and location.
const ghlDailyLimit = 200000

// errStopped ends a sweep at its time budget.
var errStopped = errors.New("sweep: time budget reached")

func (r *Runner) runLocation(ctx context.Context, in Input, loc string, stopAt time.Time) LocationReport {
	start := r.opts.WallNow()
	rep := LocationReport{LocationID: loc, Stream: in.Stream}
	j := &job{r: r, loc: loc, stream: in.Stream, stopAt: stopAt, force: in.Deletes, rep: &rep}
	err := j.run(ctx)
	rep.Requests = int(j.reqs.Load())
	rep.DurationMS = r.opts.WallNow().Sub(start).Milliseconds()
	switch {
	case err == nil:
		if rep.Outcome == "" {
			rep.Outcome = OutcomeCaughtUp
		}
	case errors.Is(err, errStopped):
		rep.Outcome, rep.StoppedByDeadline = OutcomeDeadline, true
	case errors.Is(err, ghl.ErrDailyLimit):
		rep.Outcome, rep.DailyLimit = OutcomeDailyLimit, true
		rep.ResumeAt = nextDay(r.opts.Clock.Now())
		if perr := j.putPause(context.WithoutCancel(ctx), rep.ResumeAt); perr != nil {
			rep.err = fmt.Errorf("location %s: record the daily-limit pause: %w", loc, perr)
			rep.Error = rep.err.Error()
		}
	default:
		rep.Outcome = OutcomeFailed
		rep.err = fmt.Errorf("sweep %s of location %s: %w", in.Stream, loc, err)
		rep.Error = rep.err.Error()
	}
	return rep
}

func (j *job) run(ctx context.Context) error {
	until, err := j.pausedUntil(ctx)
	if err != nil {
		return err
	}
	if now := j.r.opts.Clock.Now(); now.Before(until) {
		j.rep.Outcome, j.rep.DailyLimit, j.rep.ResumeAt = OutcomePaused, true, until
		return nil
	}
	if j.timeUp() {
		return errStopped
	}
	api, err := j.r.opts.GHL.APIFor(ctx, j.loc)
	if err != nil {
		return fmt.Errorf("GHL client: %w", err)
	}
	reserve := j.r.opts.DailyReserve
	if reserve <= 0 {
		reserve = max(2*j.r.opts.Workers, ghlDailyLimit/100)
	}
	c := counted{api: api, loc: j.loc, reserve: reserve, n: &j.reqs, stopped: &j.daily}
	if b := j.r.opts.Budget; b != nil {
		c.pace = func(ctx context.Context) error { return b.Pace(ctx, j.loc) }
	}
	j.api = c
	j.work = context.WithoutCancel(ctx)
	switch j.stream {
	case Contacts:
		err = j.contacts(ctx)
	case Tasks:
		err = j.tasks(ctx)
	case Notes:
		err = j.scanContacts(ctx, string(Notes), j.notesOf)
	case Appointments:
		if err = j.scanContacts(ctx, string(Appointments), j.appointmentsOf); err == nil {
			err = j.calendarWindow(ctx)
		}
	}
	if err != nil {
		return err
	}
	return j.deletes(ctx)
}

func (j *job) timeUp() bool { return !j.r.opts.WallNow().Before(j.stopAt) }

// ghlCtx bounds GHL calls (and their rate-limit waits) by the time budget
// and marks them as sweep traffic for the shared Budget.
func (j *job) ghlCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithDeadline(ctx, j.stopAt)
	return ForSweep(c), cancel
}

// ghlErr classifies a GHL call's failure: the daily limit passes through,
// running out of time (budget or deadline) is errStopped.
func (j *job) ghlErr(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ghl.ErrDailyLimit):
		return err
	case ctx.Err() == nil && (errors.Is(err, ErrBudgetDeadline) || errors.Is(err, context.DeadlineExceeded)):
		return fmt.Errorf("%w: %v", errStopped, err)
	}
	return err
}

// deliver hands one entity to the Syncer and counts the outcome.
func (j *job) deliver(_ context.Context, kind crmsync.Kind, contactID string, entity any) error {
	rep, err := j.r.opts.Syncer.SyncFromGHL(j.work, j.loc, kind, contactID, entity)
	if err != nil {
		return err
	}
	j.count(rep.Outcome, false)
	return nil
}

func (j *job) deleted(_ context.Context, kind crmsync.Kind, ghlID, contactID string) error {
	rep, err := j.r.opts.Syncer.SyncDeletedFromGHL(j.work, j.loc, kind, ghlID, contactID)
	if err != nil {
		return err
	}
	j.count(rep.Outcome, true)
	return nil
}

func (j *job) count(outcome string, del bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case outcome == crmsync.OutcomeSynced && del:
		j.rep.Deleted++
	case outcome == crmsync.OutcomeSynced:
		j.rep.Seen++
		j.rep.Delivered++
	case outcome == crmsync.OutcomeFailed:
		j.rep.Failed++
	case !del:
		j.rep.Seen++
		j.rep.Unchanged++
	}
}

func (j *job) addPage() {
	j.mu.Lock()
	j.rep.Pages++
	j.mu.Unlock()
}

// progress reports the location's counts so far to Options.Progress.
func (j *job) progress() {
	if j.r.opts.Progress == nil {
		return
	}
	j.mu.Lock()
	rep := *j.rep
	j.mu.Unlock()
	rep.Requests = int(j.reqs.Load())
	j.r.opts.Progress(rep)
}

// each runs fn for 0..n-1 on Workers goroutines and returns how many
// leading items succeeded and the error of the first that did not.
func (j *job) each(n int, fn func(i int) error) (int, error) {
	errs := make([]error, n)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(j.r.opts.Workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if j.timeUp() {
					errs[i] = errStopped
					continue
				}
				errs[i] = fn(i)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return i, err
		}
	}
	return n, nil
}

// isNotFound reports a GHL 404.
func isNotFound(err error) bool {
	var e *ghl.Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// scopeDenied reports a GHL 401 or 403: the token lacks the scope.
func scopeDenied(err error) bool {
	var e *ghl.Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden)
}

func nextDay(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

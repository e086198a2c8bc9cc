package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/sweep"
)

// run is one chaos run.
type run struct {
	cfg        Config
	e          *env
	w          *workload
	q          *queue
	stats      stats
	rejections counters
	events     counters // workload events by side and domain
	hookMu     sync.Mutex
	traceMu    sync.Mutex
	// peerMade is when the peer made its last change to each of its
	// entities (kind/peer id): from then on the peer holds that state
	// itself, whatever ghlsync delivered to it before (Check).
	peerMade map[string]time.Time
}

func (r *run) faultsOn() bool { return r.e.faultsOn.Load() }

// Run makes cfg.Events changes on both sides, delivers each 1..MaxCopies
// times in shuffled order through the functions' routes while faults are
// injected into GHL, the peer, DynamoDB and the handlers themselves, lets
// the senders redeliver as they do, runs one sweep per stream, and
// compares GHL, the peer and the expected state.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.defaults(); err != nil {
		return Report{}, err
	}
	start := time.Now()
	e, err := newEnv(ctx, cfg)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	r := &run{cfg: cfg, e: e, w: newWorkload(cfg.Seed, e.sb, e.loc), q: newQueue()}

	wctx, stopWorkers := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Go(func() {
			for d := r.q.pop(wctx); d != nil; d = r.q.pop(wctx) {
				r.deliver(context.WithoutCancel(wctx), d)
			}
		})
	}
	pumpDone := make(chan struct{})
	go func() {
		defer close(pumpDone)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
				r.pumpHooks()
			}
		}
	}()
	defer func() {
		stopWorkers()
		r.q.close()
		wg.Wait()
		<-pumpDone
	}()

	e.setFaults(true)
	phase1 := cfg.Events * 3 / 4
	if err := r.produce(ctx, phase1); err != nil {
		return Report{}, err
	}
	if err := r.settle(ctx); err != nil {
		return Report{}, err
	}
	cfg.Progress("chaos: phase 1 (%d events) delivered in %s", phase1, time.Since(start).Round(time.Millisecond))
	if err := r.produce(ctx, cfg.Events); err != nil {
		return Report{}, err
	}
	if err := r.settle(ctx); err != nil {
		return Report{}, err
	}
	stormEnd := time.Now()
	cfg.Progress("chaos: phase 2 delivered; %d events in %s", cfg.Events, stormEnd.Sub(start).Round(time.Millisecond))

	e.setFaults(cfg.SweepFaults)
	var sweeps []sweep.LocationReport
	for _, s := range sweep.Streams {
		rep, err := e.runner.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: s, Deletes: true})
		if err != nil {
			return Report{}, fmt.Errorf("chaos: sweep %s: %w", s, err)
		}
		sweeps = append(sweeps, rep.Totals())
		if err := rep.Err(); err != nil {
			return Report{}, fmt.Errorf("chaos: sweep %s: %w", s, err)
		}
	}
	e.setFaults(false)
	if err := r.settle(ctx); err != nil {
		return Report{}, err
	}
	cfg.Progress("chaos: sweeps done in %s", time.Since(stormEnd).Round(time.Millisecond))

	rep := r.report(sweeps)
	rep.Check = r.check()
	rep.StormTime = stormEnd.Sub(start)
	rep.WallTime = time.Since(start)
	return rep, nil
}

// produce makes events up to total, a batch at a time: a batch's GHL
// changes are applied to the sandbox (their webhooks are captured), its
// peer events queued in 1..MaxCopies copies at random offsets within
// Spread; the next batch is made once the queue is down to one batch.
func (r *run) produce(ctx context.Context, total int) error {
	for r.w.n < total {
		for i := 0; i < r.cfg.Batch && r.w.n < total; i++ {
			idx := r.w.n
			c := r.w.next(r.cfg.Events)
			side := "peer"
			if c.ghl != nil {
				side = "ghl"
				if err := c.ghl(); err != nil {
					return fmt.Errorf("chaos: GHL change %d (%s): %w", idx, c.domain, err)
				}
			} else {
				body, err := c.peer.Body(time.Now())
				if err != nil {
					return err
				}
				r.stats.peerEvents.Add(1)
				if r.peerMade == nil {
					r.peerMade = map[string]time.Time{}
				}
				r.peerMade[string(c.peer.Type.Kind())+"/"+peerIDOf(c.peer.Data)] = time.Now()
				r.enqueue(false, string(c.peer.Type.Kind())+"s", c.peer.ID, nil, body)
			}
			r.events.add(side+" "+c.domain, 1)
		}
		if err := r.q.waitBelow(ctx, r.cfg.Batch*r.cfg.MaxCopies); err != nil {
			return err
		}
	}
	return nil
}

// enqueue queues the copies of one event.
func (r *run) enqueue(ghl bool, domain, id string, header http.Header, body []byte) {
	key := hashString(id) ^ hashString(string(body))
	copies := 1 + int(roll(r.cfg.Seed, "copies", key)*float64(r.cfg.MaxCopies))
	now := time.Now()
	for c := range copies {
		r.stats.copies.Add(1)
		off := time.Duration(roll(r.cfg.Seed, "offset", key^uint64(c+1)<<56) * float64(r.cfg.Spread))
		r.q.push(&delivery{ghl: ghl, domain: domain, id: id, header: header, body: body, copy: c, due: now.Add(off)}, false)
	}
}

// pumpHooks queues the webhooks the sandbox sent since the last call and
// returns how many.
func (r *run) pumpHooks() int {
	r.hookMu.Lock()
	defer r.hookMu.Unlock()
	n := 0
	for {
		select {
		case h := <-r.e.hooks:
			n++
			r.stats.ghlWebhooks.Add(1)
			r.enqueue(true, h.domain, webhookID(h.body), h.header, h.body)
		default:
			return n
		}
	}
}

// settle waits until every delivery, redelivery and webhook the app's
// own GHL writes caused is done.
func (r *run) settle(ctx context.Context) error {
	for {
		fctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := r.e.sb.Flush(fctx)
		cancel()
		if err != nil {
			return fmt.Errorf("chaos: flush the sandbox's webhooks: %w", err)
		}
		pumped := r.pumpHooks()
		if err := r.q.waitBelow(ctx, 0); err != nil {
			return err
		}
		if pumped == 0 && len(r.e.hooks) == 0 {
			// One more flush: the last deliveries may have made webhooks.
			fctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := r.e.sb.Flush(fctx)
			cancel()
			if err != nil {
				return err
			}
			if len(r.e.hooks) == 0 {
				return nil
			}
		}
	}
}

// webhookID reads the webhookId of a GHL webhook body.
func webhookID(body []byte) string {
	var v struct {
		WebhookID string `json:"webhookId"`
	}
	_ = json.Unmarshal(body, &v)
	return v.WebhookID
}

// peerIDOf returns the peer id a peer event's data names.
func peerIDOf(data any) string {
	switch d := data.(type) {
	case crmsync.Contact:
		return d.PeerID
	case crmsync.Task:
		return d.PeerID
	case crmsync.Note:
		return d.PeerID
	case crmsync.Appointment:
		return d.PeerID
	case crmsync.Ref:
		return d.PeerID
	case stdwebhooks.TagChange:
		return d.PeerID
	}
	return ""
}

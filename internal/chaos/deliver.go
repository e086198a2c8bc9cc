package chaos

import (
	"container/heap"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Senders' retry schedules, compressed: GHL redelivers only after a 429,
// at most ghlRetries times (ghlsandbox's default); the peer (a Standard
// Webhooks sender) after any failure, at most peerRetries times.
const (
	ghlRetries  = 6
	peerRetries = 12
	retryBase   = 100 * time.Millisecond
	retryMax    = 2 * time.Second
)

// delivery is one copy of one event on its way to the app.
type delivery struct {
	ghl     bool
	domain  string // route domain: contacts, tasks, notes, appointments
	id      string // webhook id
	header  http.Header
	body    []byte
	copy    int
	attempt int
	due     time.Time
}

// queue holds the deliveries by due time; outstanding counts the ones
// queued or being delivered.
type queue struct {
	mu          sync.Mutex
	cond        *sync.Cond
	items       dueHeap
	outstanding int
	closed      bool
	wake        chan struct{}
}

type dueHeap []*delivery

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(*delivery)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func newQueue() *queue {
	q := &queue{wake: make(chan struct{}, 1)}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push queues a new delivery (retry false) or a redelivery of one being
// delivered (retry true: it stays outstanding).
func (q *queue) push(d *delivery, retry bool) {
	q.mu.Lock()
	heap.Push(&q.items, d)
	if !retry {
		q.outstanding++
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// done marks a delivery finished.
func (q *queue) done() {
	q.mu.Lock()
	q.outstanding--
	q.mu.Unlock()
	q.cond.Broadcast()
}

// pop waits for the next due delivery; nil when the queue is closed.
func (q *queue) pop(ctx context.Context) *delivery {
	for {
		q.mu.Lock()
		if q.closed || ctx.Err() != nil {
			q.mu.Unlock()
			return nil
		}
		wait := 50 * time.Millisecond
		if len(q.items) > 0 {
			if d := time.Until(q.items[0].due); d <= 0 {
				x := heap.Pop(&q.items).(*delivery)
				q.mu.Unlock()
				return x
			} else if d < wait {
				wait = d
			}
		}
		q.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-q.wake:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
}

// waitBelow waits until at most n deliveries are outstanding.
func (q *queue) waitBelow(ctx context.Context, n int) error {
	stop := context.AfterFunc(ctx, q.cond.Broadcast)
	defer stop()
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.outstanding > n && ctx.Err() == nil {
		q.cond.Wait()
	}
	return ctx.Err()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
	close(q.wake)
}

// stats counts what happened to the deliveries.
type stats struct {
	deliveries, redeliveries, ghlWebhooks, peerEvents, copies atomic.Int64
	ghlDropped, peerGaveUp, peerRejected                      atomic.Int64
	byStatus                                                  counters
}

// request builds the API Gateway payload 2.0 event of a delivery.
func request(routeKey string, header http.Header, body []byte) events.APIGatewayV2HTTPRequest {
	method, path, _ := strings.Cut(routeKey, " ")
	h := make(map[string]string, len(header)+1)
	for k, v := range header {
		h[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if _, ok := h["content-type"]; !ok {
		h["content-type"] = "application/json"
	}
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: path, Headers: h, Body: string(body),
		RequestContext: events.APIGatewayV2HTTPRequestContext{RouteKey: routeKey,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}},
	}
}

func retryDelay(seed uint64, d *delivery) time.Duration {
	wait := min(retryBase<<d.attempt, retryMax)
	return wait + time.Duration(roll(seed, "retry/"+d.id, uint64(d.attempt)<<8|uint64(d.copy))*float64(retryBase))
}

// deliver runs one delivery through the app's routes as its sender
// would, and decides what the sender does next.
func (r *run) deliver(base context.Context, d *delivery) {
	r.stats.deliveries.Add(1)
	if d.attempt > 0 {
		r.stats.redeliveries.Add(1)
	}
	side := "peer"
	if d.ghl {
		side = "ghl"
	}
	route := "POST /" + side + "/webhooks/" + d.domain
	header := d.header
	if !d.ghl {
		header = r.e.sender.SignRaw(d.id, time.Now(), d.body).Header
	}
	ctx, cancel := context.WithTimeout(base, r.cfg.HandlerTimeout)
	defer cancel()
	key := hashString(d.id) ^ uint64(d.copy)<<40 ^ uint64(d.attempt)<<48
	var stopped atomic.Bool
	if r.faultsOn() && roll(r.cfg.Seed, "cancel", key) < r.cfg.Cancel {
		after := time.Duration(roll(r.cfg.Seed, "cancel/after", key) * float64(40*time.Millisecond))
		t := time.AfterFunc(after, func() { stopped.Store(true); cancel() })
		defer t.Stop()
	}
	sink := &traceSink{}
	if r.cfg.Trace != nil {
		ctx = context.WithValue(ctx, sinkKey{}, sink)
	}
	began := time.Now()
	resp, _ := r.e.handler.Handle(ctx, request(route, header, d.body))
	took := time.Since(began)
	status := resp.StatusCode
	if stopped.Load() {
		// The function was stopped mid-flight: the sender got no answer
		// (API Gateway's 5xx).
		r.e.counts.add(FaultCancel, 1)
		status = 0
	}
	r.stats.byStatus.add(side+" "+statusName(status), 1)
	if r.cfg.Trace != nil {
		r.traceMu.Lock()
		fmt.Fprintf(r.cfg.Trace, "%s %s took=%s %s copy=%d attempt=%d status=%d %s", time.Now().Format("15:04:05.000"), side, took.Round(time.Millisecond), d.id, d.copy, d.attempt, status, resp.Body)
		if sink.err != "" {
			fmt.Fprintf(r.cfg.Trace, " error=%q", sink.err)
		}
		fmt.Fprintln(r.cfg.Trace)
		r.traceMu.Unlock()
	}

	retry := false
	switch {
	case d.ghl && status == http.StatusOK:
	case d.ghl && status == http.StatusTooManyRequests:
		if retry = d.attempt < ghlRetries; !retry {
			r.stats.ghlDropped.Add(1)
		}
	case d.ghl:
		// GHL redelivers only after a 429: anything else loses the event
		// (the sweep must recover it).
		r.stats.ghlDropped.Add(1)
	case status/100 == 2:
	case status == 0 || status == http.StatusConflict || status == http.StatusTooManyRequests || status >= 500:
		if retry = d.attempt < peerRetries; !retry {
			r.stats.peerGaveUp.Add(1)
		}
	default:
		r.stats.peerRejected.Add(1)
		r.rejections.add(d.domain+" "+statusName(status)+" "+resp.Body, 1)
	}
	if retry {
		next := *d
		next.attempt++
		next.due = time.Now().Add(retryDelay(r.cfg.Seed, d))
		r.q.push(&next, true)
		return
	}
	r.q.done()
}

func statusName(s int) string {
	if s == 0 {
		return "no answer"
	}
	return strconv.Itoa(s)
}

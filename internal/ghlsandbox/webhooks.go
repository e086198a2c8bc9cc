package ghlsandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Domain groups webhook events by the URL they are sent to: the marketplace
// app has one URL per event, configured here per domain (DESIGN §2).
type Domain string

// Webhook domains.
const (
	DomainContacts     Domain = "contacts"     // Contact*
	DomainTasks        Domain = "tasks"        // Task*
	DomainNotes        Domain = "notes"        // Note*
	DomainAppointments Domain = "appointments" // Appointment*
	DomainApp          Domain = "app"          // INSTALL, UNINSTALL (the app's default webhook URL)
)

// Domains lists every webhook domain.
var Domains = []Domain{DomainContacts, DomainTasks, DomainNotes, DomainAppointments, DomainApp}

// Delivery outcomes.
const (
	OutcomeDelivered = "delivered" // 2xx
	OutcomeRetry     = "retry"     // 429; another attempt is scheduled
	OutcomeExhausted = "exhausted" // 429 on the last allowed attempt
	OutcomeFailed    = "failed"    // any other status or no answer: dropped, as GHL does
	OutcomeDropped   = "dropped"   // never sent (fault injection)
)

// Delivery is one attempt (or one fault-dropped event) in the delivery log.
type Delivery struct {
	WebhookID string
	Type      string
	Domain    Domain
	URL       string
	// Attempt counts from 1; redeliveries after 429 increase it.
	Attempt int
	// Duplicate marks the second copy sent by the Duplicate fault.
	Duplicate bool
	// ScheduledAt is the sandbox time the attempt was planned for; At is
	// when it was made.
	ScheduledAt time.Time
	At          time.Time
	Status      int // 0 when there was no HTTP answer
	Err         string
	Outcome     string
	Body        []byte
}

type event struct {
	id, typ string
	domain  Domain
	body    []byte
}

type job struct {
	ev        *event
	attempt   int
	dup       bool
	reorder   bool
	scheduled time.Time
}

type queue struct {
	mu    sync.Mutex
	items []*job
	wake  chan struct{}
}

func (q *queue) push(j *job) {
	q.mu.Lock()
	q.items = append(q.items, j)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) pop() *job {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return nil
	}
	j := q.items[0]
	q.items = q.items[1:]
	return j
}

type webhooks struct {
	s      *Sandbox
	opts   WebhookOptions
	signer *signer

	mu     sync.RWMutex
	urls   map[Domain]string
	queues map[Domain]*queue
	log    []Delivery

	pending atomic.Int64
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func newWebhooks(s *Sandbox, o Options) (*webhooks, error) {
	sg, err := newSigner(o)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &webhooks{s: s, opts: o.Webhooks, signer: sg, urls: map[Domain]string{}, queues: map[Domain]*queue{}, ctx: ctx, cancel: cancel}, nil
}

func (h *webhooks) close() {
	h.cancel()
	h.wg.Wait()
}

// SetWebhookURL sets (or, with "", clears) the URL that receives the
// domain's events.
func (s *Sandbox) SetWebhookURL(d Domain, url string) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if url == "" {
		delete(s.hooks.urls, d)
		return
	}
	s.hooks.urls[d] = url
}

// Deliveries returns a copy of the delivery log, in attempt order (the
// most recent entries when more than 20,000 were recorded).
func (s *Sandbox) Deliveries() []Delivery {
	s.hooks.mu.RLock()
	defer s.hooks.mu.RUnlock()
	return append([]Delivery(nil), s.hooks.log...)
}

// Flush waits until no webhook delivery is queued, in flight or scheduled for
// redelivery. With a FakeClock, scheduled redeliveries wait for Advance.
func (s *Sandbox) Flush(ctx context.Context) error {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for s.hooks.pending.Load() > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("ghlsandbox: flush: %d deliveries pending: %w", s.hooks.pending.Load(), ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

func eventDomain(typ string) Domain {
	switch {
	case typ == "INSTALL" || typ == "UNINSTALL":
		return DomainApp
	case len(typ) > 7 && typ[:7] == "Contact":
		return DomainContacts
	case len(typ) > 4 && typ[:4] == "Task":
		return DomainTasks
	case len(typ) > 4 && typ[:4] == "Note":
		return DomainNotes
	default:
		return DomainAppointments
	}
}

func (h *webhooks) url(d Domain) string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.urls[d]
}

// envelope is the part of every payload that is not the entity.
type envelope struct {
	Type       string `json:"type"`
	LocationID string `json:"locationId,omitempty"`
}

// trailer carries the delivery fields real deliveries add (NOTES §7.1).
type trailer struct {
	WebhookID string `json:"webhookId"`
	Timestamp string `json:"timestamp"`
	AppID     string `json:"appId"`
	VersionID string `json:"versionId"`
}

// emit builds the payload with build (only when the domain has a URL), then
// applies the webhook faults and queues the delivery.
func (s *Sandbox) emit(typ string, build func(f webhookFault, t trailer) any) {
	h := s.hooks
	d := eventDomain(typ)
	u := h.url(d)
	if u == "" {
		return
	}
	f := s.webhookFaults(typ)
	t := trailer{WebhookID: s.ids.id(), Timestamp: fmtTime(s.now()), AppID: s.defApp.ID, VersionID: s.defApp.VersionID}
	body, err := json.Marshal(build(f, t))
	if err != nil {
		return
	}
	ev := &event{id: t.WebhookID, typ: typ, domain: d, body: body}
	now := s.clock.Now()
	if f.drop {
		h.record(Delivery{WebhookID: ev.id, Type: typ, Domain: d, URL: u, Attempt: 1, ScheduledAt: now, At: now, Outcome: OutcomeDropped, Body: body})
		return
	}
	h.enqueue(&job{ev: ev, attempt: 1, reorder: f.reorder, scheduled: now})
	if f.dup {
		h.enqueue(&job{ev: ev, attempt: 1, dup: true, scheduled: now})
	}
}

// maxDeliveryLog bounds the delivery log of a long-running sandbox; the
// oldest entries are dropped first.
const maxDeliveryLog = 20000

func (h *webhooks) record(d Delivery) {
	h.mu.Lock()
	h.log = append(h.log, d)
	if len(h.log) > maxDeliveryLog {
		h.log = append([]Delivery(nil), h.log[len(h.log)-maxDeliveryLog/2:]...)
	}
	h.mu.Unlock()
}

func (h *webhooks) enqueue(j *job) {
	h.pending.Add(1)
	h.mu.Lock()
	q := h.queues[j.ev.domain]
	if q == nil {
		q = &queue{wake: make(chan struct{}, 1)}
		h.queues[j.ev.domain] = q
		h.wg.Add(1)
		go h.work(q)
	}
	h.mu.Unlock()
	q.push(j)
}

// work delivers one domain's events in order, one at a time.
func (h *webhooks) work(q *queue) {
	defer h.wg.Done()
	for {
		j := q.pop()
		if j == nil {
			select {
			case <-q.wake:
				continue
			case <-h.ctx.Done():
				return
			}
		}
		if j.reorder && j.attempt == 1 && !j.dup {
			// Hold the event back until the next one has gone (or 20 ms).
			next := q.pop()
			if next == nil {
				select {
				case <-q.wake:
					next = q.pop()
				case <-time.After(20 * time.Millisecond):
				case <-h.ctx.Done():
					return
				}
			}
			if next != nil {
				h.deliver(next)
			}
		}
		h.deliver(j)
	}
}

// deliver makes one attempt and schedules the redelivery GHL makes after a
// 429: RetryInterval plus seeded jitter, at most MaxRetries times.
func (h *webhooks) deliver(j *job) {
	defer h.pending.Add(-1)
	u := h.url(j.ev.domain)
	d := Delivery{WebhookID: j.ev.id, Type: j.ev.typ, Domain: j.ev.domain, URL: u, Attempt: j.attempt, Duplicate: j.dup,
		ScheduledAt: j.scheduled, At: h.s.clock.Now(), Body: j.ev.body}
	if u == "" {
		d.Outcome, d.Err = OutcomeFailed, "no webhook URL for domain"
		h.record(d)
		return
	}
	d.Status, d.Err = h.post(u, j.ev.body)
	switch {
	case d.Status >= 200 && d.Status < 300:
		d.Outcome = OutcomeDelivered
	case d.Status == http.StatusTooManyRequests && j.attempt <= h.opts.MaxRetries:
		d.Outcome = OutcomeRetry
		delay := h.opts.RetryInterval + time.Duration(unit(mix(hashString(j.ev.id)^uint64(j.attempt)^h.s.opts.Seed))*float64(h.opts.RetryJitter))
		next := &job{ev: j.ev, attempt: j.attempt + 1, dup: j.dup, scheduled: d.At.Add(delay)}
		h.pending.Add(1)
		h.s.clock.AfterFunc(delay, func() {
			defer h.pending.Add(-1)
			if h.ctx.Err() == nil {
				h.enqueue(next)
			}
		})
	case d.Status == http.StatusTooManyRequests:
		d.Outcome = OutcomeExhausted
	default:
		d.Outcome = OutcomeFailed
	}
	h.record(d)
}

func (h *webhooks) post(url string, body []byte) (int, string) {
	ed, legacy, err := h.signer.sign(body)
	if err != nil {
		return 0, "sign: " + err.Error()
	}
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GHL-Signature", ed)
	req.Header.Set("x-wh-signature", legacy)
	resp, err := h.opts.Client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	return resp.StatusCode, ""
}

package incidentiofake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Endpoint is a webhook endpoint as configured in incident.io's Settings →
// Webhooks (one Svix endpoint: its own URL, signing secret and event
// types).
type Endpoint struct {
	URL    string
	Secret webhook.Secret
	// EventTypes the endpoint subscribes to; all when empty.
	EventTypes []string
	// SvixHeaders signs with svix-id/-timestamp/-signature instead of
	// the webhook-* names incident.io documents.
	SvixHeaders bool
}

// Delivery is one webhook message to one endpoint.
type Delivery struct {
	// ID is the message id (webhook-id), the same on every attempt.
	ID        string
	EventType string
	URL       string
	Body      []byte
	// Header is the signed header set of the last attempt.
	Header http.Header
	// Status is the HTTP status of the last attempt (0 before sending).
	Status int

	secret webhook.Secret
	svix   bool
}

// decorative lists example fields the fake does not model and keeps from
// the spec's example when building a payload.
var decorative = []string{"call_url", "duration_metrics", "incident_timestamp_values", "incident_type", "severity",
	"slack_channel_name", "has_debrief", "workload_minutes_late", "workload_minutes_sleeping", "workload_minutes_total",
	"workload_minutes_working", "priority"}

// AddEndpoint registers a webhook endpoint.
func (f *Fake) AddEndpoint(e Endpoint) {
	f.hookMu.Lock()
	defer f.hookMu.Unlock()
	f.endpoints = append(f.endpoints, e)
}

func (f *Fake) emitIncident(suffix, visibility, id string, view *incident) {
	f.emitIncidentExtra(suffix, visibility, id, view, nil)
}

func (f *Fake) emitIncidentExtra(suffix, visibility, id string, view *incident, extra map[string]any) {
	if visibility == "private" {
		f.queue("private_incident."+suffix, map[string]any{"id": id})
		return
	}
	obj := toMap(view)
	for k, v := range extra {
		obj[k] = v
	}
	f.queue("public_incident."+suffix, obj)
}

func (f *Fake) emitObject(suffix, visibility, id string, obj any) {
	if visibility == "private" {
		f.queue("private_incident."+suffix, map[string]any{"id": id})
		return
	}
	f.queue("public_incident."+suffix, obj)
}

func toMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// queue builds the payload of eventType from the spec's example with obj's
// fields in place and queues it for every subscribed endpoint.
func (f *Fake) queue(eventType string, obj any) {
	body, err := f.payload(eventType, obj)
	if err != nil {
		panic(err) // the example set is fixed: a missing one is a bug of the fake
	}
	f.hookMu.Lock()
	defer f.hookMu.Unlock()
	for _, e := range f.endpoints {
		if len(e.EventTypes) > 0 && !slices.Contains(e.EventTypes, eventType) {
			continue
		}
		f.mu.Lock()
		f.ids++
		id := fmt.Sprintf("msg_fake%020d", f.ids)
		f.mu.Unlock()
		f.pending = append(f.pending, Delivery{ID: id, EventType: eventType, URL: e.URL, Body: body, secret: e.Secret, svix: e.SvixHeaders})
	}
}

func (f *Fake) payload(eventType string, obj any) ([]byte, error) {
	ex, err := f.opts.Examples(eventType)
	if err != nil {
		return nil, fmt.Errorf("incidentiofake: example of %s: %w", eventType, err)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(ex, &env); err != nil {
		return nil, fmt.Errorf("incidentiofake: example of %s: %w", eventType, err)
	}
	var exObj map[string]any
	if err := json.Unmarshal(env[eventType], &exObj); err != nil {
		return nil, fmt.Errorf("incidentiofake: example object of %s: %w", eventType, err)
	}
	ours := toMap(obj)
	for _, k := range decorative {
		if _, set := ours[k]; !set {
			if v, ok := exObj[k]; ok {
				ours[k] = v
			}
		}
	}
	return json.Marshal(map[string]any{"event_type": eventType, eventType: ours})
}

// Pending returns the queued deliveries, signed now, and removes them from
// the queue without sending them (for tests that call a receiver directly).
func (f *Fake) Pending() []Delivery {
	f.hookMu.Lock()
	out := f.pending
	f.pending = nil
	f.hookMu.Unlock()
	for i := range out {
		out[i].sign(f.clock.Now())
	}
	f.hookMu.Lock()
	f.delivered = append(f.delivered, out...)
	f.hookMu.Unlock()
	return out
}

func (d *Delivery) sign(now time.Time) {
	h := d.secret.SignedHeaders(d.ID, now, d.Body)
	if d.svix {
		h = http.Header{"Svix-Id": h["Webhook-Id"], "Svix-Timestamp": h["Webhook-Timestamp"], "Svix-Signature": h["Webhook-Signature"]}
	}
	h.Set("Content-Type", "application/json")
	d.Header = h
}

// Flush sends every queued delivery in order, as Svix would, and returns
// them with the status each got. A failed delivery stays failed (see
// Redeliver); Flush stops at the first transport error.
func (f *Fake) Flush(ctx context.Context) ([]Delivery, error) {
	var out []Delivery
	for {
		f.hookMu.Lock()
		if len(f.pending) == 0 {
			f.hookMu.Unlock()
			return out, nil
		}
		d := f.pending[0]
		f.pending = f.pending[1:]
		f.hookMu.Unlock()
		err := f.send(ctx, &d)
		f.hookMu.Lock()
		f.delivered = append(f.delivered, d)
		f.hookMu.Unlock()
		out = append(out, d)
		if err != nil {
			return out, err
		}
	}
}

// Redeliver sends a delivered message again with the same id and body
// (Svix retries and manual "resend" keep the message id).
func (f *Fake) Redeliver(ctx context.Context, id string) (Delivery, error) {
	f.hookMu.Lock()
	var d *Delivery
	for i := range f.delivered {
		if f.delivered[i].ID == id {
			c := f.delivered[i]
			d = &c
		}
	}
	f.hookMu.Unlock()
	if d == nil {
		return Delivery{}, fmt.Errorf("incidentiofake: no delivered message %s", id)
	}
	err := f.send(ctx, d)
	return *d, err
}

// Delivered returns every delivery made so far.
func (f *Fake) Delivered() []Delivery {
	f.hookMu.Lock()
	defer f.hookMu.Unlock()
	return slices.Clone(f.delivered)
}

func (f *Fake) send(ctx context.Context, d *Delivery) error {
	d.sign(f.clock.Now())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return fmt.Errorf("incidentiofake: deliver %s: %w", d.ID, err)
	}
	req.Header = d.Header.Clone()
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("incidentiofake: deliver %s: %w", d.ID, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	d.Status = resp.StatusCode
	return nil
}

package peertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	peerevents "github.com/ghlsync/ghlsync/docs/peer-events"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// maxBody bounds a recorded delivery.
const maxBody = 1 << 20

// Config configures a Peer.
type Config struct {
	// Secret verifies deliveries. Required.
	Secret webhook.Secret
	// PreviousSecret also verifies, as during a rotation.
	PreviousSecret webhook.Secret
	// Window bounds the webhook-timestamp skew (webhook.DefaultWindow when zero).
	Window time.Duration
	// Now is the clock for verification and Delivery.Received (time.Now when nil).
	Now func() time.Time
}

// Delivery is one request the peer received.
type Delivery struct {
	// ID is the webhook-id (or svix-id) header.
	ID       string
	Received time.Time
	Path     string
	Header   http.Header
	Body     []byte
	// Envelope is the parsed body (zero when it did not parse).
	Envelope stdwebhooks.Envelope
	// Verified reports a valid signature; VerifyError says why not.
	Verified    bool
	VerifyError string
	// SchemaError is the schema violation, when the body broke the
	// published outbound schema of its type.
	SchemaError string
	// Status and PeerID are what the peer answered.
	Status int
	PeerID string
	// Duplicate marks a redelivery of an already accepted webhook-id.
	Duplicate bool
}

// Accepted reports a delivery the peer took (2xx, first time).
func (d Delivery) Accepted() bool { return d.Status/100 == 2 && !d.Duplicate }

// State is the peer's latest view of each entity, keyed by GHL id; deleted
// entities are absent. Entities are as delivered, with PeerID set to the
// id the peer assigned.
type State struct {
	Contacts     map[string]crmsync.Contact
	Tasks        map[string]crmsync.Task
	Notes        map[string]crmsync.Note
	Appointments map[string]crmsync.Appointment
}

type entityKey struct {
	kind  crmsync.Kind
	ghlID string
}

// Peer is a recording Standard Webhooks peer. It is safe for concurrent use.
type Peer struct {
	verifier webhook.StandardVerifier
	now      func() time.Time

	mu         sync.Mutex
	deliveries []Delivery
	accepted   map[string]string // webhook-id → peer id answered
	peerIDs    map[entityKey]string
	counters   map[crmsync.Kind]int
	latest     map[entityKey]json.RawMessage
	failures   []int
	latency    time.Duration
	sigFails   int
	invalid    int
}

// New returns a Peer; it panics without cfg.Secret (a test setup error).
func New(cfg Config) *Peer {
	if len(cfg.Secret) == 0 {
		panic("peertest: Config.Secret is required")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	secrets := []webhook.Secret{cfg.Secret}
	if len(cfg.PreviousSecret) > 0 {
		secrets = append(secrets, cfg.PreviousSecret)
	}
	return &Peer{
		verifier: webhook.StandardVerifier{Secrets: secrets, Window: cfg.Window, Now: now},
		now:      now,
		accepted: map[string]string{},
		peerIDs:  map[entityKey]string{},
		counters: map[crmsync.Kind]int{},
		latest:   map[entityKey]json.RawMessage{},
	}
}

// Server is a Peer served on a loopback port.
type Server struct {
	*Peer
	// URL is the base URL; every path is accepted.
	URL string
}

// Start serves a new Peer until the test ends.
func Start(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	p := New(cfg)
	hs := httptest.NewServer(p)
	tb.Cleanup(hs.Close)
	return &Server{Peer: p, URL: hs.URL}
}

// FailNext makes the next n deliveries fail with status (e.g. 503, 429,
// 422) before any other check, as a peer that is down or refusing.
func (p *Peer) FailNext(n, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range n {
		p.failures = append(p.failures, status)
	}
}

// SetLatency delays every answer by d (until the request is cancelled).
func (p *Peer) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Deliveries returns every request received, in order.
func (p *Peer) Deliveries() []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Delivery, len(p.deliveries))
	for i, d := range p.deliveries {
		out[i] = d
		out[i].Header = d.Header.Clone()
		out[i].Body = slices.Clone(d.Body)
	}
	return out
}

// Unique returns the accepted deliveries, one per webhook-id, in order.
func (p *Peer) Unique() []Delivery {
	var out []Delivery
	for _, d := range p.Deliveries() {
		if d.Accepted() {
			out = append(out, d)
		}
	}
	return out
}

// SignatureFailures counts deliveries whose signature did not verify.
func (p *Peer) SignatureFailures() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sigFails
}

// Invalid counts verified deliveries that broke the published schema.
func (p *Peer) Invalid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.invalid
}

// PeerID returns the id the peer assigned to the entity with ghlID.
func (p *Peer) PeerID(kind crmsync.Kind, ghlID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peerIDs[entityKey{kind, ghlID}]
}

// State returns the latest state of every entity (fresh copies).
func (p *Peer) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := State{
		Contacts: map[string]crmsync.Contact{}, Tasks: map[string]crmsync.Task{},
		Notes: map[string]crmsync.Note{}, Appointments: map[string]crmsync.Appointment{},
	}
	for k, raw := range p.latest {
		var err error
		switch k.kind {
		case crmsync.KindContact:
			var v crmsync.Contact
			err = json.Unmarshal(raw, &v)
			s.Contacts[k.ghlID] = v
		case crmsync.KindTask:
			var v crmsync.Task
			err = json.Unmarshal(raw, &v)
			s.Tasks[k.ghlID] = v
		case crmsync.KindNote:
			var v crmsync.Note
			err = json.Unmarshal(raw, &v)
			s.Notes[k.ghlID] = v
		case crmsync.KindAppointment:
			var v crmsync.Appointment
			err = json.Unmarshal(raw, &v)
			s.Appointments[k.ghlID] = v
		}
		if err != nil {
			panic("peertest: stored state does not decode: " + err.Error()) // stored only after validation
		}
	}
	return s
}

// ServeHTTP records and answers one delivery.
func (p *Peer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	latency := p.latency
	p.mu.Unlock()
	if latency > 0 {
		if !sleep(r.Context(), latency) {
			return
		}
	}
	d := Delivery{ID: header(r.Header, "Webhook-Id", "Svix-Id"), Received: p.now(), Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	_ = json.Unmarshal(body, &d.Envelope)

	status, answer := p.handle(&d)
	d.Status = status
	p.mu.Lock()
	p.deliveries = append(p.deliveries, d)
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(answer)
}

func (p *Peer) handle(d *Delivery) (int, map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.failures) > 0 {
		status := p.failures[0]
		p.failures = p.failures[1:]
		return status, map[string]string{"message": "scripted failure"}
	}
	if len(d.Body) > maxBody {
		return http.StatusRequestEntityTooLarge, map[string]string{"message": "body too large"}
	}
	if _, err := p.verifier.Verify(d.Header, d.Body); err != nil {
		p.sigFails++
		d.VerifyError = err.Error()
		return http.StatusUnauthorized, map[string]string{"message": "signature does not verify"}
	}
	d.Verified = true
	if err := peerevents.ValidateJSON(peerevents.Outbound, d.Body); err != nil {
		p.invalid++
		d.SchemaError = err.Error()
		return http.StatusBadRequest, map[string]string{"message": err.Error()}
	}
	if id, ok := p.accepted[d.ID]; ok {
		d.Duplicate, d.PeerID = true, id
		return http.StatusOK, map[string]string{"id": id}
	}
	id := p.apply(d.Envelope)
	p.accepted[d.ID] = id
	d.PeerID = id
	if id == "" {
		return http.StatusOK, map[string]string{}
	}
	return http.StatusOK, map[string]string{"id": id}
}

// apply updates the state with a valid event and returns the peer id of
// its entity ("" when unknown, e.g. a delete of something never seen).
func (p *Peer) apply(env stdwebhooks.Envelope) string {
	kind := env.Type.Kind()
	var ids struct {
		GHLID  string `json:"ghlId"`
		PeerID string `json:"peerId"`
	}
	_ = json.Unmarshal(env.Data, &ids) // valid per schema
	key := entityKey{kind, ids.GHLID}
	if ids.GHLID == "" {
		for k, v := range p.peerIDs {
			if k.kind == kind && v == ids.PeerID {
				key = k
			}
		}
	}
	if key.ghlID == "" {
		return ids.PeerID
	}
	id := p.peerIDs[key]
	switch {
	case ids.PeerID != "":
		id = ids.PeerID
	case id == "":
		p.counters[kind]++
		id = fmt.Sprintf("peer_%s_%d", kind, p.counters[kind])
	}
	p.peerIDs[key] = id
	switch env.Type {
	case crmsync.ContactDeleted, crmsync.TaskDeleted, crmsync.NoteDeleted, crmsync.AppointmentDeleted:
		delete(p.latest, key)
	default:
		var m map[string]json.RawMessage
		_ = json.Unmarshal(env.Data, &m)
		m["peerId"], _ = json.Marshal(id)
		raw, _ := json.Marshal(m)
		p.latest[key] = raw
	}
	return id
}

func header(h http.Header, std, svix string) string {
	if v := h.Get(std); v != "" {
		return v
	}
	return h.Get(svix)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

package apptest

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Peer is the peer app: it verifies each delivery's Standard Webhooks
// signature and records the ones it accepts.
type Peer struct {
	verifier *webhook.StandardVerifier

	mu         sync.Mutex
	deliveries []stdwebhooks.Envelope
	refused    int
}

func newPeer(secret webhook.Secret) *Peer {
	return &Peer{verifier: &webhook.StandardVerifier{Secrets: []webhook.Secret{secret}}}
}

// ServeHTTP records a verified delivery and answers 200; a delivery that
// does not verify is refused with 401.
func (p *Peer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env stdwebhooks.Envelope
	_, err := p.verifier.Verify(r.Header, body)
	if err == nil {
		err = json.Unmarshal(body, &env)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.refused++
		http.Error(w, "refused", http.StatusUnauthorized)
		return
	}
	p.deliveries = append(p.deliveries, env)
	w.WriteHeader(http.StatusOK)
}

// Count returns how many deliveries the peer accepted.
func (p *Peer) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.deliveries)
}

// Refused returns how many deliveries failed verification at the peer.
func (p *Peer) Refused() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refused
}

// Deliveries returns a copy of the accepted deliveries, in order.
func (p *Peer) Deliveries() []stdwebhooks.Envelope {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]stdwebhooks.Envelope(nil), p.deliveries...)
}

package crmsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Peer is the other side of the sync, as the flows see it. A connector
// package (stdwebhooks, incidentio, ...) implements it; adding a connector
// never changes the flows.
type Peer interface {
	// Name identifies the connector in logs and metrics ("stdwebhooks").
	Name() string
	// Send delivers one outbound event. It must be safe to call again with
	// the same event (ev.ID is stable). A transient failure wraps
	// ErrPeerUnavailable; a refusal is a *PeerRejectedError.
	Send(ctx context.Context, ev Event) (SendResult, error)
	// Receive verifies and parses one inbound webhook from the peer (raw
	// body bytes). An unverifiable request wraps ErrUnauthenticated; a
	// malformed or schema-invalid one is a *BadEventError. One delivery
	// may carry several changes (e.g. an incident naming two contacts).
	Receive(ctx context.Context, domain Kind, header http.Header, body []byte) (Inbound, error)
}

// SendResult is what a peer answered to a delivery.
type SendResult struct {
	// PeerID is the peer's id for the entity, when the peer returned one.
	PeerID string
}

// Inbound is one verified delivery from the peer.
type Inbound struct {
	// DeliveryID is the delivery's id (webhook-id): the idempotency key.
	DeliveryID string
	Changes    []Change
}

// Change is one inbound change. Exactly one of the entity fields is set,
// matching Type (Tags for contact.tagged/untagged together with Contact
// identifying the contact; Ref for deletes).
type Change struct {
	Type       EventType
	LocationID string
	// Time is when the change happened at the peer (the envelope
	// timestamp); it orders deliveries that arrive out of order.
	Time        time.Time
	Contact     *Contact
	Tags        []string
	Task        *Task
	Note        *Note
	Appointment *Appointment
	Deleted     *Ref
}

// Errors the flows classify peer failures by.
var (
	// ErrPeerUnavailable: the peer could not take the event now (network,
	// timeout, 5xx, 429); the sender of the triggering event must retry.
	ErrPeerUnavailable = errors.New("crmsync: peer unavailable")
	// ErrUnauthenticated: an inbound request failed verification (→ 401).
	ErrUnauthenticated = errors.New("crmsync: request not authenticated")
)

// PeerRejectedError is a permanent refusal by the peer (4xx other than
// 408/429): retrying the same event will not help.
type PeerRejectedError struct {
	Status  int
	Message string
}

func (e *PeerRejectedError) Error() string {
	return fmt.Sprintf("crmsync: peer rejected the event: %d %s", e.Status, e.Message)
}

// BadEventError reports an inbound event that is malformed or violates
// the published schema (→ 400 naming Problem).
type BadEventError struct {
	Problem string
}

func (e *BadEventError) Error() string { return "crmsync: bad event: " + e.Problem }

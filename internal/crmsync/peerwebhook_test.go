package crmsync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
)

// receiveErrPeer is a peer whose Receive fails with err.
type receiveErrPeer struct{ err error }

func (receiveErrPeer) Name() string { return "receive-err" }

func (receiveErrPeer) Send(context.Context, crmsync.Event) (crmsync.SendResult, error) {
	return crmsync.SendResult{}, errors.New("not used")
}

func (p receiveErrPeer) Receive(context.Context, crmsync.Kind, http.Header, []byte) (crmsync.Inbound, error) {
	return crmsync.Inbound{}, p.err
}

type noGHL struct{ t *testing.T }

func (g noGHL) GHLFor(context.Context, string) (crmsync.GHL, error) {
	g.t.Error("GHL reached after Receive failed")
	return crmsync.GHL{}, errors.New("no GHL")
}

type verifyAll struct{}

func (verifyAll) Verify(http.Header, []byte) error { return nil }

// TestHandlePeerWebhookReceiveErrors: how a failed Receive is answered. A
// peer that could not be read now (a connector fetching the object of an
// id-only webhook) answers 503 so that the peer delivers again, and no
// idempotency record is left behind.
func TestHandlePeerWebhookReceiveErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
	}{
		{"unauthenticated", fmt.Errorf("verify: %w", crmsync.ErrUnauthenticated), http.StatusUnauthorized, "unauthenticated"},
		{"bad event", &crmsync.BadEventError{Problem: "/event_type: required string"}, http.StatusBadRequest, "malformed"},
		{"peer unavailable", fmt.Errorf("get incident 01X: %w: 503 Service Unavailable", crmsync.ErrPeerUnavailable), http.StatusServiceUnavailable, "retry"},
		{"unclassified", errors.New("boom"), http.StatusBadRequest, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			s, err := crmsync.New(crmsync.Options{GHL: noGHL{t}, Links: st, Idempotency: idempotency.New(st),
				Peer: receiveErrPeer{tt.err}, Verifier: verifyAll{}, DefaultLocationID: "loc-1", EchoSettle: -1})
			if err != nil {
				t.Fatal(err)
			}
			res := s.HandlePeerWebhook(t.Context(), crmsync.KindContact, http.Header{"Webhook-Id": {"msg_1"}}, []byte(`{}`))
			body, _ := res.Body.(crmsync.ErrorBody)
			if res.Status != tt.wantStatus || body.Error != tt.wantCode || !errors.Is(res.Err, tt.err) {
				t.Errorf("got %d %+v (err %v), want %d %s wrapping the Receive error", res.Status, res.Body, res.Err, tt.wantStatus, tt.wantCode)
			}
			if tt.wantStatus == http.StatusServiceUnavailable && res.Header["Retry-After"] == "" {
				t.Errorf("503 without Retry-After: %v", res.Header)
			}
			if _, err := st.GetIdempotency(t.Context(), crmsync.ScopePeer, "msg_1", time.Now()); err == nil {
				t.Error("an idempotency record was written for a delivery that was never read")
			}
		})
	}
}

// Package stdwebhooks is the default peer connector: any app that sends
// and receives JSON webhooks signed per the Standard Webhooks spec
// (webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256
// of "id.timestamp.body">; svix-* header names accepted too). It implements
// crmsync.Peer.
//
// Every event, both ways, is the envelope
//
//	{"type": "contact.upserted", "timestamp": "<RFC 3339>", "locationId": "…", "data": {…}}
//
// whose data is the crmsync entity JSON (or a crmsync.Ref for deletes),
// published as one JSON Schema per type in docs/peer-events. Receive
// validates inbound events against those exact files.
//
// Send makes one attempt and classifies the answer: 2xx is delivered (a
// JSON {"id": "…"} or {"peerId": "…"} answer becomes SendResult.PeerID),
// 408, 429, 5xx, network errors and timeouts wrap crmsync.ErrPeerUnavailable,
// 3xx and other 4xx are a *crmsync.PeerRejectedError. Retrying is the
// flows' decision. The package never logs, and no error carries a secret,
// a signature or a request body.
//
// Example:
//
//	conn, err := stdwebhooks.New(stdwebhooks.Config{
//		URL:            s.WebhookURL,               // from peersecret.Load
//		Secret:         s.SigningSecret,
//		PreviousSecret: s.PreviousSigningSecret,
//	})
//	res, err := conn.Send(ctx, ev)                    // ev.ID becomes webhook-id
//	in, err := conn.Receive(ctx, crmsync.KindTask, header, body) // raw body bytes
package stdwebhooks

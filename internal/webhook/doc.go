// Package webhook verifies and signs webhook deliveries on their raw bytes:
// GHL's Ed25519 (X-GHL-Signature, preferred) and legacy RSA-SHA256
// (x-wh-signature) signatures, and Standard Webhooks / Svix v1 HMAC
// signatures (webhook-* or svix-* headers, whsec_ secrets, several
// signatures per header) used by the peer.
//
// Verification always runs on the exact request bytes, before any JSON
// decoding, compares in constant time, and never puts a secret or a
// signature value into an error.
//
// Example:
//
//	body, err := apigw.Body(ev, apigw.MaxBodyBytes) // raw bytes; over the limit → 413
//	v, _ := webhook.NewGHLVerifier(webhook.DefaultGHLKeys())
//	if err := v.Verify(apigw.Header(ev), body); err != nil { ... } // → 401
package webhook

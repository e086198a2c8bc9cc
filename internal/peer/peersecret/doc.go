// Package peersecret reads the peer secret from AWS Secrets Manager: one
// JSON document per deployment,
//
//	{"signing_secret": "whsec_…", "previous_signing_secret": "whsec_…",
//	 "pull_api_key": "…", "incidentio_api_key": "…",
//	 "incidentio_signing_secrets": ["whsec_…", "whsec_…", "whsec_…"],
//	 "webhook_url": "https://…"}
//
// where previous_signing_secret (during a rotation), incidentio_api_key,
// incidentio_signing_secrets (one per incident.io webhook endpoint; both
// needed with PEER=incidentio) and webhook_url are optional. A Secret redacts itself however it is printed
// or logged, and parse errors name the field, never its value.
//
// Example:
//
//	s, err := peersecret.Load(ctx, secretsClient, cfg.PeerSecretName)
//	if err != nil { ... }
//	conn, err := stdwebhooks.New(stdwebhooks.Config{URL: s.WebhookURL,
//		Secret: s.SigningSecret, PreviousSecret: s.PreviousSigningSecret})
//	if !s.CheckPullKey(bearer) { ... } // → 401
package peersecret

// Package ghlspec validates HTTP traffic against the official GHL API v2
// OpenAPI specs kept in ../shared/ghl-api/openapi, so that tests of the GHL
// client and of the GHL sandbox fail when either side leaves the contract.
//
// The specs are data owned by the shared reference folder; this package loads
// them at test time and never embeds them. Where the published spec is wrong
// or silent, the deviation is listed in allowlist.go with its evidence.
//
// Example:
//
//	dir, err := ghlspec.AppsDir() // ../shared/ghl-api/openapi/apps, or $GHLSYNC_SHARED
//	if err != nil { ... }
//	v, err := ghlspec.Load(dir)
//	if err != nil { ... }
//	op, err := v.ValidateRequest(ctx, req, body)
//	...
//	err = v.ValidateResponse(ctx, req, body, status, header, respBody)
package ghlspec

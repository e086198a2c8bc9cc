// Package ghlauth connects the GHL OAuth API (package ghl) to the token
// layer (package tokens): it refreshes tokens, mints location tokens from
// agency tokens and exchanges authorization codes, and maps GHL's answers
// onto the token layer's error contract.
//
// Example:
//
//	r := &ghlauth.Refresher{OAuth: client.OAuth, App: app, UserType: ghl.UserTypeLocation}
//	p, err := tokens.New(tokens.Config{Refresher: r, Minter: &ghlauth.Minter{HTTP: hc}, ...})
package ghlauth

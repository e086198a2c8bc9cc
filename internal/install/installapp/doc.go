// Package installapp is the app-install function as a library: the API
// Gateway handler of GET /oauth/callback and POST /ghl/webhooks/app over
// install.Flow, and its wiring (Load from the environment for Lambda, New
// from a configuration, a Secrets Manager client and a store for the local
// dev server). functions/app-install only starts it.
//
// Example (functions/app-install/main.go):
//
//	h, err := installapp.Load(ctx, os.Getenv, logger)
//	if err != nil {
//		logger.Error("app-install: init failed", "error", err.Error())
//		os.Exit(1)
//	}
//	lambda.Start(h.Handle)
package installapp

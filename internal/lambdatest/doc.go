// Package lambdatest runs a function's real compiled bootstrap under a fake
// Lambda Runtime API, so tests exercise aws-lambda-go's own runtime loop,
// deadlines and error envelopes without Docker or the emulator.
//
// Example:
//
//	rt := lambdatest.NewRuntime()
//	defer rt.Close()
//	fn, err := rt.Start(ctx, "build/bootstrap", os.Environ())
//	if err != nil { ... }
//	defer fn.Stop()
//	res, err := rt.Invoke(ctx, payload, 3*time.Second)
//	// res.Payload is the handler's JSON result, or res.Error the error envelope.
package lambdatest

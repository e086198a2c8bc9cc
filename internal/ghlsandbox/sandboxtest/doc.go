// Package sandboxtest holds the test helper shared by the tests of the GHL
// sandbox and of the GHL client: an http.Handler wrapper that validates
// every request it receives and every response it gives against the
// official GHL specs (internal/ghlspec), failing the test on a violation.
//
// Example:
//
//	sb, err := ghlsandbox.New(ghlsandbox.Options{})
//	if err != nil {
//		t.Fatal(err)
//	}
//	srv := httptest.NewServer(sandboxtest.SpecChecked(t, sb))
//	t.Cleanup(srv.Close)
//	// A request sent off-spec on purpose carries HeaderSpecInvalid: the
//	// wrapper then asserts that the spec rejects it too.
//	req.Header.Set(sandboxtest.HeaderSpecInvalid, "1")
package sandboxtest

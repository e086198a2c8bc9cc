// Package apptest runs the four sync functions' routes in process — the
// real syncapp.Handler over one crmsync.Syncer — against the GHL sandbox
// served over HTTP, a recording Standard Webhooks peer, and either store
// (memstore, or DynamoDB Local behind a request counter). Every outbound
// dependency is metered: requests and time spent in DynamoDB, in GHL and
// in the peer, so benchmarks can report requests per event and the
// handler's own overhead, and security tests can assert that a refused
// request had no side effect.
//
// It is test support: import it from _test.go files only. A package that
// uses the DynamoDB store needs dynamotest.Main in its TestMain.
//
// Example:
//
//	func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		a := apptest.New(t, apptest.Options{Dynamo: true})
//		hooks := a.CaptureGHL(t, func() {
//			_, _ = a.Sandbox.CreateContact(a.Location.ID, ghlsandbox.Contact{Email: "ada@example.com"})
//		})
//		resp := a.Invoke(t.Context(), hooks[0].Request())
//		// resp.StatusCode, a.Peer.Count(), a.Meter.Snapshot() ...
//	}
package apptest

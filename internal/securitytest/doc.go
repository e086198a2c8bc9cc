// Package securitytest holds ghlsync's end-to-end security tests (its
// code is all in _test.go files): the signature attack table against the
// real handler of every webhook route, and the scan of every log line,
// response and error of the end-to-end flows for credentials and
// signature values. They run with go test (DynamoDB Local; skipped in
// -short mode).
//
// Example:
//
//	go test ./internal/securitytest -run 'TestSignatureAttacks|TestNoSecretsInLogsOrErrors' -v
package securitytest

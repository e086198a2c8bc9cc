// Package secretstest is an in-memory AWS Secrets Manager for tests and the
// local run. It speaks the AWS JSON 1.1 protocol, so the real aws-sdk-go-v2
// secretsmanager client talks to it through BaseEndpoint and static
// credentials, and typed SDK errors (ResourceNotFoundException,
// ResourceExistsException, InvalidParameterException,
// InvalidRequestException) come back as they do from AWS.
//
// Supported operations: CreateSecret, GetSecretValue (VersionId or
// VersionStage), PutSecretValue (ClientRequestToken idempotency, staging
// labels), UpdateSecretVersionStage, DescribeSecret, DeleteSecret (recovery
// window or forced), RestoreSecret, ListSecrets (name filter, paging) and
// ListSecretVersionIds. Request counters per operation (Calls) and injected
// faults (FailNext) let tests assert how often code talks to Secrets Manager
// and what it does when a response is lost.
//
// The contract tests of this package run the same cases against the Double
// and against moto_server, when the machine has it.
//
// Example:
//
//	s := secretstest.Start(t)
//	c := s.Client()
//	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
//		Name: aws.String("ghlsync/dev/locations/abc"), SecretString: aws.String(`{"x":1}`),
//	})
//	// ... code under test uses c ...
//	if n := s.Calls(secretstest.OpGetSecretValue); n != 1 { t.Errorf("reads = %d", n) }
package secretstest

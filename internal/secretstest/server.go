package secretstest

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Server is a Double behind an httptest server.
type Server struct {
	*Double
	// URL is the base endpoint, e.g. http://127.0.0.1:PORT.
	URL string
}

// Start serves a new Double on a loopback port until the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	d := New(opts...)
	hs := httptest.NewServer(d)
	tb.Cleanup(hs.Close)
	return &Server{Double: d, URL: hs.URL}
}

// Client returns a real SDK client for the server. Options apply after the
// defaults (e.g. to set RetryMaxAttempts).
func (s *Server) Client(opts ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return NewClient(s.URL, opts...)
}

// NewClient returns a real SDK Secrets Manager client for endpoint, signed
// with static test credentials in region us-east-1. It works with a Double
// and with any other local Secrets Manager emulator.
func NewClient(endpoint string, opts ...func(*secretsmanager.Options)) *secretsmanager.Client {
	cfg := aws.Config{
		Region:      DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	return secretsmanager.NewFromConfig(cfg, append([]func(*secretsmanager.Options){func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	}}, opts...)...)
}

package syncapptest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/secretstest"
)

type secretsDouble struct {
	url    string
	client *secretsmanager.Client
}

func newSecrets(t *testing.T) secretsDouble {
	s := secretstest.Start(t)
	return secretsDouble{url: s.URL, client: s.Client()}
}

package tokens_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

func Example() {
	srv := httptest.NewServer(secretstest.New())
	defer srv.Close()
	sm := secretstest.NewClient(srv.URL)
	ctx := context.Background()

	// A location with a Private Integration Token.
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         aws.String("ghlsync/dev/locations/ve9EPM428h8vShlRW1KT"),
		SecretString: aws.String(`{"private_integration_token":"pit-example","location_id":"ve9EPM428h8vShlRW1KT"}`),
	}); err != nil {
		fmt.Println(err)
		return
	}

	p, err := tokens.New(tokens.Config{Secrets: sm, Leases: newLeases(), SecretPrefix: "ghlsync/dev", MaxWait: time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := p.Token(ctx, "ve9EPM428h8vShlRW1KT")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Type(), tok.AccessToken)
	fmt.Println(tokens.Sensitive(tok.AccessToken))
	// Output:
	// Bearer pit-example
	// [REDACTED]
}

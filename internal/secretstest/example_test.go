package secretstest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/secretstest"
)

func Example() {
	d := secretstest.New()
	srv := httptest.NewServer(d)
	defer srv.Close()
	c := secretstest.NewClient(srv.URL)
	ctx := context.Background()

	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("ghlsync/dev/app"), SecretString: aws.String(`{"client_id":"id"}`),
	}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String("ghlsync/dev/app"), VersionStage: aws.String(secretstest.StageCurrent),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(out.SecretString), out.VersionStages, d.Calls(secretstest.OpGetSecretValue))
	// Output: {"client_id":"id"} [AWSCURRENT] 1
}

// Command echo is a tiny Lambda function used to test the fake Runtime API:
// it echoes its input, fails on {"fail":true} and reports its deadline.
package main

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type in struct {
	Fail  bool   `json:"fail"`
	Value string `json:"value"`
}

type out struct {
	Value       string `json:"value"`
	HasDeadline bool   `json:"hasDeadline"`
}

func main() {
	lambda.Start(func(ctx context.Context, e in) (out, error) {
		if e.Fail {
			return out{}, errors.New("asked to fail")
		}
		d, ok := ctx.Deadline()
		return out{Value: e.Value, HasDeadline: ok && time.Until(d) > 0}, nil
	})
}

package dynamostore

import (
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// ClientOptions tunes a DynamoDB client for the store; pass it to
// dynamodb.NewFromConfig (or dynamodb.New) after any endpoint override:
//
//	db := dynamodb.NewFromConfig(cfg, dynamostore.ClientOptions)
//
// It keeps the SDK's standard retryer (3 attempts, jittered exponential
// backoff, the same retryable errors) but without its client-side retry
// quota: that token bucket (500 tokens, 5 per retry, refilled by successes)
// exists to stop a fleet of busy clients from amplifying an outage. A
// function instance handles one event at a time, so the bucket protects
// nothing there, yet a burst of throttles drains it and then a single
// throttled write of the next event fails without the retry that would
// have saved it, and the sender must redeliver the whole event. It also
// takes a lock and a token on every attempt.
//
// The HTTP client is left as the SDK builds it: keep-alive on, 10 idle
// connections per host, which is more than one event's sequential
// requests ever use.
func ClientOptions(o *dynamodb.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.RateLimiter = ratelimit.None
		if o.RetryMaxAttempts > 0 {
			so.MaxAttempts = o.RetryMaxAttempts
		}
	})
}

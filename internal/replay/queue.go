package replay

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// QueueAPI is the part of SQS replay uses; *sqs.Client satisfies it.
type QueueAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// Queue reads failure records from an SQS queue (a function's on-failure
// destination, which also holds its schedule's dead letters).
type Queue struct {
	API QueueAPI
	URL string
	// Max bounds the messages read; each stays invisible for
	// VisibilitySeconds, so one run never sees a message twice.
	Max               int
	VisibilitySeconds int32
}

// Receive reads up to Max messages. A message that does not decode is
// returned as an error naming its id; the others still come back.
func (q *Queue) Receive(ctx context.Context) ([]Record, []error, error) {
	var recs []Record
	var bad []error
	for len(recs)+len(bad) < q.Max {
		n := min(int32(q.Max-len(recs)-len(bad)), 10)
		out, err := q.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.URL), MaxNumberOfMessages: n, WaitTimeSeconds: 1, VisibilityTimeout: q.VisibilitySeconds,
		})
		if err != nil {
			return recs, bad, fmt.Errorf("receive from %s: %w", q.URL, err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			id := aws.ToString(m.MessageId)
			rec, err := Decode("sqs:"+id, []byte(aws.ToString(m.Body)))
			if err != nil {
				bad = append(bad, err)
				continue
			}
			rec.receipt = aws.ToString(m.ReceiptHandle)
			recs = append(recs, rec)
		}
	}
	return recs, bad, nil
}

// Delete removes a re-driven record's message from the queue.
func (q *Queue) Delete(ctx context.Context, rec Record) error {
	if rec.receipt == "" {
		return nil
	}
	_, err := q.API.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.URL), ReceiptHandle: aws.String(rec.receipt)})
	if err != nil {
		return fmt.Errorf("delete %s: %w", rec.Source, err)
	}
	return nil
}

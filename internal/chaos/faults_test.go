package chaos

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// okDynamo answers every request (the proxy's decisions are what is
// tested).
type okDynamo struct{ dynamostore.API }

func (okDynamo) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

// The fault proxy returns the SDK's own throttling errors at about the
// configured rates, nothing while disabled, and the same decisions for
// the same seed.
func TestDynamoFaults(t *testing.T) {
	t.Parallel()
	run := func(seed uint64, on bool) (pattern []int, c map[string]int) {
		d := &DynamoFaults{API: okDynamo{}, Seed: seed, ThroughputExceeded: 0.1, Throttling: 0.05, LatencyRate: 0.01, Latency: time.Millisecond, counts: &counters{}}
		d.Enable(on)
		for range 4000 {
			_, err := d.GetItem(t.Context(), &dynamodb.GetItemInput{})
			var pte *types.ProvisionedThroughputExceededException
			var te *types.ThrottlingException
			switch {
			case err == nil:
				pattern = append(pattern, 0)
			case errors.As(err, &pte):
				pattern = append(pattern, 1)
			case errors.As(err, &te):
				pattern = append(pattern, 2)
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		return pattern, d.counts.snapshot()
	}
	a, ca := run(7, true)
	b, _ := run(7, true)
	other, _ := run(8, true)
	off, coff := run(7, false)
	if len(coff) != 0 || slicesCount(off, 0) != len(off) {
		t.Errorf("disabled proxy injected %v", coff)
	}
	if !slices.Equal(a, b) {
		t.Error("the same seed made other decisions")
	}
	if slices.Equal(a, other) {
		t.Error("another seed made the same decisions")
	}
	if n := ca[FaultDynamoThrottle]; n < 300 || n > 500 {
		t.Errorf("ProvisionedThroughputExceeded %d of 4000, want about 400", n)
	}
	if n := ca[FaultDynamoThrottling]; n < 120 || n > 280 {
		t.Errorf("ThrottlingException %d of 4000, want about 200", n)
	}
	if ca[FaultDynamoThrottle] != slicesCount(a, 1) || ca[FaultDynamoThrottling] != slicesCount(a, 2) {
		t.Errorf("counts %v disagree with the errors returned", ca)
	}
}

func slicesCount(s []int, v int) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

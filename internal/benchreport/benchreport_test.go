package benchreport_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/benchreport"
)

func TestPercentileAndMedian(t *testing.T) {
	t.Parallel()
	xs := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	tests := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"p90 nearest rank", benchreport.Percentile(xs, 90), 9},
		{"p99", benchreport.Percentile(xs, 99), 10},
		{"p1", benchreport.Percentile(xs, 1), 1},
		{"median even", benchreport.Median(xs), 5},
		{"median odd", benchreport.Median(xs[:5]), 3},
		{"empty", benchreport.Median([]time.Duration(nil)), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if xs[0] != 5 {
		t.Error("Percentile sorted its input in place")
	}
}

const benchOutput = `goos: linux
goarch: amd64
pkg: github.com/ghlsync/ghlsync/internal/benchreport
BenchmarkEvent/memstore/ghl/ContactUpdate-2   	     200	    662650 ns/op	         0 dynamo-req/op	         1.000 ghl-req/op	   39206 B/op	     434 allocs/op
BenchmarkEvent/memstore/ghl/ContactUpdate-2   	     200	    600000 ns/op	         0 dynamo-req/op	         1.000 ghl-req/op	   39000 B/op	     430 allocs/op
BenchmarkEvent/memstore/ghl/ContactUpdate-2   	     200	    700000 ns/op	         0 dynamo-req/op	         1.000 ghl-req/op	   39100 B/op	     440 allocs/op
BenchmarkEvent/dynamodb/pull/contact          	     200	   3000000 ns/op	         2.500 dynamo-req/op
--- FAIL: BenchmarkBroken
PASS
`

func TestParseBenchAndMedians(t *testing.T) {
	t.Parallel()
	rs, err := benchreport.ParseBench(strings.NewReader(benchOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 || rs[0].Name != "BenchmarkEvent/memstore/ghl/ContactUpdate" || rs[0].N != 200 {
		t.Fatalf("parsed %+v", rs)
	}
	med, order := benchreport.Medians(rs)
	if diff := cmp.Diff([]string{"BenchmarkEvent/memstore/ghl/ContactUpdate", "BenchmarkEvent/dynamodb/pull/contact"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	want := map[string]float64{"ns/op": 662650, "dynamo-req/op": 0, "ghl-req/op": 1, "B/op": 39100, "allocs/op": 434}
	if diff := cmp.Diff(want, med["BenchmarkEvent/memstore/ghl/ContactUpdate"]); diff != "" {
		t.Errorf("medians (-want +got):\n%s", diff)
	}
	if got := med["BenchmarkEvent/dynamodb/pull/contact"]["dynamo-req/op"]; got != 2.5 {
		t.Errorf("dynamo-req/op = %v, want 2.5", got)
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	err := benchreport.Render(&b, []benchreport.Row{
		{Section: "Cold start", Name: "a", Figure: "12 ms", Target: "≤ 30 ms", Status: benchreport.AtMost(12*time.Millisecond, 30*time.Millisecond)},
		{Section: "Cold start", Name: "b|c", Figure: "40 ms", Target: "≤ 30 ms", Status: benchreport.AtMost(40*time.Millisecond, 30*time.Millisecond)},
		{Section: "Backfill", Name: "rate", Figure: "95 %", Status: benchreport.AtLeast(0.95, 0.9)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "| measurement | figure | target | verdict |\n|---|---|---|---|\n" +
		"| **Cold start** a | 12 ms | ≤ 30 ms | PASS |\n" +
		"| b\\|c | 40 ms | ≤ 30 ms | MISS |\n" +
		"| **Backfill** rate | 95 % |  | PASS |\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

// Package benchreport measures ghlsync the way make bench reports it and
// renders the figures as one Markdown table with each target beside its
// figure: cold starts of the real bootstraps under the fake Lambda
// Runtime API (internal/lambdatest), warm per-event costs parsed from
// go test -bench output (benchstat format), the 10,000-contact backfill
// against the sandbox's real rate limit, and the same backfill and webhook
// verification done by the official GHL Node SDK.
//
// The measuring code runs from tests (report_test.go, build tag bench;
// events_bench_test.go for the per-event benchmarks), since it drives the
// test doubles; this package holds what those tests share.
//
// Example:
//
//	res, err := benchreport.ColdStart(ctx, bin, env, payload, 20)
//	rows = append(rows, benchreport.Row{Section: "Cold start", Name: "contact-upsert median",
//		Figure: benchreport.Millis(res.Median()), Target: "≤ 30 ms", Status: benchreport.AtMost(res.Median(), 30*time.Millisecond)})
//	benchreport.Render(os.Stdout, rows)
package benchreport

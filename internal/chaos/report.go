package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/sweep"
)

// Report is what a Run did and found.
type Report struct {
	Seed    uint64
	Workers int
	// Events counts the workload's changes by "side domain" (ghl
	// contacts, peer tags, ...).
	Events map[string]int
	// GHLWebhooks is how many webhooks the sandbox sent (the GHL changes'
	// and those of the app's own writes); PeerEvents the peer's events.
	GHLWebhooks, PeerEvents int
	// Copies is the deliveries planned (1..MaxCopies per event);
	// Deliveries the handler invocations, Redeliveries the senders'
	// retries among them.
	Copies, Deliveries, Redeliveries int
	// Answers counts the deliveries by side and status.
	Answers map[string]int
	// GHLDropped: GHL webhooks GHL gave up on (answered other than 200 or
	// 429, or 429 too often), left to the sweep. PeerGaveUp: peer events
	// still failing after every retry; PeerRejected: refused permanently.
	GHLDropped, PeerGaveUp, PeerRejected int
	// Rejections says why (first ones).
	Rejections map[string]int
	// Faults counts the injected faults by kind.
	Faults map[string]int
	// GHLRequests is every request the sandbox answered (app and sweeps).
	GHLRequests int64
	// Sweeps is one total per stream.
	Sweeps []sweep.LocationReport
	Check  Check
	// StormTime is the time until the last redelivery, WallTime the whole
	// run.
	StormTime, WallTime time.Duration
}

// Total returns the number of workload events.
func (r Report) Total() int {
	n := 0
	for _, v := range r.Events {
		n += v
	}
	return n
}

// FaultTotal returns the number of injected faults.
func (r Report) FaultTotal() int {
	n := 0
	for _, v := range r.Faults {
		n += v
	}
	return n
}

func (r *run) report(sweeps []sweep.LocationReport) Report {
	var reqs int64
	for _, n := range r.e.sb.RequestCounts() {
		reqs += n
	}
	return Report{
		Seed: r.cfg.Seed, Workers: r.cfg.Workers, Events: r.events.snapshot(),
		GHLWebhooks: int(r.stats.ghlWebhooks.Load()), PeerEvents: int(r.stats.peerEvents.Load()),
		Copies: int(r.stats.copies.Load()), Deliveries: int(r.stats.deliveries.Load()), Redeliveries: int(r.stats.redeliveries.Load()),
		Answers: r.stats.byStatus.snapshot(), GHLDropped: int(r.stats.ghlDropped.Load()), PeerGaveUp: int(r.stats.peerGaveUp.Load()),
		PeerRejected: int(r.stats.peerRejected.Load()), Rejections: r.rejections.snapshot(), Faults: r.e.counts.snapshot(),
		GHLRequests: reqs, Sweeps: sweeps,
	}
}

func joinCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// Table renders the report as one Markdown table (and the first problems
// found, when there are any).
func (r Report) Table() string {
	var b strings.Builder
	row := func(k, v string, args ...any) { fmt.Fprintf(&b, "| %s | %s |\n", k, fmt.Sprintf(v, args...)) }
	b.WriteString("| chaos | result |\n| --- | --- |\n")
	row("seed, workers", "%d, %d", r.Seed, r.Workers)
	row("events", "%d (%s)", r.Total(), joinCounts(r.Events))
	row("GHL webhooks sent / peer events", "%d / %d", r.GHLWebhooks, r.PeerEvents)
	row("deliveries (incl. redeliveries)", "%d (%d copies planned, %d redeliveries)", r.Deliveries, r.Copies, r.Redeliveries)
	row("answers", "%s", joinCounts(r.Answers))
	row("faults injected", "%d (%s)", r.FaultTotal(), joinCounts(r.Faults))
	row("retries (senders' redeliveries)", "%d", r.Redeliveries)
	row("GHL webhooks dropped by GHL (left to the sweep)", "%d", r.GHLDropped)
	row("peer events given up / rejected", "%d / %d", r.PeerGaveUp, r.PeerRejected)
	row("GHL requests answered", "%d", r.GHLRequests)
	for _, s := range r.Sweeps {
		row("sweep "+string(s.Stream), "%d seen, %d delivered, %d deleted, %d failed, %d GHL requests", s.Seen, s.Delivered, s.Deleted, s.Failed, s.Requests)
	}
	row("expected entities at the end", "%d", r.Check.Entities)
	row("**mismatches** (target 0)", "**%d**", r.Check.Mismatches)
	row("**duplicates** (target 0)", "**%d** (GHL %d, peer %d, repeated states %d; %d redeliveries deduped by webhook id)",
		r.Check.Duplicates, r.Check.GHLDuplicates, r.Check.PeerDuplicates, r.Check.RepeatedStates, r.Check.PeerDeduped)
	row("**lost** (target 0)", "**%d**", r.Check.Lost)
	row("wall time", "%s (storm %s)", r.WallTime.Round(time.Millisecond), r.StormTime.Round(time.Millisecond))
	if len(r.Rejections) > 0 {
		fmt.Fprintf(&b, "\nrejections: %s\n", joinCounts(r.Rejections))
	}
	if len(r.Check.Problems) > 0 {
		b.WriteString("\nproblems:\n")
		for _, p := range r.Check.Problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
	}
	return b.String()
}

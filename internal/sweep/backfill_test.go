package sweep_test

import (
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/sweep"
)

// checkBackfill runs a first sweep of every stream over three locations of
// perLocation contacts (with tasks, notes and appointments) and checks that
// the peer got every record exactly once, with no 429 from GHL.
func checkBackfill(t *testing.T, perLocation int, mem bool) {
	e := newEnv(t, envOptions{mem: mem, scale: 4000, workers: 48, seed: ghlsandbox.SeedOptions{Seed: 7, Locations: 3, ContactsPerLocation: perLocation}})
	want := e.sandboxCounts()
	start := time.Now()
	reps := e.runAll(t.Context(), false)
	t.Logf("first sweep of %d contacts, %d tasks, %d notes, %d appointments: %s wall, %d GHL requests",
		want[crmsync.KindContact], want[crmsync.KindTask], want[crmsync.KindNote], want[crmsync.KindAppointment], time.Since(start), e.ans.total())

	got, dups := e.deliveries()
	for kind, ev := range map[crmsync.Kind]crmsync.EventType{crmsync.KindContact: crmsync.ContactUpserted, crmsync.KindTask: crmsync.TaskUpserted,
		crmsync.KindNote: crmsync.NoteUpserted, crmsync.KindAppointment: crmsync.AppointmentUpserted} {
		if got[ev] != want[kind] || want[kind] == 0 {
			t.Errorf("%s deliveries = %d, want %d (one per %s in GHL)", ev, got[ev], want[kind], kind)
		}
		rep := reps[streamOf(kind)]
		if tot := rep.Totals(); tot.Delivered != want[kind] || tot.Failed != 0 {
			t.Errorf("%s sweep delivered %d (failed %d), want %d", kind, tot.Delivered, tot.Failed, want[kind])
		}
		if n := len(rep.Locations); n != 3 {
			t.Errorf("%s sweep covered %d locations, want the 3 active ones (agency and uninstalled skipped)", kind, n)
		}
	}
	if n := len(e.peer.Deliveries()); n != want[crmsync.KindContact]+want[crmsync.KindTask]+want[crmsync.KindNote]+want[crmsync.KindAppointment] || dups != 0 {
		t.Errorf("peer received %d deliveries (%d repeats), want exactly one per record", n, dups)
	}
	if n := e.ans.count(http.StatusTooManyRequests); n != 0 {
		t.Errorf("GHL answered 429 %d times", n)
	}
	if perLocation > 1000 {
		return // the second sweep is proven at the CI size
	}
	// A second sweep finds nothing new: every record is unchanged.
	before := len(e.peer.Deliveries())
	reps = e.runAll(t.Context(), false)
	if n := len(e.peer.Deliveries()) - before; n != 0 {
		t.Errorf("second sweep delivered %d records, want 0", n)
	}
	if tot := reps[sweep.Contacts].Totals(); tot.Unchanged == 0 {
		t.Errorf("second contact sweep saw nothing (%+v); it re-reads its overlap window", tot)
	}
}

func streamOf(k crmsync.Kind) sweep.Stream {
	switch k {
	case crmsync.KindTask:
		return sweep.Tasks
	case crmsync.KindNote:
		return sweep.Notes
	case crmsync.KindAppointment:
		return sweep.Appointments
	}
	return sweep.Contacts
}

// TestBackfillThreeLocations is the first sweep on DynamoDB Local, sized
// for CI (150 contacts and about 400 tasks, notes and appointments).
func TestBackfillThreeLocations(t *testing.T) {
	t.Parallel()
	checkBackfill(t, 50, false)
}

// TestBackfill20000ContactsNoRace is the proof at full size: 3
// locations, 20,000 contacts in total with their tasks, notes and
// appointments, GHL's real rate limits on the scaled clock. DynamoDB
// Local's transactions (the link write) take about 30 ms each, so 70,000
// records would take over half an hour there: this size runs on the
// embedded store (the same Store contract, one conformance suite), and on
// DynamoDB Local with GHLSYNC_SWEEP_DYNAMODB_20000=1. Without -race only.
func TestBackfill20000ContactsNoRace(t *testing.T) {
	if raceEnabled {
		t.Skip("20,000 contacts is too slow under -race; run: go test -run TestBackfill20000ContactsNoRace ./internal/sweep")
	}
	if testing.Short() {
		t.Skip("long: 20,000 contacts")
	}
	t.Parallel()
	checkBackfill(t, perLocation20000(), os.Getenv("GHLSYNC_SWEEP_DYNAMODB_20000") != "1")
}

func perLocation20000() int {
	if v := os.Getenv("GHLSYNC_SWEEP_PER_LOCATION"); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	return 6667
}

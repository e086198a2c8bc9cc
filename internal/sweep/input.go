package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/store"
)

// Stream names what one sweep moves; it is also the cursor name.
type Stream string

// The four streams, one per scheduled function.
const (
	Contacts     Stream = "contacts"
	Tasks        Stream = "tasks"
	Notes        Stream = "notes"
	Appointments Stream = "appointments"
)

// Streams lists every stream in the order a backfill runs them.
var Streams = []Stream{Contacts, Tasks, Notes, Appointments}

// Kind returns the entity kind the stream moves.
func (s Stream) Kind() crmsync.Kind {
	switch s {
	case Tasks:
		return crmsync.KindTask
	case Notes:
		return crmsync.KindNote
	case Appointments:
		return crmsync.KindAppointment
	}
	return crmsync.KindContact
}

func (s Stream) valid() bool {
	switch s {
	case Contacts, Tasks, Notes, Appointments:
		return true
	}
	return false
}

func (s Stream) linkKind() store.LinkKind { return store.LinkKind(s.Kind()) }

// KindSweep is the Input kind of a sweep.
const KindSweep = "sweep"

// Input is what an EventBridge Scheduler schedule sends (template.yaml:
// {"kind":"sweep","stream":"contacts"}), what the dev server's local clock
// and the backfill command pass to Runner.Run.
type Input struct {
	Kind   string `json:"kind"`
	Stream Stream `json:"stream"`
	// LocationID limits the sweep to one location (default: every active
	// installation).
	LocationID string `json:"locationId,omitempty"`
	// Deletes runs delete detection now, even if its period has not passed.
	Deletes bool `json:"deletes,omitempty"`
}

// ErrInput reports an Input that is not a sweep this package runs.
var ErrInput = errors.New("sweep: bad input")

// Validate checks the kind and the stream.
func (in Input) Validate() error {
	if in.Kind != KindSweep {
		return fmt.Errorf("%w: kind %q, want %q", ErrInput, in.Kind, KindSweep)
	}
	if !in.Stream.valid() {
		return fmt.Errorf("%w: stream %q, want one of %s", ErrInput, in.Stream, streamNames())
	}
	return nil
}

// ParseInput decodes a schedule's Input strictly (unknown fields refused).
func ParseInput(raw []byte) (Input, error) {
	var in Input
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("%w: %v", ErrInput, err)
	}
	return in, in.Validate()
}

// ParseStreams reads a comma-separated list of streams ("all" or "" for
// every stream).
func ParseStreams(s string) ([]Stream, error) {
	if s == "" || s == "all" {
		return append([]Stream(nil), Streams...), nil
	}
	var out []Stream
	for part := range strings.SplitSeq(s, ",") {
		st := Stream(strings.TrimSpace(part))
		if !st.valid() {
			return nil, fmt.Errorf("%w: stream %q, want one of %s or all", ErrInput, st, streamNames())
		}
		out = append(out, st)
	}
	return out, nil
}

func streamNames() string {
	var names []string
	for _, s := range Streams {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

package sweep_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/sweep"
)

func TestParseInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw  string
		want sweep.Input
		err  bool
	}{
		{raw: `{"kind":"sweep","stream":"contacts"}`, want: sweep.Input{Kind: "sweep", Stream: sweep.Contacts}},
		{raw: `{"kind":"sweep","stream":"appointments","locationId":"L1","deletes":true}`, want: sweep.Input{Kind: "sweep", Stream: sweep.Appointments, LocationID: "L1", Deletes: true}},
		{raw: `{"kind":"pull","stream":"contacts"}`, err: true},
		{raw: `{"kind":"sweep","stream":"deals"}`, err: true},
		{raw: `{"kind":"sweep","stream":"tasks","other":1}`, err: true},
		{raw: `not json`, err: true},
	} {
		got, err := sweep.ParseInput([]byte(tc.raw))
		if tc.err {
			if !errors.Is(err, sweep.ErrInput) {
				t.Errorf("%s: err = %v, want ErrInput", tc.raw, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s = %+v, %v; want %+v", tc.raw, got, err, tc.want)
		}
	}
	streams, err := sweep.ParseStreams("notes, tasks")
	if err != nil || !cmp.Equal(streams, []sweep.Stream{sweep.Notes, sweep.Tasks}) {
		t.Errorf("ParseStreams = %v, %v", streams, err)
	}
	if all, err := sweep.ParseStreams("all"); err != nil || len(all) != 4 {
		t.Errorf("ParseStreams(all) = %v, %v", all, err)
	}
	if _, err := sweep.ParseStreams("contacts,x"); !errors.Is(err, sweep.ErrInput) {
		t.Errorf("ParseStreams(contacts,x) err = %v", err)
	}
}

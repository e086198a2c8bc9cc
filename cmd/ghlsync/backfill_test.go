package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestBackfillExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"backfill"}, 2}, // --location missing
		{[]string{"backfill", "--location", "L1", "--streams", "x", "--table", "t"}, 2},
		{[]string{"backfill", "--help"}, 0},
	} {
		var stdout, stderr bytes.Buffer
		if got := run(t.Context(), tc.args, &stdout, &stderr); got != tc.code {
			t.Errorf("%q: exit %d, want %d\n%s", tc.args, got, tc.code, stderr.String())
		}
	}
	var stderr bytes.Buffer
	run(t.Context(), []string{"help"}, &bytes.Buffer{}, &stderr)
	if !strings.Contains(stderr.String(), "backfill") {
		t.Errorf("help does not list backfill:\n%s", stderr.String())
	}
}

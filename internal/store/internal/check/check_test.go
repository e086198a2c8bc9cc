package check_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/internal/check"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	at := func(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
	for _, tc := range []struct {
		now          time.Time
		window       time.Duration
		start, reset time.Time
	}{
		{at(0), 10 * time.Second, at(0), at(10_000)},
		{at(9_999), 10 * time.Second, at(0), at(10_000)},
		{at(10_000), 10 * time.Second, at(10_000), at(20_000)},
		{at(-1), 10 * time.Second, at(-10_000), at(0)},
		{at(86_400_000 + 5), 24 * time.Hour, at(86_400_000), at(2 * 86_400_000)},
	} {
		start, gotReset := check.Window(tc.now, tc.window)
		if !start.Equal(tc.start) || !gotReset.Equal(tc.reset) {
			t.Errorf("Window(%d ms, %s) = %d, %d; want %d, %d", tc.now.UnixMilli(), tc.window,
				start.UnixMilli(), gotReset.UnixMilli(), tc.start.UnixMilli(), tc.reset.UnixMilli())
		}
	}
}

func TestPrefixAndID(t *testing.T) {
	t.Parallel()
	long := string(make([]byte, check.MaxIDBytes+1))
	for _, tc := range []struct {
		v          string
		prefixOK   bool
		idOK       bool
		textOK     bool
		descriptor string
	}{
		{"loc-1", true, true, true, "plain"},
		{"a#b", false, true, true, "hash sign"},
		{"", false, false, true, "empty"},
		{"\xff", false, false, false, "invalid UTF-8"},
		{long, false, false, true, "too long for an id"},
	} {
		for _, c := range []struct {
			name string
			err  error
			ok   bool
		}{
			{"Prefix", check.Prefix("f", tc.v), tc.prefixOK},
			{"ID", check.ID("f", tc.v), tc.idOK},
			{"Text", check.Text("f", tc.v), tc.textOK},
		} {
			if (c.err == nil) != c.ok || (c.err != nil && !errors.Is(c.err, store.ErrInvalid)) {
				t.Errorf("%s(%s) = %v, want ok=%v (or ErrInvalid)", c.name, tc.descriptor, c.err, c.ok)
			}
		}
	}
}

func TestInstant(t *testing.T) {
	t.Parallel()
	if got := check.Instant(time.Time{}); !got.IsZero() {
		t.Errorf("Instant(zero) = %v", got)
	}
	in := time.Date(2026, 11, 22, 14, 0, 0, 5, time.FixedZone("UTC+2", 7200))
	got := check.Instant(in)
	if got.Location() != time.UTC || !got.Equal(in) {
		t.Errorf("Instant(%v) = %v, want the same instant in UTC", in, got)
	}
}

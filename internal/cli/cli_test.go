package cli

import (
	"errors"
	"flag"
	"io"
	"testing"
)

func TestParseAndExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"ok", []string{"--n", "3"}, ExitOK},
		{"help", []string{"--help"}, ExitOK},
		{"unknown flag", []string{"--nope"}, ExitUsage},
		{"bad value", []string{"--n", "x"}, ExitUsage},
		{"extra argument", []string{"extra"}, ExitUsage},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Int("n", 0, "a number")
		if got := ExitCode(Parse(fs, tt.args)); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := ExitCode(errors.New("boom")); got != ExitFailure {
		t.Errorf("failure: exit %d, want %d", got, ExitFailure)
	}
	if err := Usagef("need %s", "x"); !errors.Is(err, ErrUsage) || err.Error() != "usage: need x" {
		t.Errorf("Usagef = %v", err)
	}
}

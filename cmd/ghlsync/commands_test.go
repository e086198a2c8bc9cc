package main

import (
	"bytes"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestExitCodes: 0 success and --help, 1 a command that ran and failed, 2
// bad usage, for every command.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		args []string
		want int
		// out must appear in stdout+stderr.
		out string
	}{
		{[]string{"version"}, 0, "go " + runtime.Version()},
		{[]string{"help"}, 0, "Exit codes: 0 success, 1 the command failed, 2 bad usage."},
		{[]string{}, 2, "usage: ghlsync <command>"},
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"dev", "--help"}, 0, "usage: ghlsync dev"},
		{[]string{"replay", "--help"}, 0, "usage: ghlsync replay"},
		{[]string{"version", "--help"}, 0, "usage: ghlsync version"},
		{[]string{"sandbox", "--help"}, 0, "-contacts"},
		{[]string{"auth", "--help"}, 0, "usage: ghlsync auth"},
		{[]string{"dev", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"dev", "--contacts", "0"}, 2, "--contacts must be at least 1"},
		{[]string{"dev", "extra"}, 2, "unexpected arguments"},
		{[]string{"replay"}, 2, "give exactly one of --file and --queue-url"},
		{[]string{"replay", "--file", "a", "--queue-url", "b"}, 2, "give exactly one of --file and --queue-url"},
		{[]string{"replay", "--file", missing}, 1, "no such file"},
		{[]string{"version", "extra"}, 2, "unexpected arguments"},
		{[]string{"sandbox", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"auth", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"auth", "--pit", "x"}, 2, "--pit and --location go together"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		got := run(t.Context(), tt.args, &stdout, &stderr)
		if got != tt.want {
			t.Errorf("ghlsync %s: exit %d, want %d\n%s%s", strings.Join(tt.args, " "), got, tt.want, stdout.String(), stderr.String())
		}
		if all := stdout.String() + stderr.String(); !strings.Contains(all, tt.out) {
			t.Errorf("ghlsync %s: output lacks %q:\n%s", strings.Join(tt.args, " "), tt.out, all)
		}
	}
}

func TestVersionText(t *testing.T) {
	t.Parallel()
	info := &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "github.com/ghlsync/ghlsync", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-03-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "ghlsync v1.2.3\nmodule github.com/ghlsync/ghlsync\ngo go1.26.1\ncommit abc123 (modified)\ncommitted 2026-03-01T10:00:00Z\n"
	if got := versionText(info, "goX"); got != want {
		t.Errorf("versionText =\n%s\nwant\n%s", got, want)
	}
	if got := versionText(nil, "go1.26.0"); got != "ghlsync (devel)\nmodule github.com/ghlsync/ghlsync\ngo go1.26.0\ncommit unknown\n" {
		t.Errorf("versionText(nil) = %q", got)
	}
}

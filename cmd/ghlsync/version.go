package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/ghlsync/ghlsync/internal/cli"
)

const versionUsage = "print the module version, Go version and commit"

// runVersion is "ghlsync version": module version, Go version and the VCS
// commit from the build information, when the build recorded them.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ghlsync version")
		fmt.Fprintln(stderr, "Prints the module version, the Go version and the commit of this build. Exit codes: 0, 2 bad usage.")
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(info, runtime.Version()))
	return nil
}

// versionText renders the build information (info may be nil).
func versionText(info *debug.BuildInfo, goVersion string) string {
	module, version := "github.com/ghlsync/ghlsync", "(devel)"
	commit, when, modified := "unknown", "", ""
	if info != nil {
		if info.Main.Path != "" {
			module = info.Main.Path
		}
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	out := fmt.Sprintf("ghlsync %s\nmodule %s\ngo %s\ncommit %s%s\n", version, module, goVersion, commit, modified)
	if when != "" {
		out += "committed " + when + "\n"
	}
	return out
}

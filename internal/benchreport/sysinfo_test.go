//go:build bench

package benchreport_test

import (
	"os"
	"runtime"
	"strings"
)

func runtimeVersion() string { return runtime.Version() }

func numCPU() int { return runtime.NumCPU() }

// cpuModel returns the CPU model name from /proc/cpuinfo ("" elsewhere).
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

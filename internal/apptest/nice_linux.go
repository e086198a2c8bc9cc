package apptest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// LowerDynamoDBLocalPriority gives the DynamoDB Local JVMs this process
// started (its child java processes) the lowest CPU priority, every thread
// of them. In production DynamoDB runs on other machines; here its JVM
// shares the cores with the handler, and its background threads (GC, JIT,
// SQLite) would otherwise take a core from the handler between requests
// and stretch the handler's own work. At the lowest priority it still
// serves each request at full speed while the handler waits for it. It
// reports how many threads it reprioritised (nice_other.go: none off Linux).
func LowerDynamoDBLocalPriority(tb testing.TB) int {
	tb.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	self := os.Getpid()
	n := 0
	for _, stat := range stats {
		b, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 || s[open+1:end] != "java" {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid != self {
			continue
		}
		tasks, _ := filepath.Glob(filepath.Join(filepath.Dir(stat), "task", "[0-9]*"))
		for _, task := range tasks {
			tid, err := strconv.Atoi(filepath.Base(task))
			if err != nil {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19); err == nil {
				n++
			}
		}
	}
	return n
}

// ProcessCPU returns the CPU time (user and system) the process has used:
// the handler's, and the in-process sandbox's and peer's.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

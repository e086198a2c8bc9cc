package dynamotest

import (
	"os/exec"
	"runtime"
	"syscall"
)

// setProcAttr makes the kernel kill DynamoDB Local when the test binary
// dies without reaching Main's clean-up (a panic, a timeout, a missing TestMain).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// lockThread pins the goroutine that starts and waits for the process to its
// thread: the parent-death signal follows the thread, not the process.
func lockThread() { runtime.LockOSThread() }

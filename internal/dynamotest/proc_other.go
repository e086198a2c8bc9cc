//go:build !linux

package dynamotest

import "os/exec"

// setProcAttr does nothing here: only Linux has a parent-death signal, so
// Main must stop the server.
func setProcAttr(*exec.Cmd) {}

// lockThread does nothing where setProcAttr does nothing.
func lockThread() {}

//go:build !linux

package apptest

import (
	"testing"
	"time"
)

// LowerDynamoDBLocalPriority does nothing off Linux (see nice_linux.go).
func LowerDynamoDBLocalPriority(tb testing.TB) int { return 0 }

// ProcessCPU returns 0 off Linux (see nice_linux.go).
func ProcessCPU() time.Duration { return 0 }

//go:build !linux

package peak

import "time"

// threadClock is the wall clock where no per-thread CPU clock is wired up.
func threadClock() func() time.Duration { return wallClock() }

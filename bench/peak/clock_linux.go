package peak

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadClock returns a clock for the calling OS thread (the probe locks
// its goroutine to one): its CPU time, so that time the thread spends
// descheduled while other work runs on the machine does not count against
// the FMA rate. It falls back to the wall clock when the CPU clock fails.
func threadClock() func() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return wallClock()
	}
	return func() time.Duration {
		_ = unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
		return time.Duration(ts.Nano())
	}
}

//go:build unix

package bench

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time (user + system, all threads) the process has used.
// Under load from other processes wall time stretches but CPU time does not,
// so for single-threaded runs it is the steadier measure of the work done.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

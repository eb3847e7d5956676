//go:build linux || darwin

package kernels

import (
	"syscall"
	"time"
)

// processCPUTime is the user+system CPU time this process has used. On a
// machine shared with other jobs, flops per CPU-second is a steadier
// figure than flops per wall-second.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

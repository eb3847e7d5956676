package kernels

import (
	"runtime"
	"sync/atomic"
)

var threads atomic.Int32

func init() { threads.Store(int32(runtime.GOMAXPROCS(0))) }

// SetThreads sets how many goroutines Sgemm may use; n < 1 means
// GOMAXPROCS. Results are bitwise identical for every thread count, because
// work is split over blocks of C and never over the summation dimension.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	threads.Store(int32(n))
}

// Threads reports the thread count set by SetThreads.
func Threads() int { return int(threads.Load()) }

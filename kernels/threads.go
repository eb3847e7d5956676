package kernels

import "github.com/gokern/gokern/internal/parallel"

// SetThreads sets how many goroutines each kernel call may use, the caller
// included: Sgemm, the element-wise passes and reductions, and (through the
// same pool, internal/parallel) the convolutions. n < 1 means GOMAXPROCS.
// It may be called at any time: each parallel region reads the count when
// it starts, so a call already running picks the new count up at its next
// region. Results are bitwise identical for every thread
// count: work is split over blocks of the output whose boundaries depend on
// the problem alone, never over a summation in a thread-dependent way.
func SetThreads(n int) { parallel.SetThreads(n) }

// Threads reports the thread count set by SetThreads.
func Threads() int { return parallel.Threads() }

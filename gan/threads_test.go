package gan

import (
	"testing"

	"github.com/gokern/gokern/kernels"
)

// TestIterationAllocatesNothingThreaded checks a whole training iteration
// for allocations on 1, 2 and 7 threads, at a batch whose activations are
// long enough for every threaded pass to split (the first convolution's
// output is 16x16x64 per image).
func TestIterationAllocatesNothingThreaded(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	cfg := tinyConfig()
	cfg.Batch = 16
	tr := newTiny(t, cfg)
	for _, th := range []int{1, 2, 7} {
		kernels.SetThreads(th)
		tr.Iteration()
		// Two runs, as TestIterationSchedule: AllocsPerRun rounds down, which
		// hides the runtime's type-assertion caches, filled at random
		// (1 in 1024 assertions) with one 48-byte allocation at a time.
		if n := testing.AllocsPerRun(2, func() { tr.Iteration() }); n > 0 {
			t.Errorf("threads=%d: Iteration allocates %v times", th, n)
		}
	}
}

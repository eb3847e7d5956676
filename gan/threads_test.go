package gan

import (
	"testing"

	"github.com/gokern/gokern/internal/allocs"
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
		// allocs.Count, not testing.AllocsPerRun: at 2 threads the runtime
		// makes a sudog or a type-assertion cache now and then (bounded, but
		// at random), which AllocsPerRun would blame on Iteration.
		if r := allocs.Count(2, func() { tr.Iteration() }); r.Ours() != 0 {
			t.Errorf("threads=%d: Iteration allocates: %v", th, r)
		}
	}
}

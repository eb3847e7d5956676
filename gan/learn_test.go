package gan

import (
	"os"
	"testing"

	"github.com/gokern/gokern/cifar10"
)

// TestLearnsOnCIFAR10 trains on the shared CIFAR-10 batch, when present,
// for a few dozen iterations and checks that the discriminator learns:
// its losses on real and on generated images, averaged over the first and
// the last ten iterations, fall.
func TestLearnsOnCIFAR10(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for 40 iterations")
	}
	if _, err := os.Stat(sharedCIFAR); err != nil {
		t.Skip("no shared CIFAR-10 copy at", sharedCIFAR)
	}
	data, err := cifar10.Load(sharedCIFAR)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Batch = 16
	cfg.Seed = 3
	tr, err := NewTrainer(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	const iters, window = 40, 10
	var stats []IterationStats
	for range iters {
		s := tr.Iteration()
		if !finite(s) {
			t.Fatalf("iteration %d: losses %+v", len(stats)+1, s)
		}
		stats = append(stats, s)
	}
	mean := func(ss []IterationStats, f func(IterationStats) float32) float64 {
		var sum float64
		for _, s := range ss {
			sum += float64(f(s))
		}
		return sum / float64(len(ss))
	}
	real := func(s IterationStats) float32 { return s.DLossReal }
	fake := func(s IterationStats) float32 { return s.DLossFake }
	r0, r1 := mean(stats[:window], real), mean(stats[iters-window:], real)
	f0, f1 := mean(stats[:window], fake), mean(stats[iters-window:], fake)
	t.Logf("D loss on real images %.3f -> %.3f, on generated %.3f -> %.3f (first and last %d iterations)", r0, r1, f0, f1, window)
	if !(r1 < 0.9*r0) || !(f1 < 0.9*f0) {
		t.Errorf("the discriminator did not learn: real %.3f -> %.3f, fake %.3f -> %.3f", r0, r1, f0, f1)
	}
}

// sharedCIFAR is the development copy of one CIFAR-10 batch, relative to
// this package's folder.
const sharedCIFAR = "../../shared/data/cifar-10-batches-bin"

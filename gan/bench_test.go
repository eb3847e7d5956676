package gan

import (
	"fmt"
	"testing"

	"github.com/gokern/gokern/cifar10"
	"github.com/gokern/gokern/internal/kerneltest"
)

// BenchmarkIteration times one iteration of the tutorial's schedule on
// every kernel path; images/s counts the batch.
//
//	go test -run NONE -bench Iteration/batch=128 -benchtime 5x ./gan
func BenchmarkIteration(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		for _, batch := range []int{16, 128} {
			b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Batch = batch
				tr, err := NewTrainer(cfg, cifar10.NewSynthetic(1000, 1))
				if err != nil {
					b.Fatal(err)
				}
				tr.Iteration() // first-touch of every buffer and Adam state
				b.ResetTimer()
				for b.Loop() {
					tr.Iteration()
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
			})
		}
	})
}

// BenchmarkSaveCheckpoint times one checkpoint of the full-size models
// (weights, both optimisers' moments, state, fsync and the swap), the cost
// the time-based checkpoint (-checkpoint-every) pays once per interval.
//
//	go test -run NONE -bench SaveCheckpoint -benchtime 5x ./gan
func BenchmarkSaveCheckpoint(b *testing.B) {
	tr, err := NewTrainer(DefaultConfig(), cifar10.NewSynthetic(1000, 1))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		if err := tr.SaveCheckpoint(dir); err != nil {
			b.Fatal(err)
		}
	}
}

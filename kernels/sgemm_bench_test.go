package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// reportGFLOPS reports wall-clock GFLOPS and, where the platform tells CPU
// time, GFLOPS per CPU-second ("cpuGFLOPS"): on a shared machine the wall
// clock includes time other jobs held the core, the CPU time does not.
func reportGFLOPS(b *testing.B, flops float64, cpu time.Duration) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	if cpu > 0 {
		b.ReportMetric(flops*float64(b.N)/cpu.Seconds()/1e9, "cpuGFLOPS")
	}
}

// BenchmarkSgemmThreads measures thread scaling on the active path:
// BenchmarkSgemmThreads/<shape>/t<n> for n = 1, 2 (and GOMAXPROCS when
// larger) with interleaved runs. Besides GFLOPS it reports "cores", CPU
// time over wall time: on a shared machine a ratio of two-thread to
// one-thread GFLOPS means something only where cores came out near 2.
// The shapes are squares; the DCGAN's own GEMMs, derived from the models
// package gan builds (which kernels' tests cannot import), are measured by
// the root package's BenchmarkSgemm, whose threads follow -cpu.
func BenchmarkSgemmThreads(b *testing.B) {
	defer SetThreads(Threads())
	counts := []int{1, 2}
	if p := runtime.GOMAXPROCS(0); p > 2 {
		counts = append(counts, p)
	}
	for _, size := range []int{1024, 2048} {
		rng := rand.New(rand.NewPCG(1, 1))
		a, bm, c := operand(rng, size, size, size, 0), operand(rng, size, size, size, 0), make([]float32, size*size)
		flops := 2 * float64(size) * float64(size) * float64(size)
		b.Run(fmt.Sprintf("square%d", size), func(b *testing.B) {
			for _, n := range counts {
				b.Run(fmt.Sprintf("t%d", n), func(b *testing.B) {
					SetThreads(n)
					Sgemm(false, false, size, size, size, 1, a, size, bm, size, 0, c, size)
					b.ResetTimer()
					cpu0 := processCPUTime()
					for b.Loop() {
						Sgemm(false, false, size, size, size, 1, a, size, bm, size, 0, c, size)
					}
					cpu := processCPUTime() - cpu0
					reportGFLOPS(b, flops, cpu)
					if cpu > 0 {
						b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "cores")
					}
				})
			}
		})
	}
}

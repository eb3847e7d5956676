package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/gokern/gokern/internal/kerneltest"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmPeer is another SGEMM the benchmarks compare against.
type gemmPeer struct {
	name       string
	setThreads func(int)
	sgemm      GemmFunc
}

// gemmPeers holds the peers; the openblas build tag adds OpenBLAS.
var gemmPeers = []gemmPeer{{name: "gonum", setThreads: func(int) {}, sgemm: gonumSgemm}}

func gonumSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	gonum.Implementation{}.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// reportGFLOPS reports wall-clock GFLOPS and, where the platform tells CPU
// time, GFLOPS per CPU-second ("cpuGFLOPS"): on a shared machine the wall
// clock includes time other jobs held the core, the CPU time does not.
func reportGFLOPS(b *testing.B, flops float64, cpu time.Duration) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	if cpu > 0 {
		b.ReportMetric(flops*float64(b.N)/cpu.Seconds()/1e9, "cpuGFLOPS")
	}
}

// BenchmarkSgemm reports GFLOPS for every shape of GemmBenchShapes on every
// kernel path and every peer, as BenchmarkSgemm/<shape>/<path>. Threads
// follow GOMAXPROCS, so -cpu 1,2 measures one and two threads (OpenBLAS
// included); run with -benchtime=Nx for the big shapes.
func BenchmarkSgemm(b *testing.B) {
	defer SetThreads(Threads())
	threads := runtime.GOMAXPROCS(0)
	for _, s := range GemmBenchShapes() {
		rng := rand.New(rand.NewPCG(1, 1))
		lda, ldb, ldc := s.Operands()
		a := operand(rng, s.M*s.K/lda, lda, lda, 0)
		bm := operand(rng, s.K*s.N/ldb, ldb, ldb, 0)
		c := make([]float32, s.M*s.N)
		run := func(b *testing.B, f GemmFunc) {
			f(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, bm, ldb, 0, c, ldc) // warm buffers and pages
			b.ResetTimer()
			cpu0 := processCPUTime()
			for b.Loop() {
				f(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, bm, ldb, 0, c, ldc)
			}
			reportGFLOPS(b, s.Flops(), processCPUTime()-cpu0)
		}
		b.Run(s.Name, func(b *testing.B) {
			kerneltest.Bench(b, func(b *testing.B) {
				SetThreads(threads)
				run(b, Sgemm)
			})
			for _, p := range gemmPeers {
				if p.name == "gonum" && s.Flops() > 4e9 && testing.Short() {
					continue
				}
				p.setThreads(threads)
				b.Run(p.name, func(b *testing.B) { run(b, p.sgemm) })
			}
		})
	}
}

// BenchmarkSgemmThreads measures thread scaling on the active path:
// BenchmarkSgemmThreads/<shape>/t<n> for n = 1, 2 (and GOMAXPROCS when
// larger) with interleaved runs. Besides GFLOPS it reports "cores", CPU
// time over wall time: on a shared machine a ratio of two-thread to
// one-thread GFLOPS means something only where cores came out near 2.
func BenchmarkSgemmThreads(b *testing.B) {
	defer SetThreads(Threads())
	counts := []int{1, 2}
	if p := runtime.GOMAXPROCS(0); p > 2 {
		counts = append(counts, p)
	}
	for _, s := range GemmBenchShapes() {
		if s.Flops() < 1e9 {
			continue
		}
		rng := rand.New(rand.NewPCG(1, 1))
		lda, ldb, ldc := s.Operands()
		a := operand(rng, s.M*s.K/lda, lda, lda, 0)
		bm := operand(rng, s.K*s.N/ldb, ldb, ldb, 0)
		c := make([]float32, s.M*s.N)
		b.Run(s.Name, func(b *testing.B) {
			for _, n := range counts {
				b.Run(fmt.Sprintf("t%d", n), func(b *testing.B) {
					SetThreads(n)
					Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, bm, ldb, 0, c, ldc)
					b.ResetTimer()
					cpu0 := processCPUTime()
					for b.Loop() {
						Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, bm, ldb, 0, c, ldc)
					}
					cpu := processCPUTime() - cpu0
					reportGFLOPS(b, s.Flops(), cpu)
					if cpu > 0 {
						b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "cores")
					}
				})
			}
		})
	}
}

package gokern_test

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gokern/gokern/bench"
	"github.com/gokern/gokern/bench/peak"
	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

var epochBatch = flag.Int("epoch.batch", 128, "training batch of BenchmarkEpoch (the Keras tutorial's 128)")

// contenders are every known kernel path (those this CPU cannot run are
// skipped, naming why) plus "gonum": the best path with gonum's Sgemm in
// place of gokern's for every GEMM (and "openblas" in builds with -tags
// openblas).
func contenders() []string {
	names := kernels.Known()
	names = append(names, "gonum")
	if bench.OpenBLASAvailable {
		names = append(names, "openblas")
	}
	return names
}

// use makes name current and returns the function that undoes it.
func use(tb testing.TB, name string) func() {
	prev := kernels.Active()
	kernels.SetThreads(runtime.GOMAXPROCS(0)) // follow -cpu
	if f, ok := bench.GemmPeers()[name]; ok {
		sgemmhook.Set(f)
		bench.SetPeerThreads(runtime.GOMAXPROCS(0))
		return func() { sgemmhook.Set(nil) }
	}
	if !slices.Contains(kernels.Available(), name) {
		tb.Skip(kernels.Use(name)) // the error names the missing CPU feature
	}
	if err := kernels.Use(name); err != nil {
		tb.Fatal(err)
	}
	return func() { _ = kernels.Use(prev) }
}

// peaks caches the FMA peak ceiling of each path at each thread count as
// the report command computes it: the best of three probes with that many
// threads at once (interference only ever lowers a probe), or of three
// one-thread probes if higher. (Hyperthreads share a core's FMA units, so
// the ceiling is not threads x one thread.)
var peaks sync.Map

func peakOf(path string) float64 {
	if _, err := peak.Measure(path, 1, time.Millisecond); err != nil {
		path = kernels.Best() // a peer: compare with the best path
	}
	key := fmt.Sprint(path, runtime.GOMAXPROCS(0))
	if g, ok := peaks.Load(key); ok {
		return g.(float64)
	}
	single, _ := peak.Best(path, 1, 50*time.Millisecond, 3)
	together, _ := peak.Best(path, runtime.GOMAXPROCS(0), 50*time.Millisecond, 3)
	ceiling := max(single, together)
	peaks.Store(key, ceiling)
	return ceiling
}

// trainer is shared by every BenchmarkEpoch sub-benchmark: the work of an
// iteration does not depend on the weights' values, and one trainer keeps
// memory (and first-touch page faults) out of the comparison.
var (
	trainerOnce sync.Once
	trainer     *gan.Trainer
	trainerErr  error
)

func sharedTrainer(b *testing.B) *gan.Trainer {
	trainerOnce.Do(func() {
		trainer, trainerErr = bench.NewTrainer(*epochBatch)
		if trainerErr == nil {
			trainer.Iteration() // sizes every workspace, on the default (fastest) path
		}
	})
	if trainerErr != nil {
		b.Fatal(trainerErr)
	}
	return trainer
}

// BenchmarkEpoch trains the Keras CIFAR-10 DCGAN tutorial's models, one iteration (D on a real half
// batch, D on a generated half batch, G through the frozen D on a full
// batch) per b.N, on each kernel path and with gonum's GEMM.
func BenchmarkEpoch(b *testing.B) {
	for _, name := range contenders() {
		b.Run(name, func(b *testing.B) {
			t := sharedTrainer(b)
			defer use(b, name)()
			pk := peakOf(name)
			b.ResetTimer()
			cpu0 := bench.CPUTime()
			for range b.N {
				t.Iteration()
			}
			b.StopTimer()
			// Process CPU time: steadier than wall time on a shared machine.
			b.ReportMetric((bench.CPUTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			sec := b.Elapsed().Seconds() / float64(b.N)
			gflops := bench.IterationFLOPs(*epochBatch, t.Config().LatentDim) / sec / 1e9
			b.ReportMetric(float64(*epochBatch)/sec, "images/s")
			b.ReportMetric(sec*bench.ItersPerEpoch, "s/epoch")
			b.ReportMetric(gflops, "GFLOPS")
			if pk > 0 {
				b.ReportMetric(100*gflops/pk, "%peak")
			}
		})
	}
}

// BenchmarkScalingPaired measures the training iteration's speed-up from
// one thread to GOMAXPROCS (-cpu) threads on the best path: each b.N is a
// pair, one iteration on one thread and one on all of them, back to back
// in one process, and "x" is the median of the pairs' time ratios. On a
// shared machine whose load drifts over seconds, ratios of adjacent
// iterations are steadier than a ratio of two separate runs' medians
// (which the harness's scaling section reports). Run with -benchtime Nx:
//
//	go test -run XXX -bench ScalingPaired -benchtime 24x -cpu 2 .
func BenchmarkScalingPaired(b *testing.B) {
	t := sharedTrainer(b)
	all := runtime.GOMAXPROCS(0)
	defer kernels.SetThreads(kernels.Threads())
	var ratios []float64
	var one, many time.Duration
	for range b.N {
		kernels.SetThreads(1)
		t0 := time.Now()
		t.Iteration()
		t1 := time.Now()
		kernels.SetThreads(all)
		t.Iteration()
		t2 := time.Now()
		one, many = one+t1.Sub(t0), many+t2.Sub(t1)
		ratios = append(ratios, t1.Sub(t0).Seconds()/t2.Sub(t1).Seconds())
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "x")
	b.ReportMetric(ratios[len(ratios)/4], "x-q1")
	b.ReportMetric(ratios[(3*len(ratios))/4], "x-q3")
	b.ReportMetric(one.Seconds()/float64(b.N), "s/iter-1thread")
	b.ReportMetric(many.Seconds()/float64(b.N), fmt.Sprintf("s/iter-%dthreads", all))
}

// BenchmarkPeakPaired measures the training iteration's share of the FMA
// peak with the ceiling probed beside each iteration: each b.N runs the
// probe (all -cpu threads at once, about 100 ms), one iteration and the
// probe again, on every path this CPU has, and "%peak" is the median over
// the b.N of the iteration's GFLOPS against the mean of its two probes.
// Where the host changes the clock from one second to the next (seen on a
// shared Intel Xeon: the same kernel at 74-134 GFLOPS in 100 ms windows),
// BenchmarkEpoch's %peak compares an iteration at one clock with the best
// probe at another; this pairs them. "%peak-best" is the same iterations
// against the best probe of the run, BenchmarkEpoch's reading. Run with
// -benchtime Nx:
//
//	go test -run XXX -bench 'PeakPaired/avx' -benchtime 8x -cpu 1,2 .
func BenchmarkPeakPaired(b *testing.B) {
	for _, name := range kernels.Known() {
		b.Run(name, func(b *testing.B) {
			t := sharedTrainer(b)
			defer use(b, name)()
			threads := runtime.GOMAXPROCS(0)
			probe := func() float64 {
				g, err := peak.Measure(name, threads, 100*time.Millisecond)
				if err != nil {
					b.Fatal(err)
				}
				return g
			}
			flops := bench.IterationFLOPs(*epochBatch, t.Config().LatentDim)
			var shares, rates []float64
			best := 0.0
			for range b.N {
				before := probe()
				t0 := time.Now()
				t.Iteration()
				sec := time.Since(t0).Seconds()
				after := probe()
				gflops := flops / sec / 1e9
				shares = append(shares, 100*gflops/((before+after)/2))
				rates = append(rates, gflops)
				best = max(best, before, after)
			}
			slices.Sort(shares)
			slices.Sort(rates)
			b.ReportMetric(shares[len(shares)/2], "%peak")
			b.ReportMetric(shares[len(shares)/4], "%peak-q1")
			b.ReportMetric(shares[(3*len(shares))/4], "%peak-q3")
			b.ReportMetric(100*rates[len(rates)/2]/best, "%peak-best")
		})
	}
}

// BenchmarkSgemm runs kernels.Sgemm on powers of two from 256 to 2048 and
// on the DCGAN's characteristic shapes (bench.SgemmShapes, derived from the
// models package gan builds), on every path and peer, as
// BenchmarkSgemm/<shape>/<path>. Threads follow -cpu. Besides GFLOPS it
// reports GFLOPS per CPU-second ("cpuGFLOPS"): on a shared machine the
// wall clock includes time other jobs held the core, the CPU time does
// not. Run with -benchtime=Nx for the big shapes.
func BenchmarkSgemm(b *testing.B) {
	var shapes []bench.GemmShape
	for n := 256; n <= 2048; n *= 2 {
		shapes = append(shapes, bench.GemmShape{Name: fmt.Sprintf("square%d", n), M: n, N: n, K: n})
	}
	for _, s := range append(shapes, bench.SgemmShapes()...) {
		lda, ldb, ldc := s.Operands()
		a, bb, c := fill(s.M*s.K), fill(s.K*s.N), make([]float32, s.M*s.N)
		b.Run(s.String(), func(b *testing.B) {
			for _, name := range contenders() {
				b.Run(name, func(b *testing.B) {
					defer use(b, name)()
					kernels.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, bb, ldb, 0, c, ldc) // warm buffers and pages
					b.ResetTimer()
					cpu0 := bench.CPUTime()
					for range b.N {
						kernels.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, bb, ldb, 0, c, ldc)
					}
					cpu := bench.CPUTime() - cpu0
					b.ReportMetric(s.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
					if cpu > 0 {
						b.ReportMetric(s.FLOPs()*float64(b.N)/cpu.Seconds()/1e9, "cpuGFLOPS")
					}
				})
			}
		})
	}
}

// convLayers returns the DCGAN's convolution layers (bench.Layers reads
// them from the models package gan builds).
func convLayers(b *testing.B) []bench.Layer {
	d, g, err := bench.Layers(100)
	if err != nil {
		b.Fatal(err)
	}
	var out []bench.Layer
	for _, l := range append(d, g...) {
		if l.Type != "Dense" {
			out = append(out, l)
		}
	}
	return out
}

// BenchmarkConv runs each DCGAN convolution layer forward, backward-data,
// backward-weights and both backward passes in one call at batch 64 on every path and peer, as
// BenchmarkConv/<model>/<layer>/<direction>/<path>.
func BenchmarkConv(b *testing.B) {
	const n = 64
	for _, l := range convLayers(b) {
		op, err := l.NewOp()
		if err != nil {
			b.Fatal(err)
		}
		s := l.Spec
		oh, ow, f := op.OutShape()
		x, w, bias := fill(n*s.H*s.W*s.C), fill(s.WeightLen()), fill(f)
		y, dy := make([]float32, n*oh*ow*f), fill(n*oh*ow*f)
		dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, f)
		// backward is backward-data and backward-weights in one call (what
		// a training step runs), twice the forward FLOPs.
		for _, d := range []struct {
			name   string
			passes float64
			call   func()
		}{
			{"forward", 1, func() { op.Forward(n, x, w, bias, y) }},
			{"backward-data", 1, func() { op.BackwardData(n, dy, w, dx) }},
			{"backward-weights", 1, func() { op.BackwardWeights(n, x, dy, dw, db) }},
			{"backward", 2, func() { op.Backward(n, x, dy, w, dx, dw, db) }},
		} {
			b.Run(l.String()+"/"+d.name, func(b *testing.B) {
				for _, name := range contenders() {
					b.Run(name, func(b *testing.B) {
						defer use(b, name)()
						d.call()
						b.ResetTimer()
						for range b.N {
							d.call()
						}
						b.ReportMetric(d.passes*l.ForwardFLOPs(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
					})
				}
			})
		}
	}
}

// fill returns n deterministic values in [-1, 1).
func fill(n int) []float32 {
	s := make([]float32, n)
	x := uint32(12345)
	for i := range s {
		x = x*1664525 + 1013904223
		s[i] = float32(x>>8)/(1<<23) - 1
	}
	return s
}

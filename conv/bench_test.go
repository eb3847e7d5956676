package conv

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// Benchmarks of this package's own choices. The DCGAN's layers, read from
// the models package gan builds, are benchmarked in the root package
// (go test -bench 'Conv|Im2col' .), which this package's tests cannot
// import. Run, for example:
//
//	go test -run '^$' -bench 'ConvLayer/avx2/.*/64' -benchtime 10x ./conv
//
// ConvLayer times one forward, backward-data and backward-weights pass
// (3x the forward FLOPs) of a few-filter layer and reports GFLOPS plus each
// pass's share in ms, twice: on its implicit-GEMM path (the default) and,
// as <path>-im2col, through im2col + Sgemm.

func benchBuffers(l LayerConfig, op Op, n int) (x, w, b, y []float32) {
	s := l.Spec
	oh, ow, f := op.OutShape()
	fill := func(k int) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = float32(i%17)/17 - 0.5
		}
		return v
	}
	return fill(n * s.H * s.W * s.C), fill(s.WeightLen()), fill(f), fill(n * oh * ow * f)
}

// fewFilters has the geometry of the generator's RGB output layer: 3
// filters over 32x32x128, the case the implicit-GEMM path exists for.
var fewFilters = LayerConfig{Name: "few_filters_32x32x128to3", Spec: Spec{H: 32, W: 32, C: 128, Filters: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}}

func BenchmarkConvLayer(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		for _, l := range []LayerConfig{fewFilters} {
			for _, n := range []int{64, 128} {
				variants := []bool{false}
				if !l.Transpose && l.Spec.Filters <= implicitMaxFilters {
					variants = []bool{false, true}
				}
				for _, forceIm2col := range variants {
					name := fmt.Sprintf("%s/%d", l.Name, n)
					if forceIm2col {
						name += "-im2col"
					}
					b.Run(name, func(b *testing.B) {
						op, err := l.New()
						if err != nil {
							b.Fatal(err)
						}
						if c, ok := op.(*Conv2D); ok && forceIm2col {
							c.implicit = false
						}
						x, w, bias, y := benchBuffers(l, op, n)
						dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, len(bias))
						// Warm up: grow the workspaces, touch every page.
						op.Forward(n, x, w, bias, y)
						op.BackwardData(n, y, w, dx)
						op.BackwardWeights(n, x, y, dw, db)
						var tf, td, tw time.Duration
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							t0 := time.Now()
							op.Forward(n, x, w, bias, y)
							t1 := time.Now()
							op.BackwardData(n, y, w, dx)
							t2 := time.Now()
							op.BackwardWeights(n, x, y, dw, db)
							t3 := time.Now()
							tf, td, tw = tf+t1.Sub(t0), td+t2.Sub(t1), tw+t3.Sub(t2)
						}
						b.StopTimer()
						per := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(b.N) }
						b.ReportMetric(3*l.FLOPs(n)*float64(b.N)/(tf+td+tw).Seconds()/1e9, "GFLOPS")
						b.ReportMetric(per(tf), "fwd-ms")
						b.ReportMetric(per(td), "bwd-data-ms")
						b.ReportMetric(per(tw), "bwd-w-ms")
					})
				}
			}
		}
	})
}

// BenchmarkRunKernels times the implicit path's kernels alone, on one
// thread, on the G4 layer's run shape (3 filters, 3 runs of 3*128 floats
// per output pixel, 32 pixels a row), reporting GFLOPS; dot2 and ger2 are
// the two-pixel kernels.
func BenchmarkRunKernels(b *testing.B) {
	const f, nRuns, runLen, stride = 3, 3, 384, 34 * 128
	const pixels = 32
	k := nRuns * runLen
	img := make([]float32, (nRuns+1)*stride)
	mat := make([]float32, f*k)
	vec, vecRow := make([]float32, f), make([]float32, pixels*f)
	kerneltest.Bench(b, func(b *testing.B) {
		ks := activeRunKernels()
		for _, kind := range []string{"dot", "dotRow", "axpy", "ger", "gerRow"} {
			b.Run(kind, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					for p := 0; p < pixels; p++ {
						x := img[p*128:]
						switch kind {
						case "dotRow":
							ks.dotRow(f, x, stride, mat, k, nRuns, runLen, vecRow, 128, pixels)
							p = pixels
						case "gerRow":
							ks.gerRow(f, mat, k, x, stride, nRuns, runLen, vecRow, 128, pixels)
							p = pixels
						case "dot":
							ks.dotRuns(f, x, stride, mat, k, nRuns, runLen, vec)
						case "axpy":
							ks.axpyRuns(f, x, stride, mat, k, nRuns, runLen, vec)
						case "ger":
							ks.gerRuns(f, mat, k, x, stride, nRuns, runLen, vec)
						}
					}
				}
				b.ReportMetric(float64(2*f*k*pixels)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	})
}

package conv

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// Benchmarks over the DCGAN's convolution layers. Run, for example:
//
//	go test -run '^$' -bench 'ConvLayer/avx512/.*/64' -benchtime 10x ./conv
//	go test -run '^$' -bench 'Im2col|Col2im' ./conv
//
// ConvLayer times one forward, backward-data and backward-weights pass
// (3x the forward FLOPs) and reports GFLOPS plus each pass's share in ms.
// The few-filter G4 layer runs twice: on its implicit-GEMM path (the
// default) and, as <layer>/<batch>-im2col, through im2col + Sgemm.

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

func BenchmarkConvLayer(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		for _, l := range DCGANLayers() {
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

// im2colGeometry returns the geometry a layer runs im2col/col2im with.
func im2colGeometry(b *testing.B, l LayerConfig, n int) im2col.Geometry {
	op, err := l.New()
	if err != nil {
		b.Fatal(err)
	}
	switch c := op.(type) {
	case *Conv2D:
		return c.geom.WithBatch(n)
	case *Conv2DTranspose:
		return c.geom.WithBatch(n)
	}
	panic("unreachable")
}

// BenchmarkIm2col reports the bandwidth of Im2col and Col2im on each DCGAN
// layer's geometry at batch 64, counting the bytes of the cols matrix, next
// to a plain copy of a buffer that size: the memory-speed bound.
func BenchmarkIm2col(b *testing.B) {
	const n = 64
	for _, l := range DCGANLayers() {
		g := im2colGeometry(b, l, n)
		src := make([]float32, g.InputLen())
		cols := make([]float32, g.Rows()*g.Cols())
		other := make([]float32, len(cols))
		// Touch every page first: a fresh page's first write costs far
		// more than the copy itself.
		im2col.Im2col(cols, src, g)
		copy(other, cols)
		bytes := int64(4 * len(cols))
		kerneltest.Bench(b, func(b *testing.B) {
			b.Run(l.Name+"/im2col", func(b *testing.B) {
				b.SetBytes(bytes)
				for i := 0; i < b.N; i++ {
					im2col.Im2col(cols, src, g)
				}
			})
			b.Run(l.Name+"/col2im", func(b *testing.B) {
				b.SetBytes(bytes)
				for i := 0; i < b.N; i++ {
					im2col.Col2im(src, cols, g)
				}
			})
		})
		b.Run(fmt.Sprintf("%s/copy", l.Name), func(b *testing.B) {
			b.SetBytes(bytes)
			for i := 0; i < b.N; i++ {
				copy(other, cols)
			}
		})
	}
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
	vec, vec2 := make([]float32, f), make([]float32, 2*f)
	kerneltest.Bench(b, func(b *testing.B) {
		ks := activeRunKernels()
		for _, kind := range []string{"dot", "dot2", "axpy", "ger", "ger2"} {
			b.Run(kind, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					for p := 0; p < pixels; p++ {
						x := img[p*128:]
						switch kind {
						case "dot2":
							ks.dotRuns2(f, x, stride, mat, k, nRuns, runLen, vec2, 128)
							p++
						case "ger2":
							ks.gerRuns2(f, mat, k, x, stride, nRuns, runLen, vec2, 128)
							p++
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

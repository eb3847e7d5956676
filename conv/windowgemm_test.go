package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/internal/paths"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// windowSpecs are shapes chosen to reach every branch of the window
// operands' packing on every path's micro-panel widths (MR 4, 6, 8, 12;
// NR 4, 12, 16, 32): borders under both paddings, micro-panels across
// output rows (OW not a multiple of the width) and partial ones, C not a
// multiple of the width and C = 3 (the first layer's K = 27), a depth
// over KC that splits inside a tap (K = 900 runs as 2 x 450), more pixels
// than KC in the weight gradient (the depth block starts inside an
// output row), stride 1, 2 and mixed, 1x1 kernels with and without
// stride, and the DCGAN's 4x4 stride-2 transposed convolution.
func windowSpecs() []Spec {
	same, valid := im2col.Same, im2col.Valid
	return []Spec{
		{H: 9, W: 11, C: 3, Filters: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		{H: 8, W: 8, C: 3, Filters: 17, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same},
		{H: 7, W: 13, C: 5, Filters: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: valid},
		{H: 10, W: 9, C: 7, Filters: 9, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: valid},
		{H: 6, W: 6, C: 100, Filters: 7, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		{H: 11, W: 11, C: 6, Filters: 5, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		{H: 7, W: 8, C: 5, Filters: 6, KH: 2, KW: 3, StrideH: 1, StrideW: 2, Padding: same},
		{H: 5, W: 3, C: 6, Filters: 7, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: same},
		{H: 4, W: 5, C: 16, Filters: 12, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: same},
		{H: 5, W: 4, C: 9, Filters: 6, KH: 3, KW: 2, StrideH: 2, StrideW: 1, Padding: valid},
		{H: 7, W: 5, C: 13, Filters: 8, KH: 1, KW: 1, StrideH: 1, StrideW: 1, Padding: same},
		{H: 7, W: 5, C: 13, Filters: 8, KH: 1, KW: 1, StrideH: 2, StrideW: 2, Padding: valid},
		{H: 3, W: 2, C: 2, Filters: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		// Wider inputs, as in the DCGAN: micro-panels packed straight
		// from X tap by tap, on one KC block and on three (k = 1152).
		{H: 5, W: 7, C: 32, Filters: 17, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same},
		{H: 3, W: 4, C: 128, Filters: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
	}
}

// windowOps returns the layers of s whose passes run on window operands
// (a Conv2D on its im2col path, a Conv2DTranspose; weight gradients on
// window operands on any grid), each paired with the same layer forced
// onto the im2col fallback.
func windowOps(t *testing.T, s Spec) (ops, refs []Op) {
	t.Helper()
	for _, transpose := range []bool{false, true} {
		l := LayerConfig{Transpose: transpose, Spec: s}
		op, err := l.New()
		if err != nil {
			if !transpose {
				continue // a Valid kernel larger than the input
			}
			t.Fatal(err)
		}
		ref, _ := l.New()
		switch c := op.(type) {
		case *Conv2D:
			c.implicit, c.wg.forceWeights, c.strip.off = false, true, true
			r := ref.(*Conv2D)
			r.implicit, r.wg.im2col, r.strip.off = false, true, true
		case *Conv2DTranspose:
			c.wg.forceWeights = true
			ref.(*Conv2DTranspose).wg.im2col = true
		}
		ops, refs = append(ops, op), append(refs, ref)
	}
	return ops, refs
}

// TestWindowPathsMatchIm2col checks every pass on window operands against
// the im2col fallback, bit for bit (the packed bytes are the same), on
// every kernel path, at 1, 2, 3 and 7 threads, batches 1, 3 and 5, with
// and without bias and fused LeakyReLU; and against the naive float64
// convolution.
func TestWindowPathsMatchIm2col(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, s := range windowSpecs() {
			ops, refs := windowOps(t, s)
			for i, op := range ops {
				naive := naiveConv
				if _, ok := op.(*Conv2DTranspose); ok {
					naive = naiveTranspose
				}
				for _, n := range []int{1, 3, 5} {
					name := fmt.Sprintf("%T %v n=%d", op, s, n)
					layerCase(t, name, op, n, s, naive, rng)
					for _, threads := range []int{1, 2, 3, 7} {
						kernels.SetThreads(threads)
						compareWithIm2col(t, fmt.Sprintf("%s threads=%d", name, threads), op, refs[i], n, s, rng)
					}
				}
			}
		}
	})
}

func compareWithIm2col(t *testing.T, name string, op, ref Op, n int, s Spec, rng *rand.Rand) {
	t.Helper()
	oh, ow, f := op.OutShape()
	x, w, dy := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, s.WeightLen()), randSlice(rng, n*oh*ow*f)
	bias := randSlice(rng, f)
	run := func(o Op) [][]float32 {
		r := [][]float32{nans(len(dy)), nans(len(dy)), nans(len(dy)), nans(len(x)), nans(len(w)), nans(f), nans(len(x)), nans(len(w)), nans(f)}
		o.Forward(n, x, w, bias, r[0])
		o.Forward(n, x, w, nil, r[1])
		o.FuseLeakyReLU(0.2)
		o.Forward(n, x, w, bias, r[2])
		o.FuseLeakyReLU(0)
		o.BackwardData(n, dy, w, r[3])
		o.BackwardWeights(n, x, dy, r[4], r[5])
		o.Backward(n, x, dy, w, r[6], r[7], r[8])
		return r
	}
	got, want := run(op), run(ref)
	what := []string{"y", "y without bias", "y with LeakyReLU", "dx", "dw", "dbias", "Backward dx", "Backward dw", "Backward dbias"}
	for k := range got {
		if err := sameBits(got[k], want[k]); err != nil {
			t.Fatalf("%s: %s: window operands %v, im2col", name, what[k], err)
		}
	}
}

// TestWindowPathsNoAllocs checks that, once warm, the passes on window
// operands allocate nothing, kernels.Gemm included, on 1 and 3 threads.
func TestWindowPathsNoAllocs(t *testing.T) {
	if sgemmhook.Get() != nil {
		t.Fatal("an Sgemm hook is set")
	}
	defer kernels.SetThreads(kernels.Threads())
	layers := []LayerConfig{
		{Name: "conv", Spec: Spec{H: 12, W: 12, C: 8, Filters: 16, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
		{Name: "conv_s1", Spec: Spec{H: 12, W: 12, C: 3, Filters: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
		{Name: "conv_s1_window", Spec: Spec{H: 16, W: 16, C: 3, Filters: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}}, // chunked weight gradient on window operands
		{Name: "direct", Spec: Spec{H: 8, W: 8, C: 8, Filters: 8, KH: 1, KW: 1, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
		{Name: "transpose", Transpose: true, Spec: Spec{H: 6, W: 6, C: 16, Filters: 8, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
	}
	kerneltest.Run(t, func(t *testing.T) {
		for _, threads := range []int{1, 3} {
			kernels.SetThreads(threads)
			for _, l := range layers {
				op, err := l.New()
				if err != nil {
					t.Fatal(err)
				}
				op.FuseLeakyReLU(0.2)
				oh, ow, f := op.OutShape()
				const big = 4
				s := l.Spec
				x := make([]float32, big*s.H*s.W*s.C)
				w := make([]float32, s.WeightLen())
				b := make([]float32, f)
				y := make([]float32, big*oh*ow*f)
				dx, dw := make([]float32, len(x)), make([]float32, len(w))
				step := func(n int) {
					xn, yn := x[:n*s.H*s.W*s.C], y[:n*oh*ow*f]
					op.Forward(n, xn, w, b, yn)
					op.BackwardWeights(n, xn, yn, dw, b)
					op.Backward(n, xn, yn, w, dx[:len(xn)], dw, b)
					if _, ok := op.(*Conv2DTranspose); ok {
						op.BackwardData(n, yn, w, dx[:len(xn)])
					}
				}
				step(big)
				for _, n := range []int{big, 1, 3} {
					if r := allocs.Count(5, func() { step(n) }); r.Ours() != 0 {
						t.Errorf("%s threads=%d n=%d: %v", l.Name, threads, n, r)
					}
				}
			}
		}
	})
}

// TestWindowPathsThreadedGemms repeats the comparison with the im2col
// fallback on layers large enough for kernels.Gemm to split each product
// over 2, 3 and 7 threads (tens of MFLOP a pass), so that micro-panels of
// the window operands are packed by several goroutines at once, and by
// bands that start anywhere in the operand, on the team path included.
func TestWindowPathsThreadedGemms(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	specs := []struct {
		s Spec
		n int
	}{
		{Spec{H: 16, W: 15, C: 32, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}, 5},
		{Spec{H: 8, W: 7, C: 64, Filters: 36, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}, 9},
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 32))
		for _, sp := range specs {
			ops, refs := windowOps(t, sp.s)
			for i, op := range ops {
				for _, threads := range []int{2, 3, 7} {
					kernels.SetThreads(threads)
					name := fmt.Sprintf("%T %v n=%d threads=%d", op, sp.s, sp.n, threads)
					compareWithIm2col(t, name, op, refs[i], sp.n, sp.s, rng)
				}
			}
		}
	})
}

// TestWindowWeightsChoice checks the default rule for weight gradients on
// every path: window operands from weightsMinPixels output pixels per
// sample on (16x16, or 8x8 on AVX-512), the im2col path below, and always
// when forced.
func TestWindowWeightsChoice(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		avx512 := paths.Active() == paths.AVX512
		for _, c := range []struct {
			out   int // output grid side
			force bool
			want  bool
		}{{16, false, true}, {32, false, true}, {8, false, avx512}, {4, false, false}, {4, true, true}} {
			g, err := im2col.NewGeometry(1, 2*c.out, 2*c.out, 16, 3, 3, 2, 2, im2col.Same)
			if err != nil {
				t.Fatal(err)
			}
			wg := windowGemm{forceWeights: c.force}
			if got := wg.useForWeights(g, 144, 32); got != c.want {
				t.Errorf("%dx%d grid, forced %v: window operand %v, want %v", c.out, c.out, c.force, got, c.want)
			}
		}
	})
}

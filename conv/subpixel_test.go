package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// subpixelSpecs sweeps the shapes the sub-pixel path must handle: every
// kernel size 1..5 against every stride 1..3 and both paddings in each
// dimension (so phases with different tap counts, phases without taps when
// the kernel is smaller than the stride, and phase grids of different
// sizes when the stride does not divide the output), odd image sizes down
// to 1, channel counts that are not multiples of 8 or 16; plus the DCGAN's
// own layers, scaled down.
func subpixelSpecs() []Spec {
	hw := []int{1, 2, 3, 5, 7, 4}
	cs := []int{1, 3, 5, 17}
	fs := []int{2, 5, 7, 19}
	var out []Spec
	for i := 0; i < 60; i++ {
		out = append(out, Spec{
			H: hw[i%6], W: hw[(i/6+2*i+1)%6], C: cs[i%4], Filters: fs[(i/4)%4],
			KH: 1 + i%5, StrideH: 1 + (i/5)%3, Padding: im2col.Padding((i / 15) % 2),
			KW: 1 + (2*i+3)%5, StrideW: 1 + (i+i/5)%3,
		})
	}
	same := im2col.Same
	return append(out,
		Spec{H: 4, W: 4, C: 24, Filters: 20, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: same}, // generator
		Spec{H: 5, W: 3, C: 9, Filters: 11, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: same},
		Spec{H: 9, W: 8, C: 13, Filters: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same}, // discriminator
		Spec{H: 7, W: 6, C: 5, Filters: 7, KH: 1, KW: 2, StrideH: 2, StrideW: 3, Padding: im2col.Valid},
		Spec{H: 7, W: 6, C: 5, Filters: 7, KH: 5, KW: 5, StrideH: 3, StrideW: 3, Padding: same},
	)
}

// adjointCase is one adjoint forward to check: a Conv2DTranspose.Forward
// or a Conv2D.BackwardData, on the sub-pixel path (general = false) or the
// col2im path.
type adjointCase struct {
	name  string
	src   int // length of the source for batch n
	dst   int // length of the destination
	bias  int // bias length (0: none)
	run   func(general bool, n int, src, w, bias, dst []float32)
	naive func(n int, src, w, bias []float32) ref
}

// pathFor forces the col2im path (general) or the sub-pixel path.
func pathFor(general bool) adjointPath {
	if general {
		return adjointCol2im
	}
	return adjointSubpixel
}

// adjointCases returns the adjoint forwards of layers of spec s.
func adjointCases(t *testing.T, s Spec) []adjointCase {
	t.Helper()
	d, err := NewConv2DTranspose(s)
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	oh, ow, f := d.OutShape()
	out := []adjointCase{{
		name: "transpose.Forward", src: s.H * s.W * s.C, dst: oh * ow * f, bias: f,
		run: func(general bool, n int, x, w, bias, y []float32) {
			d.adjoint = pathFor(general)
			d.Forward(n, x, w, bias, y)
		},
		naive: func(n int, x, w, bias []float32) ref {
			y, _, _, _ := naiveTranspose(n, s, x, w, bias, make([]float32, n*oh*ow*f))
			return y
		},
	}}
	if s.Padding == im2col.Valid && (s.KH > s.H || s.KW > s.W) {
		return out
	}
	c, err := NewConv2D(s)
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	c.implicit = false // the implicit path has its own BackwardData
	coh, cow, cf := c.OutShape()
	return append(out, adjointCase{
		name: "conv.BackwardData", src: coh * cow * cf, dst: s.H * s.W * s.C,
		run: func(general bool, n int, dy, w, _, dx []float32) {
			c.adjoint = pathFor(general)
			c.BackwardData(n, dy, w, dx)
		},
		naive: func(n int, dy, w, _ []float32) ref {
			_, dx, _, _ := naiveConv(n, s, make([]float32, n*s.H*s.W*s.C), w, nil, dy)
			return dx
		},
	})
}

// TestSubpixelMatchesNaive checks both adjoint forwards on the sub-pixel
// path against the float64 direct convolution and against the col2im
// path, on every kernel path, with batch 1 and odd batches (shrinking,
// so a larger batch's state is reused). Outputs start as NaN: the phases
// must write every pixel.
func TestSubpixelMatchesNaive(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 21))
		for _, s := range subpixelSpecs() {
			w := randSlice(rng, s.WeightLen())
			for _, c := range adjointCases(t, s) {
				for _, n := range []int{3, 1, 5} {
					src := randSlice(rng, n*c.src)
					var bias []float32
					if c.bias > 0 {
						bias = randSlice(rng, c.bias)
					}
					want := c.naive(n, src, w, bias)
					got, general := nans(n*c.dst), nans(n*c.dst)
					c.run(false, n, src, w, bias, got)
					c.run(true, n, src, w, bias, general)
					if err := closeTo(got, want); err != nil {
						t.Fatalf("%s n=%d %v: sub-pixel against naive: %v", c.name, n, s, err)
					}
					if err := closeToOther(got, general, want); err != nil {
						t.Fatalf("%s n=%d %v: sub-pixel against col2im: %v", c.name, n, s, err)
					}
				}
			}
		}
	})
}

// closeToOther reports the first element where got and other, two float32
// results of the sum want stands for, differ by more than both their
// rounding errors allow.
func closeToOther(got, other []float32, want ref) error {
	for i := range got {
		tol := 2 * (1e-5*want.abs[i] + 1e-6)
		if d := math.Abs(float64(got[i]) - float64(other[i])); !(d <= tol) {
			return fmt.Errorf("[%d] = %v, col2im path %v (diff %.3g > tol %.3g)", i, got[i], other[i], d, tol)
		}
	}
	return nil
}

// TestSubpixelEpilogue checks Conv2DTranspose.Forward's bias and fused
// LeakyReLU, applied in the phases' GEMM epilogue, against Forward
// without bias followed by the separate kernels: bitwise, as the same
// kernels run on row segments. The shapes include phases without taps
// (kernel smaller than the stride), whose pixels are the bias and
// activation alone.
func TestSubpixelEpilogue(t *testing.T) {
	specs := []Spec{
		{H: 4, W: 5, C: 6, Filters: 21, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same},
		{H: 3, W: 4, C: 5, Filters: 7, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Valid},
		{H: 3, W: 2, C: 3, Filters: 5, KH: 1, KW: 2, StrideH: 2, StrideW: 3, Padding: im2col.Same},
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(22, 22))
		for _, s := range specs {
			for _, alpha := range []float32{0, 0.2} {
				d, err := NewConv2DTranspose(s)
				if err != nil {
					t.Fatal(err)
				}
				d.adjoint = adjointSubpixel
				const n = 3
				oh, ow, f := d.OutShape()
				x, w, bias := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, s.WeightLen()), randSlice(rng, f)
				want := nans(n * oh * ow * f)
				d.Forward(n, x, w, nil, want)
				if alpha > 0 {
					kernels.BiasLeakyReLU(want, bias, alpha)
				} else {
					kernels.AddBias(want, bias)
				}
				d.FuseLeakyReLU(alpha)
				got := nans(len(want))
				d.Forward(n, x, w, bias, got)
				if err := sameBits(got, want); err != nil {
					t.Fatalf("%v alpha=%v: fused against separate passes: %v", s, alpha, err)
				}
				if alpha > 0 {
					// Without bias the epilogue is the activation alone.
					d.Forward(n, x, w, nil, got)
					d.FuseLeakyReLU(0)
					plain := nans(len(want))
					d.Forward(n, x, w, nil, plain)
					kernels.LeakyReLU(plain, plain, alpha)
					if err := sameBits(got, plain); err != nil {
						t.Fatalf("%v alpha=%v, no bias: fused against separate passes: %v", s, alpha, err)
					}
				}
			}
		}
	})
}

// TestSubpixelThreadInvariance checks that both adjoint forwards give
// bitwise the same result for every thread count, on shapes large enough
// that the phase GEMMs split.
func TestSubpixelThreadInvariance(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	specs := []Spec{
		{H: 8, W: 7, C: 61, Filters: 67, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same},
		{H: 15, W: 16, C: 67, Filters: 61, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same},
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(23, 23))
		for _, s := range specs {
			w := randSlice(rng, s.WeightLen())
			for _, c := range adjointCases(t, s) {
				const n = 11
				src := randSlice(rng, n*c.src)
				var bias []float32
				if c.bias > 0 {
					bias = randSlice(rng, c.bias)
				}
				var first []float32
				for _, threads := range []int{1, 2, 3, 7} {
					kernels.SetThreads(threads)
					got := nans(n * c.dst)
					c.run(false, n, src, w, bias, got)
					if first == nil {
						first = got
						continue
					}
					if err := sameBits(got, first); err != nil {
						t.Fatalf("%s %v: %d threads against 1: %v", c.name, s, threads, err)
					}
				}
			}
		}
	})
}

// TestSubpixelNoAllocs checks that, once a layer has run, the sub-pixel
// path allocates nothing, with gokern's own GEMM (the path is off under
// sgemmhook), on one thread and on several.
func TestSubpixelNoAllocs(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	s := Spec{H: 6, W: 5, C: 9, Filters: 10, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}
	kerneltest.Run(t, func(t *testing.T) {
		d, err := NewConv2DTranspose(s)
		if err != nil {
			t.Fatal(err)
		}
		d.FuseLeakyReLU(0.2)
		c, err := NewConv2D(s)
		if err != nil {
			t.Fatal(err)
		}
		d.adjoint, c.adjoint = adjointSubpixel, adjointSubpixel
		const big = 4
		oh, ow, f := d.OutShape()
		x := make([]float32, big*s.H*s.W*s.C)
		w := make([]float32, s.WeightLen())
		bias := make([]float32, f)
		y := make([]float32, big*oh*ow*f)
		coh, cow, cf := c.OutShape()
		dy := make([]float32, big*coh*cow*cf)
		step := func(n int) {
			d.Forward(n, x[:n*s.H*s.W*s.C], w, bias, y[:n*oh*ow*f])
			c.BackwardData(n, dy[:n*coh*cow*cf], w, x[:n*s.H*s.W*s.C])
		}
		for _, threads := range []int{1, 2} {
			kernels.SetThreads(threads)
			step(big)
			for _, n := range []int{big, 1, 3} {
				if r := allocs.Count(5, func() { step(n) }); r.Ours() != 0 {
					t.Errorf("threads=%d n=%d: %v", threads, n, r)
				}
			}
		}
	})
}

// TestSubpixelOffUnderSgemmHook checks that with a GEMM set through
// sgemmhook both adjoint forwards run every GEMM through kernels.Sgemm
// (the col2im path), as the benchmark harness needs.
func TestSubpixelOffUnderSgemmHook(t *testing.T) {
	calls := 0
	sgemmhook.Set(func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		calls++
		naiveGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	})
	defer sgemmhook.Set(nil)
	rng := rand.New(rand.NewPCG(24, 24))
	s := Spec{H: 4, W: 3, C: 6, Filters: 5, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}
	w := randSlice(rng, s.WeightLen())
	for _, c := range adjointCases(t, s) {
		const n = 2
		src := randSlice(rng, n*c.src)
		var bias []float32
		if c.bias > 0 {
			bias = randSlice(rng, c.bias)
		}
		calls = 0
		got := nans(n * c.dst)
		c.run(false, n, src, w, bias, got)
		if calls == 0 {
			t.Errorf("%s: no GEMM went through the hook", c.name)
		}
		if err := closeTo(got, c.naive(n, src, w, bias)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestPhaseTaps checks the phase split of one dimension on the cases the
// doc comment names: 4 taps at stride 2 (two each), 3 taps at stride 2
// (two and one), and a kernel smaller than the stride (a phase without
// taps), with the offsets o = i*s + k - pad solved for the source pixel.
func TestPhaseTaps(t *testing.T) {
	for _, c := range []struct {
		r, in, k, s, pad int
		size             int
		taps, off        []int
	}{
		{0, 8, 4, 2, 1, 4, []int{1, 3}, []int{0, -1}},
		{1, 8, 4, 2, 1, 4, []int{0, 2}, []int{1, 0}},
		{0, 7, 3, 2, 1, 4, []int{1}, []int{0}},
		{1, 7, 3, 2, 1, 3, []int{0, 2}, []int{1, 0}},
		{1, 5, 1, 2, 0, 2, nil, nil},
		{2, 2, 1, 3, 0, 0, nil, nil},
	} {
		size, taps, off := phaseTaps(c.r, c.in, c.k, c.s, c.pad)
		if size != c.size || fmt.Sprint(taps) != fmt.Sprint(c.taps) || fmt.Sprint(off) != fmt.Sprint(c.off) {
			t.Errorf("phaseTaps(%d, %d, %d, %d, %d) = %d, %v, %v; want %d, %v, %v", c.r, c.in, c.k, c.s, c.pad, size, taps, off, c.size, c.taps, c.off)
		}
	}
}

// TestAdjointPathChoice checks which path each setting takes: sub-pixel
// by default for even phases, at least subpixelMinChannels destination
// channels and a source at least subpixelMinWidth wide; never under
// sgemmhook, even when forced.
func TestAdjointPathChoice(t *testing.T) {
	geom := func(c, k, s, src int) im2col.Geometry {
		g, err := im2col.NewGeometry(1, src*s, src*s, c, k, k, s, s, im2col.Same)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	for _, c := range []struct {
		p    adjointPath
		g    im2col.Geometry
		want bool
	}{
		{adjointAuto, geom(3, 4, 2, 16), false},
		{adjointAuto, geom(subpixelMinChannels-1, 4, 2, 16), false},
		{adjointAuto, geom(subpixelMinChannels, 4, 2, 16), true},
		{adjointAuto, geom(128, 4, 2, 16), true},
		{adjointAuto, geom(128, 4, 2, subpixelMinWidth), true},
		{adjointAuto, geom(128, 4, 2, subpixelMinWidth-1), false},
		{adjointAuto, geom(128, 3, 2, 16), false}, // uneven phases
		{adjointAuto, geom(128, 3, 1, 16), true},  // stride 1: one phase
		{adjointSubpixel, geom(3, 3, 2, 4), true},
		{adjointCol2im, geom(128, 4, 2, 16), false},
	} {
		if got := c.p.subpixel(c.g); got != c.want {
			t.Errorf("adjointPath(%d).subpixel(C=%d k=%d s=%d src %dx%d) = %v, want %v", c.p, c.g.C, c.g.KH, c.g.StrideH, c.g.OutH, c.g.OutW, got, c.want)
		}
	}
	sgemmhook.Set(naiveGemm)
	defer sgemmhook.Set(nil)
	for _, p := range []adjointPath{adjointAuto, adjointSubpixel} {
		if p.subpixel(geom(128, 4, 2, 16)) {
			t.Errorf("adjointPath(%d): sub-pixel under sgemmhook", p)
		}
	}
}

package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// stripSpecs are Conv2D shapes whose forward pass takes the strip path:
// 1 to 4 channels; kernels 1x2 to 4x4, stride 1, 2 and mixed, both
// paddings; output rows shorter and longer than every micro-kernel's MR
// and not a multiple of it (tiles across output rows); filters below,
// at and above NR; and the discriminator's first layer (C = 3, 3x3,
// stride 1, same) on a smaller image.
func stripSpecs() []Spec {
	same, valid := im2col.Same, im2col.Valid
	return []Spec{
		{H: 12, W: 13, C: 3, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		{H: 9, W: 11, C: 3, Filters: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		{H: 8, W: 8, C: 3, Filters: 17, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same},
		{H: 7, W: 13, C: 1, Filters: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: valid},
		{H: 10, W: 9, C: 4, Filters: 9, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: valid},
		{H: 7, W: 8, C: 2, Filters: 33, KH: 2, KW: 3, StrideH: 1, StrideW: 2, Padding: same},
		{H: 5, W: 4, C: 3, Filters: 6, KH: 3, KW: 2, StrideH: 2, StrideW: 1, Padding: valid},
		{H: 3, W: 2, C: 2, Filters: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		{H: 6, W: 7, C: 3, Filters: 5, KH: 1, KW: 2, StrideH: 1, StrideW: 1, Padding: same},
		{H: 4, W: 20, C: 4, Filters: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 3, Padding: same},
	}
}

// TestStripPath checks the strip path's forward pass against the naive
// float64 convolution, with bias, without and with a fused LeakyReLU, at
// batches 1, 3 and 5, on every kernel path; that its result is the same
// bit for bit at 1, 2, 3 and 7 threads; and that the strip path is what
// ran, filling every cell of strips that start as NaN.
func TestStripPath(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(51, 52))
		for _, s := range stripSpecs() {
			c, err := NewConv2D(s)
			if err != nil {
				t.Fatal(err)
			}
			if c.implicit || c.direct || !c.strip.use(s) {
				t.Fatalf("%v: the strip path does not apply", s)
			}
			for _, n := range []int{1, 3, 5} {
				name := fmt.Sprintf("%v n=%d", s, n)
				// Strips that start as NaN: a cell the fill leaves alone
				// (padding not zeroed) reaches y and fails the comparison.
				oh, ow, _ := c.OutShape()
				c.strip.s = nans(n * oh * ((ow-1)*s.StrideW + s.KW) * s.KH * s.C)
				layerCase(t, "strips", c, n, s, naiveConv, rng)
				if math.IsNaN(float64(c.strip.s[0])) {
					t.Fatalf("%s: the forward pass did not fill the strips", name)
				}
				checkStripLeaky(t, name, c, n, s, rng)
			}
		}
	})
}

// checkStripLeaky checks the fused LeakyReLU against max(v, 0.2v) of the
// unfused output, and that every thread count gives the same bits.
func checkStripLeaky(t *testing.T, name string, c *Conv2D, n int, s Spec, rng *rand.Rand) {
	t.Helper()
	oh, ow, f := c.OutShape()
	x, w, bias := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, s.WeightLen()), randSlice(rng, f)
	plain := nans(n * oh * ow * f)
	kernels.SetThreads(1)
	c.Forward(n, x, w, bias, plain)
	c.FuseLeakyReLU(0.2)
	defer c.FuseLeakyReLU(0)
	var first []float32
	for _, threads := range []int{1, 2, 3, 7} {
		kernels.SetThreads(threads)
		y := nans(len(plain))
		c.Forward(n, x, w, bias, y)
		if first == nil {
			first = y
			for i, v := range plain {
				if want := max(v, 0.2*v); math.Float32bits(y[i]) != math.Float32bits(want) {
					t.Fatalf("%s: fused LeakyReLU [%d] = %v, want %v", name, i, y[i], want)
				}
			}
			continue
		}
		if err := sameBits(y, first); err != nil {
			t.Fatalf("%s: %d threads against 1: %v", name, threads, err)
		}
	}
}

// TestStripPathAllocatesNothing checks that once the strips have grown to
// the largest batch, forward passes on the strip path allocate nothing.
func TestStripPathAllocatesNothing(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	s := stripSpecs()[0]
	c, err := NewConv2D(s)
	if err != nil {
		t.Fatal(err)
	}
	oh, ow, f := c.OutShape()
	const big = 4
	x, w, b := make([]float32, big*s.H*s.W*s.C), make([]float32, s.WeightLen()), make([]float32, f)
	y := make([]float32, big*oh*ow*f)
	for _, threads := range []int{1, 2} {
		kernels.SetThreads(threads)
		c.Forward(big, x, w, b, y)
		for _, n := range []int{big, 1, 3} {
			fwd := func() { c.Forward(n, x[:n*s.H*s.W*s.C], w, b, y[:n*oh*ow*f]) }
			if r := allocs.Count(5, fwd); r.Ours() != 0 {
				t.Errorf("threads %d n=%d: the forward pass allocates: %v", threads, n, r)
			}
		}
	}
}

// TestPermuteKernel checks the kernel's reordering to (kw, kh, c) against
// the index formula, on a non-square kernel.
func TestPermuteKernel(t *testing.T) {
	const kh, kw, c, f = 2, 3, 4, 5
	w := make([]float32, kh*kw*c*f)
	for i := range w {
		w[i] = float32(i)
	}
	dst := nans(len(w))
	permuteKernel(dst, w, kh, kw, c, f)
	for i := 0; i < kh; i++ {
		for j := 0; j < kw; j++ {
			for ci := 0; ci < c; ci++ {
				for fi := 0; fi < f; fi++ {
					got, want := dst[((j*kh+i)*c+ci)*f+fi], w[((i*kw+j)*c+ci)*f+fi]
					if got != want {
						t.Fatalf("tap (%d, %d) channel %d filter %d: %v, want %v", i, j, ci, fi, got, want)
					}
				}
			}
		}
	}
}

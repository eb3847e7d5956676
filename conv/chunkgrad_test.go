package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// TestChunkedWeightGradient checks the few-channel weight gradient summed
// over chunks of samples: against the naive convolution, bitwise the same
// at 1, 2, 3 and 7 threads, and bitwise the same on the window operands
// and on the im2col path, for batches that split into even and uneven
// chunks and into fewer chunks than weightChunks.
func TestChunkedWeightGradient(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	specs := []Spec{
		{H: 16, W: 16, C: 3, Filters: 20, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same},
		{H: 17, W: 16, C: 2, Filters: 7, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Valid},
		{H: 32, W: 32, C: 3, Filters: 9, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same},
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 32))
		for _, s := range specs {
			win, err := NewConv2D(s)
			if err != nil {
				t.Fatal(err)
			}
			ref, _ := NewConv2D(s)
			ref.wg.im2col = true
			// The GEMM paths, not the strip weight gradient (stripgrad.go),
			// which sums in another order.
			win.strip.off, ref.strip.off = true, true
			// Grids under weightsMinPixels take the window operands only
			// when forced.
			win.wg.forceWeights = true
			for _, n := range []int{1, 3, 11} {
				if g := win.gradChunks(n); g != min(n, weightChunks) {
					t.Fatalf("%v n=%d: %d chunks, want %d", s, n, g, min(n, weightChunks))
				}
				oh, ow, f := win.OutShape()
				x, dy := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, n*oh*ow*f)
				_, _, dwRef, _ := naiveConv(n, s, x, randSlice(rng, s.WeightLen()), randSlice(rng, f), dy)
				var first []float32
				for _, th := range []int{1, 2, 3, 7} {
					kernels.SetThreads(th)
					for _, op := range []*Conv2D{win, ref} {
						dw := nans(s.WeightLen())
						op.BackwardWeights(n, x, dy, dw, nil)
						name := fmt.Sprintf("%v n=%d threads=%d im2col=%v", s, n, th, op.wg.im2col)
						if err := closeTo(dw, dwRef); err != nil {
							t.Fatalf("%s: dw%v", name, err)
						}
						if first == nil {
							first = dw
						} else if err := sameBits(dw, first); err != nil {
							t.Fatalf("%s: dw%v, against threads=1 on the window path", name, err)
						}
					}
				}
			}
		}
	})
}

// TestGradChunks checks that only few-channel inputs with windows are
// chunked, and never while a GEMM is set through sgemmhook.
func TestGradChunks(t *testing.T) {
	spec := func(c, k int) Spec {
		return Spec{H: 8, W: 8, C: c, Filters: 16, KH: k, KW: k, StrideH: 1, StrideW: 1, Padding: im2col.Same}
	}
	for _, c := range []struct {
		s       Spec
		n, want int
	}{{spec(3, 3), 128, weightChunks}, {spec(4, 3), 5, 5}, {spec(3, 3), 0, 1}, {spec(5, 3), 128, 1}, {spec(128, 3), 64, 1}, {spec(3, 1), 128, 1}} {
		conv, err := NewConv2D(c.s)
		if err != nil {
			t.Fatal(err)
		}
		if got := conv.gradChunks(c.n); got != c.want {
			t.Errorf("%v n=%d: %d chunks, want %d", c.s, c.n, got, c.want)
		}
	}
	sgemmhook.Set(naiveGemm)
	defer sgemmhook.Set(nil)
	conv, _ := NewConv2D(spec(3, 3))
	if got := conv.gradChunks(128); got != 1 {
		t.Errorf("with an sgemmhook GEMM: %d chunks, want 1", got)
	}
}

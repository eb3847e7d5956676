package conv

import (
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// TestCol2imBackwardDataChunks checks BackwardData's col2im path against
// the naive convolution, bitwise the same for 1, 2, 3 and 7 threads, on a
// batch that is several chunks on every thread count (57 samples of 36864
// dcols values: 28 a chunk, so 3 chunks on one thread, 4 on two, 7 on
// seven) and on batches of 1 and 2, on every kernel path. dx starts as
// NaNs, so a sample the chunks missed, or one not zeroed first, fails.
func TestCol2imBackwardDataChunks(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	specs := []Spec{
		{H: 32, W: 32, C: 16, Filters: 24, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same},
		{H: 9, W: 7, C: 5, Filters: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Valid},
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 7))
		for _, s := range specs {
			c, err := NewConv2D(s)
			if err != nil {
				t.Fatal(err)
			}
			if c.implicit || c.direct || c.flipped != nil || c.adjoint.subpixel(c.geom) {
				t.Fatalf("%v: BackwardData does not take the col2im path", s)
			}
			for _, n := range []int{57, 1, 2} {
				if testing.Short() && n == 57 && s.H == 32 {
					continue
				}
				oh, ow, f := c.OutShape()
				x := randSlice(rng, n*s.H*s.W*s.C)
				w := randSlice(rng, s.WeightLen())
				dy := randSlice(rng, n*oh*ow*f)
				_, want, _, _ := naiveConv(n, s, x, w, nil, dy)
				checkDxAcrossThreads(t, c, n, len(x), dy, w, want)
			}
		}
	})
}

package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
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
			// Grids under windowWeightsMinPixels take the window operands only
			// when forced.
			win.wg.forceWeights = true
			for _, n := range []int{1, 3, 11} {
				if g := gradChunks(s.C, n); g != min(n, weightChunks) {
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
							continue
						}
						for i := range dw {
							if math.Float32bits(dw[i]) != math.Float32bits(first[i]) {
								t.Fatalf("%s: dw[%d] = %v, threads=1 window path %v", name, i, dw[i], first[i])
							}
						}
					}
				}
			}
		}
	})
}

// TestGradChunks checks that only few-channel inputs are chunked.
func TestGradChunks(t *testing.T) {
	for _, c := range []struct{ c, n, want int }{{3, 128, weightChunks}, {4, 5, 5}, {3, 0, 1}, {5, 128, 1}, {128, 64, 1}} {
		if got := gradChunks(c.c, c.n); got != c.want {
			t.Errorf("gradChunks(%d, %d) = %d, want %d", c.c, c.n, got, c.want)
		}
	}
}

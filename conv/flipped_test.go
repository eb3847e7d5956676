package conv

import (
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// TestFlippedPlan checks which Conv2Ds compute backward-data as the
// flipped convolution: stride 1, Same, odd kernels, few input channels and
// more filters (the discriminator's first layer), and no others.
func TestFlippedPlan(t *testing.T) {
	same, valid := im2col.Same, im2col.Valid
	for _, c := range []struct {
		s    Spec
		want bool
	}{
		{Spec{H: 32, W: 32, C: 3, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same}, true},
		{Spec{H: 7, W: 5, C: 4, Filters: 5, KH: 5, KW: 1, StrideH: 1, StrideW: 1, Padding: same}, true},
		{Spec{H: 32, W: 32, C: 5, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same}, false},  // too many channels
		{Spec{H: 32, W: 32, C: 3, Filters: 4, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same}, false},   // implicit itself
		{Spec{H: 32, W: 32, C: 3, Filters: 64, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same}, false},  // strided
		{Spec{H: 32, W: 32, C: 3, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: valid}, false}, // valid
		{Spec{H: 32, W: 32, C: 3, Filters: 64, KH: 4, KW: 3, StrideH: 1, StrideW: 1, Padding: same}, false},  // even kernel
		{Spec{H: 32, W: 32, C: 3, Filters: 64, KH: 1, KW: 1, StrideH: 1, StrideW: 1, Padding: same}, false},  // direct
	} {
		conv, err := NewConv2D(c.s)
		if err != nil {
			t.Fatal(err)
		}
		if got := conv.flipped != nil; got != c.want {
			t.Errorf("%v: flipped backward-data %v, want %v", c.s, got, c.want)
		}
	}
}

// TestFlippedBackwardData checks the flipped path's dx against the naive
// convolution and against the col2im path, at odd sizes and batches, on
// every kernel path, and bitwise the same for every thread count.
func TestFlippedBackwardData(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	specs := []Spec{
		{H: 9, W: 11, C: 3, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same},
		{H: 5, W: 13, C: 1, Filters: 7, KH: 5, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same},
		{H: 2, W: 3, C: 4, Filters: 9, KH: 3, KW: 5, StrideH: 1, StrideW: 1, Padding: im2col.Same}, // kernel larger than the input
		{H: 16, W: 17, C: 2, Filters: 33, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same},
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, s := range specs {
			c, err := NewConv2D(s)
			if err != nil {
				t.Fatal(err)
			}
			if c.flipped == nil {
				t.Fatalf("%v: no flipped path", s)
			}
			for _, n := range []int{1, 3} {
				oh, ow, f := c.OutShape()
				x := randSlice(rng, n*s.H*s.W*s.C)
				w := randSlice(rng, s.WeightLen())
				dy := randSlice(rng, n*oh*ow*f)
				_, want, _, _ := naiveConv(n, s, x, w, randSlice(rng, f), dy)
				checkDxAcrossThreads(t, c, n, len(x), dy, w, want)
				// The col2im path gives the same values up to rounding.
				flipped := c.flipped
				c.flipped = nil
				dx := nans(len(x))
				c.BackwardData(n, dy, w, dx)
				c.flipped = flipped
				if err := closeTo(dx, want); err != nil {
					t.Fatalf("%v n=%d: col2im path: dx%v", s, n, err)
				}
			}
		}
	})
}

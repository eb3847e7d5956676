package conv

import (
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// TestImplicitAtLayerSizes runs the implicit path against the naive
// reference at the sizes it exists for, which the small testSpecs do not
// reach: the generator's RGB layer (32x32x128 -> 3: 128 channels are full
// gatherRuns blocks, 3*128-float runs full gerRow blocks, and rows of 30
// interior pixels one dotRow and gerRow call), and a few neighbours with
// odd widths, channel tails and one, two and four filters, on every kernel
// path.
func TestImplicitAtLayerSizes(t *testing.T) {
	specs := []Spec{
		{H: 32, W: 32, C: 128, Filters: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same},
		{H: 7, W: 19, C: 131, Filters: 1, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same},
		{H: 6, W: 21, C: 72, Filters: 2, KH: 4, KW: 4, StrideH: 1, StrideW: 1, Padding: im2col.Same},
		{H: 9, W: 17, C: 40, Filters: 4, KH: 3, KW: 5, StrideH: 1, StrideW: 1, Padding: im2col.Valid},
		{H: 9, W: 17, C: 40, Filters: 3, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same},
	}
	if testing.Short() {
		specs[0].H = 12
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 32))
		for _, s := range specs {
			c, err := NewConv2D(s)
			if err != nil {
				t.Fatalf("%v: %v", s, err)
			}
			if !c.implicit {
				t.Fatalf("%v: not on the implicit path", s)
			}
			layerCase(t, "implicit", c, 2, s, naiveConv, rng)
		}
	})
}

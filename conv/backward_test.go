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

// TestBackwardMatchesSeparatePasses checks that the combined Backward
// gives bitwise the dx, dw and dbias of BackwardData and BackwardWeights
// called one after the other, on every kernel path, at odd sizes, batch 1
// and odd batches, on 1 and 3 threads. The last spec's cols block spans
// several chunks on one thread (16 samples a chunk), so a batch of 33
// splits 16+16+1 and the dx GEMMs run on slices of the one cols matrix.
func TestBackwardMatchesSeparatePasses(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	specs := testSpecs()
	chunked := Spec{H: 16, W: 16, C: 8, Filters: 16, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 13))
		for _, threads := range []int{1, 3} {
			kernels.SetThreads(threads)
			for _, s := range append(specs, chunked) {
				batches := []int{1, 3, 5}
				if s == chunked {
					batches = []int{33}
				}
				for _, op := range backwardOps(t, s) {
					for _, n := range batches {
						checkCombinedBackward(t, op, s, n, rng)
					}
				}
			}
		}
	})
}

// backwardOps returns the ops to test on s: a Conv2DTranspose, and a
// Conv2D on both its compute paths (implicit GEMM and im2col) where the
// kernel fits.
func backwardOps(t *testing.T, s Spec) []Op {
	t.Helper()
	d, err := NewConv2DTranspose(s)
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	ops := []Op{d}
	if s.Padding == im2col.Valid && (s.KH > s.H || s.KW > s.W) {
		return ops
	}
	for _, implicit := range []bool{false, true} {
		c, err := NewConv2D(s)
		if err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		c.implicit = implicit
		ops = append(ops, c)
	}
	return ops
}

func checkCombinedBackward(t *testing.T, op Op, s Spec, n int, rng *rand.Rand) {
	t.Helper()
	oh, ow, f := op.OutShape()
	x, w, dy := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, s.WeightLen()), randSlice(rng, n*oh*ow*f)
	name := fmt.Sprintf("%T %v n=%d threads=%d", op, s, n, kernels.Threads())
	if c, ok := op.(*Conv2D); ok {
		name += fmt.Sprintf(" implicit=%v", c.implicit)
	}

	wantDx, wantDw, wantDb := nans(len(x)), nans(len(w)), nans(f)
	op.BackwardData(n, dy, w, wantDx)
	op.BackwardWeights(n, x, dy, wantDw, wantDb)

	// Outputs start as NaN: Backward must overwrite every element.
	dx, dw, db := nans(len(x)), nans(len(w)), nans(f)
	op.Backward(n, x, dy, w, dx, dw, db)
	for _, c := range []struct {
		what      string
		got, want []float32
	}{{"dx", dx, wantDx}, {"dw", dw, wantDw}, {"dbias", db, wantDb}} {
		if err := sameBits(c.got, c.want); err != nil {
			t.Fatalf("%s: %s: Backward %v, separate passes", name, c.what, err)
		}
	}
	// A nil dbias is allowed, as in BackwardWeights.
	dx, dw = nans(len(x)), nans(len(w))
	op.Backward(n, x, dy, w, dx, dw, nil)
	if err := sameBits(dx, wantDx); err != nil {
		t.Fatalf("%s: dx with nil dbias: Backward %v, separate passes", name, err)
	}
	if err := sameBits(dw, wantDw); err != nil {
		t.Fatalf("%s: dw with nil dbias: Backward %v, separate passes", name, err)
	}
}

// sameBits reports the first element where got and want differ in bits.
func sameBits(got, want []float32) error {
	if len(got) != len(want) {
		return fmt.Errorf("len %d, want %d", len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return fmt.Errorf("[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	return nil
}

// checkDxAcrossThreads runs c.BackwardData on n samples on 1, 2, 3 and 7
// threads, each time into a dx of dxLen NaNs, and checks every result
// against the reference want and bit for bit against the one-thread one.
func checkDxAcrossThreads(t *testing.T, c *Conv2D, n, dxLen int, dy, w []float32, want ref) {
	t.Helper()
	var first []float32
	for _, th := range []int{1, 2, 3, 7} {
		kernels.SetThreads(th)
		dx := nans(dxLen)
		c.BackwardData(n, dy, w, dx)
		if err := closeTo(dx, want); err != nil {
			t.Fatalf("%v n=%d threads=%d: dx%v", c.Spec(), n, th, err)
		}
		if first == nil {
			first = dx
		} else if err := sameBits(dx, first); err != nil {
			t.Fatalf("%v n=%d threads=%d: dx%v, against threads=1", c.Spec(), n, th, err)
		}
	}
}

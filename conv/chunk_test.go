package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// TestChunkedBatchMatchesNaive runs the im2col path on one thread, where it
// works through the batch in chunks, on shapes whose cols block spans
// several chunks, with a batch that does not divide evenly into them.
func TestChunkedBatchMatchesNaive(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(1)
	conv := Spec{H: 16, W: 16, C: 16, Filters: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}
	deconv := Spec{H: 16, W: 16, C: 8, Filters: 16, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 7))
		c, err := NewConv2D(conv)
		if err != nil {
			t.Fatal(err)
		}
		d, err := NewConv2DTranspose(deconv)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			op    Op
			s     Spec
			per   int
			naive func(int, Spec, []float32, []float32, []float32, []float32) (ref, ref, ref, ref)
		}{
			{c, conv, c.geom.Rows() * c.geom.Cols(), naiveConv},
			{d, deconv, d.geom.Rows() * d.geom.Cols(), naiveTranspose},
		} {
			chunk := samplesPerChunk(tc.per, 1<<30)
			n := 2*chunk + 1
			if chunk >= n {
				t.Fatalf("%v: chunk of %d samples does not split a batch of %d", tc.s, chunk, n)
			}
			// Forward of the transpose and BackwardData of the conv chunk
			// on the general (col2im) path only.
			for _, path := range []adjointPath{adjointCol2im, adjointAuto} {
				c.adjoint, d.adjoint = path, path
				layerCase(t, fmt.Sprintf("chunked adjoint=%d", path), tc.op, n, tc.s, tc.naive, rng)
			}
		}
	})
}

// TestChunkingChangesNoResult checks that a chunked batch (one thread) and
// an unchunked one (several threads) give bitwise the same results.
func TestChunkingChangesNoResult(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	layers := []LayerConfig{
		{Name: "im2col", Spec: Spec{H: 16, W: 16, C: 16, Filters: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
		{Name: "transpose", Transpose: true, Spec: Spec{H: 16, W: 16, C: 8, Filters: 16, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for _, l := range layers {
		op, err := l.New()
		if err != nil {
			t.Fatal(err)
		}
		oh, ow, f := op.OutShape()
		s := l.Spec
		// 57 samples are 3 chunks of the Conv2D (28 a chunk) and 4 of the
		// Conv2DTranspose (16 a chunk) on one thread.
		const n = 57
		kernels.SetThreads(1)
		if per := samplesPerChunk(opCols(op), n); per >= n {
			t.Fatalf("%s: a batch of %d is one chunk of %d", l.Name, n, per)
		}
		x, w, dy := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, s.WeightLen()), randSlice(rng, n*oh*ow*f)
		var results [2][3][]float32
		for i, threads := range []int{1, 3} {
			kernels.SetThreads(threads)
			r := [3][]float32{make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))}
			op.Forward(n, x, w, nil, r[0])
			op.BackwardData(n, dy, w, r[1])
			op.BackwardWeights(n, x, dy, r[2], nil)
			results[i] = r
		}
		for k := range results[0] {
			for i := range results[0][k] {
				if results[0][k][i] != results[1][k][i] {
					t.Fatalf("%s (batch %d): result %d [%d]: %v chunked, %v unchunked", l.Name, n, k, i, results[0][k][i], results[1][k][i])
				}
			}
		}
	}
}

// opCols is the number of cols values one sample of op's im2col path holds.
func opCols(op Op) int {
	switch c := op.(type) {
	case *Conv2D:
		return c.geom.Rows() * c.geom.Cols()
	case *Conv2DTranspose:
		return c.geom.Rows() * c.geom.Cols()
	}
	panic("unknown op")
}

package conv

import (
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
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
	kernels.ForEach(func(path string) {
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
			layerCase(t, path+" chunked", tc.op, n, tc.s, tc.naive, rng)
		}
	})
}

package bench

import (
	"fmt"
	"math/rand/v2"
)

// ConvResults measures each DCGAN convolution layer (from Layers) in its
// three directions, forward, backward-data and backward-weights, and in
// both backward passes in one call (Backward, what a training step runs),
// at half the training batch (the discriminator steps' batch), on every
// path and, because each direction is a GEMM plus data movement, with the
// GEMM peers.
func (o Options) ConvResults() []KernelResult {
	n := max(1, o.Batch/2)
	rng := rand.New(rand.NewPCG(7, 8))
	var out []KernelResult
	for _, l := range convLayers(100) {
		op, err := l.NewOp()
		if err != nil {
			panic(err) // gan built the layer from this spec
		}
		s := l.Spec
		oh, ow, f := op.OutShape()
		x := randSlice(rng, n*s.H*s.W*s.C)
		w := randSlice(rng, s.WeightLen())
		bias := randSlice(rng, f)
		y := make([]float32, n*oh*ow*f)
		dy := randSlice(rng, len(y))
		dx := make([]float32, len(x))
		dw := make([]float32, len(w))
		db := make([]float32, f)
		flops := l.ForwardFLOPs(n)
		// backward is backward-data and backward-weights in one call, as a
		// training step runs them: twice the forward FLOPs.
		for _, d := range []struct {
			dir    string
			passes float64
			call   func()
		}{
			{"forward", 1, func() { op.Forward(n, x, w, bias, y) }},
			{"backward-data", 1, func() { op.BackwardData(n, dy, w, dx) }},
			{"backward-weights", 1, func() { op.BackwardWeights(n, x, dy, dw, db) }},
			{"backward", 2, func() { op.Backward(n, x, dy, w, dx, dw, db) }},
		} {
			name := fmt.Sprintf("%s %s (batch %d)", l, d.dir, n)
			out = o.record(out, "conv", name, d.passes*flops, 0, o.pathContenders(true, d.call))
		}
	}
	return out
}

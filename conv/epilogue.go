package conv

import (
	"fmt"

	"github.com/gokern/gokern/kernels"
)

// biasEpilogue adds the bias, and with leaky set applies LeakyReLU(alpha),
// to each finished block of a GEMM's output: a kernels.Epilogue, so
// both run while the segment is still in cache rather than as separate
// passes over the whole output. The values are those of the separate
// passes (kernels.AddBias, kernels.BiasLeakyReLU) bit for bit: the same
// kernels run, on shorter rows.
//
// The GEMM's rows are output pixels and its columns the filters, so a
// segment starting at column j0 takes bias[j0:].
type biasEpilogue struct {
	bias  []float32
	leaky bool
	alpha float32
}

func (e *biasEpilogue) Finish(c []float32, ldc, _, rows, j0, cols int) {
	if ldc == cols {
		e.apply(c[:rows*cols], j0, cols) // contiguous: one call for the block
		return
	}
	for r := 0; r < rows; r++ {
		e.apply(c[r*ldc:r*ldc+cols], j0, cols)
	}
}

// apply finishes whole rows of cols values starting at column j0.
func (e *biasEpilogue) apply(v []float32, j0, cols int) {
	switch {
	case e.bias == nil:
		kernels.LeakyReLU(v, v, e.alpha)
	case e.leaky:
		kernels.BiasLeakyReLU(v, e.bias[j0:j0+cols], e.alpha)
	default:
		kernels.AddBias(v, e.bias[j0:j0+cols])
	}
}

// set returns e set up for bias and the fused activation, or nil
// when there is nothing to apply.
func (e *biasEpilogue) set(bias []float32, leaky bool, alpha float32) kernels.Epilogue {
	if bias == nil && !leaky {
		return nil
	}
	*e = biasEpilogue{bias: bias, leaky: leaky, alpha: alpha}
	return e
}

// fusedLeaky is a LeakyReLU a layer applies to its own output, after the
// bias, when the layer that follows it in a model is that LeakyReLU
// (FuseLeakyReLU).
type fusedLeaky struct {
	on    bool
	alpha float32
}

// FuseLeakyReLU makes every later Forward apply LeakyReLU(alpha),
// max(v, alpha*v), to its output after the bias, in the GEMM's epilogue
// where the path has one; alpha = 0 turns the fusion off again. alpha must
// not be negative, so that the activation's backward can read the sign of
// its input from the output. The backward
// passes are unchanged: they take the gradient with respect to the
// pre-activation output.
func (c *Conv2D) FuseLeakyReLU(alpha float32) { c.leaky = newFusedLeaky(alpha) }

// FuseLeakyReLU is Conv2D.FuseLeakyReLU for the transposed layer.
func (c *Conv2DTranspose) FuseLeakyReLU(alpha float32) { c.leaky = newFusedLeaky(alpha) }

func newFusedLeaky(alpha float32) fusedLeaky {
	if !(alpha >= 0) {
		panic(fmt.Sprintf("gokern: conv.FuseLeakyReLU: alpha = %v, must not be negative", alpha))
	}
	return fusedLeaky{on: alpha > 0, alpha: alpha}
}

// applyUnfused is the bias and fused activation for the paths without
// an epilogue: separate passes over y.
func (f fusedLeaky) applyUnfused(y, bias []float32) {
	switch {
	case bias != nil && f.on:
		kernels.BiasLeakyReLU(y, bias, f.alpha)
	case bias != nil:
		kernels.AddBias(y, bias)
	case f.on:
		kernels.LeakyReLU(y, y, f.alpha)
	}
}

package nn

import "github.com/gokern/gokern/kernels"

// Fusion is internal to nn: only its own Dense and convolution layers take
// it over, and a layer written outside nn simply runs the LeakyReLU after
// it as a separate layer (the same values, one more pass over memory).
//
// fusion describes a LeakyReLU merged into the layer before it, saving two
// passes over the activations: a Dense layer applies bias and activation
// together with kernels.BiasLeakyReLU instead of its own bias pass; a
// convolution layer hands the activation to its conv.Op
// (FuseLeakyReLU), which applies both in its GEMM's epilogue. The
// LeakyReLU layer still exists (Summary shows it, its Backward runs); its
// Forward just adopts the already activated values.
type fusion struct {
	on    bool
	alpha float32
}

func (f fusion) active() bool { return f.on }

func (f fusion) apply(y, bias []float32) { kernels.BiasLeakyReLU(y, bias, f.alpha) }

// fuser is implemented by layers that can take over a following
// LeakyReLU's forward pass. fuse reports whether the layer accepted (it
// refuses when it has its own activation).
type fuser interface {
	fuse(fusion) bool
}

// biasHandoff lets the LeakyReLU after a fused layer compute that layer's
// bias gradient in its own backward pass: the bias gradient is the column
// sums of the LeakyReLU's input gradient dz, and
// kernels.LeakyReLUBackwardSumRows sums each block of dz right after
// writing it, while it is in cache, where the layer would read all of dz
// back from memory for a kernels.SumRows of its own. The LeakyReLU gives
// the layer the dz it summed; the layer takes the sums only for that very
// dz (same data, same length), and only once, so a Backward called any
// other way still computes its own.
type biasHandoff struct {
	layer *base
	bias  *Param
	given []float32 // the dz whose column sums bias.Grad holds; nil when none
}

// wanted returns the bias gradient to fill, or nil when the layer is
// frozen and computes none.
func (h *biasHandoff) wanted() []float32 {
	if h == nil || h.layer.frozen {
		return nil
	}
	return h.bias.Grad
}

// give records that bias.Grad holds the column sums of dz.
func (h *biasHandoff) give(dz []float32) { h.given = dz }

// take reports whether bias.Grad holds the column sums of dz, and forgets
// what was given either way.
func (h *biasHandoff) take(dz []float32) bool {
	if h == nil || h.given == nil {
		return false
	}
	g := h.given
	h.given = nil
	return len(g) == len(dz) && len(dz) > 0 && &g[0] == &dz[0]
}

// handoffer is implemented by the layers that can take their bias
// gradient from the LeakyReLU fused after them.
type handoffer interface {
	handoff() *biasHandoff
}

package nn

import "github.com/gokern/gokern/kernels"

// Fusion is internal to nn: only its own Dense and convolution layers take
// it over, and a layer written outside nn simply runs the LeakyReLU after
// it as a separate layer (the same values, one more pass over memory).
//
// fusion describes a LeakyReLU merged into the layer before it: that layer
// skips its own bias pass and applies bias and activation together with
// kernels.BiasLeakyReLU, saving two passes over the activations. The
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

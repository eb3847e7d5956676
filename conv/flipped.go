package conv

import "github.com/gokern/gokern/im2col"

// The backward-data pass of a stride-1 Conv2D whose input has few channels
// (the discriminator's first layer: 3 -> 64 channels, 3x3, same) is, as a
// GEMM, skinny: dx has only C <= implicitMaxFilters columns. Lowered as
// dcols = dy * W^T and col2im it writes and scatters back KH*KW*C values
// per input pixel for a few flops each, and the sub-pixel path's GEMM
// would fill 3 of the micro-kernel's 16 or 32 columns.
//
// But for stride 1 that pass is itself a convolution: with Same padding
// and odd kernel sizes (so the padding is the same on both sides),
//
//	dx[ih, iw, c] = sum over kh, kw, f of dy[ih+P-kh, iw+Q-kw, f] * w[kh, kw, c, f]
//	              = a Same Conv2D of dy, F -> C channels, with the kernel
//	                w'[kh, kw, f, c] = w[KH-1-kh, KW-1-kw, c, f]
//
// (P = (KH-1)/2, Q = (KW-1)/2), whose few filters take the implicit path
// (implicit.go): one row of output pixels per kernel call, straight from
// dy, no cols matrix. The flipped kernel is rebuilt on every call (the
// caller may have changed w), KH*KW*C*F floats.

// newFlipped returns the Conv2D that computes s's backward-data pass as a
// forward pass, or nil when s is not a stride-1, Same, odd-kernel
// convolution with at most implicitMaxFilters input channels and more
// output channels (with few of both, s takes the implicit path itself).
func newFlipped(s Spec) *Conv2D {
	if s.C > implicitMaxFilters || s.Filters <= implicitMaxFilters || s.StrideH != 1 || s.StrideW != 1 ||
		s.Padding != im2col.Same || s.KH%2 == 0 || s.KW%2 == 0 {
		return nil
	}
	a, err := NewConv2D(Spec{H: s.H, W: s.W, C: s.Filters, Filters: s.C, KH: s.KH, KW: s.KW, StrideH: 1, StrideW: 1, Padding: im2col.Same})
	if err != nil { // cannot happen: s itself was valid
		return nil
	}
	return a
}

// backwardDataFlipped is BackwardData as the flipped convolution's
// forward pass.
func (c *Conv2D) backwardDataFlipped(n int, dy, w, dx []float32) {
	s := c.spec
	c.wflip = grow(c.wflip, len(w))
	// rotatedTapRows writes exactly w': taps reversed, each tap's [C][F]
	// block transposed to [F][C].
	rotatedTapRows(c.wflip, w, s.KH*s.KW, s.C, s.Filters)
	c.flipped.Forward(n, dy, c.wflip, nil, dx)
}

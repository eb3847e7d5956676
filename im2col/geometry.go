package im2col

import "fmt"

// Padding is a Keras padding mode.
type Padding int

const (
	// Valid applies the kernel only where it fits inside the input:
	// out = floor((in-k)/stride) + 1.
	Valid Padding = iota
	// Same pads with zeros so that out = ceil(in/stride). The total padding
	// is max((out-1)*stride+k-in, 0); half of it, rounded down, goes before
	// the input and the rest after, as in TensorFlow.
	Same
)

// String returns "valid" or "same".
func (p Padding) String() string {
	switch p {
	case Valid:
		return "valid"
	case Same:
		return "same"
	}
	return fmt.Sprintf("Padding(%d)", int(p))
}

// Geometry describes one convolution's input, kernel window and output:
// an NHWC input [Batch, H, W, C] read by a KH x KW window moved by
// StrideH, StrideW, with PadTop rows and PadLeft columns of zeros before
// the input, giving OutH x OutW output pixels per sample. Build it with
// NewGeometry, which checks it; a Geometry is a plain value and cheap to
// copy.
type Geometry struct {
	Batch, H, W, C   int
	KH, KW           int
	StrideH, StrideW int
	PadTop, PadLeft  int
	OutH, OutW       int
}

// NewGeometry returns the geometry of a convolution over a batch of h x w x
// c inputs with a kh x kw kernel, the given strides and Keras padding p. It
// returns an error when a size is not positive (batch may be 0), p is
// unknown, or, with Valid, the kernel is larger than the input.
func NewGeometry(batch, h, w, c, kh, kw, strideH, strideW int, p Padding) (Geometry, error) {
	if batch < 0 {
		return Geometry{}, fmt.Errorf("im2col: negative batch %d", batch)
	}
	if h < 1 || w < 1 || c < 1 {
		return Geometry{}, fmt.Errorf("im2col: input %dx%dx%d: every size must be positive", h, w, c)
	}
	if kh < 1 || kw < 1 {
		return Geometry{}, fmt.Errorf("im2col: kernel %dx%d: every size must be positive", kh, kw)
	}
	if strideH < 1 || strideW < 1 {
		return Geometry{}, fmt.Errorf("im2col: stride %dx%d: every stride must be positive", strideH, strideW)
	}
	g := Geometry{Batch: batch, H: h, W: w, C: c, KH: kh, KW: kw, StrideH: strideH, StrideW: strideW}
	switch p {
	case Valid:
		if kh > h || kw > w {
			return Geometry{}, fmt.Errorf("im2col: valid padding needs the %dx%d kernel to fit the %dx%d input", kh, kw, h, w)
		}
		g.OutH = (h-kh)/strideH + 1
		g.OutW = (w-kw)/strideW + 1
	case Same:
		g.OutH, g.PadTop = samePad(h, kh, strideH)
		g.OutW, g.PadLeft = samePad(w, kw, strideW)
	default:
		return Geometry{}, fmt.Errorf("im2col: unknown padding %v", p)
	}
	return g, nil
}

// samePad returns TensorFlow's "SAME" output size and leading padding for
// one spatial dimension.
func samePad(in, k, stride int) (out, before int) {
	out = (in + stride - 1) / stride
	total := max((out-1)*stride+k-in, 0)
	return out, total / 2
}

// Rows is the number of rows of the im2col matrix: one per output pixel,
// Batch*OutH*OutW.
func (g Geometry) Rows() int { return g.Batch * g.OutH * g.OutW }

// Cols is the number of columns of the im2col matrix: one per kernel tap
// and channel, KH*KW*C.
func (g Geometry) Cols() int { return g.KH * g.KW * g.C }

// InputLen is the length of the NHWC input, Batch*H*W*C.
func (g Geometry) InputLen() int { return g.Batch * g.H * g.W * g.C }

// WithBatch returns g for a batch of n samples.
func (g Geometry) WithBatch(n int) Geometry {
	g.Batch = n
	return g
}

// window returns, for output column ow, the first input column iw0 the
// kernel covers (possibly negative) and the range [lo, hi) of kernel
// columns that land inside the input. hi <= lo when none do.
func (g Geometry) window(ow int) (iw0, lo, hi int) {
	iw0 = ow*g.StrideW - g.PadLeft
	lo = max(0, -iw0)
	hi = min(g.KW, g.W-iw0)
	return iw0, lo, hi
}

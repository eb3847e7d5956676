package conv

import "github.com/gokern/gokern/im2col"

// LayerConfig names one convolution layer of a test.
type LayerConfig struct {
	Name      string
	Transpose bool // Conv2DTranspose rather than Conv2D
	Spec      Spec
}

// New builds the layer's compute.
func (l LayerConfig) New() (Op, error) {
	if l.Transpose {
		return NewConv2DTranspose(l.Spec)
	}
	return NewConv2D(l.Spec)
}

// FLOPs returns the floating-point operations of one forward pass over n
// samples, 2 per multiply-add; each backward pass costs the same again.
func (l LayerConfig) FLOPs(n int) float64 {
	s := l.Spec
	pixels := s.H * s.W // the input pixels of a transposed conv ...
	if !l.Transpose {
		c, err := NewConv2D(s)
		if err != nil {
			return 0
		}
		oh, ow, _ := c.OutShape()
		pixels = oh * ow // ... the output pixels of a conv
	}
	return 2 * float64(n) * float64(pixels) * float64(s.WeightLen())
}

// layerKinds are small layers of each kind the DCGAN uses (the DCGAN's own
// layers, read from package gan's models, are benchmarked in the root
// package): a 3x3 stride-1 and a stride-2 convolution, a few-filter one on
// the implicit-GEMM path and a 4x4 stride-2 transposed convolution, all
// with Same padding.
var layerKinds = []LayerConfig{
	{Name: "conv_s1", Spec: Spec{H: 8, W: 8, C: 5, Filters: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
	{Name: "conv_s2", Spec: Spec{H: 8, W: 8, C: 5, Filters: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
	{Name: "few_filters", Spec: Spec{H: 8, W: 8, C: 5, Filters: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
	{Name: "transpose", Transpose: true, Spec: Spec{H: 4, W: 4, C: 6, Filters: 5, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
}

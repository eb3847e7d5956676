package conv

import "github.com/gokern/gokern/im2col"

// Op is the compute interface both layer kinds implement.
type Op interface {
	OutShape() (oh, ow, filters int)
	Forward(n int, x, w, bias, y []float32)
	BackwardData(n int, dy, w, dx []float32)
	BackwardWeights(n int, x, dy, dw, dbias []float32)
}

var (
	_ Op = (*Conv2D)(nil)
	_ Op = (*Conv2DTranspose)(nil)
)

// LayerConfig names one convolution layer of a model.
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

// DCGANLayers returns the convolution layers of the Keras CIFAR-10 DCGAN:
// the discriminator's four Conv2D (D1-D4) and the generator's three
// Conv2DTranspose and final Conv2D (G1-G4), all with Same padding.
func DCGANLayers() []LayerConfig {
	conv := func(name string, hw, c, f, stride int) LayerConfig {
		return LayerConfig{Name: name, Spec: Spec{H: hw, W: hw, C: c, Filters: f, KH: 3, KW: 3, StrideH: stride, StrideW: stride, Padding: im2col.Same}}
	}
	deconv := func(name string, hw, c, f int) LayerConfig {
		return LayerConfig{Name: name, Transpose: true, Spec: Spec{H: hw, W: hw, C: c, Filters: f, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}}
	}
	return []LayerConfig{
		conv("D1_conv3to64_s1_32x32", 32, 3, 64, 1),
		conv("D2_conv64to128_s2_32x32", 32, 64, 128, 2),
		conv("D3_conv128to128_s2_16x16", 16, 128, 128, 2),
		conv("D4_conv128to256_s2_8x8", 8, 128, 256, 2),
		deconv("G1_deconv256to128_4x4", 4, 256, 128),
		deconv("G2_deconv128to128_8x8", 8, 128, 128),
		deconv("G3_deconv128to128_16x16", 16, 128, 128),
		conv("G4_conv128to3_s1_32x32", 32, 128, 3, 1),
	}
}

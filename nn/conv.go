package nn

import (
	"fmt"

	"github.com/gokern/gokern/conv"
	"github.com/gokern/gokern/im2col"
)

// convLayer is what Conv2D and Conv2DTranspose share: parameters, buffers
// and the forward and backward passes around a conv.Op.
type convLayer struct {
	base
	Filters, Kernel, Stride int
	Padding                 im2col.Padding
	Activation              Activation

	op            conv.Op
	spec          conv.Spec
	in, out       []int
	kernel, bias  *Param
	params        []*Param
	x             *Tensor
	y, dz, dx     Tensor
	presummed     biasHandoff // the bias gradient from the fused LeakyReLU's Backward
	typ           string
	kernelShape   func(c int) []int // kernel layout from input channels
	fanIn, fanOut func(c int) int
}

func (l *convLayer) Type() string { return l.typ }

// Spec returns the convolution the layer computes, per-sample input shape
// included; it is the zero Spec until the layer is built. It lets code
// outside nn (the benchmark harness's FLOP counts and GEMM shapes) read a
// model's geometry from the model itself.
func (l *convLayer) Spec() conv.Spec { return l.spec }

func (l *convLayer) Params() []*Param {
	return l.params
}

func (l *convLayer) fuse(f fusion) bool {
	if l.Activation != LinearActivation {
		return false
	}
	// The op applies it in its GEMM's epilogue, with the bias.
	l.op.FuseLeakyReLU(f.alpha)
	l.presummed = biasHandoff{layer: &l.base, bias: l.bias}
	return true
}

func (l *convLayer) handoff() *biasHandoff { return &l.presummed }

// biasGrad is the bias gradient argument of the op's backward passes for
// dz: nil when the fused LeakyReLU has already filled it.
func (l *convLayer) biasGrad(dz []float32) []float32 {
	if l.presummed.take(dz) {
		return nil
	}
	return l.bias.Grad
}

func (l *convLayer) build(in []int, newOp func(conv.Spec) (conv.Op, error)) ([]int, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("nn: %s (%s): input shape %v, want [height, width, channels]", l.name, l.typ, in)
	}
	spec := conv.Spec{H: in[0], W: in[1], C: in[2], Filters: l.Filters, KH: l.Kernel, KW: l.Kernel, StrideH: l.Stride, StrideW: l.Stride, Padding: l.Padding}
	op, err := newOp(spec)
	if err != nil {
		return nil, fmt.Errorf("nn: %s (%s): %w", l.name, l.typ, err)
	}
	l.op, l.spec = op, spec
	oh, ow, f := op.OutShape()
	l.in = append([]int(nil), in...)
	l.out = []int{oh, ow, f}
	c := in[2]
	l.kernel = newParam(l.name+"/kernel", l.fanIn(c), l.fanOut(c), l.kernelShape(c)...)
	l.bias = newParam(l.name+"/bias", 0, 0, l.Filters)
	l.params = []*Param{l.kernel, l.bias}
	return l.out, nil
}

func (l *convLayer) Forward(x *Tensor, training bool) *Tensor {
	n := checkInput(l, "input", x, l.in)
	l.x = x
	l.y.resize(n, l.out)
	l.op.Forward(n, x.Data, l.kernel.Value, l.bias.Value, l.y.Data)
	l.Activation.apply(l.y.Data)
	return &l.y
}

func (l *convLayer) Backward(dy *Tensor) *Tensor {
	n, dz := l.preActivationGrad(dy)
	l.dx.resize(n, l.in)
	if l.frozen {
		l.op.BackwardData(n, dz, l.kernel.Value, l.dx.Data)
	} else {
		// One call for both gradients, so the op can share work between
		// them (Conv2DTranspose lowers dz once).
		l.op.Backward(n, l.x.Data, dz, l.kernel.Value, l.dx.Data, l.kernel.Grad, l.biasGrad(dz))
	}
	gradsComputed(!l.frozen, l.kernel, l.bias)
	return &l.dx
}

// backwardParams is Backward without the input gradient, for a first
// layer whose input is data: for a Conv2D it skips backward-data (a GEMM
// and a col2im), for a Conv2DTranspose its im2col-fed GEMM.
func (l *convLayer) backwardParams(dy *Tensor) {
	n, dz := l.preActivationGrad(dy)
	if !l.frozen {
		l.op.BackwardWeights(n, l.x.Data, dz, l.kernel.Grad, l.biasGrad(dz))
	}
	gradsComputed(!l.frozen, l.kernel, l.bias)
}

// preActivationGrad checks dy against the last Forward and returns the
// batch size and the gradient before the activation.
func (l *convLayer) preActivationGrad(dy *Tensor) (int, []float32) {
	n := checkInput(l, "output gradient", dy, l.out)
	if l.x == nil || l.x.Batch() != n {
		panic(fmt.Sprintf("nn: %s (%s): Backward batch %d does not match the last Forward's", l.name, l.typ, n))
	}
	dz := dy.Data
	if l.Activation != LinearActivation {
		l.dz.resize(n, l.out)
		dz = l.Activation.backward(l.dz.Data, dy.Data, l.y.Data)
	}
	return n, dz
}

// Conv2D is Keras' 2-D convolution over NHWC input with kernel
// [k, k, in, filters] and a bias per filter.
type Conv2D struct{ convLayer }

// NewConv2D returns a Conv2D layer with filters outputs, a kernel x kernel
// window moved by stride in both directions, and Keras padding.
func NewConv2D(filters, kernel, stride int, padding im2col.Padding) *Conv2D {
	l := &Conv2D{convLayer{Filters: filters, Kernel: kernel, Stride: stride, Padding: padding, typ: "Conv2D"}}
	l.kernelShape = func(c int) []int { return []int{kernel, kernel, c, filters} }
	// Keras: receptive field times shape[-2] and shape[-1].
	l.fanIn = func(c int) int { return kernel * kernel * c }
	l.fanOut = func(c int) int { return kernel * kernel * filters }
	return l
}

// WithActivation sets an activation built into the layer, as Keras'
// Conv2D(..., activation=...), and returns the layer.
func (l *Conv2D) WithActivation(a Activation) *Conv2D { l.Activation = a; return l }

func (l *Conv2D) Build(in []int) ([]int, error) {
	return l.build(in, func(s conv.Spec) (conv.Op, error) { return conv.NewConv2D(s) })
}

// Conv2DTranspose is Keras' transposed convolution ("deconvolution") over
// NHWC input with kernel [k, k, filters, in] and a bias per filter.
type Conv2DTranspose struct{ convLayer }

// NewConv2DTranspose returns a Conv2DTranspose layer with filters outputs,
// a kernel x kernel window, stride and Keras padding (Same multiplies the
// spatial size by stride).
func NewConv2DTranspose(filters, kernel, stride int, padding im2col.Padding) *Conv2DTranspose {
	l := &Conv2DTranspose{convLayer{Filters: filters, Kernel: kernel, Stride: stride, Padding: padding, typ: "Conv2DTranspose"}}
	l.kernelShape = func(c int) []int { return []int{kernel, kernel, filters, c} }
	// Keras computes fans from the kernel shape [k, k, filters, in]:
	// fan_in = k*k*shape[-2] = k*k*filters, fan_out = k*k*in.
	l.fanIn = func(c int) int { return kernel * kernel * filters }
	l.fanOut = func(c int) int { return kernel * kernel * c }
	return l
}

// WithActivation sets an activation built into the layer and returns it.
func (l *Conv2DTranspose) WithActivation(a Activation) *Conv2DTranspose { l.Activation = a; return l }

func (l *Conv2DTranspose) Build(in []int) ([]int, error) {
	return l.build(in, func(s conv.Spec) (conv.Op, error) { return conv.NewConv2DTranspose(s) })
}

package nn

import (
	"fmt"

	"github.com/gokern/gokern/kernels"
)

// Dense is a fully connected layer, y = act(x*W + b), with W [in, units] in
// Keras' layout. Its input is one vector per sample.
type Dense struct {
	base
	Units      int
	Activation Activation

	in           int
	inShape      []int
	outShape     []int
	kernel, bias *Param
	params       []*Param
	x            *Tensor // last Forward's input, needed by Backward
	y, dz, dx    Tensor
	fused        fusion
	presummed    biasHandoff // the bias gradient from the fused LeakyReLU's Backward
}

// NewDense returns a Dense layer with units outputs and no activation.
func NewDense(units int) *Dense { return &Dense{Units: units} }

// WithActivation sets an activation built into the layer, as Keras'
// Dense(units, activation=...), and returns the layer.
func (l *Dense) WithActivation(a Activation) *Dense { l.Activation = a; return l }

func (l *Dense) Type() string { return "Dense" }

// Inputs returns the number of inputs per sample, 0 until the layer is
// built.
func (l *Dense) Inputs() int { return l.in }

func (l *Dense) Build(in []int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("nn: %s (Dense): input shape %v, want one vector per sample (add a Flatten)", l.name, in)
	}
	if l.Units <= 0 || in[0] <= 0 {
		return nil, fmt.Errorf("nn: %s (Dense): %d inputs, %d units: both must be positive", l.name, in[0], l.Units)
	}
	l.in = in[0]
	l.inShape = []int{l.in}
	l.outShape = []int{l.Units}
	l.kernel = newParam(l.name+"/kernel", l.in, l.Units, l.in, l.Units)
	l.bias = newParam(l.name+"/bias", 0, 0, l.Units)
	l.params = []*Param{l.kernel, l.bias}
	return []int{l.Units}, nil
}

func (l *Dense) Params() []*Param {
	return l.params
}

func (l *Dense) fuse(f fusion) bool {
	if l.Activation != LinearActivation {
		return false
	}
	l.fused = f
	l.presummed = biasHandoff{layer: &l.base, bias: l.bias}
	return true
}

func (l *Dense) handoff() *biasHandoff { return &l.presummed }

func (l *Dense) Forward(x *Tensor, training bool) *Tensor {
	n := checkInput(l, "input", x, l.inShape)
	l.x = x
	l.y.resize(n, l.outShape)
	kernels.Sgemm(false, false, n, l.Units, l.in, 1, x.Data, l.in, l.kernel.Value, l.Units, 0, l.y.Data, l.Units)
	if l.fused.active() {
		l.fused.apply(l.y.Data, l.bias.Value)
		return &l.y
	}
	kernels.AddBias(l.y.Data, l.bias.Value)
	l.Activation.apply(l.y.Data)
	return &l.y
}

func (l *Dense) Backward(dy *Tensor) *Tensor {
	n, dz := l.paramGrads(dy)
	// dx = dz W^T.
	l.dx.resize(n, l.inShape)
	kernels.Sgemm(false, true, n, l.in, l.Units, 1, dz, l.Units, l.kernel.Value, l.Units, 0, l.dx.Data, l.in)
	return &l.dx
}

// backwardParams is Backward without the input gradient (the dz W^T
// GEMM), for a first layer whose input is data.
func (l *Dense) backwardParams(dy *Tensor) { l.paramGrads(dy) }

// paramGrads computes the parameter gradients (unless frozen) and
// returns the batch size and the gradient before the activation.
func (l *Dense) paramGrads(dy *Tensor) (int, []float32) {
	n := checkInput(l, "output gradient", dy, l.outShape)
	if l.x == nil || l.x.Batch() != n {
		panic(fmt.Sprintf("nn: %s (Dense): Backward batch %d does not match the last Forward's", l.name, n))
	}
	dz := dy.Data
	if l.Activation != LinearActivation {
		l.dz.resize(n, l.outShape)
		dz = l.Activation.backward(l.dz.Data, dy.Data, l.y.Data)
	}
	if !l.frozen {
		// dW = x^T dz, db = column sums of dz.
		kernels.Sgemm(true, false, l.in, l.Units, n, 1, l.x.Data, l.in, dz, l.Units, 0, l.kernel.Grad, l.Units)
		if !l.presummed.take(dz) {
			clear(l.bias.Grad)
			kernels.SumRows(l.bias.Grad, dz)
		}
	}
	gradsComputed(!l.frozen, l.kernel, l.bias)
	return n, dz
}

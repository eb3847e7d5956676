package nn

import (
	"fmt"

	"github.com/gokern/gokern/kernels"
)

// Activation is an activation built into a Dense or convolution layer, as
// Keras' activation= argument: it shows no separate row in Summary. (The
// Tanh and Sigmoid layers are the same functions as layers of their own.)
type Activation int

const (
	LinearActivation Activation = iota // no activation
	TanhActivation
	SigmoidActivation
)

func (a Activation) String() string {
	switch a {
	case LinearActivation:
		return "linear"
	case TanhActivation:
		return "tanh"
	case SigmoidActivation:
		return "sigmoid"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// apply computes the activation in place on y.
func (a Activation) apply(y []float32) { a.forward(y, y) }

// forward stores the activation of x in dst (which may be x); for
// LinearActivation it does nothing.
func (a Activation) forward(dst, x []float32) {
	switch a {
	case TanhActivation:
		kernels.Tanh(dst, x)
	case SigmoidActivation:
		kernels.Sigmoid(dst, x)
	}
}

// backward stores in dz the gradient before the activation, from dy and
// the activation's output y. For LinearActivation it returns dy itself.
func (a Activation) backward(dz, dy, y []float32) []float32 {
	switch a {
	case TanhActivation:
		kernels.TanhBackward(dz, dy, y)
	case SigmoidActivation:
		kernels.SigmoidBackward(dz, dy, y)
	default:
		return dy
	}
	return dz
}

// elementwise is the shared part of the parameter-free element-wise
// layers: shape bookkeeping and the output and gradient buffers.
type elementwise struct {
	base
	shape []int
	y, dx Tensor
}

func (e *elementwise) Build(in []int) ([]int, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("nn: %s: empty input shape", e.name)
	}
	e.shape = append([]int(nil), in...)
	return e.shape, nil
}

func (e *elementwise) Params() []*Param { return nil }

// checkForward panics unless the last Forward had batch size n.
func (e *elementwise) checkForward(n int) {
	if e.y.Batch() != n {
		panic(fmt.Sprintf("nn: %s: Backward batch %d does not match the last Forward's", e.name, n))
	}
}

// LeakyReLU is max(x, alpha*x), Keras' LeakyReLU layer.
type LeakyReLU struct {
	elementwise
	Alpha float32

	// fused is set by Sequential when the layer before adds its bias and
	// applies this activation in one pass (kernels.BiasLeakyReLU); Forward
	// then receives the activated values and only adopts them.
	fused bool
	yView Tensor  // the output when fused: a view of the input
	last  *Tensor // the last output, y or yView
	// handoff, when fused, is where Backward leaves the fused layer's bias
	// gradient (see biasHandoff).
	handoff *biasHandoff
}

// NewLeakyReLU returns a LeakyReLU layer with slope alpha for x < 0.
func NewLeakyReLU(alpha float32) *LeakyReLU { return &LeakyReLU{Alpha: alpha} }

func (l *LeakyReLU) Type() string { return "LeakyReLU" }

func (l *LeakyReLU) Forward(x *Tensor, training bool) *Tensor {
	n := checkInput(l, "input", x, l.shape)
	if l.fused {
		l.yView.view(x.Data, n, l.shape)
		l.last = &l.yView
		return l.last
	}
	l.y.resize(n, l.shape)
	kernels.LeakyReLU(l.y.Data, x.Data, l.Alpha)
	l.last = &l.y
	return l.last
}

func (l *LeakyReLU) Backward(dy *Tensor) *Tensor {
	n := l.checkBackward(dy)
	l.dx.resize(n, l.shape)
	l.backward(l.dx.Data, dy.Data)
	return &l.dx
}

// backwardInPlace is Backward writing the input gradient over dy, which
// it returns: for Sequential, when dy is a buffer nobody reads afterwards.
// It saves the new buffer's write-allocate (reading every line of dx in
// before overwriting it), a quarter of the pass's memory traffic, and the
// buffer itself.
func (l *LeakyReLU) backwardInPlace(dy *Tensor) *Tensor {
	l.checkBackward(dy)
	l.backward(dy.Data, dy.Data)
	return dy
}

// checkBackward checks dy against the last Forward and returns the batch
// size.
func (l *LeakyReLU) checkBackward(dy *Tensor) int {
	n := checkInput(l, "output gradient", dy, l.shape)
	if l.last == nil || l.last.Batch() != n {
		panic(fmt.Sprintf("nn: %s (LeakyReLU): Backward batch %d does not match the last Forward's", l.name, n))
	}
	return n
}

// backward stores in dx (which may be dy) the input gradient. When fused,
// it also fills the bias gradient of the layer before (see biasHandoff),
// in the same pass.
func (l *LeakyReLU) backward(dx, dy []float32) {
	y := l.last.Data[:len(dy)]
	if db := l.handoff.wanted(); db != nil && l.fused {
		clear(db)
		kernels.LeakyReLUBackwardSumRows(dx, dy, y, l.Alpha, db)
		l.handoff.give(dx)
		return
	}
	kernels.LeakyReLUBackward(dx, dy, y, l.Alpha)
}

// activationLayer is what Tanh and Sigmoid share: an Activation applied as
// a layer of its own, out of place.
type activationLayer struct {
	elementwise
	act Activation
}

func (l *activationLayer) Type() string { return "Activation" }

func (l *activationLayer) Forward(x *Tensor, training bool) *Tensor {
	n := checkInput(l, "input", x, l.shape)
	l.y.resize(n, l.shape)
	l.act.forward(l.y.Data, x.Data)
	return &l.y
}

func (l *activationLayer) Backward(dy *Tensor) *Tensor {
	n := checkInput(l, "output gradient", dy, l.shape)
	l.checkForward(n)
	l.dx.resize(n, l.shape)
	l.act.backward(l.dx.Data, dy.Data, l.y.Data[:len(dy.Data)])
	return &l.dx
}

// Tanh is the tanh activation as a separate layer (Keras'
// Activation("tanh")).
type Tanh struct{ activationLayer }

// NewTanh returns a Tanh activation layer.
func NewTanh() *Tanh { return &Tanh{activationLayer{act: TanhActivation}} }

// Sigmoid is the logistic activation as a separate layer (Keras'
// Activation("sigmoid")).
type Sigmoid struct{ activationLayer }

// NewSigmoid returns a Sigmoid activation layer.
func NewSigmoid() *Sigmoid { return &Sigmoid{activationLayer{act: SigmoidActivation}} }

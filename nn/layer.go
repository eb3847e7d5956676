package nn

// Layer is one step of a model. Shapes passed to Build are per sample (no
// batch dimension); tensors passed to Forward and Backward carry the batch
// first.
type Layer interface {
	// Name is the layer's Keras-style name, e.g. "conv2d_1"; Sequential
	// assigns one when it is empty.
	Name() string
	SetName(string)
	// Type is the Keras class name shown by Summary, e.g. "Conv2D".
	Type() string
	// Build fixes the input shape, allocates parameters and returns the
	// per-sample output shape.
	Build(inShape []int) (outShape []int, err error)
	// Forward returns the layer's output in a buffer it owns, valid until
	// its next Forward. training selects training behaviour (dropout).
	Forward(x *Tensor, training bool) *Tensor
	// Backward takes dL/dy for the last Forward's output and returns dL/dx
	// in a buffer the layer owns. It overwrites (does not accumulate) the
	// gradients of the layer's parameters, unless the layer is frozen.
	Backward(dy *Tensor) *Tensor
	// Params lists the layer's parameters; nil for layers without any.
	Params() []*Param
}

// Container is a layer that holds other layers, as Sequential does.
// Sequential descends into containers to list trainable parameters and to
// name parameters in weight files ("generator/dense_1/kernel"), so a
// container written outside nn composes like a nested Sequential. Layers
// lists the held layers in order; the slice is shared, do not modify it.
type Container interface {
	Layer
	Layers() []Layer
}

var _ Container = (*Sequential)(nil)

// Param is one trainable array and its gradient, both laid out as Shape in
// Keras' order (Dense kernel [in, out], Conv2D kernel [kh, kw, in, out]).
type Param struct {
	Name  string // layer-local Keras name, e.g. "conv2d_1/kernel"
	Shape []int
	Value []float32
	Grad  []float32

	// fanIn and fanOut drive glorot_uniform initialisation; both zero
	// means the parameter starts at zero (biases).
	fanIn, fanOut int
	// stale is set when the last Backward skipped this gradient because
	// the layer is frozen; Adam refuses to step on it.
	stale bool
}

func newParam(name string, fanIn, fanOut int, shape ...int) *Param {
	n := prod(shape)
	return &Param{
		Name:  name,
		Shape: append([]int(nil), shape...),
		Value: make([]float32, n),
		Grad:  make([]float32, n),
		fanIn: fanIn, fanOut: fanOut,
	}
}

// trainable is implemented by layers with parameters, which Sequential
// freezes and unfreezes with SetTrainable.
type trainable interface {
	SetTrainable(bool)
	Trainable() bool
}

// base holds what every layer has: a name and whether it is trainable.
type base struct {
	name   string
	frozen bool
}

func (b *base) Name() string        { return b.name }
func (b *base) SetName(name string) { b.name = name }

// SetTrainable freezes (false) or unfreezes (true) the layer. A frozen
// layer keeps its weights and skips its parameter gradients, but its
// Backward still returns the input gradient, as in Keras.
func (b *base) SetTrainable(t bool) { b.frozen = !t }

// Trainable reports whether the layer's parameters are updated.
func (b *base) Trainable() bool { return !b.frozen }

// gradsComputed records whether the last Backward filled the gradients.
func gradsComputed(ok bool, ps ...*Param) {
	for _, p := range ps {
		p.stale = !ok
	}
}

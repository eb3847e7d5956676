package nn

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gokern/gokern/internal/parallel"
)

// Sequential is a stack of layers, each feeding the next. It is itself a
// Layer (a Container), so models compose: a GAN is a Sequential of a
// generator and a discriminator.
type Sequential struct {
	base
	layers  []Layer
	in, out []int
	shapes  [][]int // per-sample output shape of each layer

	params   []*Param // every parameter, collected at Build
	trainBuf []*Param // TrainableParams' reused result

	prof  *Profiler
	slots []int // profiler slot of each layer; -1 for nested models that profile themselves

	// inPlace[i] is set for a LeakyReLU whose output gradient, during
	// Backward, is a buffer nobody reads after it (see scratchGrad): its
	// backward pass then masks that buffer in place instead of writing a
	// new one.
	inPlace []bool
}

// NewSequential names the layers Keras-style (conv2d_1, leaky_re_lu_1, ...,
// counting per type within this model; layers that already have a name
// keep it) and builds them for per-sample input shape inShape. An empty
// name leaves naming to an enclosing model ("sequential_1").
//
// A LeakyReLU that follows a Dense or convolution layer without its own
// activation is fused with it for speed (bias and activation in one pass);
// Summary, parameters and gradients are unaffected.
func NewSequential(name string, inShape []int, layers ...Layer) (*Sequential, error) {
	m := &Sequential{layers: layers}
	m.name = name
	counts := map[string]int{}
	for i, l := range layers {
		if l == nil {
			return nil, fmt.Errorf("nn: model %q: layer %d is nil", name, i)
		}
		if l.Name() != "" {
			continue
		}
		base := snakeCase(l.Type())
		counts[base]++
		l.SetName(fmt.Sprintf("%s_%d", base, counts[base]))
	}
	if _, err := m.Build(inShape); err != nil {
		return nil, err
	}
	return m, nil
}

// Type returns "Sequential".
func (m *Sequential) Type() string { return "Sequential" }

// Build builds every layer in turn; NewSequential calls it. Building a
// built model again for the same input shape changes nothing, so a model
// keeps its weights when it is nested in another.
func (m *Sequential) Build(in []int) ([]int, error) {
	if m.out != nil {
		if !sameShape(in, m.in) {
			return nil, fmt.Errorf("nn: model %q is built for input %v, not %v", m.name, m.in, in)
		}
		return m.out, nil
	}
	if len(in) == 0 {
		return nil, fmt.Errorf("nn: model %q: empty input shape", m.name)
	}
	for _, d := range in {
		if d <= 0 {
			return nil, fmt.Errorf("nn: model %q: input shape %v has a non-positive dimension", m.name, in)
		}
	}
	seen := map[string]bool{}
	m.in = append([]int(nil), in...)
	m.shapes = m.shapes[:0]
	shape := m.in
	for i, l := range m.layers {
		if seen[l.Name()] {
			return nil, fmt.Errorf("nn: model %q: two layers named %q", m.name, l.Name())
		}
		seen[l.Name()] = true
		out, err := l.Build(shape)
		if err != nil {
			return nil, fmt.Errorf("nn: model %q: layer %d (%s): %w", m.name, i, l.Name(), err)
		}
		shape = append([]int(nil), out...)
		m.shapes = append(m.shapes, shape)
	}
	m.out = shape
	m.params = nil
	for _, l := range m.layers {
		m.params = append(m.params, l.Params()...)
	}
	m.setupFusion()
	return m.out, nil
}

// setupFusion lets each Dense or convolution layer followed by a LeakyReLU
// apply the activation together with its bias.
func (m *Sequential) setupFusion() {
	for i := 0; i+1 < len(m.layers); i++ {
		lr, ok := m.layers[i+1].(*LeakyReLU)
		if !ok || lr.Alpha <= 0 { // LeakyReLUBackward reads the sign of the output
			continue
		}
		if f, ok := m.layers[i].(fuser); ok && f.fuse(fusion{on: true, alpha: lr.Alpha}) {
			lr.fused = true
			if h, ok := m.layers[i].(handoffer); ok {
				lr.handoff = h.handoff()
			}
		}
	}
	m.inPlace = make([]bool, len(m.layers))
	for i, l := range m.layers {
		if _, ok := l.(*LeakyReLU); ok {
			m.inPlace[i] = m.scratchGrad(i)
		}
	}
}

// scratchGrad reports whether the output gradient layer i receives in
// Backward is a buffer that nobody reads once layer i is done with it: the
// input gradient of one of this package's layers that return a buffer of
// their own and never read it again, possibly through views (Flatten,
// Reshape, an inactive Dropout). The last layer's is the caller's, and a
// nested model's or a layer written outside nn may be kept, so those are
// never scratch.
func (m *Sequential) scratchGrad(i int) bool {
	if i+1 >= len(m.layers) {
		return false
	}
	switch m.layers[i+1].(type) {
	case *Dense, *Conv2D, *Conv2DTranspose, *Tanh, *Sigmoid:
		return true
	case *LeakyReLU, *Dropout, *Flatten, *Reshape:
		// Its own buffer, or a view of (or, for a LeakyReLU, in place on)
		// the gradient it receives.
		return m.scratchGrad(i + 1)
	}
	return false
}

// Layers returns the model's layers in order.
func (m *Sequential) Layers() []Layer { return m.layers }

// InShape returns the per-sample input shape.
func (m *Sequential) InShape() []int { return m.in }

// OutShape returns the per-sample output shape.
func (m *Sequential) OutShape() []int { return m.out }

// Forward runs every layer in turn and returns the last one's output.
func (m *Sequential) Forward(x *Tensor, training bool) *Tensor {
	for i, l := range m.layers {
		if m.prof == nil || m.slots[i] < 0 {
			x = l.Forward(x, training)
			continue
		}
		t0, r0 := time.Now(), parallel.ProbeTime()
		x = l.Forward(x, training)
		m.prof.addForward(m.slots[i], t0, r0)
	}
	return x
}

// Backward runs the layers' Backward in reverse order and returns the
// gradient with respect to the model's input. Parameter gradients are
// overwritten, except in frozen layers, which skip them.
func (m *Sequential) Backward(dy *Tensor) *Tensor { return m.backward(dy, true) }

// BackwardParams is Backward for a model whose input is data (images,
// latent vectors) rather than another layer's output: it fills the same
// parameter gradients, bit for bit, but skips the gradient with respect
// to the input, which nobody reads. For a first Conv2D that saves its
// whole backward-data pass (a GEMM and a col2im); a nested first model
// passes the saving on to its own first layer. A first layer that cannot
// skip it (one written outside nn) runs its Backward.
func (m *Sequential) BackwardParams(dy *Tensor) { m.backward(dy, false) }

func (m *Sequential) backwardParams(dy *Tensor) { m.backward(dy, false) }

// paramsOnly is implemented by layers that can fill their parameter
// gradients without computing the input gradient.
type paramsOnly interface {
	backwardParams(dy *Tensor)
}

var (
	_ paramsOnly = (*Sequential)(nil)
	_ paramsOnly = (*Conv2D)(nil)
	_ paramsOnly = (*Conv2DTranspose)(nil)
	_ paramsOnly = (*Dense)(nil)
)

// backward is Backward, or with needInput false BackwardParams, which
// returns nil.
func (m *Sequential) backward(dy *Tensor, needInput bool) *Tensor {
	for i := len(m.layers) - 1; i >= 0; i-- {
		l := m.layers[i]
		var t0 time.Time
		var r0 time.Duration
		timed := m.prof != nil && m.slots[i] >= 0
		if timed {
			t0, r0 = time.Now(), parallel.ProbeTime()
		}
		if p, ok := l.(paramsOnly); i == 0 && !needInput && ok {
			p.backwardParams(dy)
			dy = nil
		} else if lr, ok := l.(*LeakyReLU); ok && i < len(m.inPlace) && m.inPlace[i] {
			dy = lr.backwardInPlace(dy)
		} else {
			dy = l.Backward(dy)
		}
		if timed {
			m.prof.addBackward(m.slots[i], t0, r0)
		}
	}
	if !needInput {
		return nil
	}
	return dy
}

// Params returns every parameter of every layer, frozen or not, in layer
// order (kernel before bias). The slice is shared: do not modify it.
func (m *Sequential) Params() []*Param { return m.params }

// TrainableParams returns the parameters of the layers that are not
// frozen: empty when the model is frozen. The result is reused by the next
// call, so that a training step allocates nothing.
func (m *Sequential) TrainableParams() []*Param {
	m.trainBuf = appendTrainable(m.trainBuf[:0], m.layers)
	return m.trainBuf
}

// appendTrainable appends the parameters of the layers that are not
// frozen, descending into containers, whose layers may be frozen one by
// one.
func appendTrainable(ps []*Param, layers []Layer) []*Param {
	for _, l := range layers {
		switch t := l.(type) {
		case Container:
			ps = appendTrainable(ps, t.Layers())
		case trainable:
			if t.Trainable() {
				ps = append(ps, l.Params()...)
			}
		default:
			ps = append(ps, l.Params()...)
		}
	}
	return ps
}

// SetTrainable freezes (false) or unfreezes (true) the model and every
// layer in it, as setting Keras' trainable attribute. A frozen model keeps
// its weights: TrainableParams is empty and Backward skips its parameter
// gradients (Adam.Step refuses parameters whose gradient was skipped), but
// Backward still returns the gradient with respect to the input, so a
// frozen discriminator passes gradients back to the generator.
//
// Unlike Keras there is no compile step that snapshots the flag: a GAN
// unfreezes the discriminator for its own update and freezes it for the
// generator's.
func (m *Sequential) SetTrainable(t bool) {
	m.frozen = !t
	for _, l := range m.layers {
		if tr, ok := l.(trainable); ok {
			tr.SetTrainable(t)
		}
	}
}

// CountParams returns the number of parameter values.
func (m *Sequential) CountParams() int { return countParams(m.Params()) }

func countParams(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.Value)
	}
	return n
}

// namedParams returns every parameter with its name qualified by the
// names of the nested models holding it ("generator/dense_1/kernel"); the
// model's own name is not included.
func (m *Sequential) namedParams(prefix string, dst []namedParam) []namedParam {
	return appendNamedParams(dst, prefix, m.layers)
}

// appendNamedParams appends the parameters of layers, descending into
// containers, each named after the containers holding it.
func appendNamedParams(dst []namedParam, prefix string, layers []Layer) []namedParam {
	for _, l := range layers {
		if c, ok := l.(Container); ok {
			dst = appendNamedParams(dst, prefix+c.Name()+"/", c.Layers())
			continue
		}
		for _, p := range l.Params() {
			dst = append(dst, namedParam{prefix + p.Name, p})
		}
	}
	return dst
}

type namedParam struct {
	name string
	p    *Param
}

var (
	snake1 = regexp.MustCompile(`(.)([A-Z][a-z0-9]+)`)
	snake2 = regexp.MustCompile(`([a-z])([A-Z])`)
)

// snakeCase converts a class name as Keras does for default layer names:
// Conv2DTranspose -> conv2d_transpose, LeakyReLU -> leaky_re_lu.
func snakeCase(s string) string {
	s = snake1.ReplaceAllString(s, "${1}_${2}")
	return strings.ToLower(snake2.ReplaceAllString(s, "${1}_${2}"))
}

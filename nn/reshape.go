package nn

import "fmt"

// Flatten turns each sample into a vector, as Keras' Flatten. It copies
// nothing: its output shares the input's data.
type Flatten struct {
	base
	in, out []int
	y, dx   Tensor
}

// NewFlatten returns a Flatten layer.
func NewFlatten() *Flatten { return &Flatten{} }

func (l *Flatten) Type() string     { return "Flatten" }
func (l *Flatten) Params() []*Param { return nil }

func (l *Flatten) Build(in []int) ([]int, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("nn: %s: empty input shape", l.name)
	}
	l.in = append([]int(nil), in...)
	l.out = []int{prod(in)}
	return l.out, nil
}

func (l *Flatten) Forward(x *Tensor, training bool) *Tensor {
	n := checkInput(l, "input", x, l.in)
	l.y.view(x.Data, n, l.out)
	return &l.y
}

func (l *Flatten) Backward(dy *Tensor) *Tensor {
	n := checkInput(l, "output gradient", dy, l.out)
	l.dx.view(dy.Data, n, l.in)
	return &l.dx
}

// Reshape gives each sample a new shape with the same number of values, as
// Keras' Reshape (without -1). Like Flatten it copies nothing.
type Reshape struct {
	base
	in, out []int
	y, dx   Tensor
}

// NewReshape returns a layer reshaping each sample to shape.
func NewReshape(shape ...int) *Reshape { return &Reshape{out: append([]int(nil), shape...)} }

func (l *Reshape) Type() string     { return "Reshape" }
func (l *Reshape) Params() []*Param { return nil }

func (l *Reshape) Build(in []int) ([]int, error) {
	for _, d := range l.out {
		if d <= 0 {
			return nil, fmt.Errorf("nn: %s: target shape %v has a non-positive dimension", l.name, l.out)
		}
	}
	if prod(in) != prod(l.out) {
		return nil, fmt.Errorf("nn: %s: cannot reshape %v (%d values) to %v (%d values)", l.name, in, prod(in), l.out, prod(l.out))
	}
	l.in = append([]int(nil), in...)
	return l.out, nil
}

func (l *Reshape) Forward(x *Tensor, training bool) *Tensor {
	n := checkInput(l, "input", x, l.in)
	l.y.view(x.Data, n, l.out)
	return &l.y
}

func (l *Reshape) Backward(dy *Tensor) *Tensor {
	n := checkInput(l, "output gradient", dy, l.out)
	l.dx.view(dy.Data, n, l.in)
	return &l.dx
}

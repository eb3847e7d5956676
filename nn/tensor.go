package nn

import "fmt"

// Tensor is a dense float32 array: Shape lists the dimensions, batch first
// (NHWC for images), and Data holds the values contiguously in row-major
// order, so len(Data) is the product of Shape.
//
// Layers return tensors they own and reuse: the values are valid until the
// layer's next Forward (or Backward, for input gradients). Copy them out
// when they must live longer.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zeroed tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nn: NewTensor: negative dimension in %v", shape))
		}
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Len returns the number of values, the product of Shape.
func (t *Tensor) Len() int { return len(t.Data) }

// Batch returns the leading dimension, or 0 for a tensor without one.
func (t *Tensor) Batch() int {
	if len(t.Shape) == 0 {
		return 0
	}
	return t.Shape[0]
}

// resize makes t hold n samples of the per-sample shape sample, reusing its
// storage: memory is allocated only when the tensor grows beyond any size it
// has held before. The values are not cleared.
func (t *Tensor) resize(n int, sample []int) {
	size := n * prod(sample)
	if cap(t.Data) < size {
		t.Data = make([]float32, size)
	}
	t.Data = t.Data[:size]
	if len(t.Shape) != len(sample)+1 {
		t.Shape = make([]int, len(sample)+1)
	}
	t.Shape[0] = n
	copy(t.Shape[1:], sample)
}

// view makes t share data with the per-sample shape sample and batch n,
// without copying.
func (t *Tensor) view(data []float32, n int, sample []int) {
	if len(t.Shape) != len(sample)+1 {
		t.Shape = make([]int, len(sample)+1)
	}
	t.Shape[0] = n
	copy(t.Shape[1:], sample)
	t.Data = data
}

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkInput panics with a clear message unless x is a batch of samples of
// shape want. Layers call it at the top of Forward and Backward.
func checkInput(layer interface {
	Name() string
	Type() string
}, what string, x *Tensor, want []int) int {
	if x == nil || len(x.Shape) != len(want)+1 || !sameShape(x.Shape[1:], want) {
		var got []int
		if x != nil {
			got = x.Shape
		}
		panic(fmt.Sprintf("nn: %s (%s): %s shape %v, want [batch %v]", layer.Name(), layer.Type(), what, got, want))
	}
	if len(x.Data) != prod(x.Shape) {
		panic(fmt.Sprintf("nn: %s (%s): %s has %d values for shape %v", layer.Name(), layer.Type(), what, len(x.Data), x.Shape))
	}
	return x.Shape[0]
}

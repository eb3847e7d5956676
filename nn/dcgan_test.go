package nn

import (
	"testing"

	"github.com/gokern/gokern/im2col"
)

// newDiscriminator builds the Keras CIFAR-10 DCGAN tutorial's discriminator: four 3x3 Conv2D
// with LeakyReLU(0.2), Flatten, Dropout(0.4), Dense(1, sigmoid).
func newDiscriminator(t testing.TB, logits bool) *Sequential {
	t.Helper()
	out := NewDense(1)
	if !logits {
		out.WithActivation(SigmoidActivation)
	}
	m, err := NewSequential("discriminator", []int{32, 32, 3},
		NewConv2D(64, 3, 1, im2col.Same), NewLeakyReLU(0.2),
		NewConv2D(128, 3, 2, im2col.Same), NewLeakyReLU(0.2),
		NewConv2D(128, 3, 2, im2col.Same), NewLeakyReLU(0.2),
		NewConv2D(256, 3, 2, im2col.Same), NewLeakyReLU(0.2),
		NewFlatten(), NewDropout(0.4, 1), out)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newGenerator builds the tutorial's generator from a 100-d latent:
// Dense(4096), LeakyReLU, Reshape(4,4,256), three 4x4 stride-2
// Conv2DTranspose with LeakyReLU, and a 3x3 Conv2D with tanh.
func newGenerator(t testing.TB) *Sequential {
	t.Helper()
	m, err := NewSequential("generator", []int{100},
		NewDense(4096), NewLeakyReLU(0.2), NewReshape(4, 4, 256),
		NewConv2DTranspose(128, 4, 2, im2col.Same), NewLeakyReLU(0.2),
		NewConv2DTranspose(128, 4, 2, im2col.Same), NewLeakyReLU(0.2),
		NewConv2DTranspose(128, 4, 2, im2col.Same), NewLeakyReLU(0.2),
		NewConv2D(3, 3, 1, im2col.Same).WithActivation(TanhActivation))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

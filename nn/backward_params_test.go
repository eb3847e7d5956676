package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// TestBackwardParams checks, on every kernel path, that BackwardParams
// fills the same parameter gradients as Backward, bit for bit: on the
// discriminator alone (first layer a Conv2D), through the stacked GAN
// (nested first model, first layer a Dense) with the discriminator
// trainable and frozen as in the generator's step, on a model whose first
// layer is a Conv2DTranspose, and on one whose first layer has no
// parameters and so runs its Backward.
func TestBackwardParams(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g, d := newMiniGAN(t)
		gan, err := NewSequential("gan", g.InShape(), g, d)
		if err != nil {
			t.Fatal(err)
		}
		gan.Init(4)
		deconv, err := NewSequential("deconv", []int{3, 2, 4},
			NewConv2DTranspose(3, 4, 2, im2col.Same), NewLeakyReLU(0.2),
			NewConv2D(2, 3, 1, im2col.Same), NewFlatten(), NewDense(1))
		if err != nil {
			t.Fatal(err)
		}
		deconv.Init(5)
		flat, err := NewSequential("flat", []int{2, 2, 3}, NewFlatten(), NewDense(4).WithActivation(TanhActivation))
		if err != nil {
			t.Fatal(err)
		}
		flat.Init(6)
		for _, c := range []struct {
			name     string
			m        *Sequential
			freezeD  bool
			profiled bool
		}{
			{"discriminator", d, false, false},
			{"discriminator profiled", d, false, true},
			{"gan", gan, false, false},
			{"gan, discriminator frozen", gan, true, true},
			{"deconv first", deconv, false, false},
			{"flatten first", flat, false, false},
		} {
			d.SetTrainable(!c.freezeD)
			if c.profiled {
				c.m.SetProfiler(NewProfiler())
			}
			checkBackwardParams(t, c.name, c.m)
			c.m.SetProfiler(nil)
		}
		d.SetTrainable(true)
	})
}

// checkBackwardParams compares m's parameter gradients after Backward and
// after BackwardParams on the same random input and output gradient.
func checkBackwardParams(t *testing.T, name string, m *Sequential) {
	t.Helper()
	const n = 3
	rng := rand.New(rand.NewPCG(1, 5))
	x := NewTensor(append([]int{n}, m.InShape()...)...)
	randomize(rng, x.Data, 1)
	dy := NewTensor(append([]int{n}, m.OutShape()...)...)
	randomize(rng, dy.Data, 1)

	// Every gradient starts as NaN before each pass, so a gradient one
	// pass leaves unwritten shows up unless the other leaves it too.
	poison := func() {
		for _, p := range m.Params() {
			for i := range p.Grad {
				p.Grad[i] = float32(math.NaN())
			}
		}
	}
	poison()
	m.Forward(x, false)
	if dx := m.Backward(dy); dx == nil {
		t.Fatalf("%s: Backward returned no input gradient", name)
	}
	want := make([][]float32, 0, len(m.Params()))
	for _, p := range m.Params() {
		want = append(want, append([]float32(nil), p.Grad...))
	}
	poison()
	m.Forward(x, false)
	m.BackwardParams(dy)
	written := 0
	for i, p := range m.Params() {
		for j := range p.Grad {
			got, w := math.Float32bits(p.Grad[j]), math.Float32bits(want[i][j])
			if got != w {
				t.Fatalf("%s: %s[%d]: BackwardParams %v, Backward %v", name, p.Name, j, p.Grad[j], want[i][j])
			}
			if !math.IsNaN(float64(p.Grad[j])) {
				written++
			}
		}
	}
	if written == 0 {
		t.Fatalf("%s: no gradient was written", name)
	}
}

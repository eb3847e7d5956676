package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// handoffModel has a LeakyReLU fused after a Conv2D, a Conv2DTranspose and
// a Dense, with enough rows (batch 5 of 8x8, then 16x16) for several
// SumRows blocks.
func handoffModel(t *testing.T) *Sequential {
	m, err := NewSequential("m", []int{8, 8, 3},
		NewConv2D(6, 3, 1, im2col.Same), NewLeakyReLU(0.2),
		NewConv2DTranspose(4, 3, 2, im2col.Same), NewLeakyReLU(0.3),
		NewFlatten(), NewDense(7), NewLeakyReLU(0.1), NewDense(1))
	if err != nil {
		t.Fatal(err)
	}
	m.Init(3)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range m.Params() {
		randomize(rng, p.Value, 0.5)
	}
	return m
}

// fusedPairs returns the indices of the layers a LeakyReLU hands its bias
// gradient to.
func fusedPairs(t *testing.T, m *Sequential) []int {
	var out []int
	for i := 0; i+1 < len(m.layers); i++ {
		if lr, ok := m.layers[i+1].(*LeakyReLU); ok && lr.handoff != nil {
			out = append(out, i)
		}
	}
	if len(out) != 3 {
		t.Fatalf("%d LeakyReLUs hand their bias gradient over, want 3", len(out))
	}
	return out
}

// TestBiasHandoffBitwise checks that the bias gradients the fused
// LeakyReLUs compute (kernels.LeakyReLUBackwardSumRows), masking in place,
// are bitwise those the layers compute themselves with the handoff and
// in-place masking off, as are all other gradients, at 1, 2, 3 and 7
// threads, and that every handoff is consumed.
func TestBiasHandoffBitwise(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kerneltest.Run(t, func(t *testing.T) {
		m := handoffModel(t)
		pairs := fusedPairs(t, m)
		rng := rand.New(rand.NewPCG(9, 10))
		x := NewTensor(5, 8, 8, 3)
		randomize(rng, x.Data, 1)
		dy := NewTensor(5, 1)
		randomize(rng, dy.Data, 1)
		grads := func() [][]float32 {
			m.Forward(x, true)
			m.Backward(dy)
			var g [][]float32
			for _, p := range m.Params() {
				g = append(g, append([]float32(nil), p.Grad...))
			}
			return g
		}
		for _, th := range []int{1, 2, 3, 7} {
			kernels.SetThreads(th)
			handed := grads()
			for _, i := range pairs {
				if h := m.layers[i+1].(*LeakyReLU).handoff; h.given != nil {
					t.Fatalf("threads=%d: layer %d did not take its bias gradient", th, i)
				}
			}
			// Neither the handoff nor in-place masking: every layer
			// computes its own bias gradient from a LeakyReLU output
			// gradient in a buffer of its own.
			saved, inPlace := make([]*biasHandoff, len(pairs)), m.inPlace
			for k, i := range pairs {
				lr := m.layers[i+1].(*LeakyReLU)
				saved[k], lr.handoff = lr.handoff, nil
			}
			m.inPlace = make([]bool, len(m.layers))
			own := grads()
			for k, i := range pairs {
				m.layers[i+1].(*LeakyReLU).handoff = saved[k]
			}
			m.inPlace = inPlace
			for p := range own {
				for j := range own[p] {
					if math.Float32bits(own[p][j]) != math.Float32bits(handed[p][j]) {
						t.Fatalf("threads=%d param %s[%d]: %v with the handoff, %v without", th, m.Params()[p].Name, j, handed[p][j], own[p][j])
					}
				}
			}
		}
	})
}

// TestBiasHandoffOnlyForItsGradient checks that a layer takes the
// LeakyReLU's bias gradient only for the gradient it was computed from and
// only once, and that a frozen layer's bias gradient is left alone.
func TestBiasHandoffOnlyForItsGradient(t *testing.T) {
	m := handoffModel(t)
	conv, lr := m.layers[0].(*Conv2D), m.layers[1].(*LeakyReLU)
	rng := rand.New(rand.NewPCG(11, 12))
	x := NewTensor(2, 8, 8, 3)
	randomize(rng, x.Data, 1)
	y := conv.Forward(x, true)
	lr.Forward(y, true)
	dy := NewTensor(2, 8, 8, 6)
	randomize(rng, dy.Data, 1)
	dz := lr.Backward(dy)
	// Another gradient of the same shape: the conv must sum it itself.
	other := NewTensor(2, 8, 8, 6)
	randomize(rng, other.Data, 1)
	conv.Backward(other)
	want := make([]float32, len(conv.bias.Grad))
	kernels.SumRows(want, other.Data)
	for j := range want {
		if d := math.Abs(float64(conv.bias.Grad[j] - want[j])); d > 1e-5 {
			t.Fatalf("bias grad[%d] = %v after a Backward on another gradient, want %v", j, conv.bias.Grad[j], want[j])
		}
	}
	// Given once, taken once: a second Backward on the same dz sums again.
	lr.Backward(dy)
	if !conv.presummed.take(dz.Data) || conv.presummed.take(dz.Data) {
		t.Fatal("the handoff was not taken exactly once")
	}
	// Frozen: the LeakyReLU leaves the bias gradient alone.
	conv.SetTrainable(false)
	for i := range conv.bias.Grad {
		conv.bias.Grad[i] = 42
	}
	lr.Backward(dy)
	for i, v := range conv.bias.Grad {
		if v != 42 {
			t.Fatalf("frozen layer: bias grad[%d] changed to %v", i, v)
		}
	}
	if conv.presummed.given != nil {
		t.Fatal("a frozen layer was handed a bias gradient")
	}
}

// TestLeakyReLUInPlace checks which LeakyReLUs Sequential masks in place
// (those whose output gradient is another nn layer's own buffer, possibly
// through views), that the caller's output gradient is never overwritten,
// also through a view, and that the model's gradients, input gradient
// included, match the out-of-place ones bitwise.
func TestLeakyReLUInPlace(t *testing.T) {
	m, err := NewSequential("m", []int{4, 4, 2},
		NewConv2D(3, 3, 1, im2col.Same), NewLeakyReLU(0.2), NewDropout(0.3, 1),
		NewFlatten(), NewDense(6), NewLeakyReLU(0.1), NewReshape(2, 3), NewLeakyReLU(0.3))
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, false, false, false, false, false, false}; !equalBools(m.inPlace, want) {
		t.Fatalf("in place: %v, want %v", m.inPlace, want)
	}
	m.Init(5)
	rng := rand.New(rand.NewPCG(13, 14))
	x := NewTensor(3, 4, 4, 2)
	randomize(rng, x.Data, 1)
	dy := NewTensor(3, 2, 3)
	randomize(rng, dy.Data, 1)
	dy0 := append([]float32(nil), dy.Data...)
	run := func() [][]float32 {
		m.Forward(x, false) // the same dropout mask (none) both times
		g := [][]float32{append([]float32(nil), m.Backward(dy).Data...)}
		for _, p := range m.Params() {
			g = append(g, append([]float32(nil), p.Grad...))
		}
		return g
	}
	got := run()
	for i, v := range dy.Data {
		if math.Float32bits(v) != math.Float32bits(dy0[i]) {
			t.Fatalf("the caller's dy[%d] changed from %v to %v", i, dy0[i], v)
		}
	}
	m.inPlace = make([]bool, len(m.layers))
	want := run()
	for p := range want {
		for j := range want[p] {
			if math.Float32bits(got[p][j]) != math.Float32bits(want[p][j]) {
				t.Fatalf("gradient %d[%d]: %v in place, %v out of place", p, j, got[p][j], want[p][j])
			}
		}
	}
}

func equalBools(a, b []bool) bool {
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

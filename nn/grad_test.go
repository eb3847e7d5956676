package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// The gradient checks compare Backward against central differences of the
// scalar L = sum(y * r) for a fixed random r, so dL/dy = r. Forward runs
// in float32; L is summed in float64 and h is large enough that float32
// rounding stays far below the tolerance.
const (
	gradH    = 1e-3
	gradAtol = 2e-3
	gradRtol = 2e-2
)

func randomize(rng *rand.Rand, xs []float32, scale float64) {
	for i := range xs {
		xs[i] = float32((2*rng.Float64() - 1) * scale)
	}
}

// awayFromZero keeps values out of (-0.05, 0.05), where the LeakyReLU kink
// would spoil a finite difference.
func awayFromZero(xs []float32) {
	for i, v := range xs {
		if v >= 0 && v < 0.05 {
			xs[i] += 0.05
		} else if v < 0 && v > -0.05 {
			xs[i] -= 0.05
		}
	}
}

func weightedSum(y *Tensor, r []float32) float64 {
	var s float64
	for i, v := range y.Data {
		s += float64(v) * float64(r[i])
	}
	return s
}

// checkGradients checks the input gradient and every parameter gradient of
// l (already built) at x. It checks at most maxCoords coordinates of each
// array, spread over it.
func checkGradients(t *testing.T, l Layer, x *Tensor) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	y := l.Forward(x, false)
	r := make([]float32, len(y.Data))
	randomize(rng, r, 1)
	dyT := &Tensor{Shape: append([]int(nil), y.Shape...), Data: r}
	dx := l.Backward(dyT)
	if !sameShape(dx.Shape, x.Shape) {
		t.Fatalf("dx shape %v, want %v", dx.Shape, x.Shape)
	}
	gotDx := append([]float32(nil), dx.Data...)
	var gotGrads [][]float32
	for _, p := range l.Params() {
		gotGrads = append(gotGrads, append([]float32(nil), p.Grad...))
	}
	loss := func() float64 { return weightedSum(l.Forward(x, false), r) }
	check := func(what string, vals, grad []float32) {
		const maxCoords = 40
		step := max(1, len(vals)/maxCoords)
		for i := 0; i < len(vals); i += step {
			old := vals[i]
			vals[i] = old + gradH
			lp := loss()
			vals[i] = old - gradH
			lm := loss()
			vals[i] = old
			num := (lp - lm) / (2 * gradH)
			got := float64(grad[i])
			if math.Abs(num-got) > gradAtol+gradRtol*math.Max(math.Abs(num), math.Abs(got)) {
				t.Errorf("%s[%d]: backward %.6g, finite difference %.6g", what, i, got, num)
			}
		}
	}
	check("dx", x.Data, gotDx)
	for i, p := range l.Params() {
		check(p.Name, p.Value, gotGrads[i])
	}
}

func buildLayer(t *testing.T, l Layer, in []int) {
	t.Helper()
	if l.Name() == "" {
		l.SetName(l.Type())
	}
	if _, err := l.Build(in); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range l.Params() {
		randomize(rng, p.Value, 0.5)
	}
}

func TestLayerGradients(t *testing.T) {
	cases := []struct {
		name  string
		layer func() Layer
		in    []int
		kink  bool // input must avoid zero
	}{
		{"Dense", func() Layer { return NewDense(5) }, []int{7}, false},
		{"DenseTanh", func() Layer { return NewDense(4).WithActivation(TanhActivation) }, []int{6}, false},
		{"DenseSigmoid", func() Layer { return NewDense(3).WithActivation(SigmoidActivation) }, []int{6}, false},
		{"Conv2DSame", func() Layer { return NewConv2D(4, 3, 1, im2col.Same) }, []int{5, 6, 3}, false},
		{"Conv2DStride2", func() Layer { return NewConv2D(3, 3, 2, im2col.Same) }, []int{7, 6, 2}, false},
		{"Conv2DValidTanh", func() Layer { return NewConv2D(2, 2, 1, im2col.Valid).WithActivation(TanhActivation) }, []int{4, 5, 3}, false},
		{"Conv2DTransposeSame", func() Layer { return NewConv2DTranspose(3, 4, 2, im2col.Same) }, []int{3, 4, 5}, false},
		{"Conv2DTransposeValid", func() Layer { return NewConv2DTranspose(2, 3, 2, im2col.Valid) }, []int{3, 3, 2}, false},
		{"LeakyReLU", func() Layer { return NewLeakyReLU(0.2) }, []int{3, 4}, true},
		{"Tanh", func() Layer { return NewTanh() }, []int{11}, false},
		{"Sigmoid", func() Layer { return NewSigmoid() }, []int{11}, false},
		{"Flatten", func() Layer { return NewFlatten() }, []int{2, 3, 2}, false},
		{"Reshape", func() Layer { return NewReshape(3, 4) }, []int{12}, false},
		{"DropoutInference", func() Layer { return NewDropout(0.5, 3) }, []int{9}, false},
	}
	kerneltest.Run(t, func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				l := c.layer()
				buildLayer(t, l, c.in)
				x := NewTensor(append([]int{3}, c.in...)...)
				randomize(rand.New(rand.NewPCG(3, 4)), x.Data, 1)
				if c.kink {
					awayFromZero(x.Data)
				}
				checkGradients(t, l, x)
			})
		}
	})
}

// TestModelGradients checks a composed model: convolutions with fused
// LeakyReLU, a nested model, Flatten, Dense with sigmoid.
func TestModelGradients(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		inner, err := NewSequential("inner", []int{3, 3, 4},
			NewConv2DTranspose(3, 3, 2, im2col.Same), NewLeakyReLU(0.3))
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewSequential("model", []int{6, 6, 2},
			NewConv2D(4, 3, 2, im2col.Same), NewLeakyReLU(0.2),
			inner,
			NewFlatten(), NewDense(2).WithActivation(SigmoidActivation))
		if err != nil {
			t.Fatal(err)
		}
		if !m.layers[1].(*LeakyReLU).fused || !inner.layers[1].(*LeakyReLU).fused {
			t.Fatal("LeakyReLU after a convolution was not fused")
		}
		rng := rand.New(rand.NewPCG(5, 6))
		for _, p := range m.Params() {
			randomize(rng, p.Value, 0.5)
		}
		x := NewTensor(2, 6, 6, 2)
		randomize(rng, x.Data, 1)
		checkGradients(t, m, x)
	})
}

// TestFusedMatchesUnfused runs the same weights through a fused model and
// through the layers one by one with fusion off.
func TestFusedMatchesUnfused(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		conv, act := NewConv2D(5, 3, 1, im2col.Same), NewLeakyReLU(0.2)
		m, err := NewSequential("m", []int{4, 4, 3}, conv, act)
		if err != nil {
			t.Fatal(err)
		}
		m.Init(9)
		randomize(rand.New(rand.NewPCG(1, 1)), conv.bias.Value, 1)
		x := NewTensor(2, 4, 4, 3)
		randomize(rand.New(rand.NewPCG(2, 2)), x.Data, 1)
		fused := append([]float32(nil), m.Forward(x, false).Data...)
		act.fused = false
		conv.op.FuseLeakyReLU(0)
		plain := m.Forward(x, false).Data
		for i := range plain {
			if d := math.Abs(float64(plain[i] - fused[i])); d > 1e-6 {
				t.Fatalf("element %d: fused %v, unfused %v", i, fused[i], plain[i])
			}
		}
	})
}

func TestLossGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 9
	p, z, y := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i] = float32(0.05 + 0.9*rng.Float64())
		z[i] = float32(6 * (2*rng.Float64() - 1))
		y[i] = float32(i % 2)
	}
	y[0] = 0.3 // soft label
	for _, c := range []struct {
		name string
		f    func(x, y, dx []float32) float32
		x    []float32
	}{{"BinaryCrossEntropy", BinaryCrossEntropy, p}, {"SigmoidBCEWithLogits", SigmoidBCEWithLogits, z}} {
		g := make([]float32, n)
		c.f(c.x, y, g)
		for i := range c.x {
			old := c.x[i]
			const h = 1e-3
			c.x[i] = old + h
			lp := float64(c.f(c.x, y, nil))
			c.x[i] = old - h
			lm := float64(c.f(c.x, y, nil))
			c.x[i] = old
			num := (lp - lm) / (2 * h)
			if math.Abs(num-float64(g[i])) > 1e-3+1e-2*math.Abs(num) {
				t.Errorf("%s: d/dx[%d] = %v, finite difference %v", c.name, i, g[i], num)
			}
		}
	}
}

func TestLossValues(t *testing.T) {
	// Keras: binary_crossentropy([1, 0], [0.9, 0.2]) = mean(-log 0.9, -log 0.8).
	want := (-math.Log(0.9) - math.Log(0.8)) / 2
	if got := BinaryCrossEntropy([]float32{0.9, 0.2}, []float32{1, 0}, nil); math.Abs(float64(got)-want) > 1e-6 {
		t.Errorf("BCE = %v, want %v", got, want)
	}
	// Clipping: p = 0 against y = 1 costs -log(1e-7), not +Inf, and has
	// zero gradient (outside the clip range).
	dp := make([]float32, 2)
	got := BinaryCrossEntropy([]float32{0, 1}, []float32{1, 1}, dp)
	if want := -math.Log(1e-7) / 2; math.Abs(float64(got)-want) > 1e-4 {
		t.Errorf("clipped BCE = %v, want %v", got, want)
	}
	if dp[0] != 0 || dp[1] != 0 {
		t.Errorf("clipped BCE gradient %v, want zeros", dp)
	}
	// Logits agree with probabilities away from clipping, and stay finite
	// for huge logits.
	z := []float32{-3, 0.5, 2}
	yv := []float32{0, 1, 1}
	pv := make([]float32, 3)
	for i, v := range z {
		pv[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
	a, b := SigmoidBCEWithLogits(z, yv, nil), BinaryCrossEntropy(pv, yv, nil)
	if math.Abs(float64(a-b)) > 1e-6 {
		t.Errorf("logits %v vs probabilities %v", a, b)
	}
	if l := SigmoidBCEWithLogits([]float32{1e4, -1e4}, []float32{0, 1}, nil); math.IsInf(float64(l), 0) || math.Abs(float64(l)-1e4) > 1 {
		t.Errorf("SigmoidBCEWithLogits on huge logits = %v, want 1e4", l)
	}
}

func ExampleBinaryCrossEntropy() {
	p := []float32{0.9, 0.2}
	y := []float32{1, 0}
	dp := make([]float32, 2)
	loss := BinaryCrossEntropy(p, y, dp)
	fmt.Printf("loss %.4f, dL/dp %.4f %.4f\n", loss, dp[0], dp[1])
	// Output: loss 0.1643, dL/dp -0.5556 0.6250
}

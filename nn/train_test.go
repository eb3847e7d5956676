package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// blobs returns n points of two Gaussian blobs in the plane, centred at
// (-1, -1) (label 0) and (1, 1) (label 1), with standard deviation 0.6.
func blobs(rng *rand.Rand, n int) (*Tensor, []float32) {
	x := NewTensor(n, 2)
	y := make([]float32, n)
	for i := range n {
		c := float64(2*(i%2) - 1)
		x.Data[2*i] = float32(c + 0.6*rng.NormFloat64())
		x.Data[2*i+1] = float32(c + 0.6*rng.NormFloat64())
		y[i] = float32(i % 2)
	}
	return x, y
}

func accuracy(p, y []float32) float64 {
	ok := 0
	for i := range p {
		if (p[i] > 0.5) == (y[i] > 0.5) {
			ok++
		}
	}
	return float64(ok) / float64(len(p))
}

// TestLearnsBlobs trains Dense(16)+LeakyReLU+Dense(1, sigmoid) with Adam
// on two blobs; the Bayes accuracy is about 99%, and the model must reach
// more than 95% on held-out points.
func TestLearnsBlobs(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		m, err := NewSequential("toy", []int{2}, NewDense(16), NewLeakyReLU(0.2), NewDense(1).WithActivation(SigmoidActivation))
		if err != nil {
			t.Fatal(err)
		}
		m.Init(1)
		opt := NewAdam(0.01, 0.9)
		x, y := blobs(rng, 256)
		dp := NewTensor(256, 1)
		var loss float32
		for range 200 {
			p := m.Forward(x, true)
			loss = BinaryCrossEntropy(p.Data, y, dp.Data)
			m.Backward(dp)
			opt.Step(m.TrainableParams())
		}
		xt, yt := blobs(rng, 1000)
		acc := accuracy(m.Forward(xt, false).Data, yt)
		if acc <= 0.95 {
			t.Errorf("test accuracy %.3f after 200 steps (loss %.4f), want > 0.95", acc, loss)
		}
		t.Logf("loss %.4f, held-out accuracy %.3f", loss, acc)
	})
}

func TestDropout(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		const rate = 0.25
		d := NewDropout(rate, 5)
		buildLayer(t, d, []int{1000})
		x := NewTensor(4, 1000)
		randomize(rand.New(rand.NewPCG(1, 2)), x.Data, 1)
		// Inference: the identity, no copy.
		if y := d.Forward(x, false); &y.Data[0] != &x.Data[0] {
			t.Error("inference Dropout copied or changed its input")
		}
		y := d.Forward(x, true)
		dropped := 0
		for i, v := range y.Data {
			switch {
			case v == 0:
				dropped++
			case math.Abs(float64(v-x.Data[i]/(1-rate))) > 1e-6:
				t.Fatalf("kept value %v, want %v scaled by 1/(1-rate)", v, x.Data[i])
			}
		}
		if frac := float64(dropped) / float64(len(y.Data)); math.Abs(frac-rate) > 0.03 {
			t.Errorf("dropped %.3f of values, want about %v", frac, rate)
		}
		// Backward applies the same mask.
		dy := NewTensor(4, 1000)
		for i := range dy.Data {
			dy.Data[i] = 1
		}
		dx := d.Backward(dy)
		for i := range dx.Data {
			if (dx.Data[i] == 0) != (y.Data[i] == 0 && x.Data[i] != 0) {
				t.Fatalf("gradient mask differs from forward mask at %d", i)
			}
		}
		// Same seed, same masks.
		d2 := NewDropout(rate, 5)
		buildLayer(t, d2, []int{1000})
		d2.Forward(x, false)
		y2 := d2.Forward(x, true)
		d3 := NewDropout(rate, 5)
		buildLayer(t, d3, []int{1000})
		y3 := d3.Forward(x, true)
		for i := range y2.Data {
			if y2.Data[i] != y3.Data[i] {
				t.Fatal("same seed gave different masks")
			}
		}
	})
}

// TestFreezing checks Keras semantics: a frozen model's weights do not
// change when the enclosing model trains, its input gradient still
// flows, and Adam refuses its skipped gradients.
func TestFreezing(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g, err := NewSequential("g", []int{4}, NewDense(8), NewLeakyReLU(0.2), NewReshape(2, 2, 2), NewConv2DTranspose(2, 3, 2, im2col.Same))
		if err != nil {
			t.Fatal(err)
		}
		d, err := NewSequential("d", []int{4, 4, 2}, NewConv2D(3, 3, 2, im2col.Same), NewLeakyReLU(0.2), NewFlatten(), NewDense(1).WithActivation(SigmoidActivation))
		if err != nil {
			t.Fatal(err)
		}
		gan, err := NewSequential("gan", []int{4}, g, d)
		if err != nil {
			t.Fatal(err)
		}
		gan.Init(3)
		d.SetTrainable(false)
		if n := len(d.TrainableParams()); n != 0 {
			t.Fatalf("frozen model has %d trainable params", n)
		}
		if got, want := len(gan.TrainableParams()), len(g.Params()); got != want {
			t.Fatalf("gan has %d trainable params, want the generator's %d", got, want)
		}
		before := snapshot(d.Params())
		gBefore := snapshot(g.Params())
		opt := NewAdam(0.01, 0.5)
		x := NewTensor(8, 4)
		randomize(rand.New(rand.NewPCG(4, 4)), x.Data, 1)
		ones := make([]float32, 8)
		for i := range ones {
			ones[i] = 1
		}
		dp := NewTensor(8, 1)
		for range 3 {
			p := gan.Forward(x, true)
			BinaryCrossEntropy(p.Data, ones, dp.Data)
			dx := gan.Backward(dp)
			if allZero(dx.Data) {
				t.Fatal("no gradient reached the gan's input through the frozen model")
			}
			opt.Step(gan.TrainableParams())
		}
		if !equalSnapshot(before, d.Params()) {
			t.Error("frozen weights changed")
		}
		if equalSnapshot(gBefore, g.Params()) {
			t.Error("generator weights did not change")
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("Adam stepped on a gradient the frozen Backward skipped")
				}
			}()
			opt.Step(d.Params())
		}()
		// Unfrozen again, the discriminator trains.
		d.SetTrainable(true)
		p := d.Forward(g.Forward(x, false), true)
		BinaryCrossEntropy(p.Data, ones, dp.Data)
		d.Backward(dp)
		opt.Step(d.TrainableParams())
		if equalSnapshot(before, d.Params()) {
			t.Error("unfrozen weights did not change")
		}
	})
}

func snapshot(ps []*Param) [][]float32 {
	var s [][]float32
	for _, p := range ps {
		s = append(s, append([]float32(nil), p.Value...))
	}
	return s
}

func equalSnapshot(s [][]float32, ps []*Param) bool {
	for i, p := range ps {
		for j, v := range p.Value {
			if math.Float32bits(v) != math.Float32bits(s[i][j]) {
				return false
			}
		}
	}
	return true
}

func allZero(xs []float32) bool {
	for _, v := range xs {
		if v != 0 {
			return false
		}
	}
	return true
}

// TestInitGlorot checks Keras' glorot_uniform limits and zero biases, and
// that Init is deterministic for a seed.
func TestInitGlorot(t *testing.T) {
	d, g := newDiscriminator(t, false), newGenerator(t)
	d.Init(42)
	limits := map[string]float64{
		"conv2d_1/kernel": math.Sqrt(6.0 / (3*3*3 + 3*3*64)),
		"dense_1/kernel":  math.Sqrt(6.0 / (4096 + 1)),
	}
	g.Init(42)
	// Conv2DTranspose kernel [4,4,128,256]: fan_in 4*4*128, fan_out 4*4*256.
	limitsG := map[string]float64{
		"conv2d_transpose_1/kernel": math.Sqrt(6.0 / (16*128 + 16*256)),
		"dense_1/kernel":            math.Sqrt(6.0 / (100 + 4096)),
	}
	for _, c := range []struct {
		m      *Sequential
		limits map[string]float64
	}{{d, limits}, {g, limitsG}} {
		for _, p := range c.m.Params() {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, v := range p.Value {
				lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
			}
			if len(p.Shape) == 1 {
				if lo != 0 || hi != 0 {
					t.Errorf("%s: bias not zero", p.Name)
				}
				continue
			}
			if l, ok := c.limits[p.Name]; ok {
				// The extremes of many uniform draws approach the limit.
				if hi > l || lo < -l || hi < 0.9*l || lo > -0.9*l {
					t.Errorf("%s: values in [%g, %g], want within and near +-%g", p.Name, lo, hi, l)
				}
			}
		}
	}
	d2 := newDiscriminator(t, false)
	d2.Init(42)
	if !equalSnapshot(snapshot(d.Params()), d2.Params()) {
		t.Error("Init is not deterministic")
	}
	d2.Init(43)
	if equalSnapshot(snapshot(d.Params()), d2.Params()) {
		t.Error("Init ignores the seed")
	}
}

// TestDropoutRandState checks that restoring a saved generator state
// replays the same masks.
func TestDropoutRandState(t *testing.T) {
	d := NewDropout(0.5, 3)
	buildLayer(t, d, []int{64})
	x := NewTensor(1, 64)
	for i := range x.Data {
		x.Data[i] = 1
	}
	d.Forward(x, true)
	st, err := d.RandState()
	if err != nil {
		t.Fatal(err)
	}
	want := append([]float32(nil), d.Forward(x, true).Data...)
	if err := d.SetRandState(st); err != nil {
		t.Fatal(err)
	}
	got := d.Forward(x, true).Data
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("mask %d differs after SetRandState", i)
		}
	}
}

package nn

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
)

// ganTrainer runs the Keras DCGAN recipe: D on a real batch, D on a fake
// batch, then the stacked GAN (D frozen) on a batch twice the size with
// "real" labels.
type ganTrainer struct {
	g, d, gan    *Sequential
	optD, optG   *Adam
	real, noise  *Tensor // real images and latent for the fake batch
	ganNoise     *Tensor // latent for the GAN step
	ones, zeros  []float32
	onesGAN      []float32
	dp, dpGAN    *Tensor
	rng          *rand.Rand
	lossD, lossG float32
}

func newGANTrainer(g, d *Sequential, batch int) (*ganTrainer, error) {
	gan, err := NewSequential("gan", g.InShape(), g, d)
	if err != nil {
		return nil, err
	}
	g.Init(1)
	d.Init(2)
	tr := &ganTrainer{
		g: g, d: d, gan: gan,
		optD: NewAdam(0.0002, 0.5), optG: NewAdam(0.0002, 0.5),
		real:     NewTensor(append([]int{batch}, d.InShape()...)...),
		noise:    NewTensor(append([]int{batch}, g.InShape()...)...),
		ganNoise: NewTensor(append([]int{2 * batch}, g.InShape()...)...),
		ones:     make([]float32, batch), zeros: make([]float32, batch), onesGAN: make([]float32, 2*batch),
		dp: NewTensor(batch, 1), dpGAN: NewTensor(2*batch, 1),
		rng: rand.New(rand.NewPCG(9, 9)),
	}
	for i := range tr.ones {
		tr.ones[i] = 1
	}
	for i := range tr.onesGAN {
		tr.onesGAN[i] = 1
	}
	randomize(tr.rng, tr.real.Data, 1)
	return tr, nil
}

func (tr *ganTrainer) step() {
	for i := range tr.noise.Data {
		tr.noise.Data[i] = float32(tr.rng.NormFloat64())
	}
	for i := range tr.ganNoise.Data {
		tr.ganNoise.Data[i] = float32(tr.rng.NormFloat64())
	}
	tr.d.SetTrainable(true)
	p := tr.d.Forward(tr.real, true)
	l1 := BinaryCrossEntropy(p.Data, tr.ones, tr.dp.Data)
	tr.d.BackwardParams(tr.dp)
	tr.optD.Step(tr.d.TrainableParams())

	fake := tr.g.Forward(tr.noise, true)
	p = tr.d.Forward(fake, true)
	l2 := BinaryCrossEntropy(p.Data, tr.zeros, tr.dp.Data)
	tr.d.BackwardParams(tr.dp)
	tr.optD.Step(tr.d.TrainableParams())
	tr.lossD = (l1 + l2) / 2

	tr.d.SetTrainable(false)
	p = tr.gan.Forward(tr.ganNoise, true)
	tr.lossG = BinaryCrossEntropy(p.Data, tr.onesGAN, tr.dpGAN.Data)
	tr.gan.BackwardParams(tr.dpGAN)
	tr.optG.Step(tr.gan.TrainableParams())
}

// newMiniGAN builds a DCGAN with the Keras DCGAN tutorial's layer types at toy size (8x8
// images), fast enough for the pure-Go path.
func newMiniGAN(t testing.TB) (g, d *Sequential) {
	g, err := NewSequential("generator", []int{8},
		NewDense(64), NewLeakyReLU(0.2), NewReshape(2, 2, 16),
		NewConv2DTranspose(8, 4, 2, im2col.Same), NewLeakyReLU(0.2),
		NewConv2DTranspose(8, 4, 2, im2col.Same), NewLeakyReLU(0.2),
		NewConv2D(3, 3, 1, im2col.Same).WithActivation(TanhActivation))
	if err != nil {
		t.Fatal(err)
	}
	d, err = NewSequential("discriminator", []int{8, 8, 3},
		NewConv2D(8, 3, 1, im2col.Same), NewLeakyReLU(0.2),
		NewConv2D(16, 3, 2, im2col.Same), NewLeakyReLU(0.2),
		NewFlatten(), NewDropout(0.4, 1), NewDense(1).WithActivation(SigmoidActivation))
	if err != nil {
		t.Fatal(err)
	}
	return g, d
}

// TestTrainingStepAllocatesNothing checks that, once every buffer has
// grown to its batch sizes, a whole GAN training step (three forward and
// backward passes, three optimiser steps, profiling on) allocates nothing.
func TestTrainingStepAllocatesNothing(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g, d := newMiniGAN(t)
		tr, err := newGANTrainer(g, d, 4)
		if err != nil {
			t.Fatal(err)
		}
		tr.gan.SetProfiler(NewProfiler())
		tr.step()
		if r := allocs.Count(5, tr.step); r.Ours() != 0 {
			t.Errorf("the training step allocates: %v", r)
		}
	})
}

// BenchmarkDCGANStep times one training iteration of the Keras DCGAN tutorial's models:
// D on 64 real images, D on 64 fakes, the GAN on 128 latents. With -v it
// logs the per-layer breakdown from the profiler.
func BenchmarkDCGANStep(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		tr, err := newGANTrainer(newGenerator(b), newDiscriminator(b, false), 64)
		if err != nil {
			b.Fatal(err)
		}
		tr.step() // grow every buffer
		prof := NewProfiler()
		tr.gan.SetProfiler(prof)
		b.ResetTimer()
		for range b.N {
			tr.step()
		}
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/step")
		b.Logf("%d steps, D loss %.4f, G loss %.4f\n%s", b.N, tr.lossD, tr.lossG, prof)

	})
}

func ExampleSequential() {
	d, err := NewSequential("discriminator", []int{8, 8, 3},
		NewConv2D(16, 3, 2, im2col.Same), NewLeakyReLU(0.2),
		NewFlatten(), NewDropout(0.4, 1),
		NewDense(1).WithActivation(SigmoidActivation))
	if err != nil {
		panic(err)
	}
	d.Init(1)
	fmt.Print(d.Summary())

	// One training step on a batch of 2.
	x := NewTensor(2, 8, 8, 3)
	labels := []float32{1, 0}
	dp := NewTensor(2, 1)
	opt := NewAdam(0.0002, 0.5)
	p := d.Forward(x, true)
	BinaryCrossEntropy(p.Data, labels, dp.Data)
	d.Backward(dp)
	opt.Step(d.TrainableParams())
	// Output:
	// _________________________________________________________________
	// Layer (type)                 Output Shape              Param #
	// =================================================================
	// conv2d_1 (Conv2D)            (None, 4, 4, 16)          448
	// _________________________________________________________________
	// leaky_re_lu_1 (LeakyReLU)    (None, 4, 4, 16)          0
	// _________________________________________________________________
	// flatten_1 (Flatten)          (None, 256)               0
	// _________________________________________________________________
	// dropout_1 (Dropout)          (None, 256)               0
	// _________________________________________________________________
	// dense_1 (Dense)              (None, 1)                 257
	// =================================================================
	// Total params: 705
	// Trainable params: 705
	// Non-trainable params: 0
	// _________________________________________________________________
}

func TestProfiler(t *testing.T) {
	g, d := newMiniGAN(t)
	tr, err := newGANTrainer(g, d, 2)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProfiler()
	tr.gan.SetProfiler(p)
	tr.d.SetProfiler(p) // already attached through the GAN: same rows
	tr.step()
	tr.step()
	if got, want := len(p.Layers), len(g.Layers())+len(d.Layers()); got != want {
		t.Fatalf("%d profiler rows, want %d", got, want)
	}
	for _, l := range p.Layers {
		// Per step the discriminator runs forward and backward three
		// times; the generator forward twice and backward once.
		wantF, wantB := 4, 2
		if strings.HasPrefix(l.Name, "discriminator/") {
			wantF, wantB = 6, 6
		}
		if l.ForwardCalls != wantF || l.BackwardCalls != wantB || l.Forward <= 0 {
			t.Errorf("%s: %d forward, %d backward calls, forward time %v; want %d and %d calls, time > 0", l.Name, l.ForwardCalls, l.BackwardCalls, l.Forward, wantF, wantB)
		}
	}
	if s := p.String(); !strings.Contains(s, "discriminator/conv2d_1") || !strings.Contains(s, "generator/conv2d_transpose_2") {
		t.Errorf("profile table lacks qualified layer names:\n%s", s)
	}
	p.Reset()
	if p.Total() != 0 {
		t.Error("Reset left time behind")
	}
	tr.gan.SetProfiler(nil)
	tr.step()
	if p.Total() != 0 {
		t.Error("profiling continued after SetProfiler(nil)")
	}
}

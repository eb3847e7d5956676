package gan

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/gokern/gokern/nn"
)

// Config sets the model sizes and the training schedule.
type Config struct {
	Batch     int    // full batch; the discriminator sees half real, half generated
	LatentDim int    // size of the generator's input
	Seed      uint64 // every random choice in training derives from it
	LR, Beta1 float32
	// ItersPerEpoch caps the iterations of an epoch; 0 means
	// Dataset.Len()/Batch as in the tutorial (390 for 50,000 images).
	ItersPerEpoch int
	// Shuffle draws real images without replacement, pass after pass over
	// the data set, each pass a fresh permutation, instead of the
	// tutorial's independent random indices.
	Shuffle bool
	// SummarySamples is how many real and how many generated images the
	// summary's accuracies are measured on (the tutorial's n_samples).
	SummarySamples int
}

// DefaultConfig returns the tutorial's settings: batch 128, latent 100,
// Adam(2e-4, 0.5), 150 samples per summary.
func DefaultConfig() Config {
	return Config{Batch: 128, LatentDim: 100, Seed: 1, LR: 2e-4, Beta1: 0.5, SummarySamples: 150}
}

// Bounds on Config sizes: far above what the tutorial's model is trained
// with, low enough that a mistyped size is an error instead of an
// out-of-memory crash (a batch of 8,192 already needs some 20 GB).
const (
	MaxBatch          = 8192
	MaxLatentDim      = 4096
	MaxSummarySamples = 10_000
)

// Validate reports the first setting no run can use; NewTrainer and
// ResumeTrainer call it, and commands call it to fail before loading data.
func (c Config) Validate() error {
	switch {
	case c.Batch < 2 || c.Batch%2 != 0 || c.Batch > MaxBatch:
		return fmt.Errorf("gan: batch %d: want an even number from 2 to %d (half real, half generated)", c.Batch, MaxBatch)
	case c.LatentDim < 1 || c.LatentDim > MaxLatentDim:
		return fmt.Errorf("gan: latent size %d: want 1 to %d", c.LatentDim, MaxLatentDim)
	case !(c.LR > 0) || !(c.Beta1 >= 0 && c.Beta1 < 1):
		return fmt.Errorf("gan: Adam(lr %v, beta1 %v): want lr > 0 and beta1 in [0, 1)", c.LR, c.Beta1)
	case c.ItersPerEpoch < 0:
		return fmt.Errorf("gan: %d iterations per epoch: want >= 0 (0: images / batch)", c.ItersPerEpoch)
	case c.SummarySamples < 0 || c.SummarySamples > MaxSummarySamples:
		return fmt.Errorf("gan: %d summary samples: want 0 to %d", c.SummarySamples, MaxSummarySamples)
	}
	return nil
}

func (c Config) validate(data Dataset) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if data == nil || data.Len() == 0 {
		return errors.New("gan: no training images")
	}
	return nil
}

// Trainer trains the tutorial's DCGAN: D, G and the GAN (G then a frozen D,
// sharing their weights), each iteration following the tutorial's schedule.
// All randomness (initial weights, real-image indices, latent points,
// dropout masks) derives from Config.Seed through PCG generators whose
// state goes into checkpoints, so runs repeat bit for bit and resume
// exactly.
type Trainer struct {
	cfg  Config
	data Dataset

	G, D, GAN    *nn.Sequential
	optD, optGAN *nn.Adam
	dropout      *nn.Dropout

	pcg *rand.PCG // real-image indices and latent points
	rng *rand.Rand

	run         RunInfo // of the current or resumed Run
	epoch, step int     // iterations done: epoch complete epochs plus step
	iters       int     // iterations done in all

	// Reused buffers: an iteration allocates nothing.
	real, latentHalf, latentFull *nn.Tensor
	dyHalf, dyFull               *nn.Tensor // dLoss/dp of half and full batches
	ones, zeros                  []float32
	perm                         []int       // current permutation with Shuffle
	permPass                     int         // its number
	dParams, gParams             []*nn.Param // what each optimiser updates
}

// NewTrainer builds and initialises the three models for cfg.
func NewTrainer(cfg Config, data Dataset) (*Trainer, error) {
	if err := cfg.validate(data); err != nil {
		return nil, err
	}
	t := &Trainer{cfg: cfg, data: data}
	var err error
	if t.D, err = newDiscriminator(mix(cfg.Seed, 3)); err != nil {
		return nil, err
	}
	if t.G, err = NewGenerator(cfg.LatentDim); err != nil {
		return nil, err
	}
	if t.GAN, err = NewGAN(t.G, t.D); err != nil {
		return nil, err
	}
	// Initialise after the GAN is built: building may lay out parameters.
	t.D.Init(mix(cfg.Seed, 1))
	t.G.Init(mix(cfg.Seed, 2))
	for _, l := range t.D.Layers() {
		if d, ok := l.(*nn.Dropout); ok {
			t.dropout = d
		}
	}
	// The GAN's optimiser updates only the generator: the discriminator
	// inside it is frozen, as in the tutorial.
	t.dParams, t.gParams = t.D.Params(), t.G.Params()
	t.optD = nn.NewAdam(cfg.LR, cfg.Beta1)
	t.optGAN = nn.NewAdam(cfg.LR, cfg.Beta1)
	t.pcg = rand.NewPCG(cfg.Seed, mix(cfg.Seed, 4))
	t.rng = rand.New(t.pcg)

	half := cfg.Batch / 2
	t.real = nn.NewTensor(half, ImageHeight, ImageWidth, ImageChannels)
	t.latentHalf = nn.NewTensor(half, cfg.LatentDim)
	t.latentFull = nn.NewTensor(cfg.Batch, cfg.LatentDim)
	t.dyHalf = nn.NewTensor(half, 1)
	t.dyFull = nn.NewTensor(cfg.Batch, 1)
	t.ones = make([]float32, cfg.Batch)
	t.zeros = make([]float32, cfg.Batch)
	for i := range t.ones {
		t.ones[i] = 1
	}
	return t, nil
}

// mix derives independent seeds for the separate random streams.
func mix(seed, stream uint64) uint64 { return splitmix64(seed ^ splitmix64(stream)) }

// splitmix64 is a tiny counter-based generator: a pure function of its
// input, so derived seeds depend on nothing but the seed and the stream.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Config returns the trainer's configuration.
func (t *Trainer) Config() Config { return t.cfg }

// ItersPerEpoch returns the number of iterations in one epoch.
func (t *Trainer) ItersPerEpoch() int {
	if t.cfg.ItersPerEpoch > 0 {
		return t.cfg.ItersPerEpoch
	}
	return max(1, t.data.Len()/t.cfg.Batch)
}

// Position returns how far training has gone: complete epochs, iterations
// into the current epoch, and iterations in all.
func (t *Trainer) Position() (epoch, step, iters int) { return t.epoch, t.step, t.iters }

// Iteration runs one iteration of the tutorial's schedule: the
// discriminator trains on a half batch of real images labelled 1, then on a
// half batch of generated images labelled 0; then the generator trains
// through the frozen discriminator on a full batch of latent points
// labelled 1. It returns the three losses.
func (t *Trainer) Iteration() IterationStats {
	half := t.cfg.Batch / 2
	var s IterationStats

	// Discriminator on real images.
	t.sampleReal(t.real)
	t.D.SetTrainable(true)
	s.DLossReal = t.trainStep(t.D, t.optD, t.dParams, t.real, t.ones[:half])

	// Discriminator on generated images, made in inference mode as the
	// tutorial's g_model.predict does.
	t.sampleLatent(t.latentHalf)
	fake := t.G.Forward(t.latentHalf, false)
	s.DLossFake = t.trainStep(t.D, t.optD, t.dParams, fake, t.zeros[:half])

	// Generator through the frozen discriminator. Dropout stays active, as
	// in Keras' train_on_batch on the combined model.
	t.D.SetTrainable(false)
	t.sampleLatent(t.latentFull)
	s.GLoss = t.trainStep(t.GAN, t.optGAN, t.gParams, t.latentFull, t.ones)

	t.iters++
	t.step++
	if t.step == t.ItersPerEpoch() {
		t.epoch++
		t.step = 0
	}
	return s
}

// trainStep is Keras' train_on_batch: forward in training mode, mean BCE
// against labels y, backward, one Adam update of params.
func (t *Trainer) trainStep(m *nn.Sequential, opt *nn.Adam, params []*nn.Param, x *nn.Tensor, y []float32) float32 {
	p := m.Forward(x, true)
	dy := t.dyFull
	if len(p.Data) != len(dy.Data) {
		dy = t.dyHalf
	}
	loss := nn.BinaryCrossEntropy(p.Data, y, dy.Data)
	// x is data (images, latent vectors): its gradient is never read.
	m.BackwardParams(dy)
	opt.Step(params)
	return loss
}

// sampleReal fills x with real images: random indices as the tutorial's
// randint, or with Shuffle the next entries of a stream of permutations, so
// that every image is drawn once before any is drawn again.
func (t *Trainer) sampleReal(x *nn.Tensor) {
	n := x.Shape[0]
	for i := range n {
		var idx int
		if t.cfg.Shuffle {
			idx = t.permIndex(t.iters*n + i)
		} else {
			idx = t.rng.IntN(t.data.Len())
		}
		t.data.Image(idx, x.Data[i*ImageSize:(i+1)*ImageSize])
	}
}

// permIndex returns draw k of the shuffled stream: entry k%Len of
// permutation k/Len, each permutation a pure function of the seed and its
// number, so checkpoints need not store it.
func (t *Trainer) permIndex(k int) int {
	n := t.data.Len()
	pass := k / n
	if t.perm == nil || t.permPass != pass {
		if len(t.perm) != n {
			t.perm = make([]int, n)
		}
		for i := range t.perm {
			t.perm[i] = i
		}
		r := rand.New(rand.NewPCG(mix(t.cfg.Seed, 5), uint64(pass)))
		r.Shuffle(n, func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
		t.permPass = pass
	}
	return t.perm[k%n]
}

// sampleLatent fills x with points from N(0, 1).
func (t *Trainer) sampleLatent(x *nn.Tensor) {
	for i := range x.Data {
		x.Data[i] = float32(t.rng.NormFloat64())
	}
}

// Performance is the tutorial's summarize_performance: the discriminator's
// accuracy on real and on generated images, and the generated images.
type Performance struct {
	AccReal, AccFake float64
	// Fake holds the generated images (NHWC, [-1, 1]), Samples of them.
	Fake    []float32
	Samples int
}

// Summarize measures the discriminator, in inference mode, on
// SummarySamples random real images and as many generated ones; an output
// above 0.5 counts as "real", as Keras' binary accuracy.
func (t *Trainer) Summarize() Performance {
	n := max(1, t.cfg.SummarySamples)
	real := nn.NewTensor(n, ImageHeight, ImageWidth, ImageChannels)
	for i := range n {
		t.data.Image(t.rng.IntN(t.data.Len()), real.Data[i*ImageSize:(i+1)*ImageSize])
	}
	var s Performance
	s.AccReal = accuracy(t.D.Forward(real, false).Data, true)
	latent := nn.NewTensor(n, t.cfg.LatentDim)
	t.sampleLatent(latent)
	fake := t.G.Forward(latent, false)
	s.Fake = append([]float32(nil), fake.Data...)
	s.Samples = n
	s.AccFake = accuracy(t.D.Forward(fake, false).Data, false)
	return s
}

func accuracy(p []float32, real bool) float64 {
	right := 0
	for _, v := range p {
		if (v > 0.5) == real {
			right++
		}
	}
	return float64(right) / float64(len(p))
}

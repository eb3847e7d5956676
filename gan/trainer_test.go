package gan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gokern/gokern/cifar10"
	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
	"github.com/gokern/gokern/nn"
)

// tinyConfig keeps training tests fast: the tutorial's models cost about
// 1 GFLOP per image and iteration, and the generic path runs at 1-2
// GFLOPS, so batch 2 (one real, one generated image), a small latent
// space, two iterations per epoch.
func tinyConfig() Config {
	c := DefaultConfig()
	c.Batch = 2
	c.LatentDim = 16
	c.SummarySamples = 4
	c.ItersPerEpoch = 2
	c.Seed = 42
	return c
}

func newTiny(t testing.TB, cfg Config) *Trainer {
	t.Helper()
	tr, err := NewTrainer(cfg, cifar10.NewSynthetic(64, 1))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func finite(s IterationStats) bool {
	for _, v := range []float32{s.DLossReal, s.DLossFake, s.GLoss} {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || v < 0 {
			return false
		}
	}
	return true
}

// TestDeterminism: the same seed gives the same losses bit for bit, on
// every kernel path; another seed gives others.
func TestDeterminism(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		if testing.Short() && kernels.Active() == "generic" {
			t.Skip("generic: 6 iterations at about a second each; skipped with -short")
		}
		a, b := newTiny(t, tinyConfig()), newTiny(t, tinyConfig())
		cfg := tinyConfig()
		cfg.Seed++
		c := newTiny(t, cfg)
		differ := false
		for i := range 2 {
			sa, sb, sc := a.Iteration(), b.Iteration(), c.Iteration()
			if sa != sb {
				t.Fatalf("iteration %d: %+v vs %+v with the same seed", i, sa, sb)
			}
			if !finite(sa) {
				t.Fatalf("iteration %d: losses %+v", i, sa)
			}
			differ = differ || sa != sc
		}
		if !differ {
			t.Error("seeds 42 and 43 gave the same losses")
		}
	})
}

func TestIterationSchedule(t *testing.T) {
	cfg := tinyConfig()
	cfg.Batch = 4
	tr := newTiny(t, cfg)
	if tr.ItersPerEpoch() != 2 {
		t.Fatalf("ItersPerEpoch = %d", tr.ItersPerEpoch())
	}
	tr2, err := NewTrainer(DefaultConfig(), cifar10.NewSynthetic(50_000, 1))
	if err != nil {
		t.Fatal(err)
	}
	if n := tr2.ItersPerEpoch(); n != 390 {
		t.Fatalf("50,000 images at batch 128: %d iterations per epoch, want 390", n)
	}
	gBefore := slices.Clone(tr.G.Params()[0].Value)
	dBefore := slices.Clone(tr.D.Params()[0].Value)
	for range 3 {
		tr.Iteration()
	}
	if e, b, n := tr.Position(); e != 1 || b != 1 || n != 3 {
		t.Errorf("Position = %d, %d, %d; want 1, 1, 3", e, b, n)
	}
	if slices.Equal(gBefore, tr.G.Params()[0].Value) || slices.Equal(dBefore, tr.D.Params()[0].Value) {
		t.Error("an iteration left the generator or the discriminator unchanged")
	}
	// The discriminator took two Adam steps per iteration, the generator
	// one; the GAN's optimiser never touched the discriminator.
	dk, gk := tr.D.Params()[0], tr.G.Params()[0]
	if got := tr.optD.Steps(dk); got != 6 {
		t.Errorf("discriminator Adam steps = %d, want 6", got)
	}
	if got := tr.optGAN.Steps(gk); got != 3 {
		t.Errorf("generator Adam steps = %d, want 3", got)
	}
	if got := tr.optGAN.Steps(dk); got != 0 {
		t.Errorf("the GAN's optimiser stepped the discriminator %d times", got)
	}
	if r := allocs.Count(2, func() { tr.Iteration() }); r.Ours() != 0 {
		t.Errorf("Iteration allocates: %v", r)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, mod := range []func(*Config){
		func(c *Config) { c.Batch = 7 },
		func(c *Config) { c.Batch = 0 },
		func(c *Config) { c.LatentDim = 0 },
		func(c *Config) { c.LR = 0 },
		func(c *Config) { c.Beta1 = 1 },
		func(c *Config) { c.ItersPerEpoch = -1 },
	} {
		c := tinyConfig()
		mod(&c)
		if _, err := NewTrainer(c, cifar10.NewSynthetic(10, 1)); err == nil {
			t.Errorf("NewTrainer(%+v) succeeded", c)
		}
	}
	if _, err := NewTrainer(tinyConfig(), cifar10.NewSynthetic(0, 1)); err == nil {
		t.Error("NewTrainer with no images succeeded")
	}
}

// countingDataset records which images the trainer reads.
type countingDataset struct {
	Dataset
	seen []int
}

func (c *countingDataset) Image(i int, dst []float32) {
	c.seen[i]++
	c.Dataset.Image(i, dst)
}

func TestShuffleWithoutReplacement(t *testing.T) {
	data := &countingDataset{Dataset: cifar10.NewSynthetic(16, 1), seen: make([]int, 16)}
	cfg := tinyConfig()
	cfg.Shuffle = true
	tr, err := NewTrainer(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	for pass := 1; pass <= 2; pass++ {
		for range 16 { // 16 iterations x 1 real image = one pass over 16
			tr.Iteration()
		}
		for i, n := range data.seen {
			if n != pass {
				t.Fatalf("after pass %d image %d was drawn %d times: %v", pass, i, n, data.seen)
			}
		}
	}
}

// TestRunOutputs: a short run writes the tutorial's outputs, the CSV, the
// loss plot and a checkpoint; the saved generator reloads to the same
// images.
func TestRunOutputs(t *testing.T) {
	dir := t.TempDir()
	tr := newTiny(t, tinyConfig())
	var log bytes.Buffer
	var progress []Progress
	err := tr.Run(context.Background(), RunOptions{Epochs: 2, SummaryEvery: 1, OutDir: dir, Log: &log,
		Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{PlotFile(1), PlotFile(2), GeneratorFile(1), GeneratorFile(2), MetricsFile, LossPlotFile,
		filepath.Join(CheckpointDir, ckState), filepath.Join(CheckpointDir, ckGenerator)} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(progress) != 4 || progress[3].Iter != 4 || progress[3].Epoch != 2 || progress[3].Step != 2 || progress[2].Step != 1 {
		t.Errorf("progress reports: %+v", progress)
	}
	if !bytes.Contains(log.Bytes(), []byte("epoch 2: >Accuracy real:")) {
		t.Errorf("log: %q", log.String())
	}
	f, err := os.Open(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ReadMetrics(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d metrics rows, want 4", len(recs))
	}
	for i, r := range recs {
		summary := i%2 == 1
		if r.Iter != i+1 || r.Epoch != i/2+1 || math.IsNaN(r.AccReal) == summary || !(r.ImagesPerSec > 0) {
			t.Errorf("row %d: %+v", i, r)
		}
	}

	g, err := NewGenerator(tinyConfig().LatentDim)
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.LoadWeights(filepath.Join(dir, GeneratorFile(2)), g); err != nil {
		t.Fatal(err)
	}
	if a, b := Generate(g, 3, 9), Generate(tr.G, 3, 9); !slices.Equal(a, b) {
		t.Error("the saved generator does not reproduce the trained one")
	}
}

// runUninterrupted trains cfg for epochs and returns the output folder.
func runUninterrupted(t *testing.T, cfg Config, epochs int) string {
	dir := t.TempDir()
	tr := newTiny(t, cfg)
	if err := tr.Run(context.Background(), RunOptions{Epochs: epochs, SummaryEvery: 1, OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestResumeMatchesUninterrupted stops a run twice, once by MaxIters in
// mid-epoch and once by cancelling its context (Ctrl-C), resumes it each
// time from its checkpoint, and requires the same losses and the same
// final weights and optimiser states, bit for bit, as a run never stopped.
func TestResumeMatchesUninterrupted(t *testing.T) {
	k := 0
	kerneltest.Run(t, func(t *testing.T) {
		if testing.Short() && kernels.Active() == "generic" {
			t.Skip("generic: 8 iterations at about a second each; skipped with -short")
		}
		// Alternate the sampling mode over the paths to keep the test short.
		shuffle := k%2 == 1
		k++
		t.Run(fmt.Sprintf("shuffle=%v", shuffle), func(t *testing.T) {
			cfg := tinyConfig()
			cfg.Shuffle = shuffle
			const epochs = 2
			want := runUninterrupted(t, cfg, epochs)

			// Stop after iteration 1 (mid-epoch) by MaxIters, then after
			// iteration 3 (mid-epoch, after a summary) by cancelling.
			dir := t.TempDir()
			tr := newTiny(t, cfg)
			if err := tr.Run(context.Background(), RunOptions{Epochs: epochs, SummaryEvery: 1, OutDir: dir, MaxIters: 1}); err != nil {
				t.Fatal(err)
			}
			tr, err := ResumeTrainer(dir, cifar10.NewSynthetic(64, 1), ResumeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err = tr.Run(ctx, RunOptions{Epochs: epochs, SummaryEvery: 1, OutDir: dir,
				Progress: func(p Progress) {
					if p.Iter == 3 {
						cancel()
					}
				}})
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("cancelled run returned %v, want ErrInterrupted", err)
			}
			if _, _, n := tr.Position(); n != 3 {
				t.Fatalf("interrupted after %d iterations, want 3", n)
			}
			tr, err = ResumeTrainer(dir, cifar10.NewSynthetic(64, 1), ResumeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Run(context.Background(), RunOptions{Epochs: epochs, SummaryEvery: 1, OutDir: dir}); err != nil {
				t.Fatal(err)
			}
			sameLosses(t, filepath.Join(want, MetricsFile), filepath.Join(dir, MetricsFile))
			for _, f := range []string{
				GeneratorFile(1), GeneratorFile(2),
				filepath.Join(CheckpointDir, ckGenerator), filepath.Join(CheckpointDir, ckDiscriminator),
				filepath.Join(CheckpointDir, ckAdamD), filepath.Join(CheckpointDir, ckAdamGAN),
			} {
				a, errA := os.ReadFile(filepath.Join(want, f))
				b, errB := os.ReadFile(filepath.Join(dir, f))
				if errA != nil || errB != nil || !bytes.Equal(a, b) {
					t.Errorf("%s differs between the resumed and the uninterrupted run (%v, %v)", f, errA, errB)
				}
			}
		})
	})
}

func sameLosses(t *testing.T, a, b string) {
	t.Helper()
	read := func(p string) []Record {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := ReadMetrics(f)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ra, rb := read(a), read(b)
	if len(ra) != len(rb) {
		t.Fatalf("%d vs %d metrics rows", len(ra), len(rb))
	}
	for i := range ra {
		x, y := ra[i], rb[i]
		if x.Iter != y.Iter || x.IterationStats != y.IterationStats ||
			fmt.Sprint(x.AccReal, x.AccFake) != fmt.Sprint(y.AccReal, y.AccFake) {
			t.Errorf("row %d: %+v vs %+v", i, x, y)
		}
	}
}

func TestResumeErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ResumeTrainer(dir, cifar10.NewSynthetic(8, 1), ResumeOptions{}); err == nil {
		t.Error("resumed from an empty folder")
	}
	tr := newTiny(t, tinyConfig())
	if err := tr.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := ResumeTrainer(dir, cifar10.NewSynthetic(65, 1), ResumeOptions{}); err == nil || !strings.Contains(err.Error(), "64 images") {
		t.Errorf("resumed on other data: err = %v", err)
	}
	if _, err := ResumeTrainer(dir, cifar10.NewSynthetic(64, 1), ResumeOptions{}); err != nil {
		t.Error(err)
	}
	os.MkdirAll(filepath.Join(dir, CheckpointDir), 0o755)
	os.WriteFile(filepath.Join(dir, CheckpointDir, ckState), []byte("{"), 0o644)
	if _, err := ResumeTrainer(dir, cifar10.NewSynthetic(8, 1), ResumeOptions{}); err == nil {
		t.Error("resumed from a corrupt state file")
	}
}

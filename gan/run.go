package gan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/gokern/gokern/kernels"
	"github.com/gokern/gokern/nn"
)

// RunOptions configures Run: how long to train and what to write.
type RunOptions struct {
	Epochs       int    // stop after this many epochs in all (default 200)
	SummaryEvery int    // summarise every this many epochs (default 10)
	OutDir       string // where everything is written (default "gan-out")
	// MaxIters stops the run, with a checkpoint, once this many iterations
	// have been done in all (counting those before a resume); 0 for no cap.
	MaxIters int
	// Progress, when set, is called after every iteration.
	Progress func(Progress)
	// Log receives the summaries' lines; nil discards them.
	Log io.Writer
}

// Progress describes the iteration just finished, for progress displays.
type Progress struct {
	Epoch, Epochs       int // the epoch this iteration belongs to, from 1
	Step, Steps         int // iteration within the epoch, from 1
	Iter, TotalIters    int // iterations done in all, and planned
	Stats               IterationStats
	ImagesPerSec        float64 // this iteration's
	SecondsPerIteration float64
}

// ErrInterrupted is returned by Run when its context was cancelled; the
// checkpoint it wrote lets a later run resume.
var ErrInterrupted = errors.New("gan: training interrupted; checkpoint written")

// Output file names in RunOptions.OutDir.
const (
	MetricsFile  = "metrics.csv"
	LossPlotFile = "loss_plot.png"
)

// PlotFile and GeneratorFile name the summary outputs for an epoch (from
// 1), as the tutorial's generated_plot_e010.png and generator_model_010.h5.
func PlotFile(epoch int) string      { return fmt.Sprintf("generated_plot_e%03d.png", epoch) }
func GeneratorFile(epoch int) string { return fmt.Sprintf("generator_model_e%03d.safetensors", epoch) }

// Run trains until opt.Epochs epochs are complete, continuing from the
// trainer's position (so a resumed trainer carries on). Every SummaryEvery
// epochs, and after the last, it writes the tutorial's summary (accuracies,
// a 7x7 image grid, the generator), refreshes the loss plot and writes a
// checkpoint. metrics.csv gets one row per iteration. When ctx is
// cancelled Run writes a checkpoint and returns ErrInterrupted.
func (t *Trainer) Run(ctx context.Context, opt RunOptions) (err error) {
	if opt.Epochs <= 0 {
		opt.Epochs = 200
	}
	if opt.SummaryEvery <= 0 {
		opt.SummaryEvery = 10
	}
	if opt.OutDir == "" {
		opt.OutDir = "gan-out"
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	t.run = RunInfo{Epochs: opt.Epochs, SummaryEvery: opt.SummaryEvery, Kernels: kernels.Active(), Threads: kernels.Threads()}
	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return fmt.Errorf("gan: %w", err)
	}
	m, err := openMetrics(filepath.Join(opt.OutDir, MetricsFile), t.iters)
	if err != nil {
		return fmt.Errorf("gan: %w", err)
	}
	defer func() {
		if e := m.close(); err == nil && e != nil {
			err = fmt.Errorf("gan: %w", e)
		}
	}()
	perEpoch := t.ItersPerEpoch()
	total := opt.Epochs * perEpoch
	if opt.MaxIters > 0 {
		total = min(total, opt.MaxIters)
	}
	checkpoint := func() error {
		if err := m.flush(); err != nil {
			return fmt.Errorf("gan: %w", err)
		}
		return t.SaveCheckpoint(opt.OutDir)
	}
	for t.iters < total {
		if ctx.Err() != nil {
			if err := checkpoint(); err != nil {
				return err
			}
			return ErrInterrupted
		}
		start := time.Now()
		s := t.Iteration()
		sec := time.Since(start).Seconds()
		rec := Record{
			Iter: t.iters, Epoch: t.epoch + 1, Step: t.step,
			IterationStats: s, ImagesPerSec: float64(t.cfg.Batch) / sec,
			AccReal: math.NaN(), AccFake: math.NaN(),
		}
		if t.step == 0 { // this iteration completed an epoch
			rec.Epoch, rec.Step = t.epoch, perEpoch
		}
		if opt.Progress != nil {
			opt.Progress(Progress{
				Epoch: rec.Epoch, Epochs: opt.Epochs, Step: rec.Step, Steps: perEpoch,
				Iter: t.iters, TotalIters: total, Stats: s,
				ImagesPerSec: rec.ImagesPerSec, SecondsPerIteration: sec,
			})
		}
		if t.step == 0 && (t.epoch%opt.SummaryEvery == 0 || t.epoch == opt.Epochs) {
			sum := t.Summarize()
			rec.AccReal, rec.AccFake = sum.AccReal, sum.AccFake
			m.add(rec)
			if err := t.writeSummary(opt, sum, m.recs); err != nil {
				return err
			}
			if err := checkpoint(); err != nil {
				return err
			}
			continue
		}
		m.add(rec)
		if t.step == 0 {
			if err := m.flush(); err != nil {
				return fmt.Errorf("gan: %w", err)
			}
		}
	}
	if t.step != 0 || opt.MaxIters > 0 {
		return checkpoint() // stopped by MaxIters: resumable
	}
	return nil
}

// writeSummary prints the accuracies as the tutorial does and writes the
// image grid, the generator and the loss plot.
func (t *Trainer) writeSummary(opt RunOptions, s Summary, recs []Record) error {
	fmt.Fprintf(opt.Log, "epoch %d: >Accuracy real: %.0f%%, fake: %.0f%%\n", t.epoch, s.AccReal*100, s.AccFake*100)
	n := min(49, s.Samples)
	if err := WritePNG(filepath.Join(opt.OutDir, PlotFile(t.epoch)), GridImage(s.Fake, n, 7, 2)); err != nil {
		return fmt.Errorf("gan: %w", err)
	}
	if err := nn.SaveWeights(filepath.Join(opt.OutDir, GeneratorFile(t.epoch)), t.G); err != nil {
		return fmt.Errorf("gan: %w", err)
	}
	if err := WriteLossPlot(filepath.Join(opt.OutDir, LossPlotFile), recs); err != nil {
		return fmt.Errorf("gan: loss plot: %w", err)
	}
	return nil
}

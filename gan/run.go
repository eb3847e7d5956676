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
)

// RunOptions configures Run: how long to train and what to write.
type RunOptions struct {
	Epochs       int    // stop after this many epochs in all (default 200)
	SummaryEvery int    // summarise every this many epochs (default 10)
	OutDir       string // where everything is written (default "gan-out")
	// MaxIters stops the run, with a checkpoint, once this many iterations
	// have been done in all (counting those before a resume); 0 for no cap.
	MaxIters int
	// CheckpointEvery is the longest stretch of training between two
	// checkpoints, besides the summary epochs' (default
	// DefaultCheckpointEvery; negative for none): a crash then loses at
	// most this much work.
	CheckpointEvery time.Duration
	// Progress, when set, is called after every iteration.
	Progress func(Progress)
	// Hooks run after the built-in ones (summary, metrics row, loss plot,
	// checkpoint), in order, each when it is due.
	Hooks []Hook
	// Log receives the summaries' lines; nil discards them.
	Log io.Writer
}

// DefaultCheckpointEvery is RunOptions.CheckpointEvery's default. A save
// of the tutorial's models takes well under a second, so five minutes
// costs far less than 1% of the training time.
const DefaultCheckpointEvery = 5 * time.Minute

// Progress describes the iteration just finished, for progress displays.
type Progress struct {
	Epoch, Epochs       int // the epoch this iteration belongs to, from 1
	Step, Steps         int // iteration within the epoch, from 1
	Iter, TotalIters    int // iterations done in all, and planned
	Stats               IterationStats
	ImagesPerSec        float64 // this iteration's
	SecondsPerIteration float64
}

// Hook is a callback that Run calls after the iterations it is due at:
// after every EveryIters-th iteration, at the end of every
// EveryEpochs-th epoch and of the run's last epoch, after the first
// iteration that ends at least Interval after its previous call (or the
// run's start), and with AtEnd once more when Run stops (finished, at
// MaxIters or interrupted) unless it was just called for that iteration.
// A hook whose Func returns an error stops the run with it.
type Hook struct {
	Name        string // for error messages
	EveryIters  int
	EveryEpochs int
	Interval    time.Duration
	AtEnd       bool
	Func        func(*Event) error
}

// Event is what a Hook is called with.
type Event struct {
	Trainer *Trainer
	Options *RunOptions // with the defaults filled in
	// Progress is the iteration just finished (when Interrupted, the last
	// one, zero if none).
	Progress
	// Record is that iteration's metrics row, which hooks that run
	// before the metrics hook may complete (the summary adds its
	// accuracies); nil when Interrupted.
	Record *Record
	// EpochEnd is set when the iteration completed an epoch; Stopping
	// when Run returns after this round of hooks; Interrupted when it
	// stops because its context was cancelled.
	EpochEnd, Stopping, Interrupted bool
}

// ErrInterrupted is returned by Run when its context was cancelled; the
// checkpoint it wrote lets a later run resume.
var ErrInterrupted = errors.New("gan: training interrupted; checkpoint written")

// ErrNonFinite is wrapped by the errors that report a NaN or an infinity
// in a loss or a parameter. Run stops on one without writing a
// checkpoint, so the last one written holds finite values.
var ErrNonFinite = errors.New("non-finite value")

// Output file names in RunOptions.OutDir.
const (
	MetricsFile  = "metrics.csv"
	LossPlotFile = "loss_plot.png"
)

// PlotFile and GeneratorFile name the summary outputs for an epoch (from
// 1), as the tutorial's generated_plot_e010.png and generator_model_010.h5.
func PlotFile(epoch int) string      { return fmt.Sprintf("generated_plot_e%03d.png", epoch) }
func GeneratorFile(epoch int) string { return fmt.Sprintf("generator_model_e%03d.safetensors", epoch) }

// hookState is Run's bookkeeping for one hook.
type hookState struct {
	Hook
	lastIter int
	lastTime time.Time
}

func (h *hookState) due(e *Event, lastEpoch bool, now time.Time) bool {
	if e.Interrupted { // no new iteration: only the final call
		return h.AtEnd && h.lastIter != e.Trainer.iters
	}
	switch {
	case h.EveryIters > 0 && e.Iter%h.EveryIters == 0,
		h.EveryEpochs > 0 && e.EpochEnd && (e.Trainer.epoch%h.EveryEpochs == 0 || lastEpoch),
		h.Interval > 0 && now.Sub(h.lastTime) >= h.Interval:
		return true
	}
	return h.AtEnd && e.Stopping && h.lastIter != e.Iter
}

// Run trains until opt.Epochs epochs are complete, continuing from the
// trainer's position (so a resumed trainer carries on). Every SummaryEvery
// epochs, and after the last, it writes the tutorial's summary (accuracies,
// a 7x7 image grid, the generator), refreshes the loss plot and writes a
// checkpoint; it also writes one every CheckpointEvery and when it stops.
// metrics.csv gets one row per iteration. These are hooks;
// opt.Hooks add others. When ctx is cancelled Run writes a checkpoint and
// returns ErrInterrupted. A non-finite loss stops it with an error
// wrapping ErrNonFinite and no checkpoint.
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
	if opt.CheckpointEvery == 0 {
		opt.CheckpointEvery = DefaultCheckpointEvery
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	t.run = RunInfo{Epochs: opt.Epochs, SummaryEvery: opt.SummaryEvery, Kernels: kernels.Active(), Threads: kernels.Threads()}
	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return fmt.Errorf("gan: %w", err)
	}
	m, err := openMetrics(filepath.Join(opt.OutDir, MetricsFile), t.iters, opt.Log)
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
	start := time.Now()
	var hooks []*hookState
	for _, h := range append(t.builtinHooks(&opt, m), opt.Hooks...) {
		hooks = append(hooks, &hookState{Hook: h, lastIter: -1, lastTime: start})
	}
	ev := Event{Trainer: t, Options: &opt}
	call := func() error {
		now := time.Now()
		lastEpoch := ev.EpochEnd && t.epoch == opt.Epochs
		for _, h := range hooks {
			if !h.due(&ev, lastEpoch, now) {
				continue
			}
			if err := h.Func(&ev); err != nil {
				return err
			}
			h.lastIter, h.lastTime = t.iters, time.Now()
		}
		return nil
	}
	for t.iters < total {
		if ctx.Err() != nil {
			ev.Stopping, ev.Interrupted, ev.Record = true, true, nil
			if err := call(); err != nil {
				return err
			}
			return ErrInterrupted
		}
		begin := time.Now()
		s := t.Iteration()
		sec := time.Since(begin).Seconds()
		if err := s.check(t.iters); err != nil {
			return err
		}
		rec := Record{
			Iter: t.iters, Epoch: t.epoch + 1, Step: t.step,
			IterationStats: s, ImagesPerSec: float64(t.cfg.Batch) / sec,
			AccReal: math.NaN(), AccFake: math.NaN(),
		}
		ev.EpochEnd = t.step == 0
		if ev.EpochEnd {
			rec.Epoch, rec.Step = t.epoch, perEpoch
		}
		ev.Record = &rec
		ev.Progress = Progress{
			Epoch: rec.Epoch, Epochs: opt.Epochs, Step: rec.Step, Steps: perEpoch,
			Iter: t.iters, TotalIters: total, Stats: s,
			ImagesPerSec: rec.ImagesPerSec, SecondsPerIteration: sec,
		}
		// The last iteration: AtEnd hooks run (a run that ends at
		// MaxIters leaves a checkpoint to resume from; at the last epoch's
		// end the summary's checkpoint is that one).
		ev.Stopping = t.iters >= total
		if err := call(); err != nil {
			return err
		}
		if err := savePoint("iteration"); err != nil {
			return err
		}
	}
	return nil
}

// check returns an error wrapping ErrNonFinite when a loss of iteration
// iter is NaN or infinite: the weights it updated are then suspect.
func (s IterationStats) check(iter int) error {
	for _, l := range []struct {
		name string
		v    float32
	}{{"d_loss_real", s.DLossReal}, {"d_loss_fake", s.DLossFake}, {"g_loss", s.GLoss}} {
		if f := float64(l.v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("gan: iteration %d: %w in the loss %s (%v); stopped without a checkpoint, the last one written is intact", iter, ErrNonFinite, l.name, l.v)
		}
	}
	return nil
}

// builtinHooks are what Run always does, in this order: the summary (it
// fills the row's accuracies), the metrics row, the summary's files, the
// loss plot, the progress callback, the checkpoint.
func (t *Trainer) builtinHooks(opt *RunOptions, m *metricsLog) []Hook {
	var sum *Performance
	hooks := []Hook{
		{Name: "summary", EveryEpochs: opt.SummaryEvery, Func: func(e *Event) error {
			s := t.Summarize()
			sum = &s
			e.Record.AccReal, e.Record.AccFake = s.AccReal, s.AccFake
			return nil
		}},
		{Name: "metrics", EveryIters: 1, Func: func(e *Event) error {
			if err := m.add(*e.Record); err != nil {
				return fmt.Errorf("gan: %w", err)
			}
			return nil
		}},
		{Name: "summary files", EveryEpochs: opt.SummaryEvery, Func: func(e *Event) error {
			err := t.writeSummary(*opt, *sum)
			sum = nil
			return err
		}},
		{Name: "loss plot", EveryEpochs: opt.SummaryEvery, Func: func(e *Event) error {
			if err := WriteLossPlot(filepath.Join(opt.OutDir, LossPlotFile), m.recs); err != nil {
				return fmt.Errorf("gan: loss plot: %w", err)
			}
			return nil
		}},
	}
	if opt.Progress != nil {
		hooks = append(hooks, Hook{Name: "progress", EveryIters: 1, Func: func(e *Event) error {
			opt.Progress(e.Progress)
			return nil
		}})
	}
	ck := Hook{Name: "checkpoint", EveryEpochs: opt.SummaryEvery, AtEnd: true, Func: func(e *Event) error {
		return t.SaveCheckpoint(opt.OutDir)
	}}
	if opt.CheckpointEvery > 0 {
		ck.Interval = opt.CheckpointEvery
	}
	return append(hooks, ck)
}

// writeSummary prints the accuracies as the tutorial does and writes the
// image grid and the generator.
func (t *Trainer) writeSummary(opt RunOptions, s Performance) error {
	fmt.Fprintf(opt.Log, "epoch %d: >Accuracy real: %.0f%%, fake: %.0f%%\n", t.epoch, s.AccReal*100, s.AccFake*100)
	if err := checkFinite("generator", t.G); err != nil {
		return fmt.Errorf("gan: epoch %d: %w", t.epoch, err)
	}
	n := min(49, s.Samples)
	if err := WritePNG(filepath.Join(opt.OutDir, PlotFile(t.epoch)), GridImage(s.Fake, n, 7, 2)); err != nil {
		return fmt.Errorf("gan: %w", err)
	}
	if err := saveWeights(filepath.Join(opt.OutDir, GeneratorFile(t.epoch)), t.G); err != nil {
		return fmt.Errorf("gan: %w", err)
	}
	return nil
}

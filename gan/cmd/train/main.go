// Command train trains the DCGAN of the Keras CIFAR-10 DCGAN tutorial on gokern's
// kernels and writes, every -summary-every epochs, the tutorial's image
// grid (generated_plot_eNNN.png) and generator
// (generator_model_eNNN.safetensors), plus metrics.csv, loss_plot.png and a
// checkpoint (also every -checkpoint-every). Ctrl-C, SIGTERM and SIGHUP
// write a checkpoint and exit with status 3; -resume DIR continues, after
// a kill -9 too. gan/README.md lists the flags and exit statuses.
//
//	go run ./gan/cmd/train                       # CIFAR-10 from the cache, or synthetic images
//	go run ./gan/cmd/train -download             # fetch CIFAR-10 first
//	go run ./gan/cmd/train -data ../shared/data/cifar-10-batches-bin -epochs 1
//	go run ./gan/cmd/train -resume gan-out       # continue after Ctrl-C
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gokern/gokern/cifar10"
	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/kernels"
	"github.com/schollz/progressbar/v3"
)

type options struct {
	epochs, batch, latent, summaryEvery, threads int
	itersPerEpoch, maxIters, samples             int
	seed                                         uint64
	checkpointEvery                              time.Duration
	out, kernelPath, data, resume                string
	download, shuffle, quiet, otherData          bool
	set                                          map[string]bool // flags given on the command line
}

// Exit statuses, documented in gan/README.md.
const (
	exitError       = 1 // anything else that went wrong
	exitUsage       = 2 // a bad flag or value, found before any work
	exitInterrupted = 3 // SIGINT, SIGTERM or SIGHUP; a checkpoint was written if training had begun
	exitNonFinite   = 4 // a loss or weight became NaN or infinite; the last checkpoint is intact
)

// usageError is a bad command line: exit status 2.
type usageError struct{ error }

// parseFlags reads the command line into options and checks every value
// that can be checked without the data or a checkpoint.
func parseFlags(args []string, errh flag.ErrorHandling) (options, error) {
	var o options
	fs := flag.NewFlagSet("train", errh)
	def := gan.DefaultConfig()
	fs.IntVar(&o.epochs, "epochs", 200, "epochs to train (in all, counting those before a -resume)")
	fs.IntVar(&o.batch, "batch", def.Batch, fmt.Sprintf("batch size, even, at most %d: half real, half generated images for the discriminator", gan.MaxBatch))
	fs.IntVar(&o.latent, "latent", def.LatentDim, fmt.Sprintf("latent space size, at most %d", gan.MaxLatentDim))
	fs.Uint64Var(&o.seed, "seed", def.Seed, "random seed: same seed, kernels and threads give the same run bit for bit")
	fs.StringVar(&o.out, "out", "gan-out", "output folder")
	fs.IntVar(&o.summaryEvery, "summary-every", 10, "write accuracies, an image grid, the generator and a checkpoint every this many epochs")
	fs.DurationVar(&o.checkpointEvery, "checkpoint-every", gan.DefaultCheckpointEvery, "also write a checkpoint after this much training time (0: only at summaries and at the end)")
	fs.IntVar(&o.samples, "samples", def.SummarySamples, fmt.Sprintf("real and generated images per summary's accuracy, 1 to %d", gan.MaxSummarySamples))
	fs.IntVar(&o.threads, "threads", 0, "threads for the kernels (0: GOMAXPROCS)")
	fs.StringVar(&o.kernelPath, "kernels", "", "kernel path: "+fmt.Sprint(kernels.Available())+" (default: the best; also "+kernels.EnvVar+")")
	fs.StringVar(&o.data, "data", "", "CIFAR-10: a cifar-10-batches-bin folder or cifar-10-binary.tar.gz (default: the user cache)")
	fs.BoolVar(&o.download, "download", false, "download CIFAR-10 into the user cache when it is not there (and fail if that fails)")
	fs.BoolVar(&o.shuffle, "shuffle", false, "draw real images without replacement instead of at random")
	fs.StringVar(&o.resume, "resume", "", "continue the run whose output folder is `DIR` from its checkpoint, with its settings (pass the same -data)")
	fs.BoolVar(&o.otherData, "allow-other-data", false, "with -resume: continue on data other than the run's (same image count)")
	fs.IntVar(&o.itersPerEpoch, "iters-per-epoch", 0, "cap iterations per epoch (0: images/batch, 390 for CIFAR-10)")
	fs.IntVar(&o.maxIters, "max-iters", 0, "stop with a checkpoint after this many iterations in all (0: no cap)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return o, usageError{err}
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if err := o.check(); err != nil {
		return o, usageError{err}
	}
	return o, nil
}

// maxThreads bounds -threads and maxEpochs -epochs: more is a typo (and
// epochs times iterations would overflow), not a plan.
const (
	maxThreads = 4096
	maxEpochs  = 1_000_000
)

// check rejects values no run can use, before any data is loaded.
func (o options) check() error {
	switch {
	case o.epochs < 1 || o.epochs > maxEpochs:
		return fmt.Errorf("-epochs %d: want 1 to %d", o.epochs, maxEpochs)
	case o.summaryEvery < 1:
		return fmt.Errorf("-summary-every %d: want at least 1", o.summaryEvery)
	case o.threads < 0 || o.threads > maxThreads:
		return fmt.Errorf("-threads %d: want 0 (GOMAXPROCS) to %d", o.threads, maxThreads)
	case o.maxIters < 0:
		return fmt.Errorf("-max-iters %d: want 0 (no cap) or more", o.maxIters)
	case o.itersPerEpoch < 0:
		return fmt.Errorf("-iters-per-epoch %d: want 0 (images/batch) or more", o.itersPerEpoch)
	case o.samples < 1:
		return fmt.Errorf("-samples %d: want at least 1", o.samples)
	case o.checkpointEvery < 0:
		return fmt.Errorf("-checkpoint-every %v: want 0 (off) or a positive duration", o.checkpointEvery)
	case o.otherData && o.resume == "":
		return errors.New("-allow-other-data needs -resume")
	case o.resume != "" && o.set["out"] && filepath.Clean(o.out) != filepath.Clean(o.resume):
		return fmt.Errorf("-out %s with -resume %s: a resumed run writes to its own folder; drop -out", o.out, o.resume)
	}
	if err := o.config().Validate(); err != nil {
		return err
	}
	return nil
}

// config is the trainer configuration the flags ask for.
func (o options) config() gan.Config {
	cfg := gan.DefaultConfig()
	cfg.Batch, cfg.LatentDim, cfg.Seed = o.batch, o.latent, o.seed
	cfg.ItersPerEpoch, cfg.Shuffle, cfg.SummarySamples = o.itersPerEpoch, o.shuffle, o.samples
	return cfg
}

// checkResumeFlags refuses flags that would change a setting the resumed
// run keeps from its checkpoint: they would be ignored.
func (o options) checkResumeFlags(saved gan.Config) error {
	want := o.config()
	for _, f := range []struct {
		name          string
		given, stored any
	}{
		{"batch", want.Batch, saved.Batch},
		{"latent", want.LatentDim, saved.LatentDim},
		{"seed", want.Seed, saved.Seed},
		{"shuffle", want.Shuffle, saved.Shuffle},
		{"samples", want.SummarySamples, saved.SummarySamples},
		{"iters-per-epoch", want.ItersPerEpoch, saved.ItersPerEpoch},
	} {
		if o.set[f.name] && f.given != f.stored {
			return usageError{fmt.Errorf("-%s %v with -resume: the run keeps its own -%s %v; drop the flag (or start a new run)", f.name, f.given, f.name, f.stored)}
		}
	}
	return nil
}

func main() {
	o, err := parseFlags(os.Args[1:], flag.ContinueOnError)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fatal(err)
	}
	// SIGHUP (the terminal closed) stops the run as Ctrl-C does: with a
	// checkpoint.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		stop()
		fatal(err)
	}
}

// fatal reports err and exits with its status.
func fatal(err error) {
	var u usageError
	switch {
	case errors.Is(err, gan.ErrInterrupted):
		os.Exit(exitInterrupted) // run has said where the checkpoint is
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "train: interrupted before training began; nothing written")
		os.Exit(exitInterrupted)
	case errors.As(err, &u):
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(exitUsage)
	case errors.Is(err, gan.ErrNonFinite):
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(exitNonFinite)
	}
	fmt.Fprintln(os.Stderr, "train:", err)
	os.Exit(exitError)
}

// run trains as the flags in o say, writing messages to stdout and the
// progress bar to stderr.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if err := kernels.EnvError(); err != nil {
		return usageError{err}
	}
	if o.kernelPath != "" {
		if err := kernels.Use(o.kernelPath); err != nil {
			return usageError{err}
		}
	}
	kernels.SetThreads(o.threads)
	if o.resume != "" {
		// Check the flags against the checkpoint before loading data.
		saved, _, err := gan.ReadCheckpoint(o.resume)
		if err != nil {
			return err
		}
		if err := o.checkResumeFlags(saved); err != nil {
			return err
		}
	}

	data, err := loadData(ctx, o, stdout, stderr)
	if err != nil {
		return err
	}

	var tr *gan.Trainer
	if o.resume != "" {
		if tr, err = gan.ResumeTrainer(o.resume, data, gan.ResumeOptions{OtherData: o.otherData}); err != nil {
			if errors.Is(err, gan.ErrOtherData) {
				err = fmt.Errorf("%w; -allow-other-data continues anyway", err)
			}
			return err
		}
		o.out = o.resume
		e, b, n := tr.Position()
		fmt.Fprintf(stdout, "resuming %s at epoch %d, iteration %d of the epoch (%d in all)\n", o.resume, e+1, b, n)
		s := tr.RunInfo()
		if !o.set["epochs"] && s.Epochs > 0 {
			o.epochs = s.Epochs
		}
		if !o.set["summary-every"] && s.SummaryEvery > 0 {
			o.summaryEvery = s.SummaryEvery
		}
		if s.Kernels != kernels.Active() || s.Threads != kernels.Threads() {
			fmt.Fprintf(stdout, "note: the run used kernels %s with %d threads, this one %s with %d: it will not repeat the original bit for bit\n",
				s.Kernels, s.Threads, kernels.Active(), kernels.Threads())
		}
		if id, ok := data.(gan.Identifier); ok && s.Data != "" && s.Data != id.Identity() {
			fmt.Fprintf(stdout, "note: -allow-other-data: the run trained on %s, it continues on %s\n", s.Data, id.Identity())
		}
	} else {
		if tr, err = gan.NewTrainer(o.config(), data); err != nil {
			return err
		}
	}
	cfg := tr.Config()
	perEpoch := tr.ItersPerEpoch()
	total := o.epochs * perEpoch
	if o.maxIters > 0 {
		total = min(total, o.maxIters)
	}
	_, _, done := tr.Position()
	fmt.Fprintf(stdout, "models: discriminator %d and generator %d parameters; batch %d, latent %d, seed %d\n",
		tr.D.CountParams(), tr.G.CountParams(), cfg.Batch, cfg.LatentDim, cfg.Seed)
	fmt.Fprintf(stdout, "schedule: %d epochs of %d iterations, summary every %d epochs; kernels %s, %d threads; output %s\n",
		o.epochs, perEpoch, o.summaryEvery, kernels.Active(), kernels.Threads(), o.out)

	var bar *progressbar.ProgressBar
	logw := stdout
	if !o.quiet && total > done {
		bar = progressbar.NewOptions(total-done,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetWidth(20),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("it"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(250*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		logw = clearingWriter{bar, stdout}
	}
	start := time.Now()
	ckEvery := o.checkpointEvery
	if ckEvery == 0 {
		ckEvery = -1 // RunOptions' "none"
	}
	err = tr.Run(ctx, gan.RunOptions{
		Epochs: o.epochs, SummaryEvery: o.summaryEvery, OutDir: o.out, MaxIters: o.maxIters, Log: logw,
		CheckpointEvery: ckEvery,
		Progress: func(p gan.Progress) {
			if bar == nil {
				return
			}
			bar.Describe(fmt.Sprintf("e%d/%d %d/%d d1=%.3f d2=%.3f g=%.3f %.0f img/s",
				p.Epoch, p.Epochs, p.Step, p.Steps, p.Stats.DLossReal, p.Stats.DLossFake, p.Stats.GLoss, p.ImagesPerSec))
			bar.Add(1)
		},
	})
	if bar != nil {
		bar.Exit()
		fmt.Fprintln(stderr)
	}
	_, _, now := tr.Position()
	if n := now - done; n > 0 {
		sec := time.Since(start).Seconds()
		fmt.Fprintf(stdout, "%d iterations in %.1fs: %.3f s/iteration, %.1f images/s (batch %d)\n",
			n, sec, sec/float64(n), float64(n*cfg.Batch)/sec, cfg.Batch)
	}
	switch {
	case errors.Is(err, gan.ErrInterrupted):
		fmt.Fprintf(stdout, "interrupted: checkpoint written to %s; continue with -resume %s\n",
			filepath.Join(o.out, gan.CheckpointDir), o.out)
		return err
	case err != nil:
		return err
	case now < o.epochs*perEpoch:
		fmt.Fprintf(stdout, "stopped at -max-iters %d: continue with -resume %s\n", o.maxIters, o.out)
	default:
		fmt.Fprintf(stdout, "done: outputs in %s\n", o.out)
	}
	return nil
}

// downloadOptions are the defaults (the official archive); tests point
// them at a local server.
var downloadOptions cifar10.DownloadOptions

// clearingWriter clears the progress bar before each line, so that
// summaries do not mix with it.
type clearingWriter struct {
	bar *progressbar.ProgressBar
	w   io.Writer
}

func (c clearingWriter) Write(b []byte) (int, error) {
	c.bar.Clear()
	return c.w.Write(b)
}

// loader reads CIFAR-10; tests shrink its batches.
var loader cifar10.Loader

// loadData finds the training images: -data, else the cache, else a
// download with -download, else the synthetic set. Its first line of
// output says which, plainly.
func loadData(ctx context.Context, o options, stdout, stderr io.Writer) (gan.Dataset, error) {
	if o.data != "" {
		c, err := loader.Load(ctx, o.data)
		if err != nil {
			return nil, err
		}
		describe(stdout, c, "from "+c.Source)
		return c, nil
	}
	if p, ok := cifar10.FindCached(); ok {
		c, err := loader.Load(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("%w (the cached copy; remove it or pass -data)", err)
		}
		describe(stdout, c, "from "+c.Source)
		return c, nil
	}
	if o.download {
		dir, err := cifar10.CacheDir()
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(dir, cifar10.ArchiveName)
		opt := downloadOptions
		opt.Progress = stderr
		if err := cifar10.Download(ctx, dst, opt); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, fmt.Errorf("-download: %w; check the network and run again, or fetch %s yourself and pass -data FILE (without -download the run trains on synthetic images)",
				err, cmp.Or(opt.URL, cifar10.URL))
		}
		c, err := loader.Load(ctx, dst)
		if err != nil {
			return nil, err
		}
		describe(stdout, c, "downloaded to "+dst)
		return c, nil
	}
	const n = 50_000
	fmt.Fprintf(stdout, "NOT CIFAR-10: training on %d built-in synthetic images (coloured shapes on gradients) because no CIFAR-10 in the cache and no -data; -download fetches it\n", n)
	return cifar10.NewSynthetic(n, 1), nil
}

// describe prints the data line, then which batches were read and
// warnings for a partial set or skipped archive entries.
func describe(w io.Writer, c *cifar10.Set, where string) {
	fmt.Fprintf(w, "data: CIFAR-10, %d training images %s\n", c.Len(), where)
	var names []string
	for _, b := range c.Batches {
		names = append(names, path.Base(filepath.ToSlash(b)))
	}
	fmt.Fprintf(w, "batches: %s\n", strings.Join(names, ", "))
	if m := c.Missing(); len(m) > 0 {
		fmt.Fprintf(w, "warning: a partial set: %s missing (the release has %d training batches)\n", strings.Join(m, ", "), cifar10.TrainingBatches)
	}
	for _, s := range c.Warnings {
		fmt.Fprintln(w, "warning:", s)
	}
}

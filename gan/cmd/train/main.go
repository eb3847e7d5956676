// Command train trains the DCGAN of the Keras CIFAR-10 DCGAN tutorial on gokern's
// kernels and writes, every -summary-every epochs, the tutorial's image
// grid (generated_plot_eNNN.png) and generator
// (generator_model_eNNN.safetensors), plus metrics.csv, loss_plot.png and a
// checkpoint. Ctrl-C writes a checkpoint and exits; -resume DIR continues.
//
//	go run ./gan/cmd/train                       # CIFAR-10 from the cache, or synthetic images
//	go run ./gan/cmd/train -download             # fetch CIFAR-10 first
//	go run ./gan/cmd/train -data ../shared/data/cifar-10-batches-bin -epochs 1
//	go run ./gan/cmd/train -resume gan-out       # continue after Ctrl-C
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
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
	out, kernelPath, data, resume                string
	download, shuffle, quiet                     bool
	set                                          map[string]bool // flags given on the command line
}

// parseFlags reads the command line into options.
func parseFlags(args []string, errh flag.ErrorHandling) (options, error) {
	var o options
	fs := flag.NewFlagSet("train", errh)
	def := gan.DefaultConfig()
	fs.IntVar(&o.epochs, "epochs", 200, "epochs to train (in all, counting those before a -resume)")
	fs.IntVar(&o.batch, "batch", def.Batch, "batch size: half real, half generated images for the discriminator")
	fs.IntVar(&o.latent, "latent", def.LatentDim, "latent space size")
	fs.Uint64Var(&o.seed, "seed", def.Seed, "random seed: same seed, kernels and threads give the same run bit for bit")
	fs.StringVar(&o.out, "out", "gan-out", "output folder")
	fs.IntVar(&o.summaryEvery, "summary-every", 10, "write accuracies, an image grid, the generator and a checkpoint every this many epochs")
	fs.IntVar(&o.samples, "samples", def.SummarySamples, "real and generated images per summary's accuracy")
	fs.IntVar(&o.threads, "threads", 0, "threads for the kernels (0: GOMAXPROCS)")
	fs.StringVar(&o.kernelPath, "kernels", "", "kernel path: "+fmt.Sprint(kernels.Available())+" (default: the best; also "+kernels.EnvVar+")")
	fs.StringVar(&o.data, "data", "", "CIFAR-10: a cifar-10-batches-bin folder or cifar-10-binary.tar.gz (default: the user cache)")
	fs.BoolVar(&o.download, "download", false, "download CIFAR-10 into the user cache when it is not there")
	fs.BoolVar(&o.shuffle, "shuffle", false, "draw real images without replacement instead of at random")
	fs.StringVar(&o.resume, "resume", "", "continue the run whose output folder is `DIR` from its checkpoint, with its settings (pass the same -data)")
	fs.IntVar(&o.itersPerEpoch, "iters-per-epoch", 0, "cap iterations per epoch (0: images/batch, 390 for CIFAR-10)")
	fs.IntVar(&o.maxIters, "max-iters", 0, "stop with a checkpoint after this many iterations in all (0: no cap)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], flag.ExitOnError)
	if err != nil {
		fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		stop()
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "train:", err)
	os.Exit(1)
}

// run trains as the flags in o say, writing messages to stdout and the
// progress bar to stderr.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if err := kernels.EnvError(); err != nil {
		return err
	}
	if o.kernelPath != "" {
		if err := kernels.Use(o.kernelPath); err != nil {
			return err
		}
	}
	kernels.SetThreads(o.threads)

	data, err := loadData(ctx, o, stdout, stderr)
	if err != nil {
		return err
	}

	var tr *gan.Trainer
	if o.resume != "" {
		if tr, err = gan.ResumeTrainer(o.resume, data, gan.ResumeOptions{}); err != nil {
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
	} else {
		cfg := gan.DefaultConfig()
		cfg.Batch, cfg.LatentDim, cfg.Seed = o.batch, o.latent, o.seed
		cfg.ItersPerEpoch, cfg.Shuffle, cfg.SummarySamples = o.itersPerEpoch, o.shuffle, o.samples
		if tr, err = gan.NewTrainer(cfg, data); err != nil {
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
	err = tr.Run(ctx, gan.RunOptions{
		Epochs: o.epochs, SummaryEvery: o.summaryEvery, OutDir: o.out, MaxIters: o.maxIters, Log: logw,
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
		return nil
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

// loadData finds the training images: -data, else the cache, else a
// download with -download, else the synthetic set. Its first line of
// output says which, plainly.
func loadData(ctx context.Context, o options, stdout, stderr io.Writer) (gan.Dataset, error) {
	if o.data != "" {
		c, err := cifar10.Load(o.data)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "data: CIFAR-10, %d training images from %s\n", c.Len(), c.Source)
		return c, nil
	}
	if p, ok := cifar10.FindCached(); ok {
		c, err := cifar10.Load(p)
		if err != nil {
			return nil, fmt.Errorf("%w (the cached copy; remove it or pass -data)", err)
		}
		fmt.Fprintf(stdout, "data: CIFAR-10, %d training images from %s\n", c.Len(), c.Source)
		return c, nil
	}
	why := "no CIFAR-10 in the cache and no -data; -download fetches it"
	if o.download {
		dir, err := cifar10.CacheDir()
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(dir, cifar10.ArchiveName)
		opt := downloadOptions
		opt.Progress = stderr
		err = cifar10.Download(ctx, dst, opt)
		switch {
		case err == nil:
			c, err := cifar10.Load(dst)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(stdout, "data: CIFAR-10, %d training images downloaded to %s\n", c.Len(), dst)
			return c, nil
		case errors.Is(err, cifar10.ErrChecksum), ctx.Err() != nil:
			return nil, err
		}
		why = "download failed: " + err.Error()
	}
	const n = 50_000
	fmt.Fprintf(stdout, "NOT CIFAR-10: training on %d built-in synthetic images (coloured shapes on gradients) because %s\n", n, why)
	return cifar10.NewSynthetic(n, 1), nil
}

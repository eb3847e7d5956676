package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ItersPerEpoch is the Keras tutorial's epoch: 50,000 CIFAR-10 images in batches of
// 128 gives 390 iterations (int(50000/128)).
const ItersPerEpoch = 390

// Report is everything one run of the harness measured. Each figure is
// the Stats of several interleaved runs after warm-up.
type Report struct {
	Date    time.Time `json:"date"`
	Machine Machine   `json:"machine"`
	Config  Options   `json:"config"` // the settings it was measured with

	// IterationFLOPs is the analytical GEMM work of one training iteration
	// (see IterationFLOPs).
	IterationFLOPs float64 `json:"iteration_flops"`

	Peaks   []Peak         `json:"peaks,omitempty"`
	Epoch   []EpochResult  `json:"epoch,omitempty"`
	Kernels []KernelResult `json:"kernels,omitempty"`
	Layers  []LayerShare   `json:"layers,omitempty"`
	// LayerPasses splits Layers by pass (layers.go), and Iteration is the
	// whole iteration's % of peak on every path, both with Layers.
	LayerPasses []LayerPass     `json:"layer_passes,omitempty"`
	Iteration   []IterationPeak `json:"iteration,omitempty"`
	Scaling     []ScalePoint    `json:"scaling,omitempty"`
	Serial      *SerialReport   `json:"serial,omitempty"` // with Scaling (serial.go)

	// ProfilePath is the kernel path the per-layer and scaling sections
	// were measured on.
	ProfilePath string `json:"profile_path,omitempty"`
}

// Peak is the measured FMA peak of a kernel path: Single on one thread,
// Concurrent with Threads probes running at once (each the best of several
// attempts, timed by thread CPU clocks so preemption does not lower them).
// Ceiling, the figure "% of peak" divides by, is Concurrent (or Single if
// higher): it is not Threads x Single because hyperthreads share a core's
// FMA units, so two threads on sibling CPUs peak at about one core's rate.
type Peak struct {
	Path       string  `json:"path"`
	Single     float64 `json:"single_gflops"` // one thread, best of several probes
	Threads    int     `json:"threads"`
	Concurrent float64 `json:"concurrent_gflops"` // Threads probes together
	Ceiling    float64 `json:"ceiling_gflops"`    // max(Concurrent, Single)
}

// EpochResult is the training throughput of one kernel path (or "gonum":
// the best SIMD path with gonum's Sgemm swapped in).
type EpochResult struct {
	Path         string  `json:"path"`
	SecPerIter   Stats   `json:"sec_per_iter"`
	SecPerEpoch  Stats   `json:"sec_per_epoch"`
	ImagesPerSec Stats   `json:"images_per_sec"`
	GFLOPS       Stats   `json:"gflops"`
	PctPeak      float64 `json:"pct_peak"` // median GFLOPS over the path's peak at the thread count, in %
	Speedup      float64 `json:"speedup"`  // generic's median s/iteration over this path's
	// CPUSecPerIter is the process CPU time (all threads) per iteration:
	// wall time stretches when other work shares the machine, CPU time
	// much less, so on a busy machine it is the steadier figure.
	CPUSecPerIter Stats `json:"cpu_sec_per_iter"`
	// CPUPctPeak is the FLOPs per CPU-second over one core's peak, in %:
	// how well the cores were used while the process ran, whatever else
	// shared the machine.
	CPUPctPeak float64 `json:"cpu_pct_peak"`
}

// KernelResult is one kernel on one shape and one path.
type KernelResult struct {
	Group  string  `json:"group"` // "sgemm", "conv", "im2col", "elementwise", "adam"
	Name   string  `json:"name"`  // shape or layer and direction
	Path   string  `json:"path"`  // kernel path, or a peer: "gonum", "openblas"
	FLOPs  float64 `json:"flops"` // per call; 0 when the kernel is memory-bound and GFLOPS is not meaningful
	Bytes  float64 `json:"bytes"` // bytes read and written per call, for memory-bound kernels
	Sec    Stats   `json:"sec"`   // seconds per call
	GFLOPS Stats   `json:"gflops"`
	GBs    Stats   `json:"gbs"` // GB/s from Bytes
}

// LayerShare is one layer's share of a training iteration's time.
type LayerShare struct {
	Layer string  `json:"layer"` // e.g. "D/conv2d_2 (Conv2D)"
	Sec   Stats   `json:"sec"`   // seconds per iteration spent in the layer, forward and backward
	Share float64 `json:"share"` // median seconds over the median iteration, in %
}

// ScalePoint is the training iteration at one thread count.
type ScalePoint struct {
	Threads    int     `json:"threads"`
	SecPerIter Stats   `json:"sec_per_iter"`
	Speedup    float64 `json:"speedup"`    // over one thread
	Efficiency float64 `json:"efficiency"` // speedup / threads, in %
}

// NewEpochResult derives the throughput figures from seconds per iteration.
// peak is the path's FMA peak in GFLOPS at the thread count used (0 if not
// known) and generic the generic path's median seconds per iteration (0 if
// not measured).
func NewEpochResult(path string, secPerIter Stats, batch int, flops, peak, generic float64) EpochResult {
	r := EpochResult{
		Path:         path,
		SecPerIter:   secPerIter,
		SecPerEpoch:  secPerIter.Map(func(s float64) float64 { return s * ItersPerEpoch }),
		ImagesPerSec: secPerIter.Map(func(s float64) float64 { return float64(batch) / s }),
		GFLOPS:       secPerIter.Map(func(s float64) float64 { return flops / s / 1e9 }),
	}
	if peak > 0 {
		r.PctPeak = 100 * r.GFLOPS.Median / peak
	}
	if generic > 0 && secPerIter.Median > 0 {
		r.Speedup = generic / secPerIter.Median
	}
	return r
}

// NewKernelResult derives rates from seconds per call.
func NewKernelResult(group, name, path string, sec Stats, flops, bytes float64) KernelResult {
	r := KernelResult{Group: group, Name: name, Path: path, FLOPs: flops, Bytes: bytes, Sec: sec}
	if flops > 0 {
		r.GFLOPS = sec.Map(func(s float64) float64 { return flops / s / 1e9 })
	}
	if bytes > 0 {
		r.GBs = sec.Map(func(s float64) float64 { return bytes / s / 1e9 })
	}
	return r
}

// WriteMarkdown writes the report as Markdown tables.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := &strings.Builder{}
	m := r.Machine
	fmt.Fprintf(b, "# gokern benchmark report\n\n")
	fmt.Fprintf(b, "- Date: %s\n", r.Date.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(b, "- CPU: %s (%d logical cores, GOMAXPROCS %d, %s/%s, %s)\n", m.CPU, m.Cores, m.GOMAXPROCS, m.GOOS, m.GOARCH, m.Go)
	fmt.Fprintf(b, "- Features: %s\n", strings.Join(m.Features, " "))
	c := r.Config
	iters := fmt.Sprintf("%d training iterations per run", c.Iters)
	if c.Iters == 0 {
		iters = "training runs of about " + c.TrainTime.String() + " (at least 1 iteration)"
	}
	fmt.Fprintf(b, "- Settings: threads %d, batch %d, %s, %d warm-up + %d timed runs per case, paths interleaved (A B A B); figures are medians with (min..max)\n",
		c.Threads, c.Batch, iters, c.Warmup, c.Runs)
	fmt.Fprintf(b, "- One training iteration = %.1f GFLOP of GEMM work (analytical count, bench.IterationFLOPs); an epoch = %d iterations\n",
		r.IterationFLOPs/1e9, ItersPerEpoch)

	if len(r.Peaks) > 0 {
		fmt.Fprintf(b, "\n## FMA peak (GFLOPS)\n\n| path | 1 thread | %d threads together | ceiling used for %% of peak |\n|---|---:|---:|---:|\n", c.Threads)
		for _, p := range r.Peaks {
			fmt.Fprintf(b, "| %s | %.1f | %.1f | %.1f |\n", p.Path, p.Single, p.Concurrent, p.Ceiling)
		}
	}
	if len(r.Epoch) > 0 {
		fmt.Fprintf(b, "\n## Training throughput per kernel path\n\n")
		fmt.Fprintf(b, "| path | s/iteration | s/epoch | images/s | GFLOPS | %% of peak | speed-up over generic | CPU s/iteration | %% of peak per CPU-second |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, e := range r.Epoch {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", e.Path,
				e.SecPerIter.Format("%.3g"), e.SecPerEpoch.Format("%.4g"), e.ImagesPerSec.Format("%.4g"),
				e.GFLOPS.Format("%.1f"), pct(e.PctPeak), ratio(e.Speedup),
				orDash(e.CPUSecPerIter.N > 0, e.CPUSecPerIter.Format("%.3g")), pct(e.CPUPctPeak))
		}
		fmt.Fprintf(b, "\nTimes are wall-clock and %% of peak is against the %d-thread ceiling, except the last two columns: the process's CPU time (all threads) per iteration, and the GEMM FLOPs per CPU-second against one core's peak, which other work sharing the machine inflates far less. gonum and openblas rows run the best path with that library's SGEMM.\n", c.Threads)
	}
	if len(r.Kernels) > 0 {
		fmt.Fprintf(b, "\n## Kernels on the DCGAN's shapes\n")
		group := ""
		for _, k := range r.Kernels {
			if k.Group != group {
				group = k.Group
				fmt.Fprintf(b, "\n### %s\n\n| kernel | path | time | GFLOPS | GB/s |\n|---|---|---:|---:|---:|\n", group)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", k.Name, k.Path, duration(k.Sec),
				orDash(k.FLOPs > 0, k.GFLOPS.Format("%.1f")), orDash(k.Bytes > 0, k.GBs.Format("%.1f")))
		}
	}
	if len(r.Layers) > 0 {
		fmt.Fprintf(b, "\n## Where one training iteration's time goes (%s path)\n\n| layer | time per iteration | share |\n|---|---:|---:|\n", r.ProfilePath)
		for _, l := range r.Layers {
			fmt.Fprintf(b, "| %s | %s | %.1f%% |\n", l.Layer, duration(l.Sec), l.Share)
		}
	}
	r.writeLayerPasses(b)
	if len(r.Scaling) > 0 {
		fmt.Fprintf(b, "\n## Thread scaling of the training iteration (%s path)\n\n| threads | s/iteration | speed-up | efficiency |\n|---:|---:|---:|---:|\n", r.ProfilePath)
		for _, s := range r.Scaling {
			fmt.Fprintf(b, "| %d | %s | %s | %.0f%% |\n", s.Threads, s.SecPerIter.Format("%.3g"), ratio(s.Speedup), s.Efficiency)
		}
	}
	r.writeSerial(b)
	_, err := io.WriteString(w, b.String())
	return err
}

func pct(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", x)
}

func ratio(x float64) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", x)
}

func orDash(ok bool, s string) string {
	if !ok {
		return "-"
	}
	return s
}

// duration formats Stats of seconds with a unit chosen by the median.
func duration(s Stats) string {
	unit, scale := "s", 1.0
	switch m := s.Median; {
	case m < 1e-6:
		unit, scale = "ns", 1e9
	case m < 1e-3:
		unit, scale = "µs", 1e6
	case m < 1:
		unit, scale = "ms", 1e3
	}
	return s.Map(func(x float64) float64 { return x * scale }).Format("%.3g") + " " + unit
}

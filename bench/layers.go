package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gokern/gokern/nn"
)

// LayerPass is one layer's calls of one kind (KindForward, ...; "forward"
// and "backward" for the layers without a GEMM) over a training
// iteration: the time they took, measured by nn.Profiler, and the
// analytical work they did (IterationWork).
type LayerPass struct {
	Layer string  `json:"layer"` // as LayerShare names it, e.g. "discriminator/conv2d_2 (Conv2D)"
	Pass  string  `json:"pass"`
	Calls int     `json:"calls"` // per iteration
	Sec   Stats   `json:"sec"`   // seconds per iteration
	Share float64 `json:"share"` // median seconds over the median iteration, in %
	FLOPs float64 `json:"flops"` // GEMM FLOPs per iteration; 0 for element-wise layers
	// Bytes is the least memory traffic per iteration (Layer.KindBytes), an
	// analytical floor, not a measurement; 0 for element-wise layers.
	Bytes   float64 `json:"min_bytes"`
	GFLOPS  float64 `json:"gflops"`   // FLOPs over the median time
	PctPeak float64 `json:"pct_peak"` // GFLOPS over the path's ceiling at the thread count, in %
}

// IterationPeak is the whole training iteration on one kernel path at the
// report's thread count, against that path's FMA ceiling.
type IterationPeak struct {
	Path       string  `json:"path"`
	Threads    int     `json:"threads"`
	SecPerIter Stats   `json:"sec_per_iter"`
	GFLOPS     float64 `json:"gflops"`         // IterationFLOPs over the median time
	Ceiling    float64 `json:"ceiling_gflops"` // the path's Peak.Ceiling; 0 if not known
	PctPeak    float64 `json:"pct_peak"`
	CPUPctPeak float64 `json:"cpu_pct_peak"` // FLOPs per CPU-second over one thread's peak, in %
}

// iterationPeaks picks the kernel paths' rows (not the GEMM peers') out of
// the training results.
func iterationPeaks(epoch []EpochResult, paths []string, threads int, peaks map[string]Peak) []IterationPeak {
	var out []IterationPeak
	for _, e := range epoch {
		if !slices.Contains(paths, e.Path) {
			continue
		}
		out = append(out, IterationPeak{Path: e.Path, Threads: threads, SecPerIter: e.SecPerIter, GFLOPS: e.GFLOPS.Median,
			Ceiling: peaks[e.Path].Ceiling, PctPeak: e.PctPeak, CPUPctPeak: e.CPUPctPeak})
	}
	return out
}

// LayerResults profiles the training iteration on path layer by layer
// (nn.Profiler on the GAN, which covers G and D however they are called).
// It returns each layer's time per iteration and share, largest first,
// with what the layers do not cover (loss, Adam, sampling the batch) as
// "other"; and the same time split by pass (LayerPass), in model order,
// with GFLOPS and % of ceiling (the path's FMA ceiling at the thread
// count, 0 if unknown).
func (o Options) LayerResults(path string, ceiling float64) ([]LayerShare, []LayerPass, error) {
	t, prof, iters, err := o.profiledTrainer(path)
	if err != nil {
		return nil, nil, err
	}
	defer t.GAN.SetProfiler(nil)
	work := IterationWork(o.Batch, t.Config().LatentDim)
	perLayer := map[string][]float64{}
	perPass := map[passKey][]float64{}
	calls := map[passKey]int{}
	var perIter []float64
	var names []string
	var keys []passKey
	for range max(1, o.Runs) {
		prof.Reset()
		start := time.Now()
		for range iters {
			t.Iteration()
		}
		el := time.Since(start).Seconds() / float64(iters)
		perIter = append(perIter, el)
		covered := 0.0
		for _, l := range prof.Layers {
			name := fmt.Sprintf("%s (%s)", l.Name, l.Type)
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
			s := (l.Forward + l.Backward).Seconds() / float64(iters)
			covered += s
			perLayer[name] = append(perLayer[name], s)
			for _, b := range profileBuckets(l, work[benchLayerName(l.Name)]) {
				k := passKey{name, b.pass}
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
				perPass[k] = append(perPass[k], b.d.Seconds()/float64(iters))
				calls[k] = b.calls / iters
			}
		}
		perLayer[otherLayer] = append(perLayer[otherLayer], max(0, el-covered))
	}
	names = append(names, otherLayer)
	iter := Summarize(perIter).Median
	var shares []LayerShare
	for _, n := range names {
		s := Summarize(perLayer[n])
		shares = append(shares, LayerShare{Layer: n, Sec: s, Share: 100 * s.Median / iter})
	}
	slices.SortStableFunc(shares, func(a, b LayerShare) int {
		switch {
		case a.Layer == otherLayer:
			return 1
		case b.Layer == otherLayer:
			return -1
		case a.Sec.Median > b.Sec.Median:
			return -1
		case a.Sec.Median < b.Sec.Median:
			return 1
		}
		return strings.Compare(a.Layer, b.Layer)
	})
	var passes []LayerPass
	for _, k := range keys {
		w := passWork(work[benchLayerName(strings.SplitN(k.layer, " ", 2)[0])], k.pass)
		passes = append(passes, NewLayerPass(k.layer, k.pass, calls[k], Summarize(perPass[k]), iter, w.FLOPs, w.Bytes, ceiling))
	}
	return shares, passes, nil
}

// NewLayerPass derives the rates of a LayerPass from its seconds per
// iteration; iter is the median iteration, ceiling the path's FMA ceiling
// (0 if not known).
func NewLayerPass(layer, pass string, calls int, sec Stats, iter, flops, bytes, ceiling float64) LayerPass {
	p := LayerPass{Layer: layer, Pass: pass, Calls: calls, Sec: sec, FLOPs: flops, Bytes: bytes}
	if iter > 0 {
		p.Share = 100 * sec.Median / iter
	}
	if flops > 0 && sec.Median > 0 {
		p.GFLOPS = flops / sec.Median / 1e9
		if ceiling > 0 {
			p.PctPeak = 100 * p.GFLOPS / ceiling
		}
	}
	return p
}

// passWork is the work of a bucket's pass: one kind's, or the sum of the
// kinds profileBuckets joined with " and ".
func passWork(work map[string]LayerWork, pass string) LayerWork {
	var w LayerWork
	for _, k := range strings.Split(pass, " and ") {
		x := work[k]
		w.Calls += x.Calls
		w.FLOPs += x.FLOPs
		w.Bytes += x.Bytes
	}
	return w
}

type passKey struct{ layer, pass string }

type bucket struct {
	pass  string
	d     time.Duration
	calls int
}

// profileBuckets splits a profiler row into the passes it can tell apart:
// forward; the frozen backward calls (input gradient only); the other
// backward calls, named for what IterationWork says they compute (work is
// nil for a layer without a GEMM, whose backward calls stay one row).
// Buckets without calls are left out.
func profileBuckets(l nn.LayerTime, work map[string]LayerWork) []bucket {
	bs := []bucket{{KindForward, l.Forward, l.ForwardCalls}}
	if work == nil {
		bs = append(bs, bucket{"backward", l.Backward, l.BackwardCalls})
	} else {
		var rest []string
		for _, k := range []string{KindBackwardWeights, KindBackwardBoth} {
			if work[k].Calls > 0 {
				rest = append(rest, k)
			}
		}
		if len(rest) == 0 {
			rest = []string{"backward"}
		}
		bs = append(bs, bucket{KindBackwardData, l.FrozenBackward, l.FrozenCalls},
			bucket{strings.Join(rest, " and "), l.Backward - l.FrozenBackward, l.BackwardCalls - l.FrozenCalls})
	}
	return slices.DeleteFunc(bs, func(b bucket) bool { return b.calls == 0 })
}

// benchLayerName maps a profiler row's model-qualified name
// ("discriminator/conv2d_1") to Layer.String's ("D/conv2d_1").
func benchLayerName(prof string) string {
	model, name, ok := strings.Cut(prof, "/")
	if !ok {
		return prof
	}
	switch model {
	case "discriminator":
		model = "D"
	case "generator":
		model = "G"
	}
	return model + "/" + name
}

// writeLayerPasses appends the per-pass table and the iteration's % of
// peak per path after the per-layer table.
func (r *Report) writeLayerPasses(b *strings.Builder) {
	if len(r.LayerPasses) > 0 {
		ceiling := "ceiling not measured"
		for _, p := range r.Peaks {
			if p.Path == r.ProfilePath {
				ceiling = fmt.Sprintf("ceiling %.1f GFLOPS", p.Ceiling)
			}
		}
		if c := r.LayerPasses[0]; c.PctPeak > 0 {
			ceiling = fmt.Sprintf("ceiling %.1f GFLOPS", 100*c.GFLOPS/c.PctPeak)
		}
		fmt.Fprintf(b, "\n## Per layer and pass (%s path, %d threads, %s)\n\n", r.ProfilePath, r.Config.Threads, ceiling)
		b.WriteString("| layer | pass | calls/iteration | time per iteration | share | GFLOPS | % of peak | minimum bytes/iteration (analytical, not measured) | GB/s at that minimum |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, p := range r.LayerPasses {
			fmt.Fprintf(b, "| %s | %s | %d | %s | %.1f%% | %s | %s | %s | %s |\n", p.Layer, p.Pass, p.Calls, duration(p.Sec), p.Share,
				orDash(p.GFLOPS > 0, fmt.Sprintf("%.1f", p.GFLOPS)), pct(p.PctPeak),
				orDash(p.Bytes > 0, byteSize(p.Bytes)), orDash(p.Bytes > 0 && p.Sec.Median > 0, fmt.Sprintf("%.2f", p.Bytes/max(p.Sec.Median, 1e-12)/1e9)))
		}
		b.WriteString("\nFLOPs are bench.IterationWork's GEMM counts (the same as the iteration's total). Bytes are the least a pass could move, " +
			"float32: read its inputs and weights once, write its outputs once (no im2col buffer, no packing, no re-reads); " +
			"a time near bytes / memory bandwidth means the pass is memory-bound. backward-data is the frozen discriminator's calls " +
			"in the GAN step; a trainable layer computes backward-data+weights in one op call, which the profiler sees whole; " +
			"backward-weights alone is a first layer fed data. Times include each layer's fused bias and activation.\n")
	}
	if len(r.Iteration) > 0 {
		fmt.Fprintf(b, "\n## Whole iteration against each kernel path's peak (%d threads)\n\n", r.Config.Threads)
		b.WriteString("| path | threads | s/iteration | GFLOPS | ceiling (GFLOPS) | % of peak | % of one thread's peak per CPU-second |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, it := range r.Iteration {
			fmt.Fprintf(b, "| %s | %d | %s | %.1f | %s | %s | %s |\n", it.Path, it.Threads, it.SecPerIter.Format("%.3g"), it.GFLOPS,
				orDash(it.Ceiling > 0, fmt.Sprintf("%.1f", it.Ceiling)), pct(it.PctPeak), pct(it.CPUPctPeak))
		}
	}
}

// byteSize formats a byte count with a decimal unit chosen by its size.
func byteSize(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.3g GB", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.3g MB", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.3g kB", x/1e3)
	}
	return fmt.Sprintf("%.0f B", x)
}

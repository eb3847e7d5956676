package bench

import (
	"fmt"
	"runtime"
	"time"

	"github.com/gokern/gokern/cifar10"
	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/kernels"
	"github.com/gokern/gokern/nn"
)

// NewTrainer builds the trainer of the Keras tutorial's DCGAN for a batch of
// batch on a small synthetic dataset (the data's content does not change
// the work an iteration does; no download, no disk).
func NewTrainer(batch int) (*gan.Trainer, error) {
	cfg := gan.DefaultConfig()
	cfg.Batch = batch
	return gan.NewTrainer(cfg, cifar10.NewSynthetic(max(batch, 512), 1))
}

// TrainingResults measures seconds per training iteration on every path in
// o.Paths and, with o.Peers, on the best path with each GEMM peer swapped in
// for every Sgemm, interleaved on one trainer, and derives the epoch
// figures. Each contender's first iteration is its warm-up and calibration:
// a timed run then does o.Iters iterations, or when o.Iters is 0 as many as
// fill o.TrainTime (at least one), so a path 50 times slower than another
// is not run 50 times as long. peaks maps a path to its measured FMA peak;
// a peer is compared with the best path's, since only its GEMM differs.
func (o Options) TrainingResults(peaks map[string]Peak) ([]EpochResult, error) {
	t, err := NewTrainer(o.Batch)
	if err != nil {
		return nil, err
	}
	// The first iteration on a fresh trainer sizes every workspace.
	t.Iteration()
	cs := o.pathContenders(true, func() { t.Iteration() })
	iters := make(map[string]int, len(cs))
	cases := make([]Case, len(cs))
	for i, c := range cs {
		if c.setup != nil {
			c.setup()
		}
		start := time.Now()
		t.Iteration()
		one := time.Since(start)
		if c.teardown != nil {
			c.teardown()
		}
		n := o.Iters
		if n < 1 {
			n = max(1, int(float64(o.TrainTime)/float64(max(one, time.Microsecond))+0.5))
		}
		iters[c.name] = n
		cases[i] = Case{Name: c.name, Setup: c.setup, Teardown: c.teardown, Run: func() {
			for range n {
				t.Iteration()
			}
		}}
		o.logf("  training %s: %.3g s/iteration (calibration), %d per run", c.name, one.Seconds(), n)
	}
	samples := Interleave(cases, max(0, o.Warmup-1), max(1, o.Runs))
	secs, cpus := Seconds(samples), CPUSeconds(samples)
	flops := IterationFLOPs(o.Batch, t.Config().LatentDim)
	best := o.Paths[len(o.Paths)-1]
	per, cpu := map[string]Stats{}, map[string]Stats{}
	for _, c := range cs {
		xs, ys := secs[c.name], cpus[c.name]
		for j := range xs {
			xs[j] /= float64(iters[c.name])
			ys[j] /= float64(iters[c.name])
		}
		per[c.name], cpu[c.name] = Summarize(xs), Summarize(ys)
	}
	generic := per["generic"].Median
	var out []EpochResult
	for _, c := range cs {
		peak, ok := peaks[c.name]
		if !ok {
			peak = peaks[best]
		}
		e := NewEpochResult(c.name, per[c.name], o.Batch, flops, peak.Ceiling, generic)
		e.CPUSecPerIter = cpu[c.name]
		if c := e.CPUSecPerIter.Median; c > 0 && peak.Single > 0 {
			e.CPUPctPeak = 100 * flops / c / 1e9 / peak.Single
		}
		out = append(out, e)
	}
	return out, nil
}

// ScalingResults measures the training iteration on path at each thread
// count (GOMAXPROCS and kernels.SetThreads together), interleaved.
func (o Options) ScalingResults(path string, threads []int) ([]ScalePoint, error) {
	t, err := NewTrainer(o.Batch)
	if err != nil {
		return nil, err
	}
	prevProcs, prevThreads := runtime.GOMAXPROCS(0), kernels.Threads()
	defer func() { runtime.GOMAXPROCS(prevProcs); kernels.SetThreads(prevThreads) }()
	usePath(path)()
	t.Iteration()
	iters := o.trainIters(t)
	var cases []Case
	for _, n := range threads {
		cases = append(cases, Case{
			Name:  fmt.Sprint(n),
			Setup: func() { runtime.GOMAXPROCS(n); kernels.SetThreads(n) },
			Run: func() {
				for range iters {
					t.Iteration()
				}
			},
		})
	}
	o.logf("  scaling: threads %v, %d iterations per run", threads, iters)
	per := SummarizeCases(Interleave(cases, o.Warmup, max(1, o.Runs)), iters)
	var out []ScalePoint
	one := per[fmt.Sprint(threads[0])].Median * float64(threads[0])
	for _, n := range threads {
		s := per[fmt.Sprint(n)]
		p := ScalePoint{Threads: n, SecPerIter: s}
		if s.Median > 0 {
			p.Speedup = one / s.Median
			p.Efficiency = 100 * p.Speedup / float64(n)
		}
		out = append(out, p)
	}
	return out, nil
}

// profiledTrainer is the set-up LayerResults and SerialResults share: a
// trainer on path with an nn.Profiler on its GAN model (which covers G and
// D however they are called), past its first-touch iteration and o.Warmup
// runs, and the iterations one timed run takes. The caller detaches the
// profiler (t.GAN.SetProfiler(nil)) when done.
func (o Options) profiledTrainer(path string) (*gan.Trainer, *nn.Profiler, int, error) {
	t, err := NewTrainer(o.Batch)
	if err != nil {
		return nil, nil, 0, err
	}
	usePath(path)()
	t.Iteration()
	iters := o.trainIters(t)
	prof := nn.NewProfiler()
	t.GAN.SetProfiler(prof)
	for range o.Warmup * iters {
		t.Iteration()
	}
	return t, prof, iters, nil
}

// otherLayer names the time outside every layer's Forward and Backward.
const otherLayer = "other (loss, Adam, batch sampling)"

// trainIters is o.Iters, or when 0 the iterations that fill o.TrainTime on
// the active path, timed on t (at least one).
func (o Options) trainIters(t *gan.Trainer) int {
	if o.Iters > 0 {
		return o.Iters
	}
	start := time.Now()
	t.Iteration()
	return max(1, int(float64(o.TrainTime)/float64(max(time.Since(start), time.Microsecond))+0.5))
}

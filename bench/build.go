package bench

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/gokern/gokern/bench/peak"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// Section names a part of the report, for Build's sections argument.
const (
	SectionPeak     = "peak"
	SectionTraining = "training"
	SectionKernels  = "kernels"
	SectionLayers   = "layers"
	SectionScaling  = "scaling"
)

// AllSections lists every section in report order.
var AllSections = []string{SectionPeak, SectionTraining, SectionKernels, SectionLayers, SectionScaling}

// Defaults fills the zero fields of o: every available path, GOMAXPROCS
// threads, the Keras tutorial's batch, training runs of about 3 s, 3 timed runs, 50
// ms per kernel run, the DCGAN's SGEMM shapes. (Warm-up 0 stays 0; the
// command's flag defaults to 1.)
func (o Options) Defaults() Options {
	if len(o.Paths) == 0 {
		o.Paths = kernels.Available()
	}
	if o.Threads < 1 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.Batch < 2 {
		o.Batch = 128
	}
	if o.TrainTime <= 0 {
		o.TrainTime = 3 * time.Second
	}
	if o.Runs < 1 {
		o.Runs = 3
	}
	if o.MinTime <= 0 {
		o.MinTime = 50 * time.Millisecond
	}
	if len(o.Shapes) == 0 {
		o.Shapes = SgemmShapes()
	}
	return o
}

// Check reports an unusable option: an unknown, unavailable or repeated
// path, or a batch the trainer cannot split in halves. It puts the paths in
// kernels.Available's order (generic first, the best last), which the
// harness relies on: peers and the profile use the last one.
func (o *Options) Check() error {
	avail := kernels.Available()
	for i, p := range o.Paths {
		if !slices.Contains(avail, p) {
			return fmt.Errorf("bench: kernel path %q not available here (have %v)", p, avail)
		}
		if slices.Contains(o.Paths[:i], p) {
			return fmt.Errorf("bench: kernel path %q given twice", p)
		}
	}
	slices.SortFunc(o.Paths, func(a, b string) int { return slices.Index(avail, a) - slices.Index(avail, b) })
	if o.Batch%2 != 0 {
		return fmt.Errorf("bench: batch %d must be even", o.Batch)
	}
	return nil
}

// Build measures the requested sections (AllSections when empty) and
// returns the report. It sets GOMAXPROCS and the kernels' thread count to
// o.Threads for the run and restores them, and leaves the kernel path and
// GEMM override as it found them.
func Build(o Options, sections []string) (*Report, error) {
	o = o.Defaults()
	if err := o.Check(); err != nil {
		return nil, err
	}
	if len(sections) == 0 {
		sections = AllSections
	}
	for _, s := range sections {
		if !slices.Contains(AllSections, s) {
			return nil, fmt.Errorf("bench: unknown section %q (want some of %v)", s, AllSections)
		}
	}
	want := func(s string) bool { return slices.Contains(sections, s) }

	prevPath, prevProcs, prevThreads := kernels.Active(), runtime.GOMAXPROCS(o.Threads), kernels.Threads()
	kernels.SetThreads(o.Threads)
	SetPeerThreads(o.Threads)
	defer func() {
		sgemmhook.Set(nil)
		_ = kernels.Use(prevPath)
		runtime.GOMAXPROCS(prevProcs)
		kernels.SetThreads(prevThreads)
	}()

	best := o.Paths[len(o.Paths)-1]
	r := &Report{
		Date:           time.Now(),
		Machine:        ReadMachine(),
		IterationFLOPs: IterationFLOPs(o.Batch, 100),
		ProfilePath:    best,
		Config:         o.recorded(),
	}
	peaks := map[string]Peak{}
	if want(SectionPeak) || want(SectionTraining) || want(SectionLayers) {
		o.logf("measuring FMA peaks")
		d := min(100*time.Millisecond, max(5*time.Millisecond, 2*o.MinTime))
		for _, p := range o.Paths {
			single, err := peak.Best(p, 1, d, 3)
			if err != nil {
				continue // a path without a probe (neon) gets no peak
			}
			conc, _ := peak.Best(p, o.Threads, d, 3)
			pk := Peak{Path: p, Single: single, Threads: o.Threads, Concurrent: conc, Ceiling: max(conc, single)}
			r.Peaks = append(r.Peaks, pk)
			peaks[p] = pk
		}
		if !want(SectionPeak) {
			r.Peaks = nil
		}
	}
	if want(SectionTraining) {
		o.logf("measuring training throughput")
		e, err := o.TrainingResults(peaks)
		if err != nil {
			return nil, err
		}
		r.Epoch = e
	}
	if want(SectionKernels) {
		o.logf("measuring kernels")
		r.Kernels = append(r.Kernels, o.SgemmResults()...)
		r.Kernels = append(r.Kernels, o.ConvResults()...)
		r.Kernels = append(r.Kernels, o.Im2colResults()...)
		r.Kernels = append(r.Kernels, o.ElementwiseResults()...)
	}
	if want(SectionLayers) {
		o.logf("profiling layers on %s", best)
		var err error
		if r.Layers, r.LayerPasses, err = o.LayerResults(best, peaks[best].Ceiling); err != nil {
			return nil, err
		}
		epoch := r.Epoch
		if epoch == nil {
			o.logf("measuring the iteration on every path")
			noPeers := o
			noPeers.Peers = false
			if epoch, err = noPeers.TrainingResults(peaks); err != nil {
				return nil, err
			}
		}
		r.Iteration = iterationPeaks(epoch, o.Paths, o.Threads, peaks)
	}
	if want(SectionScaling) {
		s, err := o.ScalingResults(best, ScalingThreads(max(o.Threads, runtime.NumCPU())))
		if err != nil {
			return nil, err
		}
		r.Scaling = s
		o.logf("measuring the serial fraction on %s", best)
		if r.Serial, err = o.SerialResults(best); err != nil {
			return nil, err
		}
	}
	return r, nil
}

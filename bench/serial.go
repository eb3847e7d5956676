package bench

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gokern/gokern/internal/parallel"
	"github.com/gokern/gokern/kernels"
)

// SerialPlanThreads is the thread count the serial-fraction table plans
// the work for: what a 64-core machine would share out.
const SerialPlanThreads = 64

// SerialReport is how much of a one-thread training iteration runs on one
// thread only (outside parallel regions, with every pass planned for
// PlanThreads threads), pass by pass, and what Amdahl's law predicts from
// it.
type SerialReport struct {
	Path        string       `json:"path"`
	PlanThreads int          `json:"plan_threads"`
	SecPerIter  float64      `json:"sec_per_iter"`    // one thread
	SerialSec   float64      `json:"serial_sec"`      // of which outside regions
	Fraction    float64      `json:"serial_fraction"` // SerialSec / SecPerIter
	Passes      []SerialPass `json:"passes"`
}

// SerialPass is one layer's (or the rest's) share of the iteration.
type SerialPass struct {
	Pass      string  `json:"pass"`
	Sec       float64 `json:"sec"`        // per iteration, one thread
	SerialSec float64 `json:"serial_sec"` // of which outside parallel regions
}

// Amdahl returns the speed-up Amdahl's law predicts on n threads for a
// serial fraction s.
func Amdahl(s float64, n int) float64 { return 1 / (s + (1-s)/float64(n)) }

// ScalingThreads lists the thread counts the scaling section measures:
// 1, 2, 4, ... up to most, and most itself.
func ScalingThreads(most int) []int {
	var ts []int
	for t := 1; t < most; t *= 2 {
		ts = append(ts, t)
	}
	return append(ts, max(most, 1))
}

// SerialResults measures the serial fraction of the training iteration on
// path: one goroutine (GOMAXPROCS 1), the kernels planning for
// SerialPlanThreads threads, internal/parallel's probe timing the parallel
// regions, nn.Profiler attributing them to layers. What lies outside every
// layer (the loss, Adam, sampling the batch) is the "other" row.
func (o Options) SerialResults(path string) (*SerialReport, error) {
	prevProcs, prevThreads := runtime.GOMAXPROCS(1), kernels.Threads()
	kernels.SetThreads(SerialPlanThreads)
	parallel.SetProbe(true)
	defer func() {
		parallel.SetProbe(false)
		runtime.GOMAXPROCS(prevProcs)
		kernels.SetThreads(prevThreads)
	}()
	t, prof, iters, err := o.profiledTrainer(path)
	if err != nil {
		return nil, err
	}
	defer t.GAN.SetProfiler(nil)
	prof.Reset()
	runs := max(1, o.Runs)
	r0 := parallel.ProbeTime()
	start := time.Now()
	for range runs * iters {
		t.Iteration()
	}
	n := float64(runs * iters)
	total := time.Since(start).Seconds() / n
	regions := (parallel.ProbeTime() - r0).Seconds() / n
	rep := &SerialReport{Path: path, PlanThreads: SerialPlanThreads, SecPerIter: total}
	var covered, coveredPar float64
	for _, l := range prof.Layers {
		sec := (l.Forward + l.Backward).Seconds() / n
		par := l.Parallel.Seconds() / n
		covered += sec
		coveredPar += par
		rep.Passes = append(rep.Passes, SerialPass{Pass: fmt.Sprintf("%s (%s)", l.Name, l.Type), Sec: sec, SerialSec: max(0, sec-par)})
	}
	other := max(0, total-covered)
	rep.Passes = append(rep.Passes, SerialPass{Pass: otherLayer, Sec: other, SerialSec: max(0, other-(regions-coveredPar))})
	slices.SortStableFunc(rep.Passes, func(a, b SerialPass) int {
		switch {
		case a.SerialSec > b.SerialSec:
			return -1
		case a.SerialSec < b.SerialSec:
			return 1
		}
		return strings.Compare(a.Pass, b.Pass)
	})
	rep.SerialSec = max(0, total-regions)
	if total > 0 {
		rep.Fraction = rep.SerialSec / total
	}
	return rep, nil
}

// writeSerial appends the serial-fraction table and the Amdahl predictions
// beside the measured scaling points.
func (r *Report) writeSerial(b *strings.Builder) {
	s := r.Serial
	if s == nil {
		return
	}
	fmt.Fprintf(b, "\n## Serial fraction of a one-thread iteration (%s path, passes planned for %d threads)\n\n", s.Path, s.PlanThreads)
	b.WriteString("| pass | time per iteration | on one thread only | share of the iteration |\n|---|---:|---:|---:|\n")
	for _, p := range s.Passes {
		fmt.Fprintf(b, "| %s | %s | %s | %.2f%% |\n", p.Pass, seconds(p.Sec), seconds(p.SerialSec), 100*p.SerialSec/max(s.SecPerIter, 1e-12))
	}
	fmt.Fprintf(b, "| **total** | %s | %s | **%.2f%%** |\n", seconds(s.SecPerIter), seconds(s.SerialSec), 100*s.Fraction)
	b.WriteString("\n| threads | measured speed-up | Amdahl prediction |\n|---:|---:|---:|\n")
	seen := map[int]bool{}
	for _, p := range r.Scaling {
		seen[p.Threads] = true
		fmt.Fprintf(b, "| %d | %s | %.2fx |\n", p.Threads, ratio(p.Speedup), Amdahl(s.Fraction, p.Threads))
	}
	for _, n := range []int{16, 64} {
		if !seen[n] {
			fmt.Fprintf(b, "| %d | - | %.2fx |\n", n, Amdahl(s.Fraction, n))
		}
	}
}

// seconds formats a time in seconds with a unit chosen by its size.
func seconds(x float64) string { return duration(Stats{Median: x, Min: x, Max: x}) }

package peak

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/gokern/gokern/internal/paths"
)

// fmaPerTrip is how many FMA instructions one trip of an assembly probe
// issues (asm/fmapeak's Accumulators).
const fmaPerTrip = 12

// probe is one path's FMA loop: run(trips) issues trips*fmaPerTrip FMAs of
// lanes single-precision lanes each.
type probe struct {
	lanes int
	run   func(trips int)
}

// probes holds each kernel path's probe in the registry of internal/paths,
// beside the path's kernels: the generic probe everywhere, the amd64 ones
// from probes_amd64.go. A path counts only where the CPU can run it, by the
// same feature tests as the kernels.
var probes paths.Family[probe]

func init() { probes.Register(paths.Generic, &probe{lanes: 1, run: fmaGeneric}) }

// lookup returns the probe of the named path, or nil when this CPU or
// build cannot probe it.
func lookup(name string) *probe {
	p := paths.Lookup(name)
	if p == nil || !p.Available() {
		return nil
	}
	return probes.Of(p)
}

// Paths lists the kernel paths this CPU and build can probe, generic first.
func Paths() []string {
	var names []string
	for _, p := range paths.All() {
		if p.Available() && probes.Of(p) != nil {
			names = append(names, p.Name)
		}
	}
	return names
}

// Lanes is the number of float32 lanes one FMA of the path works on, or 0
// when the path cannot be probed here.
func Lanes(path string) int {
	if p := lookup(path); p != nil {
		return p.lanes
	}
	return 0
}

// Measure returns the FMA peak of path in GFLOPS with threads goroutines
// running the probe at once (threads < 1 means GOMAXPROCS), each locked to
// its OS thread and timed for about d by that thread's CPU clock (on
// Linux; the wall clock elsewhere), and sums their rates. Timing CPU time
// keeps other work on a shared machine from lowering the figure by
// preempting the probe; work on a sibling hyperthread still can, which is
// why Best takes the best of several attempts. It returns an error for a
// path this CPU or build cannot run.
func Measure(path string, threads int, d time.Duration) (float64, error) {
	p := lookup(path)
	if p == nil {
		return 0, fmt.Errorf("peak: cannot probe kernel path %q here (have %v)", path, Paths())
	}
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	trips := calibrate(*p, d)
	rates := make([]float64, threads)
	var wg sync.WaitGroup
	for t := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			clock := threadClock()
			start := clock()
			p.run(trips)
			rates[t] = flops(*p, trips) / max(clock()-start, time.Microsecond).Seconds()
		}()
	}
	wg.Wait()
	var sum float64
	for _, r := range rates {
		sum += r
	}
	return sum / 1e9, nil
}

// calibrate finds a trip count that takes about d on one core.
func calibrate(p probe, d time.Duration) int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	clock := threadClock()
	trips := 1 << 10
	for {
		start := clock()
		p.run(trips)
		el := clock() - start
		if el >= d/8 || trips >= 1<<40 {
			scaled := float64(trips) * float64(d) / float64(max(el, time.Microsecond))
			return max(1, int(scaled))
		}
		trips *= 4
	}
}

// flops is the number of floating-point operations (2 per lane per FMA) in
// trips trips of p.
func flops(p probe, trips int) float64 {
	return 2 * float64(p.lanes) * fmaPerTrip * float64(trips)
}

// Best returns the highest of attempts measurements (see Measure). Other
// work on the machine can only slow a probe down, so the best attempt is
// the closest to the true peak.
func Best(path string, threads int, d time.Duration, attempts int) (float64, error) {
	best := 0.0
	for range max(1, attempts) {
		g, err := Measure(path, threads, d)
		if err != nil {
			return 0, err
		}
		best = max(best, g)
	}
	return best, nil
}

// wallClock is time since an arbitrary origin.
func wallClock() func() time.Duration {
	origin := time.Now()
	return func() time.Duration { return time.Since(origin) }
}

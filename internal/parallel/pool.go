package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Job is work split into numbered parts. Part(i) is called exactly once
// for each i in [0, parts), possibly concurrently with other parts, and
// must touch only what part i owns.
type Job interface {
	Part(i int)
}

// SlotJob is a Job that needs to know who runs each part, to give every
// participant its own scratch: PartOn(i, slot) runs part i on participant
// slot, 0 being the caller and 1..Threads()-1 the helpers it recruited. No
// two parts run on the same slot at once. Run calls PartOn instead of Part
// for a job that implements it.
type SlotJob interface {
	Job
	PartOn(i, slot int)
}

// Ranger is work over a range of indices: Range(lo, hi) handles [lo, hi).
type Ranger interface {
	Range(lo, hi int)
}

var threads atomic.Int32

func init() { threads.Store(int32(runtime.GOMAXPROCS(0))) }

// SetThreads sets how many goroutines one call may use, its caller
// included; n < 1 means GOMAXPROCS.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	threads.Store(int32(n))
}

// Threads reports the count set by SetThreads.
func Threads() int { return int(threads.Load()) }

// region is one call's shared state. Regions are recycled through the
// pool's free list, so a call allocates nothing.
type region struct {
	job    Job
	slots  SlotJob // job, when it implements SlotJob
	ranger Ranger
	n      int // For: the range [0, n)
	parts  int
	next   atomic.Int64
	wg     sync.WaitGroup
	// helping counts the helpers still working on the region: the caller
	// spins on it before it parks in wg.Wait (see spinFor).
	helping atomic.Int32
}

// work claims and runs parts on slot until none is left.
func (r *region) work(slot int) {
	for {
		i := int(r.next.Add(1) - 1)
		if i >= r.parts {
			return
		}
		switch {
		case r.ranger != nil:
			r.ranger.Range(i*r.n/r.parts, (i+1)*r.n/r.parts)
		case r.slots != nil:
			r.slots.PartOn(i, slot)
		default:
			r.job.Part(i)
		}
	}
}

// assignment hands a worker a region and the slot it works on.
type assignment struct {
	r    *region
	slot int
}

type worker struct{ regions chan assignment }

var pool struct {
	mu      sync.Mutex
	idle    []*worker
	started int
	free    []*region
}

// Run calls j.Part(i) for every i in [0, parts) on up to Threads()
// goroutines and returns when all have returned.
func Run(parts int, j Job) {
	if parts <= 0 {
		return
	}
	if parts > 1 && probeOn.Load() {
		probe(parts, j, nil, 0)
		return
	}
	if min(parts, Threads()) <= 1 {
		sj, _ := j.(SlotJob)
		for i := 0; i < parts; i++ {
			if sj != nil {
				sj.PartOn(i, 0)
			} else {
				j.Part(i)
			}
		}
		return
	}
	run(parts, j, nil, 0)
}

// RunMax is Run with at most most goroutines, even if Threads() is raised
// meanwhile: for a SlotJob whose per-slot scratch was sized beforehand.
func RunMax(parts, most int, j Job) {
	if parts <= 0 {
		return
	}
	if parts > 1 && probeOn.Load() {
		probe(parts, j, nil, 0)
		return
	}
	if min(parts, Threads(), most) <= 1 {
		sj, _ := j.(SlotJob)
		for i := 0; i < parts; i++ {
			if sj != nil {
				sj.PartOn(i, 0)
			} else {
				j.Part(i)
			}
		}
		return
	}
	runLimited(parts, most, j, nil, 0)
}

// For splits [0, n) into parts contiguous ranges, range i being
// [i*n/parts, (i+1)*n/parts), and calls r.Range on each as Run does.
// parts is capped at n.
func For(n, parts int, r Ranger) {
	parts = min(parts, n)
	if parts <= 0 {
		return
	}
	if parts > 1 && probeOn.Load() {
		probe(parts, nil, r, n)
		return
	}
	if min(parts, Threads()) <= 1 {
		for i := 0; i < parts; i++ {
			r.Range(i*n/parts, (i+1)*n/parts)
		}
		return
	}
	run(parts, nil, r, n)
}

// run recruits idle workers (starting new ones up to Threads()-1 in all)
// and works on the parts itself at once. A worker readied by the send sits
// in the caller's P's runnext slot until an idle P takes it, a few
// microseconds; claiming means the caller is never idle meanwhile, and a
// part nobody has claimed yet is simply run by whoever gets to it first.
func run(parts int, j Job, rg Ranger, n int) { runLimited(parts, parts, j, rg, n) }

func runLimited(parts, most int, j Job, rg Ranger, n int) {
	active.Add(1)
	defer active.Add(-1)
	helpers := min(parts, Threads(), most) - 1
	pool.mu.Lock()
	var r *region
	if k := len(pool.free); k > 0 {
		r = pool.free[k-1]
		pool.free = pool.free[:k-1]
	} else {
		r = new(region)
	}
	r.job, r.ranger, r.n, r.parts = j, rg, n, parts
	r.slots, _ = j.(SlotJob)
	r.next.Store(0)
	for slot := 1; slot <= helpers; slot++ {
		var w *worker
		if k := len(pool.idle); k > 0 {
			w = pool.idle[k-1]
			pool.idle = pool.idle[:k-1]
		} else if pool.started < Threads()-1 {
			w = &worker{regions: make(chan assignment, 1)}
			pool.started++
			if cap(pool.idle) < pool.started {
				// Room for every worker now, so going idle never allocates.
				pool.idle = append(make([]*worker, 0, 2*pool.started), pool.idle...)
			}
			go w.loop()
		} else {
			break // every worker is busy: run the rest here
		}
		r.wg.Add(1)
		r.helping.Add(1)
		w.regions <- assignment{r, slot} // buffered and empty: an idle worker never holds one
	}
	pool.mu.Unlock()

	r.work(0)
	spinUntil(func() bool { return r.helping.Load() == 0 })
	r.wg.Wait()

	r.job, r.slots, r.ranger = nil, nil, nil // drop the caller's data
	pool.mu.Lock()
	pool.free = append(pool.free, r)
	pool.mu.Unlock()
}

// loop is a worker: it helps with each region it is handed, then goes
// back on the idle list.
func (w *worker) loop() {
	for {
		a, ok := w.next()
		if !ok {
			return
		}
		r := a.r
		r.work(a.slot)
		pool.mu.Lock()
		pool.idle = append(pool.idle, w)
		pool.mu.Unlock()
		// helping before Done: once Done returns the caller may reuse r
		// for its next region, whose count a late decrement would upset.
		r.helping.Add(-1)
		r.wg.Done()
	}
}

// next returns the worker's next assignment. It polls the channel for a
// while before it blocks on it: a training step's regions follow each
// other within microseconds, and a worker parked in the channel receive
// is a parked OS thread, which on a virtual machine took 110-180 us
// (median 140) to start on the work it was sent, against a region's
// 10-20 ms of work split in two parts.
func (w *worker) next() (assignment, bool) {
	var a assignment
	var ok, got bool
	spinUntil(func() bool {
		select {
		case a, ok = <-w.regions:
			got = true
		default:
		}
		return got
	})
	if !got {
		a, ok = <-w.regions
	}
	return a, ok
}

// Active reports how many regions are running: from a part of one (a
// call nested in a region), at least 1. It counts the regions that
// recruited helpers; a Run that fits on its caller alone runs no region.
func Active() int { return int(active.Load()) }

// active counts the regions between their start and the return of their
// last part.
var active atomic.Int32

// Workers reports how many worker goroutines the pool has started.
func Workers() int {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return pool.started
}

package allocs

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
)

func init() {
	// Set before the test binary allocates much, as the runtime documents:
	// a change later takes effect only at each P's next sample.
	runtime.MemProfileRate = 1
}

// runtimeCaches are the runtime functions whose allocations fill a cache the
// runtime keeps for itself and that stops growing in a steady state, called
// from the code under test.
var runtimeCaches = []string{
	"runtime.acquireSudog",              // parking on a channel, sema or WaitGroup
	"runtime.buildTypeAssertCache",      // x.(Interface) at a call site
	"runtime.buildInterfaceSwitchCache", // switch x.(type) with interface cases
	"runtime.allocm",                    // a new OS thread, to run a P that woke
}

// Result is what Count saw.
type Result struct {
	// Runs is how many times f ran.
	Runs int
	// Total is every allocation in the process while f ran, as
	// testing.AllocsPerRun counts them (but not divided by Runs). The
	// split below comes from the heap profile, which also sees the GC that
	// follows, so the parts need not add up to it exactly.
	Total int
	// RuntimeCaches is the part of Total the runtime made for its own
	// caches (see runtimeCaches).
	RuntimeCaches int
	// Stacks holds one entry per call stack that made any other
	// allocation: the count and the frames, innermost first.
	Stacks []string
	// Unattributed is the part of Total the heap profile did not record
	// (when the profile rate was changed after this package's init).
	Unattributed int

	inStacks int // the allocations Stacks shows
}

// Ours is the number of allocations not made for the runtime's caches: the
// ones the code under test is answerable for.
func (r Result) Ours() int { return r.inStacks + r.Unattributed }

// String reports Ours with the stack of each allocation, for a test failure.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d allocations in %d runs (%d more for the runtime's own caches)", r.Ours(), r.Runs, r.RuntimeCaches)
	if r.Unattributed > 0 {
		fmt.Fprintf(&b, "; %d not in the heap profile", r.Unattributed)
	}
	for _, s := range r.Stacks {
		b.WriteString("\n")
		b.WriteString(s)
	}
	return b.String()
}

// Count runs f once to warm it up, as testing.AllocsPerRun does, then runs
// times more, and returns the allocations made during those, by any
// goroutine (f's workers included), split into the runtime's own and the
// rest. Unlike AllocsPerRun it leaves GOMAXPROCS as it is, so that threaded
// code runs threaded.
func Count(runs int, f func()) Result {
	f()
	// Room for both snapshots is made before the first one, so that none of
	// Count's own bookkeeping lands between them.
	n, _ := runtime.MemProfile(nil, true)
	before := make([]runtime.MemProfileRecord, n+1024)
	after := make([]runtime.MemProfileRecord, n+2048)
	publish()
	nb, ok := runtime.MemProfile(before, true)
	if !ok {
		panic("allocs: heap profile grew past its snapshot")
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&m1)
	publish()
	na, ok := runtime.MemProfile(after, true)
	if !ok {
		panic("allocs: heap profile grew past its snapshot")
	}

	r := Result{Runs: runs, Total: int(m1.Mallocs - m0.Mallocs)}
	// The profile keeps a bucket per stack and size; a stack's growth is
	// the sum over its buckets.
	grown := make(map[[32]uintptr]int64, na)
	for _, rec := range after[:na] {
		grown[rec.Stack0] += rec.AllocObjects
	}
	for _, rec := range before[:nb] {
		grown[rec.Stack0] -= rec.AllocObjects
	}
	profiled := 0
	for stack, d := range grown {
		if d <= 0 {
			continue
		}
		profiled += int(d)
		frames := describe(stack)
		if madeFor(frames) {
			r.RuntimeCaches += int(d)
			continue
		}
		r.inStacks += int(d)
		r.Stacks = append(r.Stacks, fmt.Sprintf("%d x\n\t%s", d, strings.Join(frames, "\n\t")))
	}
	slices.Sort(r.Stacks)
	// The profile also holds what happened after m1 was read (the GC) and
	// can miss what was sampled at an older rate; what it lacks counts as
	// ours, and the runtime's caches, as far as Total goes.
	if profiled < r.Total {
		r.Unattributed = r.Total - profiled
	}
	r.RuntimeCaches = min(r.RuntimeCaches, r.Total)
	return r
}

// publish brings the heap profile up to date: runtime.GC publishes every
// allocation made before it.
func publish() { runtime.GC() }

// describe returns the functions of a stack, innermost first.
func describe(stack [32]uintptr) []string {
	pcs := stack[:]
	if i := slices.Index(pcs, 0); i >= 0 {
		pcs = pcs[:i]
	}
	var names []string
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		names = append(names, fmt.Sprintf("%s (%s:%d)", f.Function, f.File, f.Line))
		if !more {
			return names
		}
	}
}

// madeFor reports whether a stack is the runtime's own: one of its cache
// fills, from whatever code, or an allocation made wholly inside the
// runtime, by its background goroutines or on a system stack (the
// scavenger's timers, a new M when the world restarts after a GC).
func madeFor(frames []string) bool {
	own := true
	for _, f := range frames {
		for _, c := range runtimeCaches {
			if strings.HasPrefix(f, c+" ") {
				return true
			}
		}
		own = own && strings.HasPrefix(f, "runtime.")
	}
	return own
}

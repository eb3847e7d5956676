// Package allocs counts the heap allocations a piece of code makes, for the
// tests that hold the hot path to none, and names the call stack of each one.
//
// testing.AllocsPerRun counts every allocation in the process, including the
// ones the Go runtime makes for its own amortised caches: a sudog when a
// goroutine parks on a channel or a WaitGroup and its P's cache is empty
// (the central cache is dropped at every GC), and a type-assertion or
// type-switch cache, rebuilt at random (about 1 miss in 1024) until it holds
// every type its call site sees. Both are bounded and die out in a steady
// state, but when is a matter of chance, so a threaded training iteration
// "allocates" once every few hundred runs. The runtime's background work
// allocates too (a timer for the scavenger, an M when the world restarts
// after a GC). Count tells all of those apart by the runtime functions on
// their stacks and reports the rest, each with its stack.
//
// Importing the package sets runtime.MemProfileRate to 1, so the heap profile
// records every allocation from then on: only tests may import it. A
// benchmark in the same test binary pays a stack walk for each allocation
// it makes, which the hot paths do not (the root package's benchmarks, the
// harness's, do not import it).
package allocs

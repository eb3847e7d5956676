// Package parallel is gokern's one worker pool: SGEMM, the convolutions'
// im2col/col2im and implicit passes, and every element-wise pass and
// reduction of package kernels run their parts on it.
//
// Work is described as a fixed number of parts (Run) or contiguous ranges
// (For) chosen by the caller. The caller and the helpers it recruits claim
// parts from a shared counter until none is left, so which goroutine runs a
// part never matters: callers that make each part's result depend on the
// part alone (as all of gokern's do) get bitwise the same results for every
// thread count. A SlotJob is also told which participant (slot) runs each
// part, so it can keep per-participant scratch, and RunMax caps the
// participants at the number of slots it prepared.
//
// The rules, in full:
//
//   - SetThreads(n) bounds the goroutines one call uses, the caller
//     included; it takes effect at the next call and may be changed at any
//     time. Workers are started the first time they are needed (at most
//     Threads()-1 of them) and then kept for good. Between regions a
//     worker polls for its next one for spinFor (200 us), and a caller
//     polls for its helpers to finish for as long before it blocks, since
//     a parked thread takes 100+ us to wake on a virtual machine; after
//     that the worker parks on a channel and uses no CPU. Nobody polls
//     when Threads() exceeds GOMAXPROCS (or GOMAXPROCS is 1): a poller
//     would hold the P the goroutine it waits for needs.
//   - Run never waits for a worker. It takes the workers idle at that
//     moment, up to its need, and runs every part nobody else claimed on
//     its own goroutine. So a call made from inside a parallel region, when
//     the region has recruited every worker (as gokern's regions do
//     whenever they have enough parts), runs inline on the goroutine that
//     made it; it can never deadlock, and with idle workers about it merely
//     gets help.
//   - Concurrent callers (two trainers in one process) are safe: each
//     call's state is its own, and they share the workers on a first come,
//     first served basis.
//   - A call allocates nothing once the pool has started its workers and
//     seen the largest number of simultaneous calls.
package parallel

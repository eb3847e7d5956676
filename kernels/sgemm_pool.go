package kernels

import "github.com/gokern/gokern/internal/parallel"

// gemmBuffers are one part's packing buffers. They grow to the largest
// size needed and are then reused, so steady-state calls do not allocate.
type gemmBuffers struct {
	a, b, tile, bt []float32
	out            [256]float32 // one skinny kernel's results (kept here: a local would escape)
}

// grow returns s resized to n, reallocating only when its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// spares hands out packing buffers: each running part takes one and gives
// it back, so the list grows to the most parts ever running at once
// (threads times concurrent callers) and then stops allocating.
var spares parallel.FreeList[gemmBuffers]

// jobs recycles gemmJobs: the pool takes a Job interface, and a pointer to
// a job on the caller's stack would escape to the heap on every call.
var jobs parallel.FreeList[gemmJob]

// runGemm plans j over Threads() and runs its parts on the shared pool
// (internal/parallel). Every part packs into its own spare buffers; what
// the parts share (the skinny path's transposed B, the team path's packed
// B panel) lives in one more spare held by the call.
func runGemm(job *gemmJob) {
	job.plan(Threads())
	shared := spares.Get()
	defer spares.Put(shared)
	job.prepare(shared)
	if job.parts == 1 {
		job.part(0, shared)
		return
	}
	j := jobs.Get()
	*j = *job
	j.shared = shared
	if j.team {
		j.runTeam()
	} else {
		parallel.Run(j.parts, j)
	}
	*j = gemmJob{} // drop references to the caller's slices
	jobs.Put(j)
}

// Part runs part i on a spare set of buffers (parallel.Job).
func (j *gemmJob) Part(i int) {
	buf := spares.Get()
	j.part(i, buf)
	spares.Put(buf)
}

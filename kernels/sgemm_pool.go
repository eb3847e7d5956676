package kernels

import (
	"sync"

	"github.com/gokern/gokern/internal/parallel"
)

// gemmBuffers are one part's packing buffers. They grow to the largest
// size needed and are then reused, so steady-state calls do not allocate.
type gemmBuffers struct {
	a, b, tile, bt []float32
	scratch        []float32    // an Operand's gather rows (Panels.Scratch)
	offs           []int        // a RowLayout's row offsets for one block
	ind            []int        // an indirection table (sgemm_indirect.go)
	tileRows       [maxMR]int   // the scratch tile's row offsets, r*NR (kept here: a local would escape)
	panels         Panels       // kept here: a local would escape through Operand.Pack
	out            [256]float32 // one skinny kernel's results (kept here: a local would escape)
}

// grow returns s resized to n, reallocating only when its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemmBufSet is one call's buffers: shared, for what all parts read (the
// skinny path's transposed B, the team path's packed B panel) and what a
// call run on its caller alone packs, and one set per pool slot
// (internal/parallel.SlotJob), for what each participant packs.
type gemmBufSet struct {
	shared gemmBuffers
	slots  []*gemmBuffers
}

// Which buffers a call gets, and so when any of them grows, must not depend
// on scheduling, or a steady state of repeated calls would still allocate
// now and then (a training iteration did, at random, on 2 and 7 threads,
// while nested calls took sets from a free list in whatever order the
// previous region's parts had returned them).
//
// A call made outside every parallel region (the training loop's, one at a
// time) uses the root set and splits over Threads(). Its slots are grown,
// before the parts start, to the most any part needs, so growth depends on
// the sequence of shapes and the thread count alone.
//
// A call made while a region runs (a chunked weight gradient's GEMM inside
// its part, conv/chunkgrad.go, or a caller concurrent with another) runs
// on its own goroutine, unsplit: the region already holds the threads,
// and a split planned on whichever were idle at that moment would differ
// from run to run. It takes one of the inline sets, all grown alike.
var root struct {
	mu  sync.Mutex
	set gemmBufSet
}

// inline holds the sets for calls made inside a region.
var inline inlineSets

// jobs recycles gemmJobs: the pool takes a Job interface, and a pointer to
// a job on the caller's stack would escape to the heap on every call.
var jobs parallel.FreeList[gemmJob]

// runGemm runs j: split over Threads() on the shared pool
// (internal/parallel) with the root set when no region is running, else
// on the caller's goroutine with an inline set.
func runGemm(job *gemmJob) {
	if parallel.Active() == 0 && root.mu.TryLock() {
		defer root.mu.Unlock()
		runGemmSplit(job, &root.set, parallel.Threads())
		return
	}
	set := inline.get()
	defer inline.put(set)
	job.plan(1)
	job.prepare(&set.shared)
	job.part(0, &set.shared)
}

// runGemmSplit plans j over threads goroutines and runs its parts with set's
// buffers.
func runGemmSplit(job *gemmJob, set *gemmBufSet, threads int) {
	job.plan(threads)
	job.prepare(&set.shared)
	if job.parts == 1 {
		job.part(0, &set.shared)
		return
	}
	for len(set.slots) < threads {
		set.slots = append(set.slots, new(gemmBuffers))
	}
	slots := set.slots[:threads] // RunMax keeps to these
	a, b := job.partNeed()
	for _, buf := range slots {
		buf.a = grow(buf.a, a)
		buf.b = grow(buf.b, b)
		buf.tile = grow(buf.tile, job.cfg.MR*job.cfg.NR)
		if job.opA != nil || job.opB != nil {
			buf.scratch = grow(buf.scratch, max(job.cfg.MR, job.cfg.NR)*job.kcMax())
			buf.offs = growInts(buf.offs, job.cfg.MC)
		}
		if job.rowsI != nil {
			buf.ind = growInts(buf.ind, job.cfg.MR*job.kcMax())
		}
	}
	j := jobs.Get()
	*j = *job
	j.shared, j.slots = &set.shared, slots
	if j.team {
		j.runTeam()
	} else {
		parallel.RunMax(j.parts, len(j.slots), j)
	}
	*j = gemmJob{} // drop references to the caller's slices
	jobs.Put(j)
}

// Part makes gemmJob a parallel.Job; the pool calls PartOn, as it is a
// parallel.SlotJob.
func (j *gemmJob) Part(i int) { j.PartOn(i, 0) }

// PartOn runs part i with slot's buffers (parallel.SlotJob).
func (j *gemmJob) PartOn(i, slot int) { j.part(i, j.slots[slot]) }

// partNeed returns the most packed-A and packed-B floats one part of the
// planned job uses: what packed and teamPart grow their buffers to.
func (j *gemmJob) partNeed() (a, b int) {
	if j.skinny {
		return 0, 0
	}
	g := j.cfg
	kcMax := j.kcMax()
	if j.team {
		t := &j.tm
		rows := (t.rowUnits + t.bandsM - 1) / t.bandsM * g.MR
		return min(g.MC, roundUp(rows, g.MR)) * kcMax, 0
	}
	rows, cols := j.m, j.n
	per := (j.units + j.parts - 1) / j.parts
	if j.splitM {
		rows = min(rows, per*g.MR)
	} else {
		cols = min(cols, per*g.NR)
	}
	return min(g.MC, roundUp(rows, g.MR)) * kcMax, min(g.NC, roundUp(cols, g.NR)) * kcMax
}

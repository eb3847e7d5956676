package kernels

import "github.com/gokern/gokern/internal/parallel"

// gemmBuffers are one part's packing buffers. They grow to the largest
// size needed and are then reused, so steady-state calls do not allocate.
type gemmBuffers struct {
	a, b, tile, bt []float32
	scratch        []float32    // an Operand's gather rows (Panels.Scratch)
	offs           []int        // a RowLayout's row offsets for one block
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
// skinny path's transposed B, the team path's packed B panel), and one set
// per pool slot (internal/parallel.SlotJob), for what each participant
// packs. Before a call runs, every slot is grown to the most any part of it
// needs, so growth depends on the sequence of shapes alone, not on which
// participant happened to claim which part: once every shape has been seen
// at the current thread count, calls allocate nothing.
type gemmBufSet struct {
	shared gemmBuffers
	slots  []*gemmBuffers
}

// bufSets recycles buffer sets; a single caller always gets the same one
// back, concurrent callers one each.
var bufSets parallel.FreeList[gemmBufSet]

// jobs recycles gemmJobs: the pool takes a Job interface, and a pointer to
// a job on the caller's stack would escape to the heap on every call.
var jobs parallel.FreeList[gemmJob]

// runGemm plans j over the goroutines available to it (at most Threads())
// and runs its parts on the shared pool (internal/parallel).
func runGemm(job *gemmJob) {
	// Plan on the goroutines the call can get, not on Threads(): a GEMM
	// called inside a region whose helpers are all busy (one chunk of a
	// few-channel layer's weight gradient, conv/chunkgrad.go) runs inline,
	// and split into parts there it would only pack its unsplit operand
	// once per part. The parts do not change the result.
	threads := parallel.Available()
	job.plan(threads)
	set := bufSets.Get()
	defer bufSets.Put(set)
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

package kernels

import "github.com/gokern/gokern/internal/parallel"

// The team path: a BLIS-style split of C over both its rows and its
// columns, for many threads. The one-dimensional split in plan gives each
// part a band of whole MR rows (or NR columns) and lets it pack everything
// it needs itself; with many threads that runs out of bands (a weight
// gradient's 1152 rows are 96 MR-bands, 1.5 per thread at 64 threads) and
// every band repacks all of op(B), which for a weight gradient (op(B) the
// whole batch's output gradient, 65k-131k x F) multiplies the packing
// traffic by the thread count.
//
// The team path instead runs the jc and pc loops on the calling goroutine
// and, for each KC x NC panel of op(B):
//
//  1. packs the panel once into the call's shared buffer, its NR-wide
//     micro-panels split among the threads (a parallel region);
//  2. computes the panel's block column of C as a grid of tiles, bands of
//     whole MR rows by bands of whole NR columns, every tile packing its
//     own rows of op(A) (a second region), reading the shared panel.
//
// Every element of C still sees the same KC blocks in the same order and
// the same micro-kernel call as on the one-dimensional path (tiles are
// whole MR x NR tiles except at C's own edges), so results are bitwise
// identical to it and to every thread count; K is never split.

// teamState is the loop position of a running team job.
type teamState struct {
	pack           bool // the region running packs B (else computes tiles)
	jc, nc, pc, kc int
	beta           float32
	kcMax, ncMax   int
	panels         int // NR-wide micro-panels in the current panel
	packParts      int // parts the packing region uses
	rowUnits       int // MR-row units of C
	bandsM, bandsN int // the tile grid's bands of rows and of columns
}

// teamUnitsPerPart is how many split units (MR rows or NR columns) each
// thread must get before the one-dimensional split is good enough: fewer
// and the last units leave threads idle for a large share of the call.
const teamUnitsPerPart = 4

// planTeam decides whether the job takes the team path, for parts
// threads' worth of work, and lays out its tile grid.
func (j *gemmJob) planTeam(parts int) {
	g := j.cfg
	rowUnits := (j.m + g.MR - 1) / g.MR
	// Repacking: row bands each pack all of op(B) (k*n), column bands
	// all of op(A) (m*k).
	repack := j.splitM && parts*j.n > j.m
	if j.units >= teamUnitsPerPart*parts && !repack {
		return
	}
	j.team = true
	j.parts = parts
	t := &j.tm
	t.rowUnits = rowUnits
	t.bandsM = min(rowUnits, parts)
	nc := min(g.NC, roundUp(j.n, g.NR))
	t.bandsN = min((nc+g.NR-1)/g.NR, max(1, (teamUnitsPerPart*parts+t.bandsM-1)/t.bandsM))
}

// runTeam runs the team path's jc and pc loops, two regions per panel.
func (j *gemmJob) runTeam() {
	g := j.cfg
	t := &j.tm
	t.kcMax = j.kcMax()
	t.ncMax = min(g.NC, roundUp(j.n, g.NR))
	j.shared.b = grow(j.shared.b, t.ncMax*t.kcMax)
	for t.jc = 0; t.jc < j.n; t.jc += t.ncMax {
		t.nc = min(t.ncMax, j.n-t.jc)
		t.panels = (t.nc + g.NR - 1) / g.NR
		for t.pc = 0; t.pc < j.k; t.pc += t.kcMax {
			t.kc = min(t.kcMax, j.k-t.pc)
			t.beta = j.beta
			if t.pc > 0 {
				t.beta = 1
			}
			t.pack = true
			t.packParts = min(t.panels, j.parts)
			parallel.RunMax(t.packParts, len(j.slots), j)
			t.pack = false
			parallel.RunMax(t.bandsM*t.bandsN, len(j.slots), j)
		}
	}
}

// teamPart runs part i of the current region.
func (j *gemmJob) teamPart(i int, buf *gemmBuffers) {
	g := j.cfg
	t := &j.tm
	NR, MR := g.NR, g.MR
	if t.pack {
		u0, u1 := i*t.panels/t.packParts, (i+1)*t.panels/t.packParts
		c0, c1 := u0*NR, min(u1*NR, t.nc)
		j.packB(buf, j.shared.b[c0*t.kc:], t.pc, t.jc+c0, t.kc, c1-c0)
		return
	}
	bm, bn := i/t.bandsN, i%t.bandsN
	r0 := bm * t.rowUnits / t.bandsM * MR
	r1 := min((bm+1)*t.rowUnits/t.bandsM*MR, j.m)
	c0 := bn * t.panels / t.bandsN * NR
	c1 := min((bn+1)*t.panels/t.bandsN*NR, t.nc)
	if r0 >= r1 || c0 >= c1 {
		return
	}
	mcMax := evenBlock(r1-r0, g.MC, MR)
	buf.a = grow(buf.a, mcMax*t.kc)
	buf.tile = grow(buf.tile, MR*NR)
	pb := j.shared.b[c0*t.kc:]
	for ic := r0; ic < r1; ic += mcMax {
		mc := min(mcMax, r1-ic)
		j.packA(buf, ic, t.pc, mc, t.kc)
		j.macro(buf, buf.a, pb, ic, t.jc+c0, mc, c1-c0, t.kc, t.beta)
		if t.pc+t.kc == j.k {
			j.finish(ic, ic+mc, t.jc+c0, t.jc+c1, buf.offs) // macro looked the offsets up
		}
	}
}

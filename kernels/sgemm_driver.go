package kernels

// sgemm is the BLIS/GotoBLAS-style driver behind Sgemm. Arguments are
// already checked and m, n > 0.
//
// The loops around the micro-kernel, outermost first:
//
//	jc: NC columns of C and op(B)        (packed KC x NC panel of B: L3;
//	                                      L2 at NCShared columns, see blocks)
//	pc: KC steps of the summation        (beta applies to the first only)
//	ic: MC rows of C and op(A)           (packed MC x KC block of A: L2)
//	jr: NR columns, one micro-panel of B (L1)
//	ir: MR rows, one micro-panel of A    -> micro-kernel on an MR x NR tile
//
// (Where the backend has a column-of-tiles kernel, the ir loop over a
// block's full tiles runs inside it, one call per micro-panel of B.)
//
// Threads split C into bands of whole MR rows or NR columns, never the
// summation, and the KC split depends on k alone, so every element of C
// sees the same sequence of operations for every thread count.
func sgemm(im *impl, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	job := gemmJob{
		cfg:    &im.gemm,
		transA: transA, transB: transB,
		m: m, n: n, k: k,
		alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
	}
	if im.gemm.skinny.width > 0 {
		switch {
		case n <= 4:
			job.skinny = true
			job.sk = skinnyOp{m: m, n: n, a: a, lda: lda, aT: transA, b: b, ldb: ldb, bT: transB, ci: ldc, cj: 1}
		case m <= 4:
			// C^T = op(B)^T op(A)^T has at most four columns.
			job.skinny = true
			job.sk = skinnyOp{m: n, n: m, a: b, lda: ldb, aT: !transB, b: a, ldb: lda, bT: !transA, ci: 1, cj: ldc}
		}
	}
	runGemm(&job)
}

// scaleC sets C = beta*C without reading C when beta == 0.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// gemmJob is one Sgemm call, split into parts that run on the worker pool.
type gemmJob struct {
	cfg            *gemmConfig
	transA, transB bool
	skinny         bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int

	// Set by plan.
	parts  int
	splitM bool // bands of rows (else of columns)
	units  int  // number of MR-row, NR-column or skinny-row units to share

	sk skinnyOp // the skinny path's problem

	// A Gemm over Operands (operand.go): packed through opA and opB,
	// C's rows placed by rows when it is set, finished by epilogue.
	opA, opB Operand
	rows     RowLayout
	epilogue Epilogue
	// rowsA is opA when the strided path may read its rows in place: it is
	// a rowsInPlace and C has no RowLayout (sgemm_strided.go), asserted
	// once per call by setOperands, not once per block.
	rowsA rowsInPlace
	// rowsI is opA when it has an indirection table (sgemm_indirect.go).
	rowsI rowsIndirect

	// The team path (sgemm_team.go): set by plan, used while it runs.
	team   bool
	shared *gemmBuffers   // the call's buffers: the packed B panel
	slots  []*gemmBuffers // one per pool slot (runGemm)
	tm     teamState
}

// minPartFlops is the least work worth handing to another thread: waking a
// parked worker costs a few microseconds.
const minPartFlops = 4 << 20

// plan chooses how many parts the job splits into, at most threads.
func (j *gemmJob) plan(threads int) {
	flops := 2 * j.m * j.n * j.k
	parts := min(threads, max(1, flops/minPartFlops))
	if j.skinny {
		r := j.sk.unit(&j.cfg.skinny)
		j.splitM = true
		j.units = (j.sk.m + r - 1) / r
	} else {
		// Each band packs all of the operand it does not split: bands of
		// rows repack op(B) (k*n), bands of columns repack op(A) (m*k).
		j.splitM = j.n <= j.m
		if j.splitM {
			j.units = (j.m + j.cfg.MR - 1) / j.cfg.MR
		} else {
			j.units = (j.n + j.cfg.NR - 1) / j.cfg.NR
		}
	}
	j.parts = max(1, min(parts, j.units))
	if !j.skinny && parts > 1 {
		j.planTeam(parts)
	}
	if !j.team && j.parts > 1 {
		j.parts = max(j.parts, min(j.units/j.minUnitsPerPart(), balanceParts*j.parts))
	}
}

// balanceParts is how many parts per thread the one-dimensional split
// aims for. Parts are claimed as threads come free, so with several per
// thread a thread that the machine slowed down, or that started late,
// costs the call a fraction of a part instead of half of it. (On the
// shared 2-core machine, where timing each region showed one goroutine
// waiting for the other for about 7% of a core's time in a training
// step, the change from two parts to this split was within the noise of
// the whole iteration; it matters more with more threads.)
const balanceParts = 4

// minPartRows is the least rows (or columns) a part gets when the split
// goes past one part per thread. Each band packs all of the operand it
// does not split (op(B), k x n, for bands of rows), so the extra parts
// cost that packing again: from 1024 rows up, for the convolutions' n of
// at most 128, it is at most 1/8 of the band's own packing of op(A), one
// float per 2048 flops of its arithmetic.
const minPartRows = 1024

// minUnitsPerPart converts minPartRows into split units.
func (j *gemmJob) minUnitsPerPart() int {
	unit := j.cfg.NR
	switch {
	case j.skinny:
		unit = j.sk.unit(&j.cfg.skinny)
	case j.splitM:
		unit = j.cfg.MR
	}
	return max(1, minPartRows/unit)
}

// prepare does the work shared by all parts before they start.
func (j *gemmJob) prepare(buf *gemmBuffers) {
	if j.skinny {
		j.sk.prepare(buf, j.k)
	}
}

// part runs part i of j.parts with the given buffers.
func (j *gemmJob) part(i int, buf *gemmBuffers) {
	if j.team {
		j.teamPart(i, buf)
		return
	}
	u0 := i * j.units / j.parts
	u1 := (i + 1) * j.units / j.parts
	switch {
	case j.skinny:
		r := j.sk.unit(&j.cfg.skinny)
		j.skinnyRows(buf, u0*r, min(u1*r, j.sk.m))
	case j.splitM:
		mr := j.cfg.MR
		j.packed(buf, u0*mr, min(u1*mr, j.m), 0, j.n)
	default:
		nr := j.cfg.NR
		j.packed(buf, 0, j.m, u0*nr, min(u1*nr, j.n))
	}
}

// packed computes rows i0:i1 and columns j0:j1 of C through packing and
// the micro-kernel. i0 and j0 are multiples of MR and NR.
func (j *gemmJob) packed(buf *gemmBuffers, i0, i1, j0, j1 int) {
	g := j.cfg
	MR, NR := g.MR, g.NR
	kcMax := j.kcMax()
	mcMax, ncMax := j.blocks(i1-i0, j1-j0, kcMax)
	buf.a = grow(buf.a, mcMax*kcMax)
	buf.b = grow(buf.b, ncMax*kcMax)
	buf.tile = grow(buf.tile, MR*NR)

	for jc := j0; jc < j1; jc += ncMax {
		nc := min(ncMax, j1-jc)
		for pc := 0; pc < j.k; pc += kcMax {
			kc := min(kcMax, j.k-pc)
			j.packB(buf, buf.b, pc, jc, kc, nc)
			beta := j.beta
			if pc > 0 {
				beta = 1
			}
			strided := j.readsAInPlace(kc, nc)
			indirect := j.readsAIndirect(kc, nc)
			for ic := i0; ic < i1; ic += mcMax {
				mc := min(mcMax, i1-ic)
				if indirect {
					j.macroIndirect(buf, ic, jc, pc, mc, nc, kc, beta)
				} else if strided {
					j.macroStrided(buf, ic, jc, pc, mc, nc, kc, beta)
				} else {
					j.packA(buf, ic, pc, mc, kc)
					j.macro(buf, buf.a, buf.b, ic, jc, mc, nc, kc, beta)
				}
				if pc+kc == j.k {
					j.finish(ic, ic+mc, jc, jc+nc, buf.offs) // macro looked the offsets up
				}
			}
		}
	}
}

// blocks returns the MC and NC blocking of a band of rows x cols of C
// whose KC blocks are kcMax deep: even MC blocks, and NC columns unless
// several MC blocks run against a panel of B larger than sharedPanelMin,
// which then narrows to gemmConfig.NCShared columns so that it stays in
// L2 between them. Only the loops around the micro-kernel depend on it,
// so no result does.
func (j *gemmJob) blocks(rows, cols, kcMax int) (mcMax, ncMax int) {
	g := j.cfg
	mcMax = evenBlock(rows, g.MC, g.MR)
	ncMax = min(g.NC, roundUp(cols, g.NR))
	if g.NCShared > 0 && mcMax < rows && kcMax*ncMax > sharedPanelMin {
		ncMax = evenBlock(cols, min(g.NCShared, g.NC), g.NR)
	}
	return mcMax, ncMax
}

// sharedPanelMin is the largest packed panel of B (in floats: 512 KiB)
// that the driver never narrows to gemmConfig.NCShared columns: it fits
// in L2 as it is, and narrowing it would only pack A once more per
// panel. The discriminator's second layer's backward-data GEMM (a panel
// 128 deep and 576 columns wide, 288 KiB) took 1.06x the time split in
// two (Intel Xeon, avx512, one thread, six in-process alternating
// rounds).
const sharedPanelMin = 128 << 10

// macro runs the micro-kernel over an mc x nc block of C from the packed
// block pa of A and panel pb of B (whose first micro-panel is column jc).
// The block's full tiles take one call of the column-of-tiles kernel per
// micro-panel of B where the backend has one; the rest, and every tile on
// a backend without it, one micro-kernel call each. Edge tiles are
// computed into buf.tile and copied back, so no kernel writes outside C.
func (j *gemmJob) macro(buf *gemmBuffers, pa, pb []float32, ic, jc, mc, nc, kc int, beta float32) {
	g := j.cfg
	MR, NR := g.MR, g.NR
	kern := g.kernel
	c, ldc, alpha := j.c, j.ldc, j.alpha
	var offs []int
	if j.rows != nil || g.rows != nil {
		// Each row's offset is looked up once per block, not per tile.
		buf.offs = growInts(buf.offs, mc)
		offs = buf.offs[:mc]
		for r := range offs {
			if j.rows != nil {
				offs[r] = j.rows.RowOffset(ic + r)
			} else {
				offs[r] = (ic + r) * ldc
			}
		}
	}
	full := 0 // rows of the block in full tiles, for the column kernel
	var table rowTable
	if g.rows != nil {
		full = mc / MR * MR
		table.set(offs[:full])
	}
	for jr := 0; jr < nc; jr += NR {
		nr := min(NR, nc-jr)
		bp := pb[jr*kc : jr*kc+NR*kc]
		ir := 0
		if nr == NR && full > 0 {
			g.rows(kc, full/MR, pa, bp, alpha, beta, c[jc+jr:], table)
			ir = full
		}
		for ; ir < mc; ir += MR {
			mr := min(MR, mc-ir)
			ap := pa[ir*kc : ir*kc+MR*kc]
			off, stride := (ic+ir)*ldc+jc+jr, ldc
			if j.rows != nil {
				off, stride = offs[ir]+jc+jr, evenStride(offs[ir:ir+mr], NR)
			}
			if mr == MR && nr == NR && stride > 0 {
				kern(kc, ap, bp, alpha, beta, c[off:], stride)
				continue
			}
			tile := buf.tile
			kern(kc, ap, bp, alpha, 0, tile, NR)
			for r := 0; r < mr; r++ {
				o := off + r*ldc
				if j.rows != nil {
					o = offs[ir+r] + jc + jr
				}
				mergeTileRow(c[o:o+nr], tile[r*NR:r*NR+nr], beta)
			}
		}
	}
}

// mergeTileRow writes one row of an edge tile computed with beta = 0 into
// C: crow = trow + beta*crow, C not read when beta is 0.
func mergeTileRow(crow, trow []float32, beta float32) {
	if beta == 0 {
		copy(crow, trow)
		return
	}
	for q, t := range trow {
		crow[q] = t + beta*crow[q]
	}
}

// evenStride returns the common distance of equally spaced row offsets
// at least minStride apart, or 0 when they are not (the tile then goes
// through the scratch tile).
func evenStride(offs []int, minStride int) int {
	if len(offs) < 2 {
		return 0
	}
	s := offs[1] - offs[0]
	if s < minStride {
		return 0
	}
	for r := 2; r < len(offs); r++ {
		if offs[r]-offs[r-1] != s {
			return 0
		}
	}
	return s
}

// packA packs the mc x kc block of op(A) at (ic, pc) into buf.a.
func (j *gemmJob) packA(buf *gemmBuffers, ic, pc, mc, kc int) {
	g := j.cfg
	if j.opA == nil {
		packA(buf.a, j.transA, j.a, j.lda, ic, pc, mc, kc, g.MR, g.packAT, g.packAN)
		return
	}
	buf.scratch = grow(buf.scratch, max(g.MR, g.NR)*kc)
	buf.panels.set(buf.a, g.MR, kc, mc, g.packAT, g.packAN, g.packATGroups, buf.scratch)
	j.opA.Pack(&buf.panels, ic, pc)
}

// packB packs the kc x nc block of op(B) at (pc, jc) into dst.
func (j *gemmJob) packB(buf *gemmBuffers, dst []float32, pc, jc, kc, nc int) {
	g := j.cfg
	if j.opB == nil {
		packB(dst, j.transB, j.b, j.ldb, pc, jc, kc, nc, g.NR, g.packBT, g.packBN)
		return
	}
	buf.scratch = grow(buf.scratch, max(g.MR, g.NR)*kc)
	buf.panels.set(dst, g.NR, kc, nc, g.packBT, g.packBN, nil, buf.scratch)
	j.opB.Pack(&buf.panels, jc, pc)
}

// kcMax is the depth of the job's KC blocks: even blocks, so with KC =
// 512 k = 1152 runs as 3 x 384 rather than 2 x 512 + 128. A k at most a
// quarter past KC is one block: the discriminator's k = 576 split in two
// made a second pass over C and twice the micro-kernel calls, and as one
// block it measured 1.05-1.10x faster (AVX2 on Zen 3: 8192x128x576 and
// its conv2d_2 forward pass; paired in-process rounds of KC 512 and
// 640-1152), though its 36 KiB micro-panel of B overflows the 32 KiB L1.
// Larger k kept KC: deeper blocks for k = 1152 and for the weight
// gradients' long sums measured level or slower. It depends on k alone.
func (j *gemmJob) kcMax() int {
	kc := j.cfg.KC
	if j.k <= kc+kc/4 {
		return j.k
	}
	kBlocks := (j.k + kc - 1) / kc
	return (j.k + kBlocks - 1) / kBlocks
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// evenBlock is the size of the blocks n rows are cut into: as few blocks
// of at most most rows as will do, of even size, rounded up to a multiple
// of unit. Cutting 512 rows into MC = 240 blocks gave 240, 240 and 32: the
// last block reused each micro-panel of B for five tiles instead of forty
// (the same for a thread's 256 rows: 240 and 16); even blocks amortise the
// panel the same in each. It is the ic loop's blocking only, so no result
// changes.
func evenBlock(n, most, unit int) int {
	if n <= 0 {
		return unit
	}
	blocks := (n + most - 1) / most
	return min(most, roundUp((n+blocks-1)/blocks, unit))
}

// growInts is grow for ints.
func growInts(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

package kernels

import "fmt"

// An Operand is a GEMM operand that packs itself, so that it never has to
// exist as a matrix in memory. An implicit-GEMM convolution is the use it
// was made for: its A operand, the im2col matrix, is packed straight from
// the NHWC input, one cache-sized block at a time.
//
// The driver sees every operand as a matrix X of rows x depth, where depth
// is the summation: as A, X = op(A), m x k; as B, X = op(B)^T, n x k. It
// asks for one block of X at a time and Pack writes it, rows [r0,
// r0+dst.Rows()) and depth steps [p0, p0+dst.Depth()), into dst's
// micro-panels. Pack must write every value of every micro-panel (zeros
// for padding), as dst holds whatever the previous block left.
//
// Pack is called from several goroutines at once, for disjoint blocks, so
// it must not write to shared state.
//
// An A operand whose rows lie in memory, each contiguous along the depth,
// may also have the methods RowSource() []float32 and RowRun(r int)
// (start, step, count int): row r starts at RowSource()[start], and the
// count rows from r on start step apart (they may overlap). On a backend
// with a strided micro-kernel the driver then reads a tile's rows in place
// wherever they lie in one run, and calls Pack for the rest; the bits are
// the same either way. conv's strips are such an operand.
//
// An A operand whose rows are runs of contiguous values at places of
// their own (a convolution's windows: a run of channels per tap) may
// instead have RowSource() []float32 and RowTaps(r0, mr, p0, kc int,
// offs []int) (taps, kt int, ok bool), which writes the indirection table
// of a tile: where row r0+i reads run t of the block [p0, p0+kc), or -1
// for a run of zeros. On a backend with an indirect kernel the driver
// reads such tiles where they lie (sgemm_indirect.go), with the same
// bits; conv's window operand is one.
type Operand interface {
	Pack(dst *Panels, r0, p0 int)
}

// Panels is one block of packed micro-panels, the destination of
// Operand.Pack: Rows() rows of X split into micro-panels of Width() rows
// each (the last one padded with zero rows), each micro-panel Depth() steps
// of Width() values. Value (r, p) of micro-panel q is Panel(q)[p*Width()+r].
type Panels struct {
	buf         []float32
	width, kc   int
	rows        int
	transposing panelPacker // full micro-panels from rows (may be nil)
	groups      groupPacker // the same from groups of rows (may be nil)
	copying     panelPacker // full micro-panels from steps (may be nil)
	scratch     []float32   // Width() x Depth()
}

// Width is the number of rows in one micro-panel: the micro-kernel's MR
// for A, NR for B.
func (p *Panels) Width() int { return p.width }

// Depth is the number of depth steps in the block.
func (p *Panels) Depth() int { return p.kc }

// Rows is the number of rows of X in the block.
func (p *Panels) Rows() int { return p.rows }

// Count is the number of micro-panels in the block.
func (p *Panels) Count() int { return (p.rows + p.width - 1) / p.width }

// Panel returns micro-panel q, Depth()*Width() values.
func (p *Panels) Panel(q int) []float32 {
	n := p.width * p.kc
	return p.buf[q*n : q*n+n : q*n+n]
}

// Scratch returns a Width() x Depth() row-major matrix (row stride
// Depth()) that Pack may fill and then hand to PackRows: gathering rows
// there first keeps the gather in L1 and lets one fast transposing pass
// pack them. Its contents are undefined on entry to Pack.
func (p *Panels) Scratch() []float32 { return p.scratch }

// PackRows fills micro-panel q from the first rows rows of src, a row-major
// matrix with row stride ld: value (r, s) = src[r*ld+s] for s < Depth().
// Rows rows..Width()-1 of the micro-panel are zero.
func (p *Panels) PackRows(q int, src []float32, ld, rows int) {
	p.PackRowsAt(q, 0, p.kc, src, ld, rows)
}

// PackRowsAt is PackRows for depth steps [s0, s0+n) of micro-panel q
// alone: value (r, s0+i) = src[r*ld+i] for r < rows and i < n; rows
// rows..Width()-1 of those steps are zero. ld may be less than n, so the
// rows may overlap, as the kernel windows of neighbouring output pixels do
// in a convolution's input: a window operand packs a run of pixels straight
// from the input, one tap's channels at a time.
func (p *Panels) PackRowsAt(q, s0, n int, src []float32, ld, rows int) {
	w := p.width
	if s0 < 0 || n < 0 || s0+n > p.kc || rows < 0 || rows > w || ld < 0 || rows > 0 && n > 0 && len(src) < (rows-1)*ld+n {
		panic(fmt.Sprintf("gokern: Panels.PackRowsAt: steps [%d, %d) of %d, rows=%d (width %d), ld=%d, len(src)=%d", s0, s0+n, p.kc, rows, w, ld, len(src)))
	}
	if n == 0 {
		return
	}
	panel := p.Panel(q)[s0*w : (s0+n)*w]
	if rows == w && p.transposing != nil {
		p.transposing(n, src, ld, panel)
		return
	}
	for r := 0; r < rows; r++ {
		d := panel[r:]
		for s, v := range src[r*ld : r*ld+n] {
			d[s*w] = v
		}
	}
	for r := rows; r < w; r++ {
		for s := 0; s < n; s++ {
			panel[s*w+r] = 0
		}
	}
}

// RowGroup is the size of the groups of rows PackRowGroupsAt takes, 4, or
// 0 when the backend cannot pack micro-panels of this width that way (the
// caller then gathers the rows, as without it).
func (p *Panels) RowGroup() int {
	if p.groups == nil {
		return 0
	}
	return 4
}

// PackRowGroupsAt is PackRowsAt for a full micro-panel whose rows come in
// groups of RowGroup() from separate places: value (r, s0+i) =
// src[starts[r/4] + (r%4)*ld + i] for r < Width() and i < n, with one
// start per group (the last group shorter when Width() is not a multiple
// of four). A window operand packs a micro-panel of pixels that crosses
// an output row this way, each group from its own row. It panics when
// RowGroup() is 0.
func (p *Panels) PackRowGroupsAt(q, s0, n int, src []float32, ld int, starts []int) {
	w := p.width
	groups := (w + 3) / 4
	if p.groups == nil || s0 < 0 || n < 0 || s0+n > p.kc || ld < 0 || len(starts) != groups || groups > 3 {
		panic(fmt.Sprintf("gokern: Panels.PackRowGroupsAt: steps [%d, %d) of %d, width %d, ld=%d, %d starts (group packer %v)", s0, s0+n, p.kc, w, ld, len(starts), p.groups != nil))
	}
	if n == 0 {
		return
	}
	var off [3]int
	copy(off[:], starts)
	p.groups(n, src, off[0], off[1], off[2], ld, p.Panel(q)[s0*w:(s0+n)*w])
}

// PackSteps fills depth steps [s0, s0+n) of micro-panel q from src, where
// step s0+i is the Width() values src[i*ld:i*ld+Width()] (a full panel's
// worth of rows, stored contiguously per step). ld may be less than
// Width(): the steps may overlap.
func (p *Panels) PackSteps(q, s0, n int, src []float32, ld int) {
	w := p.width
	if s0 < 0 || n < 0 || s0+n > p.kc || ld < 0 || n > 0 && len(src) < (n-1)*ld+w {
		panic(fmt.Sprintf("gokern: Panels.PackSteps: steps [%d, %d) of %d, ld=%d, len(src)=%d, width %d", s0, s0+n, p.kc, ld, len(src), w))
	}
	if n == 0 {
		return
	}
	dst := p.Panel(q)[s0*w : (s0+n)*w]
	if p.copying != nil {
		p.copying(n, src, ld, dst)
		return
	}
	for i := 0; i < n; i++ {
		copy(dst[i*w:i*w+w], src[i*ld:i*ld+w])
	}
}

// ZeroSteps clears depth steps [s0, s0+n) of micro-panel q.
func (p *Panels) ZeroSteps(q, s0, n int) {
	w := p.width
	clear(p.Panel(q)[s0*w : (s0+n)*w])
}

// set points p at a block of rows micro-panel rows and depth kc in buf,
// with the backend's packers for panels of width w.
func (p *Panels) set(buf []float32, w, kc, rows int, transposing, copying panelPacker, groups groupPacker, scratch []float32) {
	p.buf = buf[:roundUp(rows, w)*kc]
	p.width, p.kc, p.rows = w, kc, rows
	p.transposing, p.copying, p.groups = transposing, copying, groups
	p.scratch = scratch[:w*kc]
}

// Matrix is an Operand for a stored row-major matrix with row stride LD:
// X itself when Trans is false, its transpose when true (Data is then
// depth x rows). It packs as Sgemm does, so a Gemm of two Matrix operands
// gives Sgemm's blocked-path result bit for bit. Keep a Matrix where it
// lives long (a layer's field) and pass its address: converting a
// short-lived one to an Operand would allocate.
type Matrix struct {
	Trans bool
	Data  []float32
	LD    int
}

// Pack implements Operand.
func (m *Matrix) Pack(dst *Panels, r0, p0 int) {
	packA(dst.buf, m.Trans, m.Data, m.LD, r0, p0, dst.rows, dst.kc, dst.width, dst.transposing, dst.copying)
}

// RowLayout places the rows of C when they are not equally spaced: row i
// starts at c[RowOffset(i)]. A sub-pixel convolution phase writes every
// other pixel of its output this way.
type RowLayout interface {
	RowOffset(i int) int
}

// An Epilogue finishes C while it is still in cache: Finish is called once
// for every block of C whose sum is complete, on whichever goroutine
// computed it, rows [i0, i0+rows) by columns [j0, j0+cols), row i0+r at
// c[r*ldc : r*ldc+cols]. ldc == cols means the block is contiguous. Every
// element of C is in exactly one call. A bias and activation belong here.
//
// Blocks are as large as the driver's cache blocking allows (MC rows), so
// an epilogue pays its call overhead per block rather than per row; rows
// placed by a RowLayout come in runs of equally spaced rows.
type Epilogue interface {
	Finish(c []float32, ldc, i0, rows, j0, cols int)
}

// Gemm is a GEMM over Operands: C = A*B^T + Beta*C in the Operand view
// (both A and B are rows x depth: C is A.rows x B.rows), then Epilogue.
type Gemm struct {
	M, N, K int
	A, B    Operand
	// C holds row i at C[i*LDC:], or at C[Rows.RowOffset(i):] when Rows
	// is not nil.
	C    []float32
	LDC  int
	Rows RowLayout
	// Beta scales C before the product is added; 0 means C is not read.
	Beta     float32
	Epilogue Epilogue
}

// Run computes g on the current path's micro-kernel, threaded like Sgemm
// and with Sgemm's guarantee: every element of C sees the same operations
// for every thread count. Run panics when a dimension is negative, an
// operand is missing, or a row of C lies outside C.
//
// Run ignores the GEMM set through internal/sgemmhook: Operands exist
// only for gokern's own driver.
func (g Gemm) Run() {
	if g.M < 0 || g.N < 0 || g.K < 0 {
		panic(fmt.Sprintf("gokern: Gemm: negative dimension m=%d n=%d k=%d", g.M, g.N, g.K))
	}
	if g.A == nil || g.B == nil {
		panic("gokern: Gemm: nil Operand")
	}
	if g.Rows == nil && g.LDC < max(1, g.N) {
		panic(fmt.Sprintf("gokern: Gemm: LDC = %d < max(1, %d)", g.LDC, g.N))
	}
	if g.M == 0 || g.N == 0 {
		return
	}
	if g.Rows == nil {
		if need := (g.M-1)*g.LDC + g.N; len(g.C) < need {
			panic(fmt.Sprintf("gokern: Gemm: len(C) = %d, need at least %d for %dx%d with stride %d", len(g.C), need, g.M, g.N, g.LDC))
		}
	}
	im := cur()
	job := gemmJob{
		cfg: &im.gemm,
		m:   g.M, n: g.N, k: g.K,
		alpha: 1, beta: g.Beta,
		c: g.C, ldc: g.LDC,
		epilogue: g.Epilogue,
	}
	job.setOperands(g.A, g.B, g.Rows)
	if g.K == 0 {
		job.finishEmpty()
		return
	}
	runGemm(&job)
}

// setOperands sets the job's operands and C's row layout, and rowsA when
// the strided path may read A's rows in place.
func (j *gemmJob) setOperands(a, b Operand, rows RowLayout) {
	j.opA, j.opB, j.rows = a, b, rows
	j.rowsA, j.rowsI = nil, nil
	if r, ok := a.(rowsInPlace); ok && rows == nil {
		j.rowsA = r
	}
	if r, ok := a.(rowsIndirect); ok {
		j.rowsI = r
	}
}

// rowOffset is where row i of C starts.
func (j *gemmJob) rowOffset(i int) int {
	if j.rows != nil {
		return j.rows.RowOffset(i)
	}
	return i * j.ldc
}

// rowOf returns columns [j0, j1) of row i of C, checked against C.
func (j *gemmJob) rowOf(i, j0, j1 int) []float32 {
	o := j.rowOffset(i)
	j.checkRow(i, o, j1)
	return j.c[o+j0 : o+j1 : o+j1]
}

// checkRow panics unless row i, at offset o, holds j1 columns inside C.
func (j *gemmJob) checkRow(i, o, j1 int) {
	if o < 0 || o+j1 > len(j.c) {
		panic(fmt.Sprintf("gokern: Gemm: row %d at offset %d, %d columns, outside len(C) = %d", i, o, j1, len(j.c)))
	}
}

// finishEmpty is a Gemm with k == 0: C = Beta*C, then the epilogue.
func (j *gemmJob) finishEmpty() {
	for i := 0; i < j.m; i++ {
		scaleC(1, j.n, j.beta, j.rowOf(i, 0, j.n), j.n)
	}
	j.finish(0, j.m, 0, j.n, nil)
}

// finish runs the epilogue over rows [i0, i1) and columns [j0, j1) of C,
// a block whose sum is complete: in one call when C's rows are equally
// spaced, else in one call per run of equally spaced rows. With a
// RowLayout, offs holds the block's row offsets when the caller has them
// (macro looked them up), else nil.
func (j *gemmJob) finish(i0, i1, j0, j1 int, offs []int) {
	if j.epilogue == nil || i0 >= i1 {
		return
	}
	cols := j1 - j0
	if j.rows == nil {
		j.checkRow(i1-1, (i1-1)*j.ldc, j1) // the block's last row lies inside C
		o := i0*j.ldc + j0
		j.epilogue.Finish(j.c[o:o+(i1-1-i0)*j.ldc+cols], j.ldc, i0, i1-i0, j0, cols)
		return
	}
	off := func(i int) int {
		if offs != nil {
			return offs[i-i0]
		}
		return j.rowOffset(i)
	}
	for i := i0; i < i1; {
		o := off(i)
		j.checkRow(i, o, j1)
		r, ld := 1, cols
		if i+1 < i1 {
			if s := off(i+1) - o; s >= cols {
				for i+r < i1 && off(i+r)-o == r*s {
					r++
				}
				if r > 1 {
					ld = s
				}
			}
		}
		// The run's first and last rows lie inside C, and those between
		// are equally spaced between them.
		j.checkRow(i+r-1, o+(r-1)*ld, j1)
		j.epilogue.Finish(j.c[o+j0:o+j0+(r-1)*ld+cols], ld, i, r, j0, cols)
		i += r
	}
}

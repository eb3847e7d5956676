package kernels

// The strided path: a non-transposed A read in place, a plain Sgemm's or
// an Operand's whose rows lie in memory (rowsInPlace).
//
// Packing A costs a pass over it per KC block, and with N = 64..256 a
// packed micro-panel of A is used only N/NR times, so on the DCGAN's
// narrow GEMMs the packing is a visible share of the call. Where the
// backend has a strided micro-kernel, the driver skips it: the kernel
// broadcasts A's values straight from its MR rows (lda apart), and the
// loops run MR rows outer, NR columns inner, so each micro-panel of A is
// fetched from memory once and then stays in L1 while the packed panel of
// B, which must fit in L2 for this to pay, streams past it. The strided
// kernel does the packed kernel's arithmetic in the same order, so which
// path a tile takes never changes its bits.

// stridedMaxPanels is the most micro-panels of B (columns of C over NR)
// a block may have to take the strided path. A packed micro-panel of A
// serves that many tiles, so the wider C is, the less its packing costs,
// while the strided loop order streams the whole panel of B from L2 once
// per MR rows: with 36 micro-panels (the discriminator's conv2d_2
// backward-data GEMM, 16384x576x128) the strided path measured 1.06x the
// packed one's time, with 16 (512x256x1152) 0.98-1.0x, with 8 0.93-0.98x.
const stridedMaxPanels = 16

// rowsInPlace is an A Operand that the strided path can read in place:
// its rows lie in one slice, each contiguous along the depth. RowRun(r)
// says where row r starts in RowSource() and that the count rows from r
// on (count >= 1) start step apart: depth step p of row r+i is at
// RowSource()[start+i*step+p] for i < count. Rows may overlap, as the
// kernel windows of neighbouring output pixels do (conv's strip operand).
// The driver reads a tile's MR rows in place where they lie in one such
// run and calls Pack for the other tiles, so the operand must pack too.
// It is unexported: only the driver calls it.
type rowsInPlace interface {
	Operand
	RowSource() []float32
	RowRun(r int) (start, step, count int)
}

// readsAInPlace says whether the kc x nc block at hand takes the strided
// path: A not transposed, either a plain Sgemm's (no Operand) or a
// rowsInPlace Operand with C's rows equally spaced, on a backend with a
// strided kernel, with at most stridedMaxPanels micro-panels of B and a
// packed panel of B small enough for L2.
func (j *gemmJob) readsAInPlace(kc, nc int) bool {
	g := j.cfg
	if g.strided == nil || j.transA {
		return false
	}
	if j.opA != nil && j.rowsA == nil {
		return false
	}
	panels := (nc + g.NR - 1) / g.NR
	return panels <= stridedMaxPanels && kc*panels*g.NR <= g.stridedPanel
}

// macroStrided is macro for the strided path: the mc x nc block of C at
// (ic, jc) from rows ic:ic+mc of A at column pc, read in place, and the
// packed panel buf.b. A tile whose rows cannot be read in place (the last
// rows, fewer than MR, or rows of an Operand that are not equally spaced)
// is packed into buf.a and goes through the packed kernel, through the
// scratch tile where it is short, as macro's edge tiles do; the
// full-height tiles of a last, narrow micro-panel of B go through the
// scratch tile from the strided kernel.
func (j *gemmJob) macroStrided(buf *gemmBuffers, ic, jc, pc, mc, nc, kc int, beta float32) {
	g := j.cfg
	MR, NR := g.MR, g.NR
	c, ldc, alpha := j.c, j.ldc, j.alpha
	tile := buf.tile
	for ir := 0; ir < mc; ir += MR {
		mr := min(MR, mc-ir)
		ar, lda, inPlace := j.tileRows(ic+ir, pc, mr)
		if !inPlace {
			j.packA(buf, ic+ir, pc, mr, kc)
		}
		jr := 0
		if inPlace && g.stridedPanels != nil && nc >= NR {
			// Every full-width tile of these rows in one call.
			full := nc / NR
			g.stridedPanels(kc, full, ar, lda, buf.b, alpha, beta, c[(ic+ir)*ldc+jc:], ldc)
			jr = full * NR
		}
		for ; jr < nc; jr += NR {
			nr := min(NR, nc-jr)
			bp := buf.b[jr*kc : jr*kc+NR*kc]
			off := (ic+ir)*ldc + jc + jr
			switch {
			case inPlace && nr == NR:
				g.strided(kc, ar, lda, bp, alpha, beta, c[off:], ldc)
				continue
			case inPlace:
				g.strided(kc, ar, lda, bp, alpha, 0, tile, NR)
			case mr == MR && nr == NR:
				g.kernel(kc, buf.a, bp, alpha, beta, c[off:], ldc)
				continue
			default:
				g.kernel(kc, buf.a, bp, alpha, 0, tile, NR)
			}
			for r := 0; r < mr; r++ {
				mergeTileRow(c[off+r*ldc:off+r*ldc+nr], tile[r*NR:r*NR+nr], beta)
			}
		}
	}
}

// tileRows returns where the mr rows of A from row r0, at depth pc, start
// in memory and how far apart they are, with inPlace set when they are a
// full tile the strided kernel can read: equally spaced, as a plain A's
// rows always are and those of j.rowsA are within one of its runs.
func (j *gemmJob) tileRows(r0, pc, mr int) (a []float32, lda int, inPlace bool) {
	if mr < j.cfg.MR {
		return nil, 0, false
	}
	op := j.rowsA
	if op == nil {
		return j.a[r0*j.lda+pc:], j.lda, true
	}
	start, step, count := op.RowRun(r0)
	if count < mr || step < 0 {
		return nil, 0, false
	}
	return op.RowSource()[start+pc:], step, true
}

package kernels

import "unsafe"

// The indirect path: an A Operand that is never packed, read through an
// indirection table (rowsIndirect), on the strided path's loop order.
//
// A convolution's im2col matrix has a row per output pixel, and the row
// is the pixel's window: taps runs of C contiguous channels, each at a
// place of its own in the NHWC input. A window operand packs it (a
// transposing pass per KC block that the DCGAN's narrow GEMMs, N = 128
// columns of C per 12 rows of A, reuse only four times); where a KC block
// holds whole taps, the indirect kernel instead reads each tile's rows
// where they lie, through a table of MR offsets per tap that the operand
// writes, with -1 for a tap outside the input (zeroRow). MR rows outer,
// NR columns inner, as on the strided path: a tile's windows are read
// from memory once, then from L1 for each of the block's micro-panels of
// B, which must fit in L2. The kernel does the packed kernel's arithmetic
// in the same order, so which path a tile takes never changes its bits.

// rowsIndirect is an A Operand that the indirect path can read in place.
// RowTaps(r0, mr, p0, kc, offs) writes the indirection table of the mr
// rows from r0 over depth steps [p0, p0+kc) and reports its shape: the
// steps are taps runs of kt contiguous values, row i's run t at
// RowSource()[offs[t*mr+i]:][:kt], or zeros where offs holds -1; ok is
// false where the block does not split so (the driver then packs the
// tile). offs has room for mr*kc entries. Unexported: only the driver
// calls it.
type rowsIndirect interface {
	Operand
	RowSource() []float32
	RowTaps(r0, mr, p0, kc int, offs []int) (taps, kt int, ok bool)
}

// zeroRow is what the indirect kernel reads for a tap outside the input:
// the table's -1 entries become its offset from A's start. It bounds kt.
var zeroRow [1024]float32

// zeroRowOffset is zeroRow's position counted in floats from a's first
// element (negative when zeroRow lies before it). a must not be empty.
func zeroRowOffset(a []float32) int {
	return int(uintptr(unsafe.Pointer(&zeroRow[0]))-uintptr(unsafe.Pointer(&a[0]))) / 4
}

// maxMR bounds the MR of a backend with an indirect kernel (the scratch
// tile's row table, gemmBuffers.tileRows, has this many entries).
const maxMR = 16

// readsAIndirect says whether the kc x nc block at hand takes the
// indirect path: an A Operand that has an indirection table, on a backend
// with an indirect kernel, under the strided path's limits on the panel
// of B.
func (j *gemmJob) readsAIndirect(kc, nc int) bool {
	g := j.cfg
	if g.indirectPanels == nil || j.rowsI == nil || g.MR > maxMR {
		return false
	}
	panels := (nc + g.NR - 1) / g.NR
	return panels <= stridedMaxPanels && kc*panels*g.NR <= g.stridedPanel
}

// macroIndirect is macro for the indirect path: the mc x nc block of C at
// (ic, jc) from rows ic:ic+mc of A at depth pc, read through the
// indirection table where the operand has one for the tile, and the
// packed panel buf.b. Other tiles (the last rows, fewer than MR, or a
// block that is not whole taps) are packed into buf.a and go through the
// packed kernel; a last, narrow micro-panel of B goes through the scratch
// tile. It looks C's row offsets up into buf.offs, for finish.
func (j *gemmJob) macroIndirect(buf *gemmBuffers, ic, jc, pc, mc, nc, kc int, beta float32) {
	g := j.cfg
	MR, NR := g.MR, g.NR
	c, alpha := j.c, j.alpha
	buf.offs = growInts(buf.offs, mc)
	offs := buf.offs[:mc]
	for r := range offs {
		offs[r] = j.rowOffset(ic + r)
	}
	buf.ind = growInts(buf.ind, MR*kc)
	for r := range MR {
		buf.tileRows[r] = r * NR
	}
	var rows, tileRows rowTable
	tileRows.set(buf.tileRows[:MR])
	tile := buf.tile
	full := nc / NR
	src := j.rowsI.RowSource()
	for ir := 0; ir < mc; ir += MR {
		mr := min(MR, mc-ir)
		taps, kt, ok := 0, 0, false
		if mr == MR {
			taps, kt, ok = j.rowsI.RowTaps(ic+ir, MR, pc, kc, buf.ind)
			ok = ok && taps*kt == kc && kt <= len(zeroRow) && len(src) > 0
		}
		if !ok {
			j.packA(buf, ic+ir, pc, mr, kc)
			for jr := 0; jr < nc; jr += NR {
				nr := min(NR, nc-jr)
				g.kernel(kc, buf.a, buf.b[jr*kc:jr*kc+NR*kc], alpha, 0, tile, NR)
				for r := 0; r < mr; r++ {
					o := offs[ir+r] + jc + jr
					mergeTileRow(c[o:o+nr], tile[r*NR:r*NR+nr], beta)
				}
			}
			continue
		}
		if full > 0 {
			rows.set(offs[ir : ir+MR])
			g.indirectPanels(taps, kt, full, src, buf.ind, buf.b, alpha, beta, c[jc:], rows)
		}
		if nr := nc - full*NR; nr > 0 {
			g.indirectPanels(taps, kt, 1, src, buf.ind, buf.b[full*NR*kc:], alpha, 0, tile, tileRows)
			for r := 0; r < MR; r++ {
				o := offs[ir+r] + jc + full*NR
				mergeTileRow(c[o:o+nr], tile[r*NR:r*NR+nr], beta)
			}
		}
	}
}

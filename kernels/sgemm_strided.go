package kernels

// The strided path: a non-transposed A read in place.
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

// readsAInPlace says whether the kc x nc block at hand takes the strided
// path: a plain Sgemm (no Operand) with A not transposed, on a backend with
// a strided kernel, with at most stridedMaxPanels micro-panels of B and a
// packed panel of B small enough for L2.
func (j *gemmJob) readsAInPlace(kc, nc int) bool {
	g := j.cfg
	if g.strided == nil || j.opA != nil || j.transA {
		return false
	}
	panels := (nc + g.NR - 1) / g.NR
	return panels <= stridedMaxPanels && kc*panels*g.NR <= g.stridedPanel
}

// macroStrided is macro for the strided path: the mc x nc block of C at
// (ic, jc) from rows ic:ic+mc of A at column pc, read in place, and the
// packed panel buf.b. The last rows, fewer than MR, are packed into buf.a
// and go through the packed kernel and the scratch tile, as macro's edge
// tiles do; the full-height tiles of a last, narrow micro-panel of B go
// through the scratch tile from the strided kernel.
func (j *gemmJob) macroStrided(buf *gemmBuffers, ic, jc, pc, mc, nc, kc int, beta float32) {
	g := j.cfg
	MR, NR := g.MR, g.NR
	full := mc / MR * MR
	if full < mc {
		j.packA(buf, ic+full, pc, mc-full, kc)
	}
	a, lda := j.a, j.lda
	c, ldc, alpha := j.c, j.ldc, j.alpha
	tile := buf.tile
	for ir := 0; ir < mc; ir += MR {
		mr := min(MR, mc-ir)
		ar := a[(ic+ir)*lda+pc:]
		for jr := 0; jr < nc; jr += NR {
			nr := min(NR, nc-jr)
			bp := buf.b[jr*kc : jr*kc+NR*kc]
			off := (ic+ir)*ldc + jc + jr
			switch {
			case mr == MR && nr == NR:
				g.strided(kc, ar, lda, bp, alpha, beta, c[off:], ldc)
				continue
			case mr == MR:
				g.strided(kc, ar, lda, bp, alpha, 0, tile, NR)
			default:
				g.kernel(kc, buf.a, bp, alpha, 0, tile, NR)
			}
			for r := 0; r < mr; r++ {
				mergeTileRow(c[off+r*ldc:off+r*ldc+nr], tile[r*NR:r*NR+nr], beta)
			}
		}
	}
}

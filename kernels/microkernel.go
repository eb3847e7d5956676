package kernels

// microKernel is the BLIS-style register-blocked GEMM micro-kernel contract
// every backend implements (see flame/blis docs/KernelsHowTo.md):
//
//	C[0:MR, 0:NR] = alpha * Ap * Bp + beta * C     (beta == 0: C is not read)
//
// where Ap is a packed MR x k micro-panel of A stored column by column (MR
// consecutive values per step of k) and Bp a packed k x NR micro-panel of B
// stored row by row (NR consecutive values per step of k). C is row-major
// with row stride ldc. The caller guarantees len(a) >= MR*k, len(b) >= NR*k
// and that the MR x NR tile lies inside c; edge tiles are computed into a
// scratch tile by the driver, so micro-kernels only ever see full tiles.
type microKernel func(k int, a, b []float32, alpha, beta float32, c []float32, ldc int)

// rowsKernel is microKernel run down a column of tiles, with C's rows
// given by a table of offsets:
//
//	for t < tiles: C_t = alpha * Ap_t * Bp + beta * C_t
//
// where Ap_t = a[t*MR*k:] (packed micro-panels end to end) and row i of
// C_t is c[rows.offs[t*MR+i]:][:NR]. Each tile is the backend's
// microKernel arithmetic, bit for bit. The driver uses it for the full
// tiles of a block: one call per micro-panel of B instead of one per tile,
// and rows that are not evenly spaced (an output gathered from a strided
// tensor) need no scratch tile.
type rowsKernel func(k, tiles int, a, b []float32, alpha, beta float32, c []float32, rows rowTable)

// rowsAsm is the assembly form of rowsKernel, taking the offsets bare.
type rowsAsm func(k, tiles int, a, b []float32, alpha, beta float32, c []float32, rows []int)

// rowTable is a block's row offsets into C with their range, found when
// the table is built, so that each of the block's kernel calls (one per
// micro-panel of B, on c shifted by NR each time) checks its table against
// C in constant time rather than one offset at a time: a per-offset check
// cost 5% of a k = 27 GEMM.
type rowTable struct {
	offs     []int
	min, max int
}

// set makes t the table of offs (which it keeps, not copies).
func (t *rowTable) set(offs []int) {
	t.offs, t.min, t.max = offs, 0, 0
	if len(offs) == 0 {
		return
	}
	t.min, t.max = offs[0], offs[0]
	for _, o := range offs[1:] {
		t.min, t.max = min(t.min, o), max(t.max, o)
	}
}

// head is the table of the first n offsets, with t's range (a superset of
// theirs, so checks against it stay sound).
func (t rowTable) head(n int) rowTable {
	t.offs = t.offs[:n]
	return t
}

// stridedKernel is microKernel with A unpacked: its MR rows are lda apart
// and each is contiguous along k (a row-major A read in place; lda may be
// less than k, rows that overlap are only read). It does
// the same arithmetic in the same order as the backend's microKernel, so
// a tile comes out bit for bit the same from either.
type stridedKernel func(k int, a []float32, lda int, b []float32, alpha, beta float32, c []float32, ldc int)

// stridedPanelsKernel is stridedKernel run along a row of tiles: for q <
// panels, columns [q*NR, (q+1)*NR) of C from the same MR rows of A and
// the packed micro-panel b[q*NR*k:], bit for bit stridedKernel's tiles.
// The strided loop order (A's rows outer) calls it once per MR rows.
type stridedPanelsKernel func(k, panels int, a []float32, lda int, b []float32, alpha, beta float32, c []float32, ldc int)

// indirectPanelsKernel is stridedPanelsKernel with A's rows read through
// an indirection table instead of lda apart: row i of A under tap t is
// a[offs[t*MR+i]:][:kt], and the depth is taps*kt, tap after tap. Row i
// of tile q of C is c[rows.offs[i]+q*NR:][:NR]. An offset of -1 is a zero
// row (a window tap outside the input). It does the packed kernel's
// arithmetic in the same order, so a tile comes out bit for bit the same
// as from a packed A. The wrapper rewrites the -1 entries of offs in
// place (to the zero row's offset from a), so offs is the caller's
// scratch.
type indirectPanelsKernel func(taps, kt, panels int, a []float32, offs []int, b []float32, alpha, beta float32, c []float32, rows rowTable)

// indirectAsm is the assembly form of indirectPanelsKernel, taking C's
// row offsets bare.
type indirectAsm func(taps, kt, panels int, a []float32, offs []int, b []float32, alpha, beta float32, c []float32, rows []int)

// gemmConfig is one backend's micro-kernel and its cache blocking, named as
// in BLIS: MR x NR register tile, KC depth of a packed panel (sized so a
// KC x NR panel of B stays in L1), MC rows of packed A per block (L2), NC
// columns of packed B per block (L3), or NCShared where the panel is
// shared by more than one MC block of A (0: NC).
type gemmConfig struct {
	MR, NR     int
	KC, MC, NC int
	NCShared   int
	kernel     microKernel
	skinny     skinnyConfig

	// Optional: the micro-kernel's column-of-tiles form (nil: the driver
	// calls kernel once per tile).
	rows rowsKernel

	// Optional: the micro-kernel for an unpacked, non-transposed A
	// (sgemm_strided.go), used while the packed KC x NC panel of B
	// holds at most stridedPanel floats.
	strided       stridedKernel
	stridedPanels stridedPanelsKernel // optional: nil calls strided per tile
	stridedPanel  int

	// Optional: the micro-kernel for an A read through an indirection
	// table (sgemm_indirect.go), on the strided path's loop order.
	indirectPanels indirectPanelsKernel

	// Optional packers (nil: the Go loops in sgemm_pack.go), used for
	// full micro-panels. Transposing: packAT packs MR rows of a
	// non-transposed A, packBT NR rows of a transposed B. Copying: packAN
	// packs a transposed A (MR values per k step), packBN a
	// non-transposed B (NR values per k step).
	packAT, packBT panelPacker
	packAN, packBN panelPacker
	// packATGroups is packAT for rows in groups of four from separate
	// places (Panels.PackRowGroupsAt); optional.
	packATGroups groupPacker
}

// panelPacker packs R rows of a row-major matrix into a micro-panel stored
// column by column, R fixed per packer:
//
//	dst[p*R+r] = src[r*ld+p]    for r < R, p < k    (transposing)
//	dst[p*R+r] = src[p*ld+r]    for r < R, p < k    (copying)
type panelPacker func(k int, src []float32, ld int, dst []float32)

// groupPacker is a transposing panelPacker whose R rows come in groups of
// four (the last of two when R is 4g+2), group g starting at src[offg]:
//
//	dst[p*R+r] = src[off_{r/4} + (r%4)*ld + p]    for r < R, p < k
//
// with at most three groups (R <= 12; an unused offset is ignored).
type groupPacker func(k int, src []float32, off0, off1, off2, ld int, dst []float32)

// dotsKernel is the contract of the skinny-shape kernels for a
// non-transposed A: for r < rows and j < n (both fixed per kernel),
//
//	out[r*n+j] = sum over p < k of a[r*lda+p] * b[j*ldb+p]
//
// with k a multiple of the backend's skinny width. Row r of A and row j of
// B (B held transposed) are contiguous. Each dot product is reduced in a
// fixed order that does not depend on rows, so a row of C comes out the
// same whichever kernel computed it.
type dotsKernel func(k int, a []float32, lda int, b []float32, ldb int, out []float32)

// axpysKernel is the contract of the skinny-shape kernels for a transposed
// A (stored k x m): for i < rows and j < n (both fixed per kernel),
//
//	out[j*rows+i] = sum over p < k of a[p*lda+i] * b[p*ldbp+j*ldbj]
//
// summing outer products of a row of A with n values of B, which may be
// stored either way round (ldbp, ldbj). Every lane accumulates in the same
// order whatever rows is.
type axpysKernel func(k int, a []float32, lda int, b []float32, ldbp, ldbj int, out []float32)

// skinnyConfig holds one backend's kernels for C with at most four columns
// (or, transposing the problem, four rows); the zero value means the
// backend has none and skinny shapes take the packed path.
type skinnyConfig struct {
	width  int           // vector width: k granularity of the dots kernels
	rows   int           // rows of A per call of the block dots kernels
	block  [5]dotsKernel // block[n]: rows x n
	single [5]dotsKernel // single[n]: 1 x n, for leftover rows

	vecs        int            // vectors of rows per block axpys kernel
	axpysBlock  [5]axpysKernel // axpysBlock[n]: vecs*width rows x n
	axpysSingle [5]axpysKernel // axpysSingle[n]: width rows x n
}

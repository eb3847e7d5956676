// Command sgemm generates gokern's amd64 SGEMM kernels with Avo:
//
//   - register-blocked micro-kernels for the packed BLIS-style driver
//     (AVX-512: 12x32, AVX2+FMA: 6x16), following the contract in
//     kernels/microkernel.go;
//   - skinny "dots" kernels for C = A*B with n <= 4 columns: R rows of A
//     against n rows of B held transposed, giving R*n dot products.
//
// Run it through `go generate ./asm`; the output is deterministic.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/gokern/gokern/asm/internal/avx"
	"github.com/gokern/gokern/asm/internal/gen"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa is one vector instruction set, described by the helpers every
// generator shares.
type isa = avx.ISA

var (
	avx2   = avx.AVX2
	avx512 = avx.AVX512
)

// tile is one ISA's SGEMM kernel set.
type tile struct {
	is        isa
	mr, nv    int  // micro-kernel: mr rows x nv vectors of C
	strided   bool // also emit the micro-kernel for an unpacked A
	indirect  bool // also emit the kernel for an A read through row offsets
	dotsRows  int  // rows of A per block dots kernel
	axpysVecs int  // vectors of rows of C per block axpys kernel
}

func (t tile) nr() int { return t.nv * t.is.Lanes }

var tiles = []tile{
	// AVX-512 has 32 vector registers: 12 rows x 2 vectors = 24
	// accumulators, 2 for the row of B and 1 for A's broadcast value
	// (kLoop). Each k step issues 24 FMAs against 14
	// loads, so the two FMA pipes, not the load ports, set the pace, and
	// 24 independent chains cover the FMA latency (4 cycles x 2 pipes =
	// 8 needed). The skinny kernels
	// take 4 rows of A at a time (16 accumulators at n = 4).
	// Its indirect kernel holds the 12 row addresses of A in registers.
	{is: avx512, mr: 12, nv: 2, strided: true, indirect: true, dotsRows: 4, axpysVecs: 4},
	// AVX2 has 16: 6 rows x 2 vectors = 12 accumulators, 2 for B, 1 for
	// the broadcast (the classic Haswell 6x16 kernel); the skinny kernels
	// take 2 rows (8 accumulators).
	{is: avx2, mr: 6, nv: 2, strided: true, dotsRows: 2, axpysVecs: 2},
}

var wiring = flag.String("wiring", "", "write the Go file installing the kernels here")

func main() {
	Package("github.com/gokern/gokern/kernels")
	ConstraintExpr("!purego")

	for _, t := range tiles {
		microKernel(t.is, t.mr, t.nv)
		rowsKernel(t.is, t.mr, t.nv)
		if t.strided {
			stridedKernel(t.is, t.mr, t.nv)
			stridedPanelsKernel(t.is, t.mr, t.nv)
		}
		if t.indirect {
			indirectPanelsKernel(t.is, t.mr, t.nv)
		}
	}
	// Skinny kernels: a block of rows of A and a 1-row version for the
	// leftover rows.
	for n := 1; n <= 4; n++ {
		for _, t := range tiles {
			dots(t.is, t.dotsRows, n)
			dots(t.is, 1, n)
		}
	}
	// Skinny kernels for a transposed A: V vectors of rows of C against n
	// columns, summing outer products over k.
	for n := 1; n <= 4; n++ {
		for _, t := range tiles {
			axpys(t.is, t.axpysVecs, n)
			axpys(t.is, 1, n)
		}
	}

	// Transposing packers for the micro-panels that gather across rows:
	// op(A) not transposed (MR rows) and op(B) transposed (NR rows).
	for _, t := range tiles {
		packT(t.mr)
		packTGroups(t.mr)
		packT(t.nr())
	}
	// Copying packers for the micro-panels whose k steps are contiguous
	// runs: op(A) transposed (MR values) and op(B) not transposed (NR).
	for _, t := range tiles {
		packN(t.mr)
		packN(t.nr())
	}
	Generate()
	if *wiring != "" {
		if err := gen.WriteGo(*wiring, "sgemm", wiringTemplate, tiles); err != nil {
			log.Fatal(err)
		}
	}
}

// microKernel emits sgemmKernel<mr>x<nr><ISA>, with nr = nv vectors:
//
//	C[0:mr, 0:nr] = alpha * Ap * Bp + beta * C     (beta == 0: C is not read)
//
// Ap is packed column by column (mr values per k step), Bp row by row (nr
// values per k step); ldc is C's row stride in elements.
func microKernel(is isa, mr, nv int) {
	nr := nv * is.Lanes
	name := fmt.Sprintf("sgemmKernel%dx%d%s", mr, nr, is.Suffix)
	TEXT(name, NOSPLIT, "func(k int, a, b []float32, alpha, beta float32, c []float32, ldc int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is the %dx%d %s micro-kernel: C = alpha*Ap*Bp + beta*C", name, mr, nr, is.Suffix),
		"on one full tile (beta == 0: C is not read). The caller guarantees",
		fmt.Sprintf("len(a) >= %d*k, len(b) >= %d*k and len(c) >= %d*ldc+%d.", mr, nr, mr-1, nr),
	)
	k := Load(Param("k"), GP64())
	ap := Mem{Base: Load(Param("a").Base(), GP64())}
	microKernelBody(is, mr, nv, k, func(u, i int) Mem { return ap.Offset(4 * (u*mr + i)) },
		func(steps int) { ADDQ(U32(4*steps*mr), ap.Base) })
}

// rowsKernel emits sgemmKernelRows<mr>x<nr><ISA>: the micro-kernel run
// down a column of tiles (the driver's loop over the MR-row micro-panels of
// a packed block of A against one micro-panel of B), with C's rows
// addressed through a table of offsets:
//
//	for t < tiles, i < mr, j < nr:
//	    c[rows[t*mr+i]+j] = alpha * (Ap_t * Bp)[i][j] + beta * c[rows[t*mr+i]+j]
//
// where Ap_t, the micro-panel of tile t, starts at a[t*mr*k] (the packed
// micro-panels lie end to end). Each tile is the packed kernel's exact
// arithmetic, so it comes out bit for bit the same. The loop saves a Go
// call and its checks per tile, and the offset table lets one call take
// tiles whose rows are not evenly spaced (rows of C gathered from a
// strided output), which otherwise go through a scratch tile.
func rowsKernel(is isa, mr, nv int) {
	nr := nv * is.Lanes
	name := fmt.Sprintf("sgemmKernelRows%dx%d%s", mr, nr, is.Suffix)
	TEXT(name, NOSPLIT, "func(k, tiles int, a, b []float32, alpha, beta float32, c []float32, rows []int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s runs the %dx%d %s micro-kernel on tiles tiles: tile t reads", name, mr, nr, is.Suffix),
		fmt.Sprintf("a[t*%d*k:] and writes C rows c[rows[t*%d+i]:][:%d] (beta == 0: C is not read).", mr, mr, nr),
		fmt.Sprintf("The caller guarantees len(a) >= tiles*%d*k, len(b) >= %d*k,", mr, nr),
		fmt.Sprintf("len(rows) >= tiles*%d and 0 <= rows[i] <= len(c)-%d.", mr, nr),
	)
	kAll := Load(Param("k"), GP64())
	tiles := Load(Param("tiles"), GP64())
	ap := Mem{Base: Load(Param("a").Base(), GP64())}
	bBase := Load(Param("b").Base(), GP64())
	cBase := Load(Param("c").Base(), GP64())
	rowp := Load(Param("rows").Base(), GP64())
	row := func(i int, off Register) Mem {
		MOVQ(Mem{Base: rowp, Disp: 8 * i}, off)
		return Mem{Base: cBase, Index: off, Scale: 4}
	}

	Label("tile")
	TESTQ(tiles, tiles)
	JZ(LabelRef("done"))
	off := GP64()
	for i := 0; i < mr; i++ {
		m := row(i, off)
		PREFETCHT0(m)
		PREFETCHT0(m.Offset(4 * (nr - 1)))
	}
	acc := zeroAccumulators(is, mr, nv)
	k := GP64()
	MOVQ(kAll, k)
	bp := Mem{Base: GP64()}
	MOVQ(bBase, bp.Base)
	kLoop(is, mr, nv, k, bp, acc, func(u, i int) Mem { return ap.Offset(4 * (u*mr + i)) },
		func(steps int) { ADDQ(U32(4*steps*mr), ap.Base) })

	storeTile(is, mr, nv, acc, func(i int) Mem { return row(i, off) }, func() { JMP(LabelRef("next")) })

	Label("next")
	ADDQ(U32(8*mr), rowp)
	DECQ(tiles)
	JMP(LabelRef("tile"))

	Label("done")
	VZEROUPPER()
	RET()
}

// stridedKernel emits sgemmKernelStrided<mr>x<nr><ISA>, the micro-kernel
// for an unpacked A whose mr rows are lda apart and contiguous along k:
//
//	C[0:mr, 0:nr] = alpha * A[0:mr, 0:k] * Bp + beta * C
//
// with the same k loop, accumulators and epilogue as the packed kernel,
// so a tile comes out bit for bit the same either way.
func stridedKernel(is isa, mr, nv int) {
	nr := nv * is.Lanes
	name := fmt.Sprintf("sgemmKernelStrided%dx%d%s", mr, nr, is.Suffix)
	TEXT(name, NOSPLIT, "func(k int, a []float32, lda int, b []float32, alpha, beta float32, c []float32, ldc int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s is the %dx%d %s micro-kernel for A unpacked: C = alpha*A*Bp + beta*C", name, mr, nr, is.Suffix),
		"on one full tile, A's rows lda apart (beta == 0: C is not read). The caller",
		fmt.Sprintf("guarantees len(a) >= %d*lda+k, len(b) >= %d*k and len(c) >= %d*ldc+%d.", mr-1, nr, mr-1, nr),
	)
	if mr%3 != 0 {
		panic("stridedKernel: mr must be a multiple of 3")
	}
	k := Load(Param("k"), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	// base[g] addresses rows 3g..3g+2 (stridedRows).
	base := make([]Register, mr/3)
	base[0] = Load(Param("a").Base(), GP64())
	lda3 := GP64()
	LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
	for g := 1; g < len(base); g++ {
		base[g] = GP64()
		LEAQ(Mem{Base: base[g-1], Index: lda3, Scale: 1}, base[g])
	}
	aAt, advanceA := stridedRows(base, lda)
	microKernelBody(is, mr, nv, k, aAt, advanceA)
}

// stridedRows is how the strided kernels address A: rows 3g..3g+2 from
// base[g] with index lda (bytes) scaled by 0, 1 and 2. aAt(u, i) is row i
// at step u of the current position; advanceA(steps) moves every base on.
func stridedRows(base []Register, lda Register) (aAt func(u, i int) Mem, advanceA func(steps int)) {
	aAt = func(u, i int) Mem {
		m := Mem{Base: base[i/3], Disp: 4 * u}
		if i%3 != 0 {
			m.Index, m.Scale = lda, uint8(i%3)
		}
		return m
	}
	advanceA = func(steps int) {
		for _, b := range base {
			ADDQ(U32(4*steps), b)
		}
	}
	return aAt, advanceA
}

// stridedPanelsKernel emits sgemmKernelStridedPanels<mr>x<nr><ISA>: the
// strided micro-kernel run along a row of tiles, the driver's loop over the
// micro-panels of B for one in-place micro-panel of A:
//
//	for q < panels: C[0:mr, q*nr:(q+1)*nr] = alpha * A[0:mr, 0:k] * Bp_q + beta * C[...]
//
// where Bp_q = b[q*nr*k:] (the packed micro-panels end to end) and C's rows
// are ldc apart. Each tile is the strided kernel's exact arithmetic, so it
// comes out bit for bit the same; the loop saves a Go call per tile.
func stridedPanelsKernel(is isa, mr, nv int) {
	nr := nv * is.Lanes
	name := fmt.Sprintf("sgemmKernelStridedPanels%dx%d%s", mr, nr, is.Suffix)
	TEXT(name, NOSPLIT, "func(k, panels int, a []float32, lda int, b []float32, alpha, beta float32, c []float32, ldc int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s runs the %dx%d %s strided micro-kernel on panels tiles in a row:", name, mr, nr, is.Suffix),
		fmt.Sprintf("tile q reads A's %d rows (lda apart) and b[q*%d*k:], and writes C's columns", mr, nr),
		fmt.Sprintf("[q*%d, (q+1)*%d) (beta == 0: C is not read). The caller guarantees", nr, nr),
		fmt.Sprintf("len(a) >= %d*lda+k, len(b) >= panels*%d*k and len(c) >= %d*ldc+panels*%d.", mr-1, nr, mr-1, nr),
	)
	if mr%3 != 0 {
		panic("stridedPanelsKernel: mr must be a multiple of 3")
	}
	kAll := Load(Param("k"), GP64())
	panels := Load(Param("panels"), GP64())
	a0 := Load(Param("a").Base(), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	lda3 := GP64()
	LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
	bp := Mem{Base: Load(Param("b").Base(), GP64())}
	cTile := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)

	Label("panel")
	TESTQ(panels, panels)
	JZ(LabelRef("done"))
	// base[g] addresses rows 3g..3g+2 (stridedRows); every tile starts
	// them afresh at A's first column.
	base := make([]Register, mr/3)
	for g := range base {
		base[g] = GP64()
		if g == 0 {
			MOVQ(a0, base[g])
		} else {
			LEAQ(Mem{Base: base[g-1], Index: lda3, Scale: 1}, base[g])
		}
	}
	cp := GP64()
	MOVQ(cTile, cp)
	prefetchTile(mr, nr, cp, ldc)
	acc := zeroAccumulators(is, mr, nv)
	k := GP64()
	MOVQ(kAll, k)
	aAt, advanceA := stridedRows(base, lda)
	kLoop(is, mr, nv, k, bp, acc, aAt, advanceA)
	// kLoop left bp at the next micro-panel of B.

	storeTile(is, mr, nv, acc, func(i int) Mem {
		if i == 0 {
			MOVQ(cTile, cp)
		} else {
			ADDQ(ldc, cp)
		}
		return Mem{Base: cp}
	}, func() { JMP(LabelRef("next")) })

	Label("next")
	ADDQ(U32(4*nr), cTile)
	DECQ(panels)
	JMP(LabelRef("panel"))

	Label("done")
	VZEROUPPER()
	RET()
}

// indirectPanelsKernel emits sgemmKernelIndirectPanels<mr>x<nr><ISA>: the
// micro-kernel for an A that is never packed nor stored as a matrix, whose
// rows are read through a table of offsets, one per row and tap (an
// indirection table, as in XNNPACK's indirect convolution), run along a
// row of tiles:
//
//	for q < panels, i < mr, j < nr:
//	    c[rows[i]+q*nr+j] = alpha * sum over t < taps, p < kt of
//	        a[offs[t*mr+i]+p] * Bp_q[(t*kt+p)*nr+j] + beta * c[rows[i]+q*nr+j]
//
// where Bp_q = b[q*nr*taps*kt:] (the packed micro-panels end to end). A
// convolution's window is taps runs of kt contiguous channels, each at a
// place of its own in the input (or in a zero row, at a border), so the
// kernel reads the window where it lies. The accumulators stay in
// registers across the taps and every k step is the packed kernel's, in
// the same order, so a tile comes out bit for bit as if A had been packed.
// The mr row addresses live in general registers through the k loop,
// which is why only the AVX-512 tile, with its broadcasts from memory,
// has this kernel. Offsets may be negative (a zero row elsewhere in
// memory); the Go wrapper checks every one.
func indirectPanelsKernel(is isa, mr, nv int) {
	nr := nv * is.Lanes
	name := fmt.Sprintf("sgemmKernelIndirectPanels%dx%d%s", mr, nr, is.Suffix)
	TEXT(name, NOSPLIT, "func(taps, kt, panels int, a []float32, offs []int, b []float32, alpha, beta float32, c []float32, rows []int)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s runs the %dx%d %s micro-kernel on panels tiles in a row, with A's", name, mr, nr, is.Suffix),
		fmt.Sprintf("row i under tap t at a[offs[t*%d+i]:][:kt] and tile q reading b[q*%d*taps*kt:];", mr, nr),
		fmt.Sprintf("row i of tile q is c[rows[i]+q*%d:][:%d] (beta == 0: C is not read). The caller", nr, nr),
		fmt.Sprintf("guarantees len(offs) >= taps*%d, that every offset addresses kt readable floats", mr),
		fmt.Sprintf("from a's start, len(b) >= panels*%d*taps*kt and that every row lies in c.", nr),
	)
	// What the loops keep between taps and panels lives on the stack: the
	// k loop needs mr+2 general registers of its own.
	panelsLeft, tapsLeft := AllocLocal(8), AllocLocal(8)
	offsAt, cPanel, bAt := AllocLocal(8), AllocLocal(8), AllocLocal(8)
	MOVQ(Load(Param("panels"), GP64()), panelsLeft)
	MOVQ(Load(Param("c").Base(), GP64()), cPanel)
	MOVQ(Load(Param("b").Base(), GP64()), bAt)
	// rowAt addresses row i of the current tile of C.
	var cp, rowp, off Register
	rowAt := func(i int) Mem {
		if i == 0 {
			cp, rowp, off = GP64(), GP64(), GP64()
			MOVQ(cPanel, cp)
			Load(Param("rows").Base(), rowp)
		}
		MOVQ(Mem{Base: rowp, Disp: 8 * i}, off)
		return Mem{Base: cp, Index: off, Scale: 4}
	}

	Label("panel")
	CMPQ(panelsLeft, U8(0))
	JE(LabelRef("done"))
	for i := 0; i < mr; i++ {
		m := rowAt(i)
		PREFETCHT0(m)
		PREFETCHT0(m.Offset(4 * (nr - 1)))
	}
	acc := zeroAccumulators(is, mr, nv)
	MOVQ(Load(Param("taps"), GP64()), tapsLeft)
	MOVQ(Load(Param("offs").Base(), GP64()), offsAt)

	Label("tap")
	CMPQ(tapsLeft, U8(0))
	JE(LabelRef("store"))
	row := make([]Register, mr)
	{
		op, base := GP64(), GP64()
		MOVQ(offsAt, op)
		Load(Param("a").Base(), base)
		for i := range row {
			row[i] = GP64()
			MOVQ(Mem{Base: op, Disp: 8 * i}, row[i])
			LEAQ(Mem{Base: base, Index: row[i], Scale: 4}, row[i])
		}
		ADDQ(U32(8*mr), op)
		MOVQ(op, offsAt)
	}
	k := Load(Param("kt"), GP64())
	bp := Mem{Base: GP64()}
	MOVQ(bAt, bp.Base)
	kLoop(is, mr, nv, k, bp, acc, func(u, i int) Mem { return Mem{Base: row[i], Disp: 4 * u} },
		func(steps int) {
			for _, r := range row {
				ADDQ(U32(4*steps), r)
			}
		})
	// kLoop left bp at the next tap's steps (after the last tap, at the
	// next micro-panel of B).
	MOVQ(bp.Base, bAt)
	DECQ(tapsLeft)
	JMP(LabelRef("tap"))

	Label("store")
	storeTile(is, mr, nv, acc, rowAt, func() { JMP(LabelRef("next")) })

	Label("next")
	ADDQ(U32(4*nr), cPanel)
	DECQ(panelsLeft)
	JMP(LabelRef("panel"))

	Label("done")
	VZEROUPPER()
	RET()
}

// microKernelBody emits the k loop and epilogue shared by the packed and
// strided micro-kernels: aAt(u, i) addresses A's row i at step u of the
// current position, advanceA(steps) moves A on by steps.
func microKernelBody(is isa, mr, nv int, k Register, aAt func(u, i int) Mem, advanceA func(steps int)) {
	nr := nv * is.Lanes
	bp := Mem{Base: Load(Param("b").Base(), GP64())}

	// Prefetch the tile of C (first and last element of each row) so its
	// cache misses overlap the k loop instead of stalling the epilogue;
	// on big matrices C is far from L1 when its tile comes round again.
	{
		pc := GP64()
		Load(Param("c").Base(), pc)
		pld := GP64()
		Load(Param("ldc"), pld)
		SHLQ(U8(2), pld)
		prefetchTile(mr, nr, pc, pld)
	}

	acc := zeroAccumulators(is, mr, nv)
	kLoop(is, mr, nv, k, bp, acc, aAt, advanceA)

	cp := GP64()
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	storeTile(is, mr, nv, acc, func(i int) Mem {
		if i == 0 {
			Load(Param("c").Base(), cp)
		} else {
			ADDQ(ldc, cp)
		}
		return Mem{Base: cp}
	}, func() {
		VZEROUPPER()
		RET()
	})
}

// prefetchTile prefetches the first and last element of each of a tile's
// mr rows of nr floats, row 0 at p and the rest ld bytes apart, moving p
// to the last row.
func prefetchTile(mr, nr int, p, ld Register) {
	for i := 0; i < mr; i++ {
		PREFETCHT0(Mem{Base: p})
		PREFETCHT0(Mem{Base: p, Disp: 4 * (nr - 1)})
		if i < mr-1 {
			ADDQ(ld, p)
		}
	}
}

// storeTile emits a micro-kernel's epilogue: row i of the tile, at
// rowAt(i), becomes alpha*acc[i] when beta is 0 (either sign; C is then not
// read, so NaNs there are overwritten) and alpha*acc[i] + beta*C[i]
// otherwise, a fused multiply-add. rowAt may emit the instructions that
// find the row; it is asked for rows 0..mr-1 in order on each of the two
// branches, and end() closes each branch. The branches are labelled
// "withbeta" in the function.
func storeTile(is isa, mr, nv int, acc [][]VecVirtual, rowAt func(i int) Mem, end func()) {
	va := is.Vec()
	VBROADCASTSS(paramAddr("alpha"), va)
	zero := XMM()
	VXORPS(zero, zero, zero)
	VUCOMISS(paramAddr("beta"), zero)
	JNE(LabelRef("withbeta"))
	JP(LabelRef("withbeta"))
	for i := 0; i < mr; i++ {
		m := rowAt(i)
		for v := 0; v < nv; v++ {
			VMULPS(va, acc[i][v], acc[i][v])
			VMOVUPS(acc[i][v], m.Offset(4*v*is.Lanes))
		}
	}
	end()

	Label("withbeta")
	vb := is.Vec()
	VBROADCASTSS(paramAddr("beta"), vb)
	for i := 0; i < mr; i++ {
		m := rowAt(i)
		for v := 0; v < nv; v++ {
			VMULPS(va, acc[i][v], acc[i][v])
			VFMADD231PS(m.Offset(4*v*is.Lanes), vb, acc[i][v])
			VMOVUPS(acc[i][v], m.Offset(4*v*is.Lanes))
		}
	}
	end()
}

// zeroAccumulators allocates the mr x nv accumulators of a tile and zeroes
// them.
func zeroAccumulators(is isa, mr, nv int) [][]VecVirtual {
	acc := make([][]VecVirtual, mr)
	for i := range acc {
		acc[i] = make([]VecVirtual, nv)
		for v := range acc[i] {
			acc[i][v] = is.Vec()
			VXORPS(acc[i][v], acc[i][v], acc[i][v])
		}
	}
	return acc
}

// kLoop emits the k loop of a micro-kernel: k steps (counting k down to
// zero) of acc[i][v] += A[i] * Bp[v], four at a time and then one at a
// time, advancing bp and A (aAt, advanceA) as it goes. Every kernel that
// uses it does the same arithmetic in the same order, so their tiles agree
// bit for bit.
//
// Each row of A is broadcast once into a register shared by its nv FMAs:
// a k step of the 12x32 tile loads 14 values (2 vectors of B, 12
// broadcasts) in its 12 cycles of FMAs. AVX-512 could instead broadcast
// A inside the FMAs (EVEX embedded broadcasts), saving the broadcast
// instructions but loading each value nv times; the 12x32 kernels did
// so for all 12 rows (a303031: the iteration 0.975x the time of none on
// an Intel Xeon, 0.999x on Zen 4), then for 6 (8a8392c: 0.970x against
// 12 on a faster Xeon host; alone and hot, 6 ran as fast as none). On
// that host class again, none against 6 (2026-12-04, alternating
// binaries of `make bench-ab`): BenchmarkIndirectKernel's stream case
// 192-201 against 180-192 GFLOPS, where each of a tile's 12 rows is a
// cache line of its own; the strided path's SGEMMs 0.92-0.97x the time;
// the weight gradients 0.93-0.96x; D conv2d_1's forward pass (k = 27)
// 1.02x; the iteration 0.960x on one thread and 0.976x on two
// (BASE=d30371d BENCH='Epoch/avx512$' BENCHTIME=3x ROUNDS=8, CPU=2 with
// BENCHTIME=4x). Inside a layer, where A and B also stream in from L2 and
// L3, the loads cost more than the instructions. (Embedded broadcasts
// from an indexed address are worse still on Intel, split into two uops:
// TestNoIndexedEmbeddedBroadcasts.)
func kLoop(is isa, mr, nv int, k Register, bp Mem, acc [][]VecVirtual, aAt func(u, i int) Mem, advanceA func(steps int)) {
	nr := nv * is.Lanes
	// step emits k step u of an unrolled block.
	step := func(u int) {
		bs := make([]VecVirtual, nv)
		for v := range bs {
			bs[v] = is.Vec()
			VMOVUPS(bp.Offset(4*(u*nr+v*is.Lanes)), bs[v])
		}
		for i := 0; i < mr; i++ {
			t := is.Vec()
			VBROADCASTSS(aAt(u, i), t)
			for v := 0; v < nv; v++ {
				VFMADD231PS(bs[v], t, acc[i][v])
			}
		}
	}

	const unroll = 4
	Label("loop4")
	CMPQ(k, U8(unroll))
	JL(LabelRef("tail"))
	for u := 0; u < unroll; u++ {
		step(u)
	}
	advanceA(unroll)
	ADDQ(U32(4*unroll*nr), bp.Base)
	SUBQ(U8(unroll), k)
	JMP(LabelRef("loop4"))

	Label("tail")
	TESTQ(k, k)
	JZ(LabelRef("kdone"))
	step(0)
	advanceA(1)
	ADDQ(U32(4*nr), bp.Base)
	DECQ(k)
	JMP(LabelRef("tail"))
	Label("kdone")
}

// dotsPrefetch is how far ahead, in bytes, the dots kernels prefetch A.
const dotsPrefetch = 1024

// dots emits sgemmDots<rows>x<n><ISA>: for r < rows and j < n,
//
//	out[r*n+j] = sum over p < k of a[r*lda+p] * b[j*ldb+p]
//
// with k a multiple of the vector width. Each dot product is accumulated
// lane-wise and reduced in a fixed order, so a row's result does not
// depend on which kernel (rows = 1 or more) computed it.
func dots(is isa, rows, n int) {
	name := fmt.Sprintf("sgemmDots%dx%d%s", rows, n, is.Suffix)
	TEXT(name, NOSPLIT, "func(k int, a []float32, lda int, b []float32, ldb int, out []float32)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s computes the %dx%d dot products out[r*%d+j] = A[r]·B[j] over", name, rows, n, n),
		fmt.Sprintf("k elements, k a multiple of %d. The caller guarantees the rows lie", is.Lanes),
		fmt.Sprintf("inside a and b (strides lda, ldb) and len(out) >= %d.", rows*n),
	)
	kb := Load(Param("k"), GP64())
	SHLQ(U8(2), kb)
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)

	arow := make([]GPVirtual, rows)
	arow[0] = GP64()
	Load(Param("a").Base(), arow[0])
	for r := 1; r < rows; r++ {
		arow[r] = GP64()
		LEAQ(Mem{Base: arow[r-1], Index: lda, Scale: 1}, arow[r])
	}
	brow := make([]GPVirtual, n)
	brow[0] = GP64()
	Load(Param("b").Base(), brow[0])
	for j := 1; j < n; j++ {
		brow[j] = GP64()
		LEAQ(Mem{Base: brow[j-1], Index: ldb, Scale: 1}, brow[j])
	}

	acc := make([][]VecVirtual, rows)
	for r := range acc {
		acc[r] = make([]VecVirtual, n)
		for j := range acc[r] {
			acc[r][j] = is.Vec()
			VXORPS(acc[r][j], acc[r][j], acc[r][j])
		}
	}

	off := GP64()
	XORQ(off, off)
	Label("loop")
	CMPQ(off, kb)
	JGE(LabelRef("reduce"))
	bv := make([]VecVirtual, n)
	for j := range bv {
		bv[j] = is.Vec()
		VMOVUPS(Mem{Base: brow[j], Index: off, Scale: 1}, bv[j])
	}
	for r := 0; r < rows; r++ {
		// Rows of A stream from memory once: fetch ahead of the hardware
		// prefetcher (a prefetch past the end of a row cannot fault).
		PREFETCHT0(Mem{Base: arow[r], Index: off, Scale: 1, Disp: dotsPrefetch})
		av := is.Vec()
		VMOVUPS(Mem{Base: arow[r], Index: off, Scale: 1}, av)
		for j := 0; j < n; j++ {
			VFMADD231PS(bv[j], av, acc[r][j])
		}
	}
	ADDQ(U32(4*is.Lanes), off)
	JMP(LabelRef("loop"))

	Label("reduce")
	out := Mem{Base: Load(Param("out").Base(), GP64())}
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			x := is.Hsum(acc[r][j])
			VMOVSS(x, out.Offset(4*(r*n+j)))
		}
	}
	VZEROUPPER()
	RET()
}

// paramAddr is the stack address of a scalar parameter, so broadcasts and
// compares can read it directly instead of through an SSE MOVSS.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// packT emits sgemmPackT<R>: for p < k and r < R,
//
//	dst[p*R+r] = src[r*ld+p]
//
// which packs R rows of a row-major matrix into a micro-panel stored column
// by column. It moves 4x4 blocks through SSE registers (VEX-encoded, so no
// SSE/AVX transition) with the unpack/movlhps transpose, R = 4g or 4g+2,
// and the last k%4 columns one value at a time; for the AVX-512 tile's 12
// rows it moves each 12x4 block through zmm registers instead
// (transpose12x4Wide), and for the AVX2 tile's 6 rows it first moves
// blocks of 8 columns through ymm registers (transpose6x8).
func packT(rows int) {
	name := fmt.Sprintf("sgemmPackT%d", rows)
	TEXT(name, NOSPLIT, "func(k int, src []float32, ld int, dst []float32)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s packs %d rows of src (stride ld) column by column:", name, rows),
		fmt.Sprintf("dst[p*%d+r] = src[r*ld+p] for p < k. The caller guarantees", rows),
		fmt.Sprintf("len(src) >= %d*ld+k and len(dst) >= %d*k.", rows-1, rows),
	)
	pk := packTPrologue()
	ld4 := GP64()
	MOVQ(pk.ld, ld4)
	SHLQ(U8(2), ld4)
	// The groups of four rows follow one another, 4*ld apart.
	pk.loops(rows, func(g int) {
		if g == 0 {
			MOVQ(pk.rowp, pk.gp)
		} else {
			ADDQ(ld4, pk.gp)
		}
	})
}

// packTRegs are the registers the transposing packers share: the depth
// (k rounded down to 4, and kAll), the current column of the first row
// (rowp), the micro-panel (dst), the stride in bytes (ld, ld3 = 3*ld) and
// the current group's first row (gp).
type packTRegs struct {
	kAll, k, rowp, ld, ld3, gp Register
	dst                        Mem
}

// packTPrologue loads the parameters k, src, ld and dst.
func packTPrologue() packTRegs {
	var pk packTRegs
	pk.kAll = Load(Param("k"), GP64())
	pk.k = GP64()
	MOVQ(pk.kAll, pk.k)
	ANDQ(I32(-4), pk.k)
	pk.rowp = Load(Param("src").Base(), GP64())
	pk.dst = Mem{Base: Load(Param("dst").Base(), GP64())}
	pk.ld = Load(Param("ld"), GP64())
	SHLQ(U8(2), pk.ld)
	pk.ld3 = GP64()
	LEAQ(Mem{Base: pk.ld, Index: pk.ld, Scale: 2}, pk.ld3)
	pk.gp = GP64()
	return pk
}

// loops emits the transposing packers' loops over the columns: blocks of
// 4 through transpose4x4 (and transpose2x4 for a last group of 2 rows),
// then the last k%4 one value at a time. groupBase(g) points gp at row 4g
// of the current column; it is called for g = 0, 1, ... in order.
func (pk packTRegs) loops(rows int, groupBase func(g int)) {
	var perm []VecVirtual
	var lane []Register
	if rows == wideRows {
		perm = loadWidePerms()
		lane = laneMasks()
	}
	end := GP64()
	if rows == 6 {
		// Blocks of 8 columns first, through ymm registers (transpose6x8).
		k8 := GP64()
		MOVQ(pk.kAll, k8)
		ANDQ(I32(-8), k8)
		LEAQ(Mem{Base: pk.rowp, Index: k8, Scale: 4}, end)
		Label("loop8")
		CMPQ(pk.rowp, end)
		JGE(LabelRef("done8"))
		pk.transpose6x8(groupBase)
		ADDQ(U8(32), pk.rowp)
		ADDQ(U32(32*rows), pk.dst.Base)
		JMP(LabelRef("loop8"))
		Label("done8")
		// What is left for the blocks of 4 and the single columns.
		SUBQ(k8, pk.k)
		SUBQ(k8, pk.kAll)
	}
	LEAQ(Mem{Base: pk.rowp, Index: pk.k, Scale: 4}, end)
	Label("loop")
	CMPQ(pk.rowp, end)
	JGE(LabelRef("done"))
	if perm != nil {
		pk.transpose12x4Wide(groupBase, perm, lane)
	}
	for g := 0; perm == nil && g+4 <= rows; g += 4 {
		groupBase(g / 4)
		transpose4x4(pk.gp, pk.ld, pk.ld3, pk.dst, rows, g)
	}
	if rows%4 == 2 {
		groupBase(rows / 4)
		transpose2x4(pk.gp, pk.ld, pk.dst, rows, rows-2)
	}
	ADDQ(U8(16), pk.rowp)
	ADDQ(U32(16*rows), pk.dst.Base)
	JMP(LabelRef("loop"))

	Label("done")
	// The last k%4 columns, one value at a time.
	SUBQ(pk.k, pk.kAll) // columns left: k%4
	LEAQ(Mem{Base: pk.rowp, Index: pk.kAll, Scale: 4}, end)
	Label("tailloop")
	CMPQ(pk.rowp, end)
	JGE(LabelRef("tailend"))
	for r := 0; r < rows; r++ {
		if r%4 == 0 {
			groupBase(r / 4)
		}
		x := XMM()
		VMOVSS(pk.groupRow(r), x)
		VMOVSS(x, pk.dst.Offset(4*r))
	}
	ADDQ(U8(4), pk.rowp)
	ADDQ(U32(4*rows), pk.dst.Base)
	JMP(LabelRef("tailloop"))
	Label("tailend")
	if perm != nil || rows == 6 {
		VZEROUPPER()
	}
	RET()
}

// transpose6x8 packs 8 steps of a 6-row micro-panel (48 values, 192
// contiguous bytes of dst) through ymm registers: in each 128-bit lane,
// unpacks pair the rows, 64-bit shuffles put each step's six values
// together, and lane permutes assemble the six full-width stores (6 loads
// and 6 stores for 48 values, where two 4-column blocks of transpose4x4
// and transpose2x4 take 12 loads and 16 stores). Rows 0-3 are read from
// group 0's base and rows 4-5 from group 1's, as loops' groupBase sets
// them. The values are packT's. On AMD Zen 4 the packer alone
// (BenchmarkPanelPackers/avx2/6rows/hot) moved 12.9-14.2 Gfloats/s
// against 8.7-9.7 with the 4-column blocks; in the layers, toggled in one
// process (twenty pairs), the forward passes that pack windows took
// 0.97-0.985x the time, the backward passes 0.99-1.00x, the iteration
// 0.987x on one thread and 1.000x on two.
func (pk packTRegs) transpose6x8(groupBase func(g int)) {
	r := make([]VecVirtual, 6)
	for i := range r {
		if i%4 == 0 {
			groupBase(i / 4)
		}
		r[i] = YMM()
		VMOVUPS(pk.groupRow(i), r[i])
	}
	// Per lane, row pairs interleaved: lo[j] = rows 2j, 2j+1 at columns 0
	// and 1 of the lane, hi[j] at columns 2 and 3.
	lo, hi := make([]VecVirtual, 3), make([]VecVirtual, 3)
	for j := range lo {
		lo[j], hi[j] = YMM(), YMM()
		VUNPCKLPS(r[2*j+1], r[2*j], lo[j])
		VUNPCKHPS(r[2*j+1], r[2*j], hi[j])
	}
	// From each of lo and hi, the lane's two steps as three vectors of
	// four: (0 1 2 3 of the first), (4 5 of the first, 0 1 of the second),
	// (2 3 4 5 of the second).
	var q []VecVirtual
	for _, t := range [][]VecVirtual{lo, hi} {
		a, b, c := YMM(), YMM(), YMM()
		VSHUFPS(U8(0x44), t[1], t[0], a) // t0.q0 t1.q0
		VSHUFPS(U8(0xE4), t[0], t[2], b) // t2.q0 t0.q1
		VSHUFPS(U8(0xEE), t[2], t[1], c) // t1.q1 t2.q1
		q = append(q, a, b, c)
	}
	// q holds, per lane, steps 0-1 (a, b, c) and 2-3 (d, e, f) of the
	// lane's four: the low lanes are steps 0-3 of the block, the high
	// lanes steps 4-7.
	for half, sel := range []uint8{0x20, 0x31} {
		for i := 0; i < 3; i++ {
			o := YMM()
			VPERM2F128(U8(sel), q[2*i+1], q[2*i], o)
			VMOVUPS(o, pk.dst.Offset(32*(3*half+i)))
		}
	}
}

// groupRow addresses row r%4 of the current group of four rows (gp, as
// groupBase set it) at the current column.
func (pk packTRegs) groupRow(r int) Mem {
	at := Mem{Base: pk.gp}
	switch r % 4 {
	case 1:
		at.Index, at.Scale = pk.ld, 1
	case 2:
		at.Index, at.Scale = pk.ld, 2
	case 3:
		at.Index, at.Scale = pk.ld3, 1
	}
	return at
}

// transpose4x4 emits the packing of a 4x4 block: the 4 rows from gp (ld
// bytes apart; ld3 = 3*ld), 4 columns each, to rows g..g+3 of 4 steps of a
// micro-panel of width rows at dst, through the unpack/movlhps transpose.
func transpose4x4(gp, ld, ld3 Register, dst Mem, rows, g int) {
	r := make([]VecVirtual, 4)
	for i := range r {
		r[i] = XMM()
	}
	VMOVUPS(Mem{Base: gp}, r[0])
	VMOVUPS(Mem{Base: gp, Index: ld, Scale: 1}, r[1])
	VMOVUPS(Mem{Base: gp, Index: ld, Scale: 2}, r[2])
	VMOVUPS(Mem{Base: gp, Index: ld3, Scale: 1}, r[3])
	t0, t1, t2, t3 := XMM(), XMM(), XMM(), XMM()
	VUNPCKLPS(r[1], r[0], t0) // a0 b0 a1 b1
	VUNPCKHPS(r[1], r[0], t1) // a2 b2 a3 b3
	VUNPCKLPS(r[3], r[2], t2) // c0 d0 c1 d1
	VUNPCKHPS(r[3], r[2], t3) // c2 d2 c3 d3
	VMOVLHPS(t2, t0, r[0])    // a0 b0 c0 d0
	VMOVHLPS(t0, t2, r[1])    // a1 b1 c1 d1
	VMOVLHPS(t3, t1, r[2])    // a2 b2 c2 d2
	VMOVHLPS(t1, t3, r[3])    // a3 b3 c3 d3
	for i := 0; i < 4; i++ {
		VMOVUPS(r[i], dst.Offset(4*(i*rows+g)))
	}
}

// wideRows is the micro-panel width whose 4-step blocks the transposing
// packers move through zmm registers: the AVX-512 tile's MR, whose packers
// only ever run on AVX-512 CPUs (every other width is also an AVX2 one).
const wideRows = 12

// widePerms are the VPERMT2PS index vectors of transpose12x4Wide: for
// output vector o, the first combines its two first sources, the second
// adds the third. Index i < 16 takes lane i of the destination, 16 + i
// lane i of the other source.
var widePerms = [6][16]uint32{
	{0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 1, 5, 9, 13},
	{0, 1, 2, 3, 4, 5, 6, 7, 16, 20, 24, 28, 12, 13, 14, 15},
	{1, 5, 9, 13, 17, 21, 25, 29, 0, 0, 0, 0, 2, 6, 10, 14},
	{0, 1, 2, 3, 4, 5, 6, 7, 18, 22, 26, 30, 12, 13, 14, 15},
	{2, 6, 10, 14, 19, 23, 27, 31, 0, 0, 0, 0, 3, 7, 11, 15},
	{0, 1, 2, 3, 4, 5, 6, 7, 19, 23, 27, 31, 12, 13, 14, 15},
}

// widePermTable is widePerms in the generated file, defined once.
var widePermTable *Mem

// loadWidePerms loads widePerms into six zmm registers.
func loadWidePerms() []VecVirtual {
	if widePermTable == nil {
		t := GLOBL("packTWidePerms", RODATA|NOPTR)
		for o, v := range widePerms {
			for i, x := range v {
				DATA(64*o+4*i, U32(x))
			}
		}
		widePermTable = &t
	}
	perm := make([]VecVirtual, len(widePerms))
	for o := range perm {
		perm[o] = ZMM()
		VMOVUPS(widePermTable.Offset(64*o), perm[o])
	}
	return perm
}

// transpose12x4Wide packs 4 steps of a 12-row micro-panel (48 values, 192
// contiguous bytes of dst) through zmm registers: each group of 4 rows
// goes into one register, row i of the group in lane i, and two VPERMT2PS
// per output vector gather its 16 values from the three, so the block
// takes 3 full-width stores instead of 12 xmm ones and 6 permutes instead
// of 24 shuffles. A group is loaded as a broadcast of its first row and
// three merge-masked broadcasts (masks from laneMasks), not a load and
// three VINSERTF32X4: on Intel cores the insert and the permute share one
// shuffle port, 15 uops a block there, where a masked broadcast's merge
// may also go to the other vector ALU. On an Intel Xeon (one thread,
// k = 128 and 512 from L1, eight alternating in-process rounds against
// the insert version) it took 0.87-0.93x the time; not measured on AMD.
// The values are packT's.
func (pk packTRegs) transpose12x4Wide(groupBase func(g int), perm []VecVirtual, lane []Register) {
	z := make([]VecVirtual, 3)
	for g := range z {
		groupBase(g)
		z[g] = ZMM()
		VBROADCASTF32X4(Mem{Base: pk.gp}, z[g])
		VBROADCASTF32X4(Mem{Base: pk.gp, Index: pk.ld, Scale: 1}, lane[0], z[g])
		VBROADCASTF32X4(Mem{Base: pk.gp, Index: pk.ld, Scale: 2}, lane[1], z[g])
		VBROADCASTF32X4(Mem{Base: pk.gp, Index: pk.ld3, Scale: 1}, lane[2], z[g])
	}
	for o := range z {
		t := ZMM()
		VMOVAPS(z[o], t)
		VPERMT2PS(z[(o+1)%3], perm[2*o], t)
		VPERMT2PS(z[(o+2)%3], perm[2*o+1], t)
		VMOVUPS(t, pk.dst.Offset(64*o))
	}
}

// laneMasks sets three opmask registers to lanes 4-7, 8-11 and 12-15 of a
// zmm register: where transpose12x4Wide's rows 1, 2 and 3 of a group go.
func laneMasks() []Register {
	m := make([]Register, 3)
	t := GP32()
	for i := range m {
		m[i] = K()
		MOVL(U32(0xF<<(4*(i+1))), t)
		KMOVW(t, m[i])
	}
	return m
}

// transpose2x4 is transpose4x4 for the last 2 rows (g, g+1) of a
// micro-panel whose width is 2 past a multiple of 4.
func transpose2x4(gp, ld Register, dst Mem, rows, g int) {
	r0, r1 := XMM(), XMM()
	VMOVUPS(Mem{Base: gp}, r0)
	VMOVUPS(Mem{Base: gp, Index: ld, Scale: 1}, r1)
	t0, t1 := XMM(), XMM()
	VUNPCKLPS(r1, r0, t0) // a0 b0 a1 b1
	VUNPCKHPS(r1, r0, t1) // a2 b2 a3 b3
	VMOVLPS(t0, dst.Offset(4*(0*rows+g)))
	VMOVHPS(t0, dst.Offset(4*(1*rows+g)))
	VMOVLPS(t1, dst.Offset(4*(2*rows+g)))
	VMOVHPS(t1, dst.Offset(4*(3*rows+g)))
}

// packTGroups emits sgemmPackT<R>Groups, packT for rows that come in
// groups of four from separate places: for p < k and r < R,
//
//	dst[p*R+r] = src[off_g + (r%4)*ld + p]    with g = r/4
//
// (off0..off2 in floats; R = 12 has three groups, R = 6 two, the second
// of 2 rows). A convolution's window operand packs a micro-panel that
// crosses an output row this way, each group of pixels from its own row,
// instead of gathering the rows first. Each group goes through packT's
// transposes.
func packTGroups(rows int) {
	name := fmt.Sprintf("sgemmPackT%dGroups", rows)
	groups := (rows + 3) / 4
	if groups > 3 || rows%4 != 0 && rows%4 != 2 {
		panic("packTGroups: rows must be 4g or 4g+2, at most 12")
	}
	TEXT(name, NOSPLIT, "func(k int, src []float32, off0, off1, off2, ld int, dst []float32)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s packs %d rows of src column by column, rows 4g..4g+3 starting at", name, rows),
		fmt.Sprintf("off<g> (stride ld): dst[p*%d+r] = src[off<r/4>+(r%%4)*ld+p] for p < k. The caller", rows),
		"guarantees every row lies in src and len(dst) >= "+fmt.Sprint(rows)+"*k.",
	)
	pk := packTPrologue()
	offs := make([]Register, groups)
	for g := range offs {
		offs[g] = Load(Param(fmt.Sprintf("off%d", g)), GP64())
		SHLQ(U8(2), offs[g])
	}
	pk.loops(rows, func(g int) {
		LEAQ(Mem{Base: pk.rowp, Index: offs[g], Scale: 1}, pk.gp)
	})
}

// axpysPrefetchLog2 sets how many rows ahead (1 << it) the axpys kernels
// prefetch A.
const axpysPrefetchLog2 = 3

// axpys emits sgemmAxpys<v>x<n><ISA>, the skinny kernel for A stored
// transposed (k x m): for i < v*width and j < n,
//
//	out[j*v*width+i] = sum over p < k of a[p*lda+i] * b[p*ldbp+j*ldbj]
//
// Each step of p loads v vectors of a row of A and broadcasts n values of
// B. Every lane accumulates in the same order whatever v is, so a row of C
// comes out the same from the v = 1 kernel.
func axpys(is isa, v, n int) {
	name := fmt.Sprintf("sgemmAxpys%dx%d%s", v, n, is.Suffix)
	w := v * is.Lanes
	TEXT(name, NOSPLIT, "func(k int, a []float32, lda int, b []float32, ldbp, ldbj int, out []float32)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s computes out[j*%d+i] = sum over p < k of a[p*lda+i]*b[p*ldbp+j*ldbj]", name, w),
		fmt.Sprintf("for i < %d and j < %d. The caller guarantees every element read lies in", w, n),
		fmt.Sprintf("a and b and len(out) >= %d.", w*n),
	)
	k := Load(Param("k"), GP64())
	ap := Load(Param("a").Base(), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	bp := Load(Param("b").Base(), GP64())
	ldbp := Load(Param("ldbp"), GP64())
	SHLQ(U8(2), ldbp)
	ldbj := Load(Param("ldbj"), GP64())
	SHLQ(U8(2), ldbj)
	ldbj3 := GP64()
	LEAQ(Mem{Base: ldbj, Index: ldbj, Scale: 2}, ldbj3)
	pfd := GP64()
	MOVQ(lda, pfd)
	SHLQ(U8(axpysPrefetchLog2), pfd)

	acc := make([][]VecVirtual, n)
	for j := range acc {
		acc[j] = make([]VecVirtual, v)
		for u := range acc[j] {
			acc[j][u] = is.Vec()
			VXORPS(acc[j][u], acc[j][u], acc[j][u])
		}
	}
	Label("loop")
	TESTQ(k, k)
	JZ(LabelRef("store"))
	av := make([]VecVirtual, v)
	for u := range av {
		// Row p+axpysPrefetch of A, the same columns: the rows are lda
		// apart, a stride the hardware prefetchers may not follow early
		// enough. A prefetch past the end of A cannot fault.
		if (u*is.Lanes*4)%64 == 0 {
			PREFETCHT0(Mem{Base: ap, Index: pfd, Scale: 1, Disp: 4 * u * is.Lanes})
		}
		av[u] = is.Vec()
		VMOVUPS(Mem{Base: ap, Disp: 4 * u * is.Lanes}, av[u])
	}
	for j := 0; j < n; j++ {
		var m Mem
		switch j {
		case 0:
			m = Mem{Base: bp}
		case 1:
			m = Mem{Base: bp, Index: ldbj, Scale: 1}
		case 2:
			m = Mem{Base: bp, Index: ldbj, Scale: 2}
		case 3:
			m = Mem{Base: bp, Index: ldbj3, Scale: 1}
		}
		bv := is.Vec()
		VBROADCASTSS(m, bv)
		for u := 0; u < v; u++ {
			VFMADD231PS(av[u], bv, acc[j][u])
		}
	}
	ADDQ(lda, ap)
	ADDQ(ldbp, bp)
	DECQ(k)
	JMP(LabelRef("loop"))

	Label("store")
	out := Mem{Base: Load(Param("out").Base(), GP64())}
	for j := 0; j < n; j++ {
		for u := 0; u < v; u++ {
			VMOVUPS(acc[j][u], out.Offset(4*(j*w+u*is.Lanes)))
		}
	}
	VZEROUPPER()
	RET()
}

// packN emits sgemmPackN<R>: for p < k and r < R,
//
//	dst[p*R+r] = src[p*ld+r]
//
// copying R contiguous values per step of k from a strided source into a
// dense micro-panel, in chunks of 8, 4 and 2 values (R = 4g or 4g+2), with
// AVX encodings only so both amd64 paths can use it.
func packN(rows int) {
	name := fmt.Sprintf("sgemmPackN%d", rows)
	TEXT(name, NOSPLIT, "func(k int, src []float32, ld int, dst []float32)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s copies %d values per step of k from src (stride ld):", name, rows),
		fmt.Sprintf("dst[p*%d+r] = src[p*ld+r] for p < k. The caller guarantees", rows),
		fmt.Sprintf("len(src) >= (k-1)*ld+%d and len(dst) >= %d*k.", rows, rows),
	)
	k := Load(Param("k"), GP64())
	src := Load(Param("src").Base(), GP64())
	dst := Load(Param("dst").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	SHLQ(U8(2), ld)
	Label("loop")
	TESTQ(k, k)
	JZ(LabelRef("done"))
	off := 0
	for ; off+8 <= rows; off += 8 {
		y := YMM()
		VMOVUPS(Mem{Base: src, Disp: 4 * off}, y)
		VMOVUPS(y, Mem{Base: dst, Disp: 4 * off})
	}
	if off+4 <= rows {
		x := XMM()
		VMOVUPS(Mem{Base: src, Disp: 4 * off}, x)
		VMOVUPS(x, Mem{Base: dst, Disp: 4 * off})
		off += 4
	}
	if off+2 <= rows {
		x := XMM()
		VMOVSD(Mem{Base: src, Disp: 4 * off}, x)
		VMOVSD(x, Mem{Base: dst, Disp: 4 * off})
		off += 2
	}
	if off != rows {
		panic("packN: rows must be 4g or 4g+2")
	}
	ADDQ(ld, src)
	ADDQ(U32(4*rows), dst)
	DECQ(k)
	JMP(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}

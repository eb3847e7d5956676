// Command im2col generates package conv's implicit-GEMM kernels for amd64,
// once for AVX2+FMA (ymm, 8 lanes) and once for AVX-512 (zmm, 16 lanes),
// each specialised for 1 to 4 filters so the per-filter accumulators and
// broadcast coefficients stay in registers.
//
// Every kernel walks nRuns "runs" of runLen floats: run r of the input
// starts at x + r*xStride (one kernel row of one output pixel, contiguous
// in NHWC), and run r of filter f's transposed kernel row at
// w + f*k + r*runLen. The three kernels are the three passes of a
// convolution with F filters:
//
//	dotRuns:  out[f] += sum_r,i x[r*xStride+i] * w[f*k+r*runLen+i]
//	axpyRuns: y[r*yStride+i] += sum_f a[f] * w[f*k+r*runLen+i]
//	gerRuns:  d[f*k+r*runLen+i] += a[f] * x[r*xStride+i]
//
// dotRuns and gerRuns also come in two-pixel forms (suffix x2). A fourth
// kernel, gatherRows, computes one input pixel's gradient of a stride-1
// convolution at once: dst[0:c] = sum_r coef[r] * w[r*c : r*c+c].
//
// Loops run in blocks of two vectors, then one vector, then one masked
// vector (VMASKMOVPS on AVX2, an opmask on AVX-512), so there is no scalar
// loop. Arguments are raw pointers: the Go wrappers in package conv check
// every bound first.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// maxFilters is the largest filter count with a kernel; it must equal
// conv's implicitMaxFilters.
const maxFilters = 4

func main() {
	ConstraintExpr("!purego")
	defineMasks()
	for _, s := range []isa{avx2, avx512} {
		for f := 1; f <= maxFilters; f++ {
			genDotRuns(s, f, 1)
			genAxpyRuns(s, f)
			genGerRuns(s, f, 1)
		}
		for f := 1; f <= maxFilters; f++ {
			genDotRuns(s, f, 2)
			genGerRuns(s, f, 2)
		}
		genGatherRows(s)
	}
	Generate()
}

// isa describes one vector instruction set.
type isa struct {
	suffix string
	lanes  int
	zmm    bool
}

var (
	avx2   = isa{suffix: "AVX2", lanes: 8}
	avx512 = isa{suffix: "AVX512", lanes: 16, zmm: true}
)

func (s isa) vec() reg.VecVirtual {
	if s.zmm {
		return ZMM()
	}
	return YMM()
}

func (s isa) bytes() int { return 4 * s.lanes }

var maskAVX2, maskAVX512 Mem

// defineMasks emits the tail-mask tables: for AVX2 8 all-ones words then 8
// zero words (the 8 words from word 8-r start with r ones), for AVX-512
// the uint16 opmask 1<<r - 1 at index r.
func defineMasks() {
	maskAVX2 = GLOBL("im2colMaskAVX2", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		v := uint32(0)
		if i < 8 {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}
	maskAVX512 = GLOBL("im2colMaskAVX512", RODATA|NOPTR)
	for r := 0; r < 16; r++ {
		DATA(2*r, U16(uint16(1)<<r-1))
	}
}

// mask is a tail mask: a ymm lane mask on AVX2, an opmask on AVX-512.
type mask struct {
	y reg.VecVirtual
	k reg.OpmaskVirtual
}

// tailMask returns the mask of the first rem lanes, 0 < rem < lanes,
// without changing rem.
func (s isa) tailMask(rem reg.GPVirtual) mask {
	t := GP64()
	if s.zmm {
		LEAQ(maskAVX512, t)
		k := K()
		KMOVW(Mem{Base: t, Index: rem, Scale: 2}, k)
		return mask{k: k}
	}
	LEAQ(maskAVX2, t)
	n := GP64()
	MOVQ(rem, n)
	NEGQ(n)
	v := YMM()
	VMOVDQU(Mem{Base: t, Index: n, Scale: 4, Disp: 32}, v)
	return mask{y: v}
}

// loadMasked loads the masked lanes and zeroes the others; masked-off
// lanes are never read, so they cannot fault.
func (s isa) loadMasked(m Mem, k mask, v reg.VecVirtual) {
	if s.zmm {
		VMOVUPS_Z(m, k.k, v)
		return
	}
	VMASKMOVPS(m, k.y, v)
}

// storeMasked writes only the masked lanes.
func (s isa) storeMasked(v reg.VecVirtual, k mask, m Mem) {
	if s.zmm {
		VMOVUPS(v, k.k, m)
		return
	}
	VMASKMOVPS(v, k.y, m)
}

func (s isa) zero(v reg.VecVirtual) {
	if s.zmm {
		VPXORD(v, v, v)
		return
	}
	VXORPS(v, v, v)
}

// at addresses vector j of the block at element index i of base.
func (s isa) at(base, i reg.GPVirtual, j int) Mem {
	return Mem{Base: base, Index: i, Scale: 4, Disp: j * s.bytes()}
}

// ld loads the integer or pointer parameter name into a new register.
func ld(name string) reg.GPVirtual {
	r := GP64()
	Load(Param(name), r)
	return r
}

// runsArgs loads the common arguments: the stride between runs in bytes,
// the run count and the run length.
func runsArgs(strideName string) (strideBytes, nRuns, runLen reg.GPVirtual) {
	strideBytes = ld(strideName)
	SHLQ(U8(2), strideBytes)
	nRuns = ld("nRuns")
	runLen = ld("runLen")
	return
}

// filterBases returns F pointers to the rows of a [F][k] matrix.
func filterBases(base reg.GPVirtual, f int) []reg.GPVirtual {
	kb := ld("k")
	SHLQ(U8(2), kb)
	rows := []reg.GPVirtual{base}
	for j := 1; j < f; j++ {
		r := GP64()
		LEAQ(Mem{Base: rows[j-1], Index: kb, Scale: 1}, r)
		rows = append(rows, r)
	}
	return rows
}

// runLoop emits the loop over runs around body, which processes one run of
// runLen floats at element offsets 0..runLen of the current pointers; after
// each run, the input pointers (one per pixel) advance by strideBytes and
// every kernel-row pointer by runLen floats.
func (s isa) runLoop(name string, nRuns, runLen, strideBytes reg.GPVirtual, ins, rows []reg.GPVirtual, body func(i reg.GPVirtual)) {
	lenBytes := GP64()
	MOVQ(runLen, lenBytes)
	SHLQ(U8(2), lenBytes)
	Label(name + "_run")
	i := GP64()
	XORQ(i, i)
	body(i)
	for _, in := range ins {
		ADDQ(strideBytes, in)
	}
	for _, r := range rows {
		ADDQ(lenBytes, r)
	}
	DECQ(nRuns)
	JNZ(LabelRef(name + "_run"))
}

// blocks emits the vector loops of one run: step(i, j, m) handles vector j
// of the block at element index i, with m the tail mask for a partial
// vector (nil for full ones); blocks of two vectors, then one, then the
// masked tail.
func (s isa) blocks(name string, i, runLen reg.GPVirtual, tail *mask, step func(i reg.GPVirtual, j int, m *mask)) {
	end := GP64()
	MOVQ(runLen, end)
	SUBQ(U32(2*s.lanes), end)
	Label(name + "_pair")
	CMPQ(i, end)
	JG(LabelRef(name + "_single"))
	step(i, 0, nil)
	step(i, 1, nil)
	ADDQ(U32(2*s.lanes), i)
	JMP(LabelRef(name + "_pair"))
	Label(name + "_single")
	MOVQ(runLen, end)
	SUBQ(U32(s.lanes), end)
	CMPQ(i, end)
	JG(LabelRef(name + "_tail"))
	step(i, 0, nil)
	ADDQ(U32(s.lanes), i)
	Label(name + "_tail")
	CMPQ(i, runLen)
	JGE(LabelRef(name + "_next"))
	step(i, 0, tail)
	Label(name + "_next")
}

// setup emits the early return for empty work and the tail mask.
func (s isa) setup(name string, nRuns, runLen reg.GPVirtual) *mask {
	TESTQ(nRuns, nRuns)
	JZ(LabelRef(name + "_done"))
	TESTQ(runLen, runLen)
	JZ(LabelRef(name + "_done"))
	rem := GP64()
	MOVQ(runLen, rem)
	ANDQ(U32(s.lanes-1), rem)
	m := s.tailMask(rem)
	return &m
}

// broadcastCoefs loads a[0..f) into f broadcast vectors.
func (s isa) broadcastCoefs(f int) []reg.VecVirtual {
	a := ld("a")
	var v []reg.VecVirtual
	for j := 0; j < f; j++ {
		c := s.vec()
		VBROADCASTSS(Mem{Base: a, Disp: 4 * j}, c)
		v = append(v, c)
	}
	return v
}

// pixelInputs returns p input pointers: x, then x + pixStride floats.
func pixelInputs(x reg.GPVirtual, p int) []reg.GPVirtual {
	ins := []reg.GPVirtual{x}
	if p == 2 {
		ps := ld("pixStride")
		x1 := GP64()
		LEAQ(Mem{Base: x, Index: ps, Scale: 4}, x1)
		ins = append(ins, x1)
	}
	return ins
}

// kernelName is dotRuns3AVX512 for one pixel, dotRuns3x2AVX512 for two.
func kernelName(kind string, f, p int, s isa) string {
	if p == 1 {
		return fmt.Sprintf("%s%d%s", kind, f, s.suffix)
	}
	return fmt.Sprintf("%s%dx%d%s", kind, f, p, s.suffix)
}

// signature is the Go signature of a kernel for p pixels.
func signature(image, mat, vec string, p int) string {
	sig := fmt.Sprintf("func(%s *float32, %sStride int, %s *float32, k int, nRuns int, runLen int, %s *float32", image, image, mat, vec)
	if p == 2 {
		sig += ", pixStride int"
	}
	return sig + ")"
}

// pixelsDoc describes the pixels of a kernel for its doc comment.
func pixelsDoc(p int) string {
	if p == 1 {
		return ""
	}
	return " Two pixels at once: the second pixel's runs start pixStride floats after the first's and its values are at index f+F of the vector."
}

// genDotRuns emits dotRuns for f filters and p pixels: each input vector
// is loaded once for all filters and each kernel vector once for all
// pixels, so with two pixels the loop does 2F FMAs per 2+F loads.
func genDotRuns(s isa, f, p int) {
	name := kernelName("dotRuns", f, p, s)
	TEXT(name, NOSPLIT, signature("x", "w", "out", p))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds to out[f], f < %d, the dot products of nRuns runs of x (runLen floats every xStride) with the matching runs of the rows of w (row stride k).%s", name, f, pixelsDoc(p)))
	ins := pixelInputs(ld("x"), p)
	rows := filterBases(ld("w"), f)
	strideBytes, nRuns, runLen := runsArgs("xStride")
	// Independent accumulators (per pixel, filter, and even/odd vector of
	// a block when registers allow) overlap the FMA latencies.
	regs := 16
	if s.zmm {
		regs = 32
	}
	sets := 2
	if 2*p*f+p+2 > regs {
		sets = 1
	}
	acc := make([][][]reg.VecVirtual, p) // [pixel][filter][set]
	for q := range acc {
		acc[q] = make([][]reg.VecVirtual, f)
		for j := range acc[q] {
			for v := 0; v < sets; v++ {
				a := s.vec()
				s.zero(a)
				acc[q][j] = append(acc[q][j], a)
			}
		}
	}
	tail := s.setup(name, nRuns, runLen)
	s.runLoop(name, nRuns, runLen, strideBytes, ins, rows, func(i reg.GPVirtual) {
		s.blocks(name, i, runLen, tail, func(i reg.GPVirtual, v int, m *mask) {
			xv := make([]reg.VecVirtual, p)
			for q := range xv {
				xv[q] = s.vec()
				if m == nil {
					VMOVUPS(s.at(ins[q], i, v), xv[q])
				} else {
					s.loadMasked(s.at(ins[q], i, v), *m, xv[q])
				}
			}
			for j := 0; j < f; j++ {
				var wop Op = s.at(rows[j], i, v)
				if m != nil || p > 1 {
					// Load once for every pixel (masked: only valid lanes).
					wv := s.vec()
					if m == nil {
						VMOVUPS(s.at(rows[j], i, v), wv)
					} else {
						s.loadMasked(s.at(rows[j], i, v), *m, wv)
					}
					wop = wv
				}
				for q := 0; q < p; q++ {
					VFMADD231PS(wop, xv[q], acc[q][j][v%sets])
				}
			}
		})
	})
	Label(name + "_done")
	out := ld("out")
	for q := 0; q < p; q++ {
		for j := 0; j < f; j++ {
			a := acc[q][j]
			var b reg.VecVirtual
			if sets == 2 {
				b = a[1]
			}
			s.hsumAdd(a[0], b, Mem{Base: out, Disp: 4 * (q*f + j)})
		}
	}
	VZEROUPPER()
	RET()
}

// hsumAdd adds the lanes of a and b (if not nil) to the float32 at m. It
// clobbers a.
func (s isa) hsumAdd(a, b reg.VecVirtual, m Mem) {
	if b != nil {
		VADDPS(b, a, a)
	}
	y := a.AsY()
	if s.zmm {
		hi := YMM()
		VEXTRACTF64X4(U8(1), a, hi)
		VADDPS(hi, y, y)
	}
	x := a.AsX()
	hx := XMM()
	if s.zmm {
		VEXTRACTF32X4(U8(1), y, hx)
	} else {
		VEXTRACTF128(U8(1), y, hx)
	}
	VADDPS(hx, x, x)
	VMOVHLPS(x, x, hx)
	VADDPS(hx, x, x)
	VMOVSHDUP(x, hx)
	VADDSS(hx, x, x)
	VADDSS(m, x, x)
	VMOVSS(x, m)
}

func genAxpyRuns(s isa, f int) {
	name := fmt.Sprintf("axpyRuns%d%s", f, s.suffix)
	TEXT(name, NOSPLIT, signature("y", "w", "a", 1))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds to nRuns runs of y (runLen floats every yStride) the combination sum over f < %d of a[f] times the matching runs of the rows of w (row stride k).", name, f))
	y := ld("y")
	rows := filterBases(ld("w"), f)
	strideBytes, nRuns, runLen := runsArgs("yStride")
	coef := s.broadcastCoefs(f)
	tail := s.setup(name, nRuns, runLen)
	s.runLoop(name, nRuns, runLen, strideBytes, []reg.GPVirtual{y}, rows, func(i reg.GPVirtual) {
		s.blocks(name, i, runLen, tail, func(i reg.GPVirtual, v int, m *mask) {
			yv := s.vec()
			if m == nil {
				VMOVUPS(s.at(y, i, v), yv)
				for j := 0; j < f; j++ {
					VFMADD231PS(s.at(rows[j], i, v), coef[j], yv)
				}
				VMOVUPS(yv, s.at(y, i, v))
				return
			}
			s.loadMasked(s.at(y, i, v), *m, yv)
			for j := 0; j < f; j++ {
				wv := s.vec()
				s.loadMasked(s.at(rows[j], i, v), *m, wv)
				VFMADD231PS(wv, coef[j], yv)
			}
			s.storeMasked(yv, *m, s.at(y, i, v))
		})
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// genGerRuns emits gerRuns for f filters and p pixels: with two pixels
// each kernel-gradient vector is loaded and stored once for 2 FMAs.
func genGerRuns(s isa, f, p int) {
	name := kernelName("gerRuns", f, p, s)
	TEXT(name, NOSPLIT, signature("x", "d", "a", p))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds a[f] times nRuns runs of x (runLen floats every xStride) to the matching runs of rows f < %d of d (row stride k).%s", name, f, pixelsDoc(p)))
	ins := pixelInputs(ld("x"), p)
	rows := filterBases(ld("d"), f)
	strideBytes, nRuns, runLen := runsArgs("xStride")
	coef := s.broadcastCoefs(p * f) // coef[q*f+j] = a[q*f+j]
	tail := s.setup(name, nRuns, runLen)
	s.runLoop(name, nRuns, runLen, strideBytes, ins, rows, func(i reg.GPVirtual) {
		s.blocks(name, i, runLen, tail, func(i reg.GPVirtual, v int, m *mask) {
			xv := make([]reg.VecVirtual, p)
			for q := range xv {
				xv[q] = s.vec()
				if m == nil {
					VMOVUPS(s.at(ins[q], i, v), xv[q])
				} else {
					s.loadMasked(s.at(ins[q], i, v), *m, xv[q])
				}
			}
			for j := 0; j < f; j++ {
				dv := s.vec()
				if m == nil {
					VMOVUPS(s.at(rows[j], i, v), dv)
				} else {
					s.loadMasked(s.at(rows[j], i, v), *m, dv)
				}
				for q := 0; q < p; q++ {
					VFMADD231PS(xv[q], coef[q*f+j], dv)
				}
				if m == nil {
					VMOVUPS(dv, s.at(rows[j], i, v))
				} else {
					s.storeMasked(dv, *m, s.at(rows[j], i, v))
				}
			}
		})
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// gatherBlock is the number of vectors of dst a gatherRows block keeps in
// registers while it walks all rows.
const gatherBlock = 8

// genGatherRows emits gatherRows: dst[0:c] = sum over r < nRows of
// coef[r] * w[r*c : r*c+c]. Blocks of gatherBlock vectors of dst stay in
// registers for the whole walk over the rows, so each FMA costs one load
// of w (and each row one broadcast), and dst is written once.
func genGatherRows(s isa) {
	name := "gatherRows" + s.suffix
	TEXT(name, NOSPLIT, "func(dst *float32, c int, w *float32, coef *float32, nRows int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets dst[0:c] to the sum over r < nRows of coef[r] times w[r*c : r*c+c]; nRows and c must be positive.", name))
	dst, c, w, coef, nRows := ld("dst"), ld("c"), ld("w"), ld("coef"), ld("nRows")
	rowBytes := GP64()
	MOVQ(c, rowBytes)
	SHLQ(U8(2), rowBytes)
	col := GP64()
	XORQ(col, col)
	end := GP64()

	// walk emits the loop over rows for nv vectors at column col, then
	// stores them (masked when m is not nil).
	walk := func(label string, nv int, m *mask) {
		acc := make([]reg.VecVirtual, nv)
		for v := range acc {
			acc[v] = s.vec()
			s.zero(acc[v])
		}
		wp, cp, r := GP64(), GP64(), GP64()
		LEAQ(Mem{Base: w, Index: col, Scale: 4}, wp)
		MOVQ(coef, cp)
		MOVQ(nRows, r)
		Label(label)
		b := s.vec()
		VBROADCASTSS(Mem{Base: cp}, b)
		for v := range acc {
			if m == nil {
				VFMADD231PS(Mem{Base: wp, Disp: v * s.bytes()}, b, acc[v])
			} else {
				t := s.vec()
				s.loadMasked(Mem{Base: wp, Disp: v * s.bytes()}, *m, t)
				VFMADD231PS(t, b, acc[v])
			}
		}
		ADDQ(rowBytes, wp)
		ADDQ(U32(4), cp)
		DECQ(r)
		JNZ(LabelRef(label))
		for v := range acc {
			out := Mem{Base: dst, Index: col, Scale: 4, Disp: v * s.bytes()}
			if m == nil {
				VMOVUPS(acc[v], out)
			} else {
				s.storeMasked(acc[v], *m, out)
			}
		}
	}

	MOVQ(c, end)
	SUBQ(U32(gatherBlock*s.lanes), end)
	Label(name + "_block")
	CMPQ(col, end)
	JG(LabelRef(name + "_single"))
	walk(name+"_blockrow", gatherBlock, nil)
	ADDQ(U32(gatherBlock*s.lanes), col)
	JMP(LabelRef(name + "_block"))

	Label(name + "_single")
	MOVQ(c, end)
	SUBQ(U32(s.lanes), end)
	CMPQ(col, end)
	JG(LabelRef(name + "_tail"))
	walk(name+"_singlerow", 1, nil)
	ADDQ(U32(s.lanes), col)
	JMP(LabelRef(name + "_single"))

	Label(name + "_tail")
	CMPQ(col, c)
	JGE(LabelRef(name + "_done"))
	rem := GP64()
	MOVQ(c, rem)
	SUBQ(col, rem)
	m := s.tailMask(rem)
	walk(name+"_tailrow", 1, &m)

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

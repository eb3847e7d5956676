// Command implicit generates package conv's implicit-GEMM kernels for amd64,
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
// dotRuns and gerRuns also come in row forms, dotRow and gerRow, for a row
// of output pixels whose windows lie inside the input. A last
// kernel, gatherRuns, computes the gradients of a row of input pixels of a
// stride-1 convolution, each summed in registers over all its taps.
//
// Loops run in blocks of two vectors, then one vector, then one masked
// vector (VMASKMOVPS on AVX2, an opmask on AVX-512), so there is no scalar
// loop. Arguments are raw pointers: the Go wrappers in package conv check
// every bound first.
//
// With -wiring it also writes the Go file that registers the kernels for
// their kernel paths in conv's run-kernel family.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/gokern/gokern/asm/internal/avx"
	"github.com/gokern/gokern/asm/internal/gen"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// maxFilters is the largest filter count with a kernel; it must equal
// conv's implicitMaxFilters.
const maxFilters = 4

var wiring = flag.String("wiring", "", "write the Go file registering the kernels here")

func main() {
	ConstraintExpr("!purego")
	masks = avx.DefineMasks("implicit")
	for _, s := range []isa{avx2, avx512} {
		for f := 1; f <= maxFilters; f++ {
			genDotRuns(s, f)
			genAxpyRuns(s, f)
			genGerRuns(s, f)
		}
		for f := 1; f <= maxFilters; f++ {
			genDotRow(s, f)
			genGerRow(s, f)
		}
		genGatherRuns(s)
		for _, taps := range s.stripGradTaps() {
			genStripGrad(s, taps)
		}
	}
	genPrefetchRun()
	Generate()
	if *wiring != "" {
		if err := gen.WriteGo(*wiring, "implicit", wiringTemplate, wiringData()); err != nil {
			log.Fatal(err)
		}
	}
}

// isa is one vector instruction set, with this generator's helpers.
type isa struct{ avx.ISA }

var (
	avx2   = isa{avx.AVX2}
	avx512 = isa{avx.AVX512}
)

// masks are the tail-mask tables of the generated file.
var masks avx.Masks

func (s isa) zero(v reg.VecVirtual) {
	if s.ZMM {
		VPXORD(v, v, v)
		return
	}
	VXORPS(v, v, v)
}

// at addresses vector j of the block at element index i of base.
func (s isa) at(base, i reg.GPVirtual, j int) Mem {
	return Mem{Base: base, Index: i, Scale: 4, Disp: j * s.Bytes()}
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
// of the block at element index i, with m the tail avx.Mask for a partial
// vector (nil for full ones); blocks of two vectors, then one, then the
// masked tail.
func (s isa) blocks(name string, i, runLen reg.GPVirtual, tail *avx.Mask, step func(i reg.GPVirtual, j int, m *avx.Mask)) {
	end := GP64()
	MOVQ(runLen, end)
	SUBQ(U32(2*s.Lanes), end)
	Label(name + "_pair")
	CMPQ(i, end)
	JG(LabelRef(name + "_single"))
	step(i, 0, nil)
	step(i, 1, nil)
	ADDQ(U32(2*s.Lanes), i)
	JMP(LabelRef(name + "_pair"))
	Label(name + "_single")
	MOVQ(runLen, end)
	SUBQ(U32(s.Lanes), end)
	CMPQ(i, end)
	JG(LabelRef(name + "_tail"))
	step(i, 0, nil)
	ADDQ(U32(s.Lanes), i)
	Label(name + "_tail")
	CMPQ(i, runLen)
	JGE(LabelRef(name + "_next"))
	step(i, 0, tail)
	Label(name + "_next")
}

// setup emits the early return for empty work and the tail mask.
func (s isa) setup(name string, nRuns, runLen reg.GPVirtual) *avx.Mask {
	TESTQ(nRuns, nRuns)
	JZ(LabelRef(name + "_done"))
	TESTQ(runLen, runLen)
	JZ(LabelRef(name + "_done"))
	rem := GP64()
	MOVQ(runLen, rem)
	ANDQ(U32(s.Lanes-1), rem)
	m := s.TailMask(masks, rem)
	return &m
}

// broadcastCoefs loads a[0..f) into f broadcast vectors.
func (s isa) broadcastCoefs(f int) []reg.VecVirtual {
	a := ld("a")
	var v []reg.VecVirtual
	for j := 0; j < f; j++ {
		c := s.Vec()
		VBROADCASTSS(Mem{Base: a, Disp: 4 * j}, c)
		v = append(v, c)
	}
	return v
}

// pixelInputs returns p input pointers: x, then each next one pixStride
// floats after the one before.
func pixelInputs(x reg.GPVirtual, p int) []reg.GPVirtual {
	ins := []reg.GPVirtual{x}
	if p == 1 {
		return ins
	}
	ps := ld("pixStride")
	for q := 1; q < p; q++ {
		r := GP64()
		LEAQ(Mem{Base: ins[q-1], Index: ps, Scale: 4}, r)
		ins = append(ins, r)
	}
	return ins
}

// dotRowPixels is the number of pixels dotRow for f filters computes at
// once: with p pixels the loop does p*f FMAs per p+f vector loads, and its
// p*f accumulators, p input vectors, one kernel vector and the tail mask
// must fit in the vector registers (16 with AVX2). AVX-512 has 32, so
// there the general-purpose registers set the limit (a pointer per pixel
// and per filter): {8, 8, 6, 4} failed to allocate. On the generator's
// RGB output layer (3 filters, Zen 5, one thread) 5 pixels instead of 3
// made the forward pass 0.86x (median of ten alternating rounds, all
// below 1).
func dotRowPixels(s isa, f int) int {
	if s.ZMM {
		return [...]int{0, 6, 5, 5, 3}[f]
	}
	return [...]int{0, 4, 4, 3, 2}[f]
}

// kernelName is dotRuns3AVX512 for kind dotRuns, 3 filters, AVX-512.
func kernelName(kind string, f int, s isa) string {
	return fmt.Sprintf("%s%d%s", kind, f, s.Suffix)
}

// signature is the Go signature of a one-pixel kernel.
func signature(image, mat, vec string) string {
	return fmt.Sprintf("func(%s *float32, %sStride int, %s *float32, k int, nRuns int, runLen int, %s *float32)", image, image, mat, vec)
}

// genDotRuns emits dotRuns for f filters and one pixel: each input vector
// is loaded once for all filters.
func genDotRuns(s isa, f int) {
	name := kernelName("dotRuns", f, s)
	TEXT(name, NOSPLIT, signature("x", "w", "out"))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds to out[f], f < %d, the dot products of nRuns runs of x (runLen floats every xStride) with the matching runs of the rows of w (row stride k).", name, f))
	dotPixels(s, name, f, 1, ld("x"), func() reg.GPVirtual { return ld("out") })
	VZEROUPPER()
	RET()
}

// genDotRow emits dotRow for f filters: dotRuns for nGroups groups of
// p = dotRowPixels(f) pixels in one call, pixel q's runs starting
// q*pixStride floats after the first's and its products at out[q*f:]. A
// row of output pixels whose windows lie inside the input is one call
// instead of one per pixel, and each kernel vector is loaded once for p
// pixels.
func genDotRow(s isa, f int) {
	p := dotRowPixels(s, f)
	name := kernelName("dotRow", f, s)
	TEXT(name, NOSPLIT, "func(x *float32, xStride int, w *float32, k int, nRuns int, runLen int, out *float32, pixStride int, nGroups int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds to out[q*%d+f], f < %d, for the %d*nGroups pixels q, the dot products of nRuns runs of x + q*pixStride (runLen floats every xStride) with the matching runs of the rows of w (row stride k); nGroups must be positive.", name, f, f, p))
	loc := AllocLocal(24)
	xBase, outBase, left := loc.Offset(0), loc.Offset(8), loc.Offset(16)
	t := ld("x")
	MOVQ(t, xBase)
	t = ld("out")
	MOVQ(t, outBase)
	t = ld("nGroups")
	MOVQ(t, left)
	Label(name + "_group")
	x := GP64()
	MOVQ(xBase, x)
	dotPixels(s, name, f, p, x, func() reg.GPVirtual {
		o := GP64()
		MOVQ(outBase, o)
		return o
	})
	step := ld("pixStride")
	IMUL3Q(U32(4*p), step, step)
	ADDQ(step, xBase)
	ADDQ(U32(4*p*f), outBase)
	DECQ(left)
	JNZ(LabelRef(name + "_group"))
	VZEROUPPER()
	RET()
}

// dotPixels emits the body of dotRuns for f filters and p pixels, the
// first pixel's runs at x, adding the products to the floats at the
// pointer out returns (called once the loop is done, to keep a register
// free during it): each input vector is loaded once for all filters and
// each kernel vector once for all pixels, so the loop does p*f FMAs per
// p+f loads.
func dotPixels(s isa, name string, f, p int, x reg.GPVirtual, out func() reg.GPVirtual) {
	ins := pixelInputs(x, p)
	rows := filterBases(ld("w"), f)
	strideBytes, nRuns, runLen := runsArgs("xStride")
	// Independent accumulators (per pixel, filter, and even/odd vector of
	// a block when registers allow) overlap the FMA latencies.
	regs := 16
	if s.ZMM {
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
				a := s.Vec()
				s.zero(a)
				acc[q][j] = append(acc[q][j], a)
			}
		}
	}
	tail := s.setup(name, nRuns, runLen)
	s.runLoop(name, nRuns, runLen, strideBytes, ins, rows, func(i reg.GPVirtual) {
		s.blocks(name, i, runLen, tail, func(i reg.GPVirtual, v int, m *avx.Mask) {
			xv := make([]reg.VecVirtual, p)
			for q := range xv {
				xv[q] = s.Vec()
				if m == nil {
					VMOVUPS(s.at(ins[q], i, v), xv[q])
				} else {
					s.LoadMasked(s.at(ins[q], i, v), *m, xv[q])
				}
			}
			for j := 0; j < f; j++ {
				var wop Op = s.at(rows[j], i, v)
				if m != nil || p > 1 {
					// Load once for every pixel (masked: only valid lanes).
					wv := s.Vec()
					if m == nil {
						VMOVUPS(s.at(rows[j], i, v), wv)
					} else {
						s.LoadMasked(s.at(rows[j], i, v), *m, wv)
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
	o := out()
	for q := 0; q < p; q++ {
		for j := 0; j < f; j++ {
			a := acc[q][j]
			var b reg.VecVirtual
			if sets == 2 {
				b = a[1]
			}
			s.hsumAdd(a[0], b, Mem{Base: o, Disp: 4 * (q*f + j)})
		}
	}
}

// hsumAdd adds the lanes of a and b (if not nil) to the float32 at m. It
// clobbers a.
func (s isa) hsumAdd(a, b reg.VecVirtual, m Mem) {
	if b != nil {
		VADDPS(b, a, a)
	}
	x := s.Hsum(a)
	VADDSS(m, x, x)
	VMOVSS(x, m)
}

func genAxpyRuns(s isa, f int) {
	name := kernelName("axpyRuns", f, s)
	TEXT(name, NOSPLIT, signature("y", "w", "a"))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds to nRuns runs of y (runLen floats every yStride) the combination sum over f < %d of a[f] times the matching runs of the rows of w (row stride k).", name, f))
	y := ld("y")
	rows := filterBases(ld("w"), f)
	strideBytes, nRuns, runLen := runsArgs("yStride")
	coef := s.broadcastCoefs(f)
	tail := s.setup(name, nRuns, runLen)
	s.runLoop(name, nRuns, runLen, strideBytes, []reg.GPVirtual{y}, rows, func(i reg.GPVirtual) {
		s.blocks(name, i, runLen, tail, func(i reg.GPVirtual, v int, m *avx.Mask) {
			yv := s.Vec()
			if m == nil {
				VMOVUPS(s.at(y, i, v), yv)
				for j := 0; j < f; j++ {
					VFMADD231PS(s.at(rows[j], i, v), coef[j], yv)
				}
				VMOVUPS(yv, s.at(y, i, v))
				return
			}
			s.LoadMasked(s.at(y, i, v), *m, yv)
			for j := 0; j < f; j++ {
				wv := s.Vec()
				s.LoadMasked(s.at(rows[j], i, v), *m, wv)
				VFMADD231PS(wv, coef[j], yv)
			}
			s.StoreMasked(yv, *m, s.at(y, i, v))
		})
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// genGerRuns emits gerRuns for f filters and one pixel, for the pixels
// at the borders (gerRow does the rest).
func genGerRuns(s isa, f int) {
	p := 1
	name := kernelName("gerRuns", f, s)
	TEXT(name, NOSPLIT, signature("x", "d", "a"))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds a[f] times nRuns runs of x (runLen floats every xStride) to the matching runs of rows f < %d of d (row stride k).", name, f))
	ins := pixelInputs(ld("x"), p)
	rows := filterBases(ld("d"), f)
	strideBytes, nRuns, runLen := runsArgs("xStride")
	coef := s.broadcastCoefs(p * f) // coef[q*f+j] = a[q*f+j]
	tail := s.setup(name, nRuns, runLen)
	s.runLoop(name, nRuns, runLen, strideBytes, ins, rows, func(i reg.GPVirtual) {
		s.blocks(name, i, runLen, tail, func(i reg.GPVirtual, v int, m *avx.Mask) {
			xv := make([]reg.VecVirtual, p)
			for q := range xv {
				xv[q] = s.Vec()
				if m == nil {
					VMOVUPS(s.at(ins[q], i, v), xv[q])
				} else {
					s.LoadMasked(s.at(ins[q], i, v), *m, xv[q])
				}
			}
			for j := 0; j < f; j++ {
				dv := s.Vec()
				if m == nil {
					VMOVUPS(s.at(rows[j], i, v), dv)
				} else {
					s.LoadMasked(s.at(rows[j], i, v), *m, dv)
				}
				for q := 0; q < p; q++ {
					VFMADD231PS(xv[q], coef[q*f+j], dv)
				}
				if m == nil {
					VMOVUPS(dv, s.at(rows[j], i, v))
				} else {
					s.StoreMasked(dv, *m, s.at(rows[j], i, v))
				}
			}
		})
	})
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// gerRowBlock is the number of vectors of a run the gerRow kernel for f
// filters keeps in registers: its accumulators (gerRowBlock * f), the f
// broadcast coefficients and one input vector must fit in the vector
// registers, 16 with AVX2. With AVX-512's 32 the blocks are larger, as
// far as the register allocator goes (8 for 3 filters failed). Only the
// 3-filter kernel was measured (the generator's RGB output layer, Zen 5,
// one thread): 6 vectors instead of 4 made its backward-weights 0.88x
// (median of eight alternating rounds, seven below 1).
func gerRowBlock(s isa, f int) int {
	if s.ZMM {
		return [...]int{0, 20, 10, 6, 4}[f]
	}
	return [...]int{0, 12, 6, 4, 2}[f]
}

// genGerRow emits gerRow for f filters: backward-weights over a row of
// nPix output pixels whose windows all lie inside the input, the next
// pixel's runs starting pixStride floats later. The kernel-gradient block
// being summed stays in registers over all the pixels, and is added to d
// once, so the loop does gerRowBlock*f FMAs per gerRowBlock input loads
// and f broadcasts, with no loads or stores of d (gerRuns, one pixel at a
// time, loads and stores every d vector for each pixel).
func genGerRow(s isa, f int) {
	name := kernelName("gerRow", f, s)
	TEXT(name, NOSPLIT, "func(x *float32, xStride int, d *float32, k int, nRuns int, runLen int, a *float32, pixStride int, nPix int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds, for rows f < %d of d (row stride k), the sum over pixels q < nPix of a[q*%d+f] times nRuns runs of x + q*pixStride (runLen floats every xStride) to the matching runs of the row; nRuns, runLen and nPix must be positive.", name, f, f))
	loc := AllocLocal(24)
	strideStep, pixStep, runsLeft := loc.Offset(0), loc.Offset(8), loc.Offset(16)
	t := ld("xStride")
	SHLQ(U8(2), t)
	MOVQ(t, strideStep)
	t = ld("pixStride")
	SHLQ(U8(2), t)
	MOVQ(t, pixStep)
	t = ld("nRuns")
	MOVQ(t, runsLeft)
	xr := ld("x")
	rows := filterBases(ld("d"), f)
	runLen := ld("runLen")
	lenBytes := GP64()
	MOVQ(runLen, lenBytes)
	SHLQ(U8(2), lenBytes)
	i, end := GP64(), GP64()

	// block emits the sum over the pixels of nv vectors at element i of
	// the run, added to d (masked when m is not nil).
	block := func(label string, nv int, m *avx.Mask) {
		acc := make([][]reg.VecVirtual, nv) // [vector][filter]
		for v := range acc {
			for j := 0; j < f; j++ {
				r := s.Vec()
				s.zero(r)
				acc[v] = append(acc[v], r)
			}
		}
		xq, aq, q := GP64(), GP64(), GP64()
		MOVQ(xr, xq)
		Load(Param("a"), aq)
		Load(Param("nPix"), q)
		Label(label)
		coef := make([]reg.VecVirtual, f)
		for j := range coef {
			coef[j] = s.Vec()
			VBROADCASTSS(Mem{Base: aq, Disp: 4 * j}, coef[j])
		}
		for v := 0; v < nv; v++ {
			var xop Op = s.at(xq, i, v)
			if m != nil || f > 1 {
				xv := s.Vec()
				if m == nil {
					VMOVUPS(s.at(xq, i, v), xv)
				} else {
					s.LoadMasked(s.at(xq, i, v), *m, xv)
				}
				xop = xv
			}
			for j := 0; j < f; j++ {
				VFMADD231PS(xop, coef[j], acc[v][j])
			}
		}
		ADDQ(pixStep, xq)
		ADDQ(U32(4*f), aq)
		DECQ(q)
		JNZ(LabelRef(label))
		for v := 0; v < nv; v++ {
			for j := 0; j < f; j++ {
				dm := s.at(rows[j], i, v)
				if m == nil {
					VADDPS(dm, acc[v][j], acc[v][j])
					VMOVUPS(acc[v][j], dm)
					continue
				}
				dv := s.Vec()
				s.LoadMasked(dm, *m, dv)
				VADDPS(dv, acc[v][j], acc[v][j])
				s.StoreMasked(acc[v][j], *m, dm)
			}
		}
	}

	nb := gerRowBlock(s, f)
	Label(name + "_run")
	XORQ(i, i)
	MOVQ(runLen, end)
	SUBQ(U32(nb*s.Lanes), end)
	Label(name + "_block")
	CMPQ(i, end)
	JG(LabelRef(name + "_single"))
	block(name+"_blockpix", nb, nil)
	ADDQ(U32(nb*s.Lanes), i)
	JMP(LabelRef(name + "_block"))
	Label(name + "_single")
	MOVQ(runLen, end)
	SUBQ(U32(s.Lanes), end)
	Label(name + "_singleloop")
	CMPQ(i, end)
	JG(LabelRef(name + "_tail"))
	block(name+"_singlepix", 1, nil)
	ADDQ(U32(s.Lanes), i)
	JMP(LabelRef(name + "_singleloop"))
	Label(name + "_tail")
	CMPQ(i, runLen)
	JGE(LabelRef(name + "_next"))
	rem := GP64()
	MOVQ(runLen, rem)
	SUBQ(i, rem)
	m := s.TailMask(masks, rem)
	block(name+"_tailpix", 1, &m)
	Label(name + "_next")
	ADDQ(strideStep, xr)
	for _, r := range rows {
		ADDQ(lenBytes, r)
	}
	DECQ(runsLeft)
	JNZ(LabelRef(name + "_run"))
	VZEROUPPER()
	RET()
}

// gatherBlock is the number of vectors of dst a one-pixel gatherRuns block
// keeps in registers while it walks all rows.
const gatherBlock = 8

// gatherPairBlocks are the block sizes of the two-pixel gatherRuns walk:
// on AVX2, 2*6 accumulators, two broadcasts and one kernel vector fill the
// 16 registers. (For AVX-512, avo's register allocator gives up on the
// 6-vector walk, so it stays at 4, which the wider vectors make up for.)
func (s isa) gatherPairBlocks() []int {
	if s.ZMM {
		return []int{4, 1}
	}
	return []int{6, 4, 1}
}

// genPrefetchRun emits prefetchRun, which asks for a run of floats to be
// brought into L2 ahead of its use: one PREFETCHT1 per 64-byte line. It
// needs no vector unit, so both kernel paths share it.
func genPrefetchRun() {
	TEXT("prefetchRun", NOSPLIT, "func(p *float32, n int)")
	Pragma("noescape")
	Doc("prefetchRun asks for the lines holding p[0:n] to be brought into L2 (PREFETCHT1 every 64 bytes from p on, and at p[n-1]); it reads and writes nothing, and n <= 0 does nothing.")
	p, n := ld("p"), ld("n")
	TESTQ(n, n)
	JLE(LabelRef("prefetchRun_done"))
	last := GP64()
	LEAQ(Mem{Base: p, Index: n, Scale: 4, Disp: -4}, last)
	Label("prefetchRun_line")
	PREFETCHT1(Mem{Base: p})
	ADDQ(U8(64), p)
	CMPQ(p, last)
	JLE(LabelRef("prefetchRun_line"))
	PREFETCHT1(Mem{Base: last})
	Label("prefetchRun_done")
	RET()
}

// genGatherRuns emits gatherRuns: for each of nPix pixels p,
//
//	dst[p*c : p*c+c] = sum over r < nRuns, i < runLen of
//	    coef[p*coefPix + r*coefStride + i] * w[(r*wStride+i)*c : ... + c]
//
// that is nRuns runs of runLen rows of w (runs wStride rows apart) against
// runs of coefficients. For a stride-1 convolution with w the kernel
// rotated by 180 degrees as [KH][KW][F][C] rows, one run per kernel row,
// the coefficients of an input pixel's taps are runs of dy itself (KW*F
// adjacent floats per output row), and the next input pixel's are F floats
// later: a whole row of interior input pixels is one call, with no copy of
// dy. Blocks of dst stay in registers for the whole walk over the rows, and
// dst is written once. Pixels go in pairs, each kernel vector loaded once
// for both (per row, two broadcasts and nv loads for 2*nv FMAs); a last odd
// pixel walks alone, in blocks of gatherBlock vectors.
func genGatherRuns(s isa) {
	name := "gatherRuns" + s.Suffix
	TEXT(name, NOSPLIT, "func(dst *float32, c int, w *float32, wStride int, coef *float32, coefStride int, coefPix int, nRuns int, runLen int, nPix int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets dst[p*c : p*c+c], p < nPix, to the sum over r < nRuns, i < runLen of coef[p*coefPix + r*coefStride + i] times w[(r*wStride+i)*c : (r*wStride+i)*c + c]; c, nRuns, runLen and nPix must be positive.", name))
	// Strides in bytes that only the outer loops need live on the stack.
	locals := AllocLocal(40)
	wRunStep, cRunStep, cPixStep, left, cols := locals.Offset(0), locals.Offset(8), locals.Offset(16), locals.Offset(24), locals.Offset(32)
	rowBytes := ld("c")
	MOVQ(rowBytes, cols)
	SHLQ(U8(2), rowBytes)
	t := ld("wStride")
	IMULQ(rowBytes, t)
	MOVQ(t, wRunStep)
	t = ld("coefStride")
	SHLQ(U8(2), t)
	MOVQ(t, cRunStep)
	t = ld("coefPix")
	SHLQ(U8(2), t)
	MOVQ(t, cPixStep)
	t = ld("nPix")
	MOVQ(t, left)
	dst, coef := ld("dst"), ld("coef")
	col := GP64()

	// walk emits the loop over all rows for nv vectors at column col of p
	// pixels (the second's coefficients cPixStep bytes and its dst
	// rowBytes after the first's), then stores them (masked when m is not
	// nil).
	walk := func(label string, p, nv int, m *avx.Mask) {
		acc := make([][]reg.VecVirtual, p)
		for q := range acc {
			for v := 0; v < nv; v++ {
				a := s.Vec()
				s.zero(a)
				acc[q] = append(acc[q], a)
			}
		}
		wRun, cRun, r := GP64(), GP64(), GP64()
		Load(Param("w"), wRun)
		LEAQ(Mem{Base: wRun, Index: col, Scale: 4}, wRun)
		MOVQ(coef, cRun)
		Load(Param("nRuns"), r)
		Label(label + "run")
		wp, i := GP64(), GP64()
		cp := make([]reg.GPVirtual, p)
		MOVQ(wRun, wp)
		for q := range cp {
			cp[q] = GP64()
			MOVQ(cRun, cp[q])
			if q > 0 {
				ADDQ(cPixStep, cp[q])
			}
		}
		Load(Param("runLen"), i)
		Label(label + "row")
		b := make([]reg.VecVirtual, p)
		for q := range b {
			b[q] = s.Vec()
			VBROADCASTSS(Mem{Base: cp[q]}, b[q])
		}
		for v := 0; v < nv; v++ {
			wm := Mem{Base: wp, Disp: v * s.Bytes()}
			if m == nil && p == 1 {
				VFMADD231PS(wm, b[0], acc[0][v])
				continue
			}
			wv := s.Vec()
			if m == nil {
				VMOVUPS(wm, wv)
			} else {
				s.LoadMasked(wm, *m, wv)
			}
			for q := range acc {
				VFMADD231PS(wv, b[q], acc[q][v])
			}
		}
		ADDQ(rowBytes, wp)
		for q := range cp {
			ADDQ(U32(4), cp[q])
		}
		DECQ(i)
		JNZ(LabelRef(label + "row"))
		ADDQ(wRunStep, wRun)
		ADDQ(cRunStep, cRun)
		DECQ(r)
		JNZ(LabelRef(label + "run"))
		for q := range acc {
			base := dst
			if q > 0 {
				base = GP64()
				LEAQ(Mem{Base: dst, Index: rowBytes, Scale: 1}, base)
			}
			for v, a := range acc[q] {
				out := Mem{Base: base, Index: col, Scale: 4, Disp: v * s.Bytes()}
				if m == nil {
					VMOVUPS(a, out)
				} else {
					s.StoreMasked(a, *m, out)
				}
			}
		}
	}

	// columns emits the walks over all columns of p pixels: blocks of the
	// given sizes while they fit, then a masked tail.
	columns := func(label string, p int, sizes []int) {
		XORQ(col, col)
		for _, nv := range sizes {
			l := fmt.Sprintf("%s_b%d", label, nv)
			Label(l)
			end := GP64()
			MOVQ(cols, end)
			SUBQ(U32(nv*s.Lanes), end)
			CMPQ(col, end)
			JG(LabelRef(l + "done"))
			walk(l, p, nv, nil)
			ADDQ(U32(nv*s.Lanes), col)
			JMP(LabelRef(l))
			Label(l + "done")
		}
		rem := GP64()
		MOVQ(cols, rem)
		SUBQ(col, rem)
		JLE(LabelRef(label + "_cols"))
		m := s.TailMask(masks, rem)
		walk(label+"_tail", p, 1, &m)
		Label(label + "_cols")
	}

	Label(name + "_pixels")
	CMPQ(left, U8(2))
	JL(LabelRef(name + "_last"))
	columns(name+"_pair", 2, s.gatherPairBlocks())
	LEAQ(Mem{Base: dst, Index: rowBytes, Scale: 2}, dst)
	ADDQ(cPixStep, coef)
	ADDQ(cPixStep, coef)
	SUBQ(U8(2), left)
	JNZ(LabelRef(name + "_pixels"))
	JMP(LabelRef(name + "_done"))

	Label(name + "_last")
	columns(name+"_one", 1, []int{gatherBlock, 1})

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// stripGradTaps are the tap counts with a stripGrad kernel, smallest
// first: multiples of 4 up to as many accumulators as the registers hold
// beside the gradient vector (AVX-512 folds the broadcast into the FMA, so
// it needs no broadcast register). conv splits a window into groups of
// these and pads the last.
func (s isa) stripGradTaps() []int {
	max := 12
	if s.ZMM {
		max = 28
	}
	var t []int
	for n := 4; n <= max; n += 4 {
		t = append(t, n)
	}
	return t
}

// genStripGrad emits stripGrad for taps accumulators: for b < blocks,
//
//	acc[b][t][:] += sum over p < n of s[p*step+t] * dy[p*ldy+b*lanes : ... + lanes]
//
// for t < taps, with acc laid out [blocks][taps][lanes]. With s a strip
// of a layer with few input channels (conv/strip.go), where output pixel
// p's window is the taps floats from s[p*step] on, and dy that row's
// output gradients, this is the row's contribution to a block of lanes
// filters of the weight gradient. Each block's accumulators stay in
// registers over the whole row; each gradient vector is loaded once for
// all taps, each window value broadcast once for the vector.
func genStripGrad(s isa, taps int) {
	name := fmt.Sprintf("stripGrad%d%s", taps, s.Suffix)
	TEXT(name, NOSPLIT, "func(s *float32, step int, n int, dy *float32, ldy int, blocks int, acc *float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s adds, for b < blocks and t < %d, the sum over p < n of s[p*step+t] times dy[p*ldy+b*%d : p*ldy+b*%d+%d] to acc[(b*%d+t)*%d : (b*%d+t)*%d+%d].", name, taps, s.Lanes, s.Lanes, s.Lanes, taps, s.Lanes, taps, s.Lanes, s.Lanes))
	stepBytes := ld("step")
	SHLQ(U8(2), stepBytes)
	ldyBytes := ld("ldy")
	SHLQ(U8(2), ldyBytes)
	n, blocks := ld("n"), ld("blocks")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	TESTQ(blocks, blocks)
	JZ(LabelRef(name + "_done"))
	accp, dyb := ld("acc"), ld("dy")

	Label(name + "_block")
	acc := make([]reg.VecVirtual, taps)
	for t := range acc {
		acc[t] = s.Vec()
		VMOVUPS(Mem{Base: accp, Disp: t * s.Bytes()}, acc[t])
	}
	sp, dp, q := ld("s"), GP64(), GP64()
	MOVQ(dyb, dp)
	MOVQ(n, q)
	Label(name + "_pixel")
	g := s.Vec()
	VMOVUPS(Mem{Base: dp}, g)
	for t := range acc {
		w := Mem{Base: sp, Disp: 4 * t}
		if s.ZMM {
			VFMADD231PS_BCST(w, g, acc[t])
			continue
		}
		b := s.Vec()
		VBROADCASTSS(w, b)
		VFMADD231PS(g, b, acc[t])
	}
	ADDQ(stepBytes, sp)
	ADDQ(ldyBytes, dp)
	DECQ(q)
	JNZ(LabelRef(name + "_pixel"))
	for t := range acc {
		VMOVUPS(acc[t], Mem{Base: accp, Disp: t * s.Bytes()})
	}
	ADDQ(U32(taps*s.Bytes()), accp)
	ADDQ(U32(s.Bytes()), dyb)
	DECQ(blocks)
	JNZ(LabelRef(name + "_block"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

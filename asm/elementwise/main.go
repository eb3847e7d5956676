// Command elementwise generates gokern's element-wise, reduction, activation
// and Adam kernels for amd64, once for AVX2+FMA (ymm, 8 lanes) and once for
// AVX-512 (zmm, 16 lanes). Every kernel streams its slices in blocks of
// several vectors, then single vectors, then finishes with one masked vector
// (VMASKMOVPS on AVX2, an opmask register on AVX-512), so no scalar loop is
// needed: masked loads never fault on the lanes they skip and masked stores
// never write them.
//
// The AVX2 functions must only use Y0-Y15 (VBLENDVPS and VMASKMOVPS have no
// EVEX form, and any EVEX encoding would not run on an AVX2-only CPU); a
// test in package kernels scans the generated file to enforce it.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/gokern/gokern/asm/internal/avx"
	"github.com/gokern/gokern/asm/internal/gen"
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

func main() {
	ConstraintExpr("!purego")
	defineData()
	for _, s := range []isa{avx2, avx512} {
		genMaps(s)
		genReductions(s)
		genRows(s)
	}
	Generate()
	if *wiring != "" {
		data, err := wiringData()
		if err == nil {
			err = gen.WriteGo(*wiring, "elementwise", wiringTemplate, data)
		}
		if err != nil {
			log.Fatal(err)
		}
	}
}

var wiring = flag.String("wiring", "", "write the Go file installing the kernels here")

// isa is one vector instruction set, with this generator's helpers.
type isa struct{ avx.ISA }

var (
	avx2   = isa{avx.AVX2}
	avx512 = isa{avx.AVX512}
)

func (s isa) load(m Mem, v reg.VecVirtual) { VMOVUPS(m, v) }

func (s isa) store(v reg.VecVirtual, m Mem) { VMOVUPS(v, m) }

// Bitwise operations: VANDPS and friends on zmm need AVX512DQ, the integer
// forms only AVX512F.
func (s isa) and(a Op, b, dst reg.VecVirtual) {
	if s.ZMM {
		VPANDD(a, b, dst)
		return
	}
	VANDPS(a, b, dst)
}

func (s isa) or(a Op, b, dst reg.VecVirtual) {
	if s.ZMM {
		VPORD(a, b, dst)
		return
	}
	VORPS(a, b, dst)
}

func (s isa) xor(a Op, b, dst reg.VecVirtual) {
	if s.ZMM {
		VPXORD(a, b, dst)
		return
	}
	VXORPS(a, b, dst)
}

func (s isa) zero(v reg.VecVirtual) { s.xor(v, v, v) }

// leaky replaces the lanes of v where test is not > 0 (zero, negative or
// NaN) by alpha*v: LeakyReLU of v with the sign taken from test. zero holds
// 0 in every lane.
func (s isa) leaky(test, v, alpha, zero reg.VecVirtual) {
	if s.ZMM {
		k := K()
		VCMPPS(U8(cmpNGTUQ), zero, test, k) // k = !(test > 0)
		VMULPS(alpha, v, k, v)              // v{k} = alpha*v
		return
	}
	t := YMM()
	VMULPS(alpha, v, t)
	m := YMM()
	VCMPPS(U8(cmpNGTUQ), zero, test, m)
	VBLENDVPS(m, t, v, v) // v = m ? t : v
}

// selectCmp sets dst = (x pred limit) ? a : b lane by lane.
func (s isa) selectCmp(x Op, limit Mem, a, b, dst reg.VecVirtual, pred uint8) {
	if s.ZMM {
		k := K()
		VCMPPS(U8(pred), limit, x, k)
		VBLENDMPS(a, b, k, dst)
		return
	}
	m := YMM()
	VCMPPS(U8(pred), limit, x, m)
	VBLENDVPS(m, a, b, dst)
}

// Comparison predicates for VCMPPS.
const (
	cmpNGEUQ = 0x19 // !(a >= b), true for NaN
	cmpNGTUQ = 0x1A // !(a > b), true for NaN
)

// broadcast loads the float32 parameter name into every lane of a vector.
func (s isa) broadcast(name string) reg.VecVirtual {
	v := s.Vec()
	VBROADCASTSS(addr(Param(name)), v)
	return v
}

// addr is the stack address of a scalar parameter or result.
func addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// loadSlice returns the base pointer and length registers of a slice
// parameter.
func loadSlice(name string) (base, n reg.GPVirtual) {
	base = GP64()
	Load(Param(name).Base(), base)
	n = GP64()
	Load(Param(name).Len(), n)
	return base, n
}

func loadBase(name string) reg.GPVirtual {
	base := GP64()
	Load(Param(name).Base(), base)
	return base
}

// elem addresses vector j of the block at element index i of base.
func (s isa) elem(base, i reg.GPVirtual, j int) Mem {
	return Mem{Base: base, Index: i, Scale: 4, Disp: j * s.Bytes()}
}

// stream walks n elements with an index register: blocks of unroll
// vectors, then single vectors, then one masked vector for the last
// n%lanes elements.
func (s isa) stream(prefix string, n reg.GPVirtual, unroll int, block func(i reg.GPVirtual, count int), tail func(i reg.GPVirtual, m avx.Mask)) {
	i := GP64()
	XORQ(i, i)
	lim := GP64()
	if unroll > 1 {
		MOVQ(n, lim)
		SUBQ(U32(unroll*s.Lanes), lim)
		Label(prefix + "_blocks")
		CMPQ(i, lim)
		JG(LabelRef(prefix + "_single"))
		block(i, unroll)
		ADDQ(U32(unroll*s.Lanes), i)
		JMP(LabelRef(prefix + "_blocks"))
		Label(prefix + "_single")
	}
	MOVQ(n, lim)
	SUBQ(U32(s.Lanes), lim)
	Label(prefix + "_vectors")
	CMPQ(i, lim)
	JG(LabelRef(prefix + "_tail"))
	block(i, 1)
	ADDQ(U32(s.Lanes), i)
	JMP(LabelRef(prefix + "_vectors"))
	Label(prefix + "_tail")
	rem := GP64()
	MOVQ(n, rem)
	SUBQ(i, rem)
	JZ(LabelRef(prefix + "_done"))
	tail(i, s.TailMask(masks, rem))
	Label(prefix + "_done")
}

func (s isa) name(kernel string) string { return kernel + s.Suffix }

func (s isa) text(kernel, sig, doc string) {
	emitted = append(emitted, kernel)
	TEXT(s.name(kernel), NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is the %s kernel of %s.", s.name(kernel), s.Suffix, doc))
}

// ret ends a function.
func ret() {
	VZEROUPPER()
	RET()
}

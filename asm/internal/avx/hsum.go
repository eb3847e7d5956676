package avx

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Hsum adds the lanes of v, clobbering v; the sum is lane 0 of the returned
// register (v's low xmm). Every generator reduces in this one order, halves
// then quarters then pairs: on AVX2
//
//	((v0+v4) + (v2+v6)) + ((v1+v5) + (v3+v7))
//
// and on AVX-512 the same with each vi replaced by (vi+v(i+8)), so a sum
// gives the same bits whichever family's kernel computes it. It uses only instructions
// with EVEX forms on AVX-512, because accumulators there may live in
// X16-X31, which VEX encodings (VEXTRACTF128, VHADDPS) cannot name; AVX2
// gets VEX encodings only (X0-X15).
func (s ISA) Hsum(v reg.VecVirtual) reg.VecVirtual {
	y := v.AsY().(reg.VecVirtual)
	if s.ZMM {
		hi := YMM()
		VEXTRACTF64X4(U8(1), v, hi)
		VADDPS(hi, y, y)
	}
	x := y.AsX().(reg.VecVirtual)
	hi := XMM()
	if s.ZMM {
		VEXTRACTF32X4(U8(1), y, hi)
	} else {
		VEXTRACTF128(U8(1), y, hi)
	}
	VADDPS(hi, x, x)
	VMOVHLPS(x, x, hi) // hi[0:2] = x[2:4]
	VADDPS(hi, x, x)
	VMOVSHDUP(x, hi) // hi[0] = x[1]
	VADDSS(hi, x, x)
	return x
}

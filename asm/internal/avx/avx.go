// Package avx holds what gokern's Avo generators share about the two amd64
// vector instruction sets they target: the vector width, and the tail masks
// that let a kernel finish a slice with one masked vector instead of a
// scalar loop (masked loads never fault on the lanes they skip, masked
// stores never write them).
package avx

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// ISA describes one vector instruction set.
type ISA struct {
	Suffix string // function name suffix: AVX2 or AVX512
	Lanes  int    // float32 lanes per vector
	ZMM    bool   // AVX-512: zmm registers and opmasks
}

// The two instruction sets gokern generates for.
var (
	AVX2   = ISA{Suffix: "AVX2", Lanes: 8}
	AVX512 = ISA{Suffix: "AVX512", Lanes: 16, ZMM: true}
)

// Vec allocates a vector register of the ISA's width.
func (s ISA) Vec() reg.VecVirtual {
	if s.ZMM {
		return ZMM()
	}
	return YMM()
}

// Bytes is the size of one vector.
func (s ISA) Bytes() int { return 4 * s.Lanes }

// Masks are the read-only tables tail masks are loaded from.
type Masks struct {
	avx2   Mem // 8 all-ones 32-bit words, then 8 zero words
	avx512 Mem // at index r, the uint16 opmask of the first r lanes
}

// DefineMasks emits the mask tables as prefix+"MaskAVX2" and
// prefix+"MaskAVX512"; call it once per generated file.
func DefineMasks(prefix string) Masks {
	var m Masks
	m.avx2 = GLOBL(prefix+"MaskAVX2", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		v := uint32(0)
		if i < 8 {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}
	m.avx512 = GLOBL(prefix+"MaskAVX512", RODATA|NOPTR)
	for r := 0; r < 16; r++ {
		DATA(2*r, U16(uint16(1)<<r-1))
	}
	return m
}

// Mask selects the first lanes of a vector: a ymm lane mask on AVX2, an
// opmask register on AVX-512.
type Mask struct {
	y reg.VecVirtual
	k reg.OpmaskVirtual
}

// TailMask loads the mask of the first rem lanes, 0 < rem < Lanes, without
// changing rem.
func (s ISA) TailMask(m Masks, rem reg.GPVirtual) Mask {
	t := GP64()
	if s.ZMM {
		LEAQ(m.avx512, t)
		k := K()
		KMOVW(Mem{Base: t, Index: rem, Scale: 2}, k)
		return Mask{k: k}
	}
	// The 8 words starting at word 8-rem begin with rem all-ones lanes.
	LEAQ(m.avx2, t)
	n := GP64()
	MOVQ(rem, n)
	NEGQ(n)
	v := YMM()
	VMOVDQU(Mem{Base: t, Index: n, Scale: 4, Disp: 32}, v)
	return Mask{y: v}
}

// LoadMasked loads the masked lanes into v and zeroes the others.
func (s ISA) LoadMasked(m Mem, k Mask, v reg.VecVirtual) {
	if s.ZMM {
		VMOVUPS_Z(m, k.k, v)
		return
	}
	VMASKMOVPS(m, k.y, v)
}

// StoreMasked writes only the masked lanes of v.
func (s ISA) StoreMasked(v reg.VecVirtual, k Mask, m Mem) {
	if s.ZMM {
		VMOVUPS(v, k.k, m)
		return
	}
	VMASKMOVPS(v, k.y, m)
}

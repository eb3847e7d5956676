package main

import "fmt"

// V names a 128-bit SIMD register, V0 to V31.
type V uint8

// Inst is one encoded instruction: the 32-bit word Go's assembler is told to
// emit with WORD, and the GNU mnemonic it stands for (checked against
// golang.org/x/arch/arm64/arm64asm by encode_test.go).
type Inst struct {
	Word uint32
	Asm  string
}

// The encodings below are from the Arm Architecture Reference Manual
// (DDI 0487), section C7.2, for the single-precision, four-lane (Q=1, sz=0)
// forms only: gokern's NEON kernels work on float32 x 4 throughout.

// Advanced SIMD "three same" opcodes, 4S arrangement: op Vd.4S, Vn.4S, Vm.4S.
const (
	opFADD  = 0x4e20d400
	opFSUB  = 0x4ea0d400
	opFMUL  = 0x6e20dc00
	opFDIV  = 0x6e20fc00
	opFMAX  = 0x4e20f400
	opFMIN  = 0x4ea0f400
	opFCMGT = 0x6ea0e400
	opFADDP = 0x6e20d400
)

// Advanced SIMD "two-register misc" opcodes, 4S arrangement: op Vd.4S, Vn.4S.
const (
	opFSQRT    = 0x6ea1f800
	opFNEG     = 0x6ea0f800
	opFCMGTZ   = 0x4ea0c800 // fcmgt Vd.4S, Vn.4S, #0.0
	opFCVTNS   = 0x4e21a800 // float to int32, to nearest, ties to even
	opFABS     = 0x4ea0f800
	opSCVTF    = 0x4e21d800 // int32 to float
	opFADDPs   = 0x7e30d800 // faddp Sd, Vn.2S (scalar pairwise)
	opSHL      = 0x4f205400 // shl Vd.4S, Vn.4S, #imm (immh:immb = 32+imm)
	opADD      = 0x4ea08400 // integer add Vd.4S, Vn.4S, Vm.4S
	opFMLAelem = 0x4f801000 // fmla Vd.4S, Vn.4S, Vm.S[i]
	opFMULelem = 0x4f809000 // fmul Vd.4S, Vn.4S, Vm.S[i]
	opFMLSelem = 0x4f805000 // fmls Vd.4S, Vn.4S, Vm.S[i]
)

var threeSameNames = map[uint32]string{
	opFADD: "fadd", opFSUB: "fsub", opFMUL: "fmul", opFDIV: "fdiv",
	opFMAX: "fmax", opFMIN: "fmin", opFCMGT: "fcmgt", opFADDP: "faddp",
	opADD: "add",
}

var twoMiscNames = map[uint32]string{
	opFSQRT: "fsqrt", opFNEG: "fneg", opSCVTF: "scvtf", opFCVTNS: "fcvtns", opFABS: "fabs",
}

func threeSame(op uint32, d, n, m V) Inst {
	return Inst{
		Word: op | uint32(m&31)<<16 | uint32(n&31)<<5 | uint32(d&31),
		Asm:  fmt.Sprintf("%s v%d.4s, v%d.4s, v%d.4s", threeSameNames[op], d, n, m),
	}
}

func twoMisc(op uint32, d, n V) Inst {
	return Inst{
		Word: op | uint32(n&31)<<5 | uint32(d&31),
		Asm:  fmt.Sprintf("%s v%d.4s, v%d.4s", twoMiscNames[op], d, n),
	}
}

// FADD is d = n + m, lane by lane.
func FADD(d, n, m V) Inst { return threeSame(opFADD, d, n, m) }

// FSUB is d = n - m.
func FSUB(d, n, m V) Inst { return threeSame(opFSUB, d, n, m) }

// FMUL is d = n * m.
func FMUL(d, n, m V) Inst { return threeSame(opFMUL, d, n, m) }

// FDIV is d = n / m.
func FDIV(d, n, m V) Inst { return threeSame(opFDIV, d, n, m) }

// FMAX is d = max(n, m) (NaN if either is NaN).
func FMAX(d, n, m V) Inst { return threeSame(opFMAX, d, n, m) }

// FMIN is d = min(n, m) (NaN if either is NaN).
func FMIN(d, n, m V) Inst { return threeSame(opFMIN, d, n, m) }

// FCMGT sets each lane of d to all ones where n > m, else zero.
func FCMGT(d, n, m V) Inst { return threeSame(opFCMGT, d, n, m) }

// FADDP adds adjacent pairs: d = [n0+n1, n2+n3, m0+m1, m2+m3].
func FADDP(d, n, m V) Inst { return threeSame(opFADDP, d, n, m) }

// ADD is the 32-bit integer d = n + m.
func ADD(d, n, m V) Inst { return threeSame(opADD, d, n, m) }

// FSQRT is d = sqrt(n).
func FSQRT(d, n V) Inst { return twoMisc(opFSQRT, d, n) }

// FNEG is d = -n.
func FNEG(d, n V) Inst { return twoMisc(opFNEG, d, n) }

// FCVTNS converts each lane to int32, rounding to nearest, ties to even.
func FCVTNS(d, n V) Inst { return twoMisc(opFCVTNS, d, n) }

// FABS is d = |n|.
func FABS(d, n V) Inst { return twoMisc(opFABS, d, n) }

// SCVTF converts each int32 lane to float32.
func SCVTF(d, n V) Inst { return twoMisc(opSCVTF, d, n) }

// FCMGTZ sets each lane of d to all ones where n > 0, else zero (a NaN
// compares false).
func FCMGTZ(d, n V) Inst {
	return Inst{
		Word: opFCMGTZ | uint32(n&31)<<5 | uint32(d&31),
		Asm:  fmt.Sprintf("fcmgt v%d.4s, v%d.4s, #0", d, n),
	}
}

// FADDPS is the scalar pairwise add: Sd = n0 + n1.
func FADDPS(d, n V) Inst {
	return Inst{
		Word: opFADDPs | uint32(n&31)<<5 | uint32(d&31),
		Asm:  fmt.Sprintf("faddp s%d, v%d.2s", d, n),
	}
}

// SHL shifts each 32-bit lane of n left by sh (0..31).
func SHL(d, n V, sh uint) Inst {
	if sh > 31 {
		panic(fmt.Sprintf("shl: shift %d out of range", sh))
	}
	return Inst{
		Word: opSHL | uint32(sh)<<16 | uint32(n&31)<<5 | uint32(d&31),
		Asm:  fmt.Sprintf("shl v%d.4s, v%d.4s, #%d", d, n, sh),
	}
}

// byElement encodes the "vector x element" forms: op Vd.4S, Vn.4S, Vm.S[i].
// For 32-bit elements the index is H:L and Vm has the full five bits (M:Rm).
func byElement(op uint32, name string, d, n, m V, i int) Inst {
	if i < 0 || i > 3 {
		panic(fmt.Sprintf("%s: lane %d out of range", name, i))
	}
	h, l := uint32(i>>1), uint32(i&1)
	return Inst{
		Word: op | l<<21 | uint32(m&31)<<16 | h<<11 | uint32(n&31)<<5 | uint32(d&31),
		Asm:  fmt.Sprintf("%s v%d.4s, v%d.4s, v%d.s[%d]", name, d, n, m, i),
	}
}

// FMLAe is d += n * m[i]: the multiply-add by one lane that the SGEMM
// micro-kernel is built from (Go's VFMLA has only the vector-vector form).
func FMLAe(d, n, m V, i int) Inst { return byElement(opFMLAelem, "fmla", d, n, m, i) }

// FMULe is d = n * m[i].
func FMULe(d, n, m V, i int) Inst { return byElement(opFMULelem, "fmul", d, n, m, i) }

// FMLSe is d -= n * m[i].
func FMLSe(d, n, m V, i int) Inst { return byElement(opFMLSelem, "fmls", d, n, m, i) }

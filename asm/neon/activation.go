package main

import (
	"fmt"
	"math"
)

// Tanh and Sigmoid. They port the algorithm of the amd64 kernels
// (asm/elementwise: Cephes' expf and tanhf) operation for operation, with
// the same fused multiply-adds, so the NEON results equal the AVX2 ones:
//
//	exp(t)     = 2^k * e^r, k = round(t*log2(e)), r = t - k*ln2 (ln2 in two
//	             parts), e^r = 1 + r + r^2*P(r), 2^k built in the exponent
//	sigmoid(x) = 1 / (1 + exp(clamp(-x, -87.3, 88.3)))
//	tanh(x)    = sign(x) * (|x| < 0.625 ? |x| + |x|^3*Q(x^2)
//	                                    : 1 - 2/(exp(min(2|x|, 20)) + 1))
//
// NEON's FMIN/FMAX return NaN when either input is NaN, so NaN inputs come
// out as NaN through either branch.

// Coefficients, identical to asm/elementwise/data.go.
var (
	expP  = []float32{1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1}
	tanhQ = []float32{-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1}
)

const (
	log2e = float32(1.44269504088896341)
	ln2Hi = float32(0.693359375)
	ln2Lo = float32(-2.12194440e-4)

	expMin    = float32(-87.3)
	expMax    = float32(88.3)
	tanhSmall = float32(0.625)
	tanhCap   = float32(20)
)

// Constant registers. Values that only multiply, or seed a Horner step, are
// packed four to a register and used by lane (by-element FMUL/FMLS, or DUP
// from a lane); values that meet FADD/FDIV/FMIN/FMAX/FCMGT, which have no
// by-element form, fill a whole register.
const (
	kExp   V = 20 // [log2e, ln2Hi, ln2Lo, P0]
	kPoly1 V = 21 // [P1, P2, P3, P4]
	kPoly2 V = 22 // [P5, Q0, Q1, Q2]
	kPoly3 V = 23 // [Q3, Q4, -, -]
	kOne   V = 24
	kTwo   V = 25
	kBias  V = 26 // int32 127, the exponent bias
	kSign  V = 27 // 0x80000000 in every lane
	kMin   V = 28 // expMin (sigmoid) or tanhCap (tanh)
	kMax   V = 29 // expMax (sigmoid) or tanhSmall (tanh)
)

// lane names a packed constant: register and lane.
type lane struct {
	reg V
	i   int
}

var (
	lLog2e = lane{kExp, 0}
	lLn2Hi = lane{kExp, 1}
	lLn2Lo = lane{kExp, 2}
	lP     = []lane{{kExp, 3}, {kPoly1, 0}, {kPoly1, 1}, {kPoly1, 2}, {kPoly1, 3}, {kPoly2, 0}}
	lQ     = []lane{{kPoly2, 1}, {kPoly2, 2}, {kPoly2, 3}, {kPoly3, 0}, {kPoly3, 1}}
)

// loadBits puts a 32-bit pattern in every lane of v (i < 0) or in lane i.
func (f *Func) loadBits(v V, i int, bits uint32, what string) {
	f.Op("MOVW $0x%08x, R9 // %s", bits, what)
	if i < 0 {
		f.Op("VDUP R9, V%d.S4", v)
	} else {
		f.Op("VMOV R9, V%d.S[%d]", v, i)
	}
}

func (f *Func) loadF32(v V, i int, x float32) {
	f.loadBits(v, i, math.Float32bits(x), fmt.Sprint(x))
}

// expConstants loads what exp needs.
func (f *Func) expConstants() {
	f.loadF32(kExp, 0, log2e)
	f.loadF32(kExp, 1, ln2Hi)
	f.loadF32(kExp, 2, ln2Lo)
	for i, c := range expP {
		f.loadF32(lP[i].reg, lP[i].i, c)
	}
	f.loadF32(kOne, -1, 1)
	f.loadBits(kBias, -1, 127, "exponent bias")
}

// horner evaluates c[0]*x^n + ... + c[n] with one fused multiply-add per
// step, into one of the two scratch registers, which it returns.
func (f *Func) horner(x V, c []lane, s0, s1 V) V {
	f.Op("VDUP V%d.S[%d], V%d.S4", c[0].reg, c[0].i, s0)
	for _, k := range c[1:] {
		f.Op("VDUP V%d.S[%d], V%d.S4", k.reg, k.i, s1)  // s1 = c[k]
		f.Op("VFMLA %s, %s, %s", s4(s0), s4(x), s4(s1)) // s1 += s0 * x
		s0, s1 = s1, s0
	}
	return s0
}

// exp emits e^t for t already clamped to [-87.3, 88.3], using t and the
// four scratch registers tmp (t is overwritten), and returns the register
// holding the result (one of tmp).
func (f *Func) exp(t V, tmp [4]V) V {
	fk, ki, s0, s1 := tmp[0], tmp[1], tmp[2], tmp[3]
	f.Enc(FMULe(fk, t, lLog2e.reg, lLog2e.i)) // t*log2(e)
	f.Enc(FCVTNS(ki, fk))                     // k, rounded to nearest even
	f.Enc(SCVTF(fk, ki))
	f.Enc(FMLSe(t, fk, lLn2Hi.reg, lLn2Hi.i)) // r = t - k*ln2Hi - k*ln2Lo
	f.Enc(FMLSe(t, fk, lLn2Lo.reg, lLn2Lo.i))
	p := f.horner(t, lP, s0, s1) // P(r)
	z := fk
	f.Enc(FMUL(z, t, t))
	q := s0
	if p == s0 {
		q = s1
	}
	f.Op("VMOV V%d.B16, V%d.B16", t, q)
	f.Op("VFMLA %s, %s, %s", s4(p), s4(z), s4(q)) // q = r + P(r)*r^2
	f.Enc(FADD(q, q, kOne))
	f.Enc(ADD(ki, ki, kBias)) // 2^k: (k+127) << 23
	f.Enc(SHL(ki, ki, 23))
	f.Enc(FMUL(q, q, ki))
	return q
}

// Per-lane scratch: unroll lanes of 8 registers each from V4.
func scratch(i V) (r [8]V) {
	for j := range r {
		r[j] = 4 + 8*i + V(j)
	}
	return r
}

const actUnroll = 2 // two vectors per step: the scratch above fills V4..V19

func sigmoid() *Func {
	f := NewFunc("sigmoidNEON", "sigmoidNEON computes dst[i] = 1/(1+exp(-x[i])) like the AVX2 kernel,\nlen(x) >= len(dst).",
		slices("dst", "x"), nil)
	const x, out V = 0, 2
	f.expConstants()
	f.loadF32(kMin, -1, expMin)
	f.loadF32(kMax, -1, expMax)
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R1", f.Arg("dst_base"))
	f.Op("MOVD %s, R3", f.Arg("dst_len"))
	f.elementLoop("", "R3", actUnroll,
		[]stream{{"R0", x}}, []stream{{"R1", out}},
		func(u int) {
			each(u, func(i V) {
				s := scratch(i)
				t := s[0]
				f.Enc(FNEG(t, x+i))
				f.Enc(FMAX(t, t, kMin))
				f.Enc(FMIN(t, t, kMax))
				e := f.exp(t, [4]V{s[1], s[2], s[3], s[4]})
				f.Enc(FADD(e, e, kOne))
				f.Enc(FDIV(out+i, kOne, e))
			})
		},
		nil)
	return f
}

func tanh() *Func {
	f := NewFunc("tanhNEON", "tanhNEON computes dst[i] = tanh(x[i]) like the AVX2 kernel, len(x) >= len(dst).",
		slices("dst", "x"), nil)
	const x, out V = 0, 2
	f.expConstants()
	for i, c := range tanhQ {
		f.loadF32(lQ[i].reg, lQ[i].i, c)
	}
	f.loadF32(kTwo, -1, 2)
	f.loadBits(kSign, -1, 0x80000000, "sign bit")
	f.loadF32(kMin, -1, tanhCap)
	f.loadF32(kMax, -1, tanhSmall)
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R1", f.Arg("dst_base"))
	f.Op("MOVD %s, R3", f.Arg("dst_len"))
	f.elementLoop("", "R3", actUnroll,
		[]stream{{"R0", x}}, []stream{{"R1", out}},
		func(u int) {
			each(u, func(i V) {
				s := scratch(i)
				a, t := s[0], s[1]
				f.Enc(FABS(a, x+i))
				// Large |x|: 1 - 2/(exp(min(2|x|, 20)) + 1).
				f.Enc(FADD(t, a, a))
				f.Enc(FMIN(t, t, kMin))
				e := f.exp(t, [4]V{s[2], s[3], s[4], s[5]})
				f.Enc(FADD(e, e, kOne))
				big := s[6]
				f.Enc(FDIV(big, kTwo, e))
				f.Enc(FSUB(big, kOne, big))
				// Small |x|: a + a*(z*Q(z)), z = a*a.
				z := s[1]
				f.Enc(FMUL(z, a, a))
				q := f.horner(z, lQ, s[2], s[3])
				f.Enc(FMUL(q, z, q))
				small := s[4]
				f.Op("VMOV V%d.B16, V%d.B16", a, small)
				f.Op("VFMLA %s, %s, %s", s4(q), s4(a), s4(small)) // small = a + a*q
				// out = |x| < 0.625 ? small : big, with the sign of x.
				f.Enc(FCMGT(out+i, kMax, a))
				f.Op("VBSL V%d.B16, V%d.B16, V%d.B16", big, small, out+i)
				f.Op("VBIT V%d.B16, V%d.B16, V%d.B16", kSign, x+i, out+i)
			})
		},
		nil)
	return f
}

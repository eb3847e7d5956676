package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The activation bodies work on all the vectors of a block at once, one
// step for every vector before the next step: each vector's chain is long
// (exp, a division, a polynomial) and strictly sequential, so interleaving
// the vectors' chains gives the out-of-order core independent work.

// vecs allocates n vector registers.
func (s isa) vecs(n int) []reg.VecVirtual {
	v := make([]reg.VecVirtual, n)
	for i := range v {
		v[i] = s.Vec()
	}
	return v
}

// exp returns e^t for t in [-87.3, 88.3] (the caller clamps): 2^k * e^r
// with k = round(t*log2(e)), r = t - k*ln2 and e^r by Cephes' degree-5
// polynomial, scaled by building 2^k in the exponent field. NaN propagates.
// It overwrites t.
func (s isa) exp(t []reg.VecVirtual) []reg.VecVirtual {
	fk, ki, p := s.vecs(len(t)), s.vecs(len(t)), s.vecs(len(t))
	for u := range t {
		VMULPS(c("log2e"), t[u], fk[u])
	}
	for u := range t {
		VCVTPS2DQ(fk[u], ki[u]) // round to nearest (MXCSR default)
	}
	for u := range t {
		VCVTDQ2PS(ki[u], fk[u])
	}
	for u := range t {
		VFNMADD231PS(c("ln2Hi"), fk[u], t[u]) // t -= k*ln2Hi
	}
	for u := range t {
		VFNMADD231PS(c("ln2Lo"), fk[u], t[u]) // t -= k*ln2Lo
	}
	for u := range t {
		VMOVUPS(c("expP0"), p[u])
	}
	for _, name := range []string{"expP1", "expP2", "expP3", "expP4", "expP5"} {
		for u := range t {
			VFMADD213PS(c(name), t[u], p[u]) // p = p*r + c
		}
	}
	z := fk
	for u := range t {
		VMULPS(t[u], t[u], z[u])
	}
	for u := range t {
		VFMADD213PS(t[u], z[u], p[u]) // p*r^2 + r
	}
	for u := range t {
		VADDPS(c("one"), p[u], p[u])
	}
	for u := range t {
		VPADDD(c("expBias"), ki[u], ki[u])
	}
	for u := range t {
		VPSLLD(U8(23), ki[u], ki[u]) // 2^k
	}
	for u := range t {
		VMULPS(ki[u], p[u], p[u])
	}
	return p
}

// sigmoid returns 1/(1+exp(-x)). The clamp keeps NaN (max and min return
// their second source, Avo's first operand, when either is NaN).
func (s isa) sigmoid(x []reg.VecVirtual) []reg.VecVirtual {
	lim := s.vecs(len(x))
	for u := range x {
		s.xor(c("signMask"), x[u], x[u]) // -x
	}
	for u := range x {
		VMOVUPS(c("expMin"), lim[u])
		VMAXPS(x[u], lim[u], x[u])
	}
	for u := range x {
		VMOVUPS(c("expMax"), lim[u])
		VMINPS(x[u], lim[u], x[u])
	}
	e := s.exp(x)
	for u := range x {
		VADDPS(c("one"), e[u], e[u])
	}
	for u := range x {
		VMOVUPS(c("one"), lim[u])
		VDIVPS(e[u], lim[u], lim[u]) // 1 / (1+e)
	}
	return lim
}

// tanh returns tanh(x) as sign(x) * tanh(|x|), with the small and large
// branches both computed and blended.
func (s isa) tanh(x []reg.VecVirtual) []reg.VecVirtual {
	a, t := s.vecs(len(x)), s.vecs(len(x))
	for u := range x {
		s.and(c("absMask"), x[u], a[u])
	}
	for u := range x {
		s.xor(a[u], x[u], x[u]) // x is now its sign bit
	}

	// Large |x|: 1 - 2/(exp(min(2|x|, cap))+1). NaN becomes cap here; the
	// blend below takes the small branch for NaN, which propagates it.
	for u := range x {
		VADDPS(a[u], a[u], t[u])
	}
	for u := range x {
		VMINPS(c("tanhCap"), t[u], t[u])
	}
	e := s.exp(t)
	for u := range x {
		VADDPS(c("one"), e[u], e[u])
	}
	big := t // t is dead after exp
	for u := range x {
		VMOVUPS(c("two"), big[u])
		VDIVPS(e[u], big[u], big[u]) // 2/(e+1)
	}
	for u := range x {
		VMOVUPS(c("one"), e[u])
		VSUBPS(big[u], e[u], big[u])
	}

	// Small |x|: a + a*z*Q(z) with z = a*a.
	z, q := e, s.vecs(len(x))
	for u := range x {
		VMULPS(a[u], a[u], z[u])
	}
	for u := range x {
		VMOVUPS(c("tanhQ0"), q[u])
	}
	for _, name := range []string{"tanhQ1", "tanhQ2", "tanhQ3", "tanhQ4"} {
		for u := range x {
			VFMADD213PS(c(name), z[u], q[u])
		}
	}
	for u := range x {
		VMULPS(z[u], q[u], q[u])
	}
	for u := range x {
		VFMADD213PS(a[u], a[u], q[u]) // a*q + a
	}

	r := s.vecs(len(x))
	for u := range x {
		s.selectCmp(a[u], c("tanhSmall"), q[u], big[u], r[u], cmpNGEUQ) // !(a >= 0.625) ? small : big
	}
	for u := range x {
		s.or(x[u], r[u], r[u])
	}
	return r
}

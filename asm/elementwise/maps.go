package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// mapKernel is an element-wise kernel: it loads one vector from each input
// slice, computes, and stores one vector to each output slice. Every slice
// has the length of the first input (the Go wrapper checks it). Inputs are
// all loaded before outputs are stored, so an output may alias an input.
type mapKernel struct {
	name string
	sig  string
	doc  string
	ins  []string
	outs []string
	// unroll is the number of vectors per block for AVX2 and AVX-512.
	unroll [2]int
	// prepare emits the set-up (broadcast scalars) and returns the body,
	// which computes the outputs of one vector from its inputs; it may
	// overwrite its inputs.
	prepare func(s isa) func(in []reg.VecVirtual) []reg.VecVirtual
}

var mapKernels = []mapKernel{
	{
		name: "scale", sig: "func(alpha float32, x []float32)",
		doc: "Scale: x[i] *= alpha", ins: []string{"x"}, outs: []string{"x"},
		unroll: [2]int{4, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			alpha := s.broadcast("alpha")
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				VMULPS(alpha, in[0], in[0])
				return in
			}
		},
	},
	{
		name: "axpy", sig: "func(alpha float32, x, y []float32)",
		doc: "Axpy: y[i] += alpha*x[i], with one fused multiply-add", ins: []string{"x", "y"}, outs: []string{"y"},
		unroll: [2]int{4, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			alpha := s.broadcast("alpha")
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				VFMADD231PS(alpha, in[0], in[1])
				return in[1:]
			}
		},
	},
	{
		name: "mul", sig: "func(dst, x, y []float32)",
		doc: "Mul: dst[i] = x[i]*y[i]", ins: []string{"x", "y"}, outs: []string{"dst"},
		unroll: [2]int{4, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				VMULPS(in[1], in[0], in[0])
				return in[:1]
			}
		},
	},
	{
		name: "leakyReLU", sig: "func(dst, x []float32, alpha float32)",
		doc: "LeakyReLU: dst[i] = x[i] > 0 ? x[i] : alpha*x[i]", ins: []string{"x"}, outs: []string{"dst"},
		unroll: [2]int{4, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			alpha := s.broadcast("alpha")
			zero := s.vec()
			s.zero(zero)
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				s.leaky(in[0], in[0], alpha, zero)
				return in
			}
		},
	},
	{
		name: "leakyReLUBackward", sig: "func(dx, dy, y []float32, alpha float32)",
		doc: "LeakyReLUBackward: dx[i] = y[i] > 0 ? dy[i] : alpha*dy[i]", ins: []string{"dy", "y"}, outs: []string{"dx"},
		unroll: [2]int{4, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			alpha := s.broadcast("alpha")
			zero := s.vec()
			s.zero(zero)
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				s.leaky(in[1], in[0], alpha, zero)
				return in[:1]
			}
		},
	},
	{
		name: "tanhBackward", sig: "func(dx, dy, y []float32)",
		doc: "TanhBackward: dx[i] = dy[i] * (1 - y[i]*y[i])", ins: []string{"dy", "y"}, outs: []string{"dx"},
		unroll: [2]int{4, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			one := s.vec()
			VMOVUPS(c("one"), one)
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				// Unfused, in the reference's order, so results match it.
				dy, y := in[0], in[1]
				VMULPS(y, y, y)
				VSUBPS(y, one, y)
				VMULPS(y, dy, dy)
				return in[:1]
			}
		},
	},
	{
		name: "sigmoidBackward", sig: "func(dx, dy, y []float32)",
		doc: "SigmoidBackward: dx[i] = dy[i] * y[i] * (1 - y[i])", ins: []string{"dy", "y"}, outs: []string{"dx"},
		unroll: [2]int{4, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			one := s.vec()
			VMOVUPS(c("one"), one)
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				dy, y := in[0], in[1]
				VMULPS(y, dy, dy) // dy*y
				VSUBPS(y, one, y) // 1-y
				VMULPS(y, dy, dy) // (dy*y)*(1-y)
				return in[:1]
			}
		},
	},
	{
		name: "tanh", sig: "func(dst, x []float32)",
		doc: "Tanh: dst[i] = tanh(x[i])", ins: []string{"x"}, outs: []string{"dst"},
		unroll: [2]int{2, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				return []reg.VecVirtual{s.tanh(in[0])}
			}
		},
	},
	{
		name: "sigmoid", sig: "func(dst, x []float32)",
		doc: "Sigmoid: dst[i] = 1/(1+exp(-x[i]))", ins: []string{"x"}, outs: []string{"dst"},
		unroll: [2]int{2, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				return []reg.VecVirtual{s.sigmoid(in[0])}
			}
		},
	},
	{
		name: "adam", sig: "func(p, g, m, v []float32, lrT, c1, c2, eps float32)",
		doc: "Adam with c1 = 1-beta1 and c2 = 1-beta2: m += c1*(g-m); v += c2*(g*g-v); p -= lrT*m/(sqrt(v)+eps)",
		ins: []string{"p", "g", "m", "v"}, outs: []string{"p", "m", "v"},
		unroll: [2]int{2, 4},
		prepare: func(s isa) func([]reg.VecVirtual) []reg.VecVirtual {
			lrT, c1, c2, eps := s.broadcast("lrT"), s.broadcast("c1"), s.broadcast("c2"), s.broadcast("eps")
			return func(in []reg.VecVirtual) []reg.VecVirtual {
				// Unfused, in the reference's order, so results match it.
				p, g, m, v := in[0], in[1], in[2], in[3]
				t := s.vec()
				VSUBPS(m, g, t) // g - m
				VMULPS(c1, t, t)
				VADDPS(t, m, m) // m + c1*(g-m)
				VMULPS(g, g, g)
				VSUBPS(v, g, g) // g*g - v
				VMULPS(c2, g, g)
				VADDPS(g, v, v) // v + c2*(g*g-v)
				VSQRTPS(v, t)
				VADDPS(eps, t, t) // sqrt(v) + eps
				VMULPS(m, lrT, g) // lrT*m
				VDIVPS(t, g, g)   // lrT*m / (sqrt(v)+eps)
				VSUBPS(g, p, p)
				return []reg.VecVirtual{p, m, v}
			}
		},
	},
}

func genMaps(s isa) {
	for _, k := range mapKernels {
		k.generate(s)
	}
}

func (k mapKernel) generate(s isa) {
	s.text(k.name, k.sig, k.doc)
	unroll := k.unroll[0]
	if s.zmm {
		unroll = k.unroll[1]
	}
	// Pointers of every distinct slice.
	base := map[string]reg.GPVirtual{}
	var n reg.GPVirtual
	for j, name := range append(append([]string{}, k.ins...), k.outs...) {
		if _, ok := base[name]; ok {
			continue
		}
		if j == 0 {
			base[name], n = loadSlice(name)
		} else {
			base[name] = loadBase(name)
		}
	}
	body := k.prepare(s)
	block := func(i reg.GPVirtual, count int) {
		in := make([][]reg.VecVirtual, count)
		for u := range in {
			for _, name := range k.ins {
				v := s.vec()
				s.load(s.elem(base[name], i, u), v)
				in[u] = append(in[u], v)
			}
		}
		out := make([][]reg.VecVirtual, count)
		for u := range in {
			out[u] = body(in[u])
		}
		for u := range out {
			for j, name := range k.outs {
				s.store(out[u][j], s.elem(base[name], i, u))
			}
		}
	}
	tail := func(i reg.GPVirtual, m mask) {
		var in []reg.VecVirtual
		for _, name := range k.ins {
			v := s.vec()
			s.loadMasked(s.elem(base[name], i, 0), m, v)
			in = append(in, v)
		}
		out := body(in)
		for j, name := range k.outs {
			s.storeMasked(out[j], m, s.elem(base[name], i, 0))
		}
	}
	s.stream(k.name, n, unroll, block, tail)
	ret()
}

// exp returns e^t for t in [-87.3, 88.3] (the caller clamps): 2^k * e^r
// with k = round(t*log2(e)), r = t - k*ln2 and e^r by Cephes' degree-5
// polynomial, scaled by building 2^k in the exponent field. NaN propagates.
func (s isa) exp(t reg.VecVirtual) reg.VecVirtual {
	fk := s.vec()
	VMULPS(c("log2e"), t, fk)
	ki := s.vec()
	VCVTPS2DQ(fk, ki) // round to nearest (MXCSR default)
	VCVTDQ2PS(ki, fk)
	VFNMADD231PS(c("ln2Hi"), fk, t) // t -= k*ln2Hi
	VFNMADD231PS(c("ln2Lo"), fk, t) // t -= k*ln2Lo
	p := s.vec()
	VMOVUPS(c("expP0"), p)
	for _, name := range []string{"expP1", "expP2", "expP3", "expP4", "expP5"} {
		VFMADD213PS(c(name), t, p) // p = p*r + c
	}
	z := fk
	VMULPS(t, t, z)
	VFMADD213PS(t, z, p) // p*r^2 + r
	VADDPS(c("one"), p, p)
	VPADDD(c("expBias"), ki, ki)
	VPSLLD(U8(23), ki, ki) // 2^k
	VMULPS(ki, p, p)
	return p
}

// sigmoid returns 1/(1+exp(-x)). The clamp keeps NaN (max and min return
// their second source, Avo's first operand, when either is NaN).
func (s isa) sigmoid(x reg.VecVirtual) reg.VecVirtual {
	s.xor(c("signMask"), x, x) // -x
	lim := s.vec()
	VMOVUPS(c("expMin"), lim)
	VMAXPS(x, lim, x)
	VMOVUPS(c("expMax"), lim)
	VMINPS(x, lim, x)
	e := s.exp(x)
	VADDPS(c("one"), e, e)
	VMOVUPS(c("one"), lim)
	VDIVPS(e, lim, lim) // 1 / (1+e)
	return lim
}

// tanh returns tanh(x) as sign(x) * tanh(|x|), with the small and large
// branches both computed and blended.
func (s isa) tanh(x reg.VecVirtual) reg.VecVirtual {
	a := s.vec()
	s.and(c("absMask"), x, a)
	s.xor(a, x, x) // x is now its sign bit

	// Large |x|: 1 - 2/(exp(min(2|x|, cap))+1). NaN becomes cap here; the
	// blend below takes the small branch for NaN, which propagates it.
	t := s.vec()
	VADDPS(a, a, t)
	VMINPS(c("tanhCap"), t, t)
	e := s.exp(t)
	VADDPS(c("one"), e, e)
	big := s.vec()
	VMOVUPS(c("two"), big)
	VDIVPS(e, big, big) // 2/(e+1)
	one := e
	VMOVUPS(c("one"), one)
	VSUBPS(big, one, big)

	// Small |x|: a + a*z*Q(z) with z = a*a.
	z := s.vec()
	VMULPS(a, a, z)
	q := s.vec()
	VMOVUPS(c("tanhQ0"), q)
	for _, name := range []string{"tanhQ1", "tanhQ2", "tanhQ3", "tanhQ4"} {
		VFMADD213PS(c(name), z, q)
	}
	VMULPS(z, q, q)
	VFMADD213PS(a, a, q) // a*q + a

	r := s.vec()
	s.selectLT(a, c("tanhSmall"), q, big, r, cmpNGEUQ) // !(a >= 0.625) ? small : big
	s.or(x, r, r)
	return r
}

package main

import (
	"github.com/gokern/gokern/asm/internal/avx"
	. "github.com/mmcloughlin/avo/build"
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
	// block, for one-input one-output kernels with long dependency chains,
	// replaces prepare: it computes every vector of a block at once, step
	// by step, so independent instructions sit next to each other.
	block func(s isa, xs []reg.VecVirtual) []reg.VecVirtual
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
			zero := s.Vec()
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
			zero := s.Vec()
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
			one := s.Vec()
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
			one := s.Vec()
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
		block:  isa.tanh,
	},
	{
		name: "sigmoid", sig: "func(dst, x []float32)",
		doc: "Sigmoid: dst[i] = 1/(1+exp(-x[i]))", ins: []string{"x"}, outs: []string{"dst"},
		unroll: [2]int{2, 4},
		block:  isa.sigmoid,
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
				t := s.Vec()
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
	if s.ZMM {
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
	var body func([]reg.VecVirtual) []reg.VecVirtual
	if k.prepare != nil {
		body = k.prepare(s)
	}
	// compute runs the body on the inputs of count vectors.
	compute := func(in [][]reg.VecVirtual) [][]reg.VecVirtual {
		out := make([][]reg.VecVirtual, len(in))
		if k.block != nil {
			xs := make([]reg.VecVirtual, len(in))
			for u := range in {
				xs[u] = in[u][0]
			}
			for u, y := range k.block(s, xs) {
				out[u] = []reg.VecVirtual{y}
			}
			return out
		}
		for u := range in {
			out[u] = body(in[u])
		}
		return out
	}
	block := func(i reg.GPVirtual, count int) {
		in := make([][]reg.VecVirtual, count)
		for u := range in {
			for _, name := range k.ins {
				v := s.Vec()
				s.load(s.elem(base[name], i, u), v)
				in[u] = append(in[u], v)
			}
		}
		out := compute(in)
		for u := range out {
			for j, name := range k.outs {
				s.store(out[u][j], s.elem(base[name], i, u))
			}
		}
	}
	tail := func(i reg.GPVirtual, m avx.Mask) {
		var in []reg.VecVirtual
		for _, name := range k.ins {
			v := s.Vec()
			s.LoadMasked(s.elem(base[name], i, 0), m, v)
			in = append(in, v)
		}
		out := compute([][]reg.VecVirtual{in})[0]
		for j, name := range k.outs {
			s.StoreMasked(out[j], m, s.elem(base[name], i, 0))
		}
	}
	s.stream(k.name, n, unroll, block, tail)
	ret()
}

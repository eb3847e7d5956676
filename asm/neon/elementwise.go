package main

// The element-wise kernels. Each has the signature of its pure-Go reference
// in kernels/generic.go (named xxxGeneric there, xxxNEON here) and computes
// every element with the same operations in the same order, fused where the
// Go compiler fuses on arm64 (x*y+z becomes one FMADD), so results match the
// reference bit for bit except for the reductions (dot, sum), which add in a
// different order.
//
// Register plan: operands live in blocks of four consecutive registers
// (V0, V4, V8, ... so a stage-1 step of four vectors loads with one VLD1);
// broadcast constants sit at the top, V24 and up.

func slices(names ...string) []Param {
	ps := make([]Param, len(names))
	for i, n := range names {
		ps[i] = Param{n, Slice}
	}
	return ps
}

func p(name string, k Kind) Param { return Param{name, k} }

// each runs op on register offsets 0..u-1.
func each(u int, op func(i V)) {
	for i := 0; i < u; i++ {
		op(V(i))
	}
}

const (
	unroll = 4 // vectors per stage-1 step: 16 floats

	cAlpha V = 31 // broadcast alpha
	cOne   V = 30 // broadcast 1.0
)

func elementwiseFuncs() []*Func {
	return []*Func{
		axpy(), scale(), dot(), sum(), mul(),
		addBias(), sumRows(),
		leakyReLU(), leakyReLUBackward(), biasLeakyReLU(),
		tanh(), tanhBackward(), sigmoid(), sigmoidBackward(),
		adam(),
	}
}

func axpy() *Func {
	f := NewFunc("axpyNEON", "axpyNEON is axpyGeneric: y[i] += alpha * x[i], len(y) >= len(x).",
		append([]Param{p("alpha", F32)}, slices("x", "y")...), nil)
	const x, y V = 0, 4
	f.broadcast(cAlpha, "alpha")
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R1", f.Arg("y_base"))
	f.Op("MOVD R1, R2")
	f.Op("MOVD %s, R3", f.Arg("x_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", x}, {"R1", y}}, []stream{{"R2", y}},
		func(u int) { each(u, func(i V) { f.Op("VFMLA %s, %s, %s", s4(cAlpha), s4(x+i), s4(y+i)) }) },
		nil)
	return f
}

func scale() *Func {
	f := NewFunc("scaleNEON", "scaleNEON is scaleGeneric: x[i] *= alpha.",
		append([]Param{p("alpha", F32)}, slices("x")...), nil)
	const x V = 0
	f.broadcast(cAlpha, "alpha")
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD R0, R1")
	f.Op("MOVD %s, R3", f.Arg("x_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", x}}, []stream{{"R1", x}},
		func(u int) { each(u, func(i V) { f.Enc(FMUL(x+i, x+i, cAlpha)) }) },
		nil)
	return f
}

// reduce ends a reduction: the accumulators' four lanes are added pairwise
// into lane 0, which is returned.
func (f *Func) reduce(acc V) {
	f.Enc(FADDP(acc, acc, acc))
	f.Enc(FADDPS(acc, acc))
	f.Op("FMOVS F%d, %s", acc, f.Arg("ret"))
}

// foldAcc adds accumulators acc+1..acc+unroll-1 into acc.
func (f *Func) foldAcc(acc V) func() {
	return func() {
		f.Enc(FADD(acc, acc, acc+1))
		f.Enc(FADD(acc+2, acc+2, acc+3))
		f.Enc(FADD(acc, acc, acc+2))
	}
}

func dot() *Func {
	f := NewFunc("dotNEON", "dotNEON is dotGeneric: the sum of x[i] * y[i], len(y) >= len(x).",
		slices("x", "y"), []Param{p("ret", F32)})
	const x, y, acc V = 0, 4, 16
	each(unroll, func(i V) { f.zero(acc + i) })
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R1", f.Arg("y_base"))
	f.Op("MOVD %s, R3", f.Arg("x_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", x}, {"R1", y}}, nil,
		func(u int) { each(u, func(i V) { f.Op("VFMLA %s, %s, %s", s4(x+i), s4(y+i), s4(acc+i)) }) },
		f.foldAcc(acc))
	f.reduce(acc)
	return f
}

func sum() *Func {
	f := NewFunc("sumNEON", "sumNEON is sumGeneric: the sum of x[i].",
		slices("x"), []Param{p("ret", F32)})
	const x, acc V = 0, 16
	each(unroll, func(i V) { f.zero(acc + i) })
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R3", f.Arg("x_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", x}}, nil,
		func(u int) { each(u, func(i V) { f.Enc(FADD(acc+i, acc+i, x+i)) }) },
		f.foldAcc(acc))
	f.reduce(acc)
	return f
}

func mul() *Func {
	f := NewFunc("mulNEON", "mulNEON is mulGeneric: dst[i] = x[i] * y[i], len(x), len(y) >= len(dst).",
		slices("dst", "x", "y"), nil)
	const x, y V = 0, 4
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R1", f.Arg("y_base"))
	f.Op("MOVD %s, R2", f.Arg("dst_base"))
	f.Op("MOVD %s, R3", f.Arg("dst_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", x}, {"R1", y}}, []stream{{"R2", x}},
		func(u int) { each(u, func(i V) { f.Enc(FMUL(x+i, x+i, y+i)) }) },
		nil)
	return f
}

// selectLeaky emits out = in > 0 ? in : alpha*in for the leaky ReLU family:
// FCMGT against zero makes the mask (false for NaN, as in the Go reference),
// BSL picks lane by lane. out must differ from in and t.
func (f *Func) selectLeaky(out, in, scaled, t V) {
	f.Enc(FMUL(t, scaled, cAlpha))
	f.Enc(FCMGTZ(out, in))
	// bsl out, in, t: out = out ? in : t (Go lists the operands reversed).
	f.Op("VBSL V%d.B16, V%d.B16, V%d.B16", t, in, out)
}

func addBias() *Func {
	f := NewFunc("addBiasNEON", "addBiasNEON is addBiasGeneric: x[r*n+j] += bias[j] for each of the\nlen(x)/n rows, n = len(bias).",
		slices("x", "bias"), nil)
	const x, b V = 0, 4
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD R0, R1")
	f.Op("MOVD %s, R5", f.Arg("bias_len"))
	f.rowLoop("x_len", "R5", "R6", func() {
		f.Op("MOVD %s, R2", f.Arg("bias_base"))
		f.Op("MOVD R5, R3")
		f.elementLoop("", "R3", unroll,
			[]stream{{"R0", x}, {"R2", b}}, []stream{{"R1", x}},
			func(u int) { each(u, func(i V) { f.Enc(FADD(x+i, x+i, b+i)) }) },
			nil)
	})
	return f
}

func sumRows() *Func {
	f := NewFunc("sumRowsNEON", "sumRowsNEON is sumRowsGeneric: dst[j] += x[r*n+j] for each of the\nlen(x)/n rows, n = len(dst).",
		slices("dst", "x"), nil)
	const d, x V = 0, 4
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R5", f.Arg("dst_len"))
	f.rowLoop("x_len", "R5", "R6", func() {
		f.Op("MOVD %s, R1", f.Arg("dst_base"))
		f.Op("MOVD R1, R2")
		f.Op("MOVD R5, R3")
		f.elementLoop("", "R3", unroll,
			[]stream{{"R1", d}, {"R0", x}}, []stream{{"R2", d}},
			func(u int) { each(u, func(i V) { f.Enc(FADD(d+i, d+i, x+i)) }) },
			nil)
	})
	return f
}

func leakyReLU() *Func {
	f := NewFunc("leakyReLUNEON", "leakyReLUNEON is leakyReLUGeneric: dst[i] = x[i] if x[i] > 0 else alpha*x[i],\nlen(x) >= len(dst).",
		append(slices("dst", "x"), p("alpha", F32)), nil)
	const x, t, out V = 0, 4, 8
	f.broadcast(cAlpha, "alpha")
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD %s, R1", f.Arg("dst_base"))
	f.Op("MOVD %s, R3", f.Arg("dst_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", x}}, []stream{{"R1", out}},
		func(u int) { each(u, func(i V) { f.selectLeaky(out+i, x+i, x+i, t+i) }) },
		nil)
	return f
}

func leakyReLUBackward() *Func {
	f := NewFunc("leakyReLUBackwardNEON", "leakyReLUBackwardNEON is leakyReLUBackwardGeneric: dx[i] = dy[i] if y[i] > 0\nelse alpha*dy[i], len(dy), len(y) >= len(dx).",
		append(slices("dx", "dy", "y"), p("alpha", F32)), nil)
	const dy, y, t, out V = 0, 4, 8, 12
	f.broadcast(cAlpha, "alpha")
	f.Op("MOVD %s, R0", f.Arg("dy_base"))
	f.Op("MOVD %s, R1", f.Arg("y_base"))
	f.Op("MOVD %s, R2", f.Arg("dx_base"))
	f.Op("MOVD %s, R3", f.Arg("dx_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", dy}, {"R1", y}}, []stream{{"R2", out}},
		func(u int) {
			each(u, func(i V) {
				f.Enc(FMUL(t+i, dy+i, cAlpha))
				f.Enc(FCMGTZ(out+i, y+i))
				f.Op("VBSL V%d.B16, V%d.B16, V%d.B16", t+i, dy+i, out+i)
			})
		},
		nil)
	return f
}

func biasLeakyReLU() *Func {
	f := NewFunc("biasLeakyReLUNEON", "biasLeakyReLUNEON is biasLeakyReLUGeneric: x[r*n+j] = leakyReLU(x[r*n+j] + bias[j])\nin place, n = len(bias).",
		append(slices("x", "bias"), p("alpha", F32)), nil)
	const x, b, t, out V = 0, 4, 8, 12
	f.broadcast(cAlpha, "alpha")
	f.Op("MOVD %s, R0", f.Arg("x_base"))
	f.Op("MOVD R0, R1")
	f.Op("MOVD %s, R5", f.Arg("bias_len"))
	f.rowLoop("x_len", "R5", "R6", func() {
		f.Op("MOVD %s, R2", f.Arg("bias_base"))
		f.Op("MOVD R5, R3")
		f.elementLoop("", "R3", unroll,
			[]stream{{"R0", x}, {"R2", b}}, []stream{{"R1", out}},
			func(u int) {
				each(u, func(i V) {
					f.Enc(FADD(x+i, x+i, b+i))
					f.selectLeaky(out+i, x+i, x+i, t+i)
				})
			},
			nil)
	})
	return f
}

func tanhBackward() *Func {
	f := NewFunc("tanhBackwardNEON", "tanhBackwardNEON is tanhBackwardGeneric: dx[i] = dy[i] * (1 - y[i]*y[i]),\nlen(dy), len(y) >= len(dx).",
		slices("dx", "dy", "y"), nil)
	const dy, y, t V = 0, 4, 8
	f.Op("FMOVS $1.0, F%d", cOne)
	f.Op("VDUP V%d.S[0], V%d.S4", cOne, cOne)
	f.Op("MOVD %s, R0", f.Arg("dy_base"))
	f.Op("MOVD %s, R1", f.Arg("y_base"))
	f.Op("MOVD %s, R2", f.Arg("dx_base"))
	f.Op("MOVD %s, R3", f.Arg("dx_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", dy}, {"R1", y}}, []stream{{"R2", t}},
		func(u int) {
			each(u, func(i V) {
				// t = 1 - y*y with one rounding (FMSUB, as Go compiles it on arm64).
				f.Op("VMOV V%d.B16, V%d.B16", cOne, t+i)
				f.Op("VFMLS %s, %s, %s", s4(y+i), s4(y+i), s4(t+i))
				f.Enc(FMUL(t+i, dy+i, t+i))
			})
		},
		nil)
	return f
}

func sigmoidBackward() *Func {
	f := NewFunc("sigmoidBackwardNEON", "sigmoidBackwardNEON is sigmoidBackwardGeneric: dx[i] = dy[i] * y[i] * (1 - y[i]),\nlen(dy), len(y) >= len(dx).",
		slices("dx", "dy", "y"), nil)
	const dy, y, t V = 0, 4, 8
	f.Op("FMOVS $1.0, F%d", cOne)
	f.Op("VDUP V%d.S[0], V%d.S4", cOne, cOne)
	f.Op("MOVD %s, R0", f.Arg("dy_base"))
	f.Op("MOVD %s, R1", f.Arg("y_base"))
	f.Op("MOVD %s, R2", f.Arg("dx_base"))
	f.Op("MOVD %s, R3", f.Arg("dx_len"))
	f.elementLoop("", "R3", unroll,
		[]stream{{"R0", dy}, {"R1", y}}, []stream{{"R2", t}},
		func(u int) {
			each(u, func(i V) {
				f.Enc(FSUB(t+i, cOne, y+i))  // 1 - y
				f.Enc(FMUL(dy+i, dy+i, y+i)) // dy * y
				f.Enc(FMUL(t+i, dy+i, t+i))  // (dy*y) * (1-y)
			})
		},
		nil)
	return f
}

func adam() *Func {
	f := NewFunc("adamNEON", "adamNEON is adamGeneric: one Adam step with the bias-corrected rate lrT,\nlen(g), len(m), len(v) >= len(p).",
		append(slices("p", "g", "m", "v"), p("lrT", F32), p("beta1", F32), p("beta2", F32), p("eps", F32)), nil)
	const g, m, v, pp, t, s V = 0, 4, 8, 12, 16, 20
	const c1, c2, lr, eps V = 24, 25, 26, 27
	// c1 = 1 - beta1 and c2 = 1 - beta2, rounded to float32 as in Go.
	f.Op("FMOVS $1.0, F%d", c1)
	f.Op("FMOVS %s, F0", f.Arg("beta1"))
	f.Op("FSUBS F0, F%d, F%d", c1, c1)
	f.Op("VDUP V%d.S[0], V%d.S4", c1, c1)
	f.Op("FMOVS $1.0, F%d", c2)
	f.Op("FMOVS %s, F0", f.Arg("beta2"))
	f.Op("FSUBS F0, F%d, F%d", c2, c2)
	f.Op("VDUP V%d.S[0], V%d.S4", c2, c2)
	f.broadcast(lr, "lrT")
	f.broadcast(eps, "eps")
	f.Op("MOVD %s, R0", f.Arg("g_base"))
	f.Op("MOVD %s, R1", f.Arg("m_base"))
	f.Op("MOVD R1, R2")
	f.Op("MOVD %s, R3", f.Arg("v_base"))
	f.Op("MOVD R3, R4")
	f.Op("MOVD %s, R5", f.Arg("p_base"))
	f.Op("MOVD R5, R6")
	f.Op("MOVD %s, R7", f.Arg("p_len"))
	f.elementLoop("", "R7", unroll,
		[]stream{{"R0", g}, {"R1", m}, {"R3", v}, {"R5", pp}},
		[]stream{{"R2", m}, {"R4", v}, {"R6", pp}},
		func(u int) {
			each(u, func(i V) {
				// m += c1 * (g - m)
				f.Enc(FSUB(t+i, g+i, m+i))
				f.Op("VFMLA %s, %s, %s", s4(c1), s4(t+i), s4(m+i))
				// v += c2 * (g*g - v), the inner difference fused as Go does
				f.Enc(FNEG(t+i, v+i))
				f.Op("VFMLA %s, %s, %s", s4(g+i), s4(g+i), s4(t+i))
				f.Op("VFMLA %s, %s, %s", s4(c2), s4(t+i), s4(v+i))
				// p -= lrT * m / (sqrt(v) + eps)
				f.Enc(FSQRT(s+i, v+i))
				f.Enc(FADD(s+i, s+i, eps))
				f.Enc(FMUL(t+i, m+i, lr))
				f.Enc(FDIV(t+i, t+i, s+i))
				f.Enc(FSUB(pp+i, pp+i, t+i))
			})
		},
		nil)
	return f
}

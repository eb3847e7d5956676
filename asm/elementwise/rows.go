package main

import (
	"fmt"

	"github.com/gokern/gokern/asm/internal/avx"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

func genRows(s isa) {
	biasRows(s, "addBias", "func(x, bias []float32)", "AddBias: x[r*n+j] += bias[j] with n = len(bias)", false)
	biasRows(s, "biasLeakyReLU", "func(x, bias []float32, alpha float32)",
		"BiasLeakyReLU: x[r*n+j] = LeakyReLU(x[r*n+j] + bias[j]) with n = len(bias)", true)
	sumRows(s)
}

// rowLoop walks the n columns of a row: blocks of unroll vectors in a
// loop, then at most one block each of unroll/2, unroll/4, ..., 1 vectors,
// then the masked tail when n is not a multiple of the lanes. Halving the
// block keeps a row of 8 vectors in one block when unroll is 16, which
// matters to SumRows: each block is a separate pass over all the rows.
type rowLoop struct {
	s      isa
	prefix string
	unroll int
	n      reg.GPVirtual
	rem    reg.GPVirtual // n % lanes
	m      avx.Mask      // valid when rem != 0
}

// newRowLoop computes the tail avx.Mask, once for every row.
func newRowLoop(s isa, prefix string, n reg.GPVirtual, unroll int) *rowLoop {
	l := &rowLoop{s: s, prefix: prefix, unroll: unroll, n: n, rem: GP64()}
	MOVQ(n, l.rem)
	ANDQ(U32(s.Lanes-1), l.rem)
	JZ(LabelRef(prefix + "_nomask"))
	r := GP64()
	MOVQ(l.rem, r)
	l.m = s.TailMask(masks, r)
	Label(prefix + "_nomask")
	return l
}

// columns emits the walk over one row's columns. The column index j
// restarts at 0 every row.
func (l *rowLoop) columns(block func(j reg.GPVirtual, count int), tail func(j reg.GPVirtual)) {
	s, p := l.s, l.prefix
	j, left := GP64(), GP64()
	XORQ(j, j)
	// fits jumps to skip unless count more vectors fit in the row.
	fits := func(count int, skip string) {
		MOVQ(l.n, left)
		SUBQ(j, left)
		CMPQ(left, U32(count*s.Lanes))
		JL(LabelRef(skip))
	}
	Label(p + "_blocks")
	fits(l.unroll, p+"_halves")
	block(j, l.unroll)
	ADDQ(U32(l.unroll*s.Lanes), j)
	JMP(LabelRef(p + "_blocks"))
	Label(p + "_halves")
	for u := l.unroll / 2; u >= 1; u /= 2 {
		skip := fmt.Sprintf("%s_skip%d", p, u)
		fits(u, skip)
		block(j, u)
		ADDQ(U32(u*s.Lanes), j)
		Label(skip)
	}
	TESTQ(l.rem, l.rem)
	JZ(LabelRef(p + "_rowdone"))
	tail(j)
	Label(p + "_rowdone")
}

// biasRows emits AddBias or BiasLeakyReLU: for each row, x += bias and
// optionally LeakyReLU, vectorised along the row.
func biasRows(s isa, name, sig, doc string, leaky bool) {
	s.text(name, sig, doc)
	x, total := loadSlice("x")
	bias, n := loadSlice("bias")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	var alpha, zero reg.VecVirtual
	if leaky {
		alpha = s.broadcast("alpha")
		zero = s.Vec()
		s.zero(zero)
	}
	end := GP64()
	LEAQ(Mem{Base: x, Index: total, Scale: 4}, end)
	l := newRowLoop(s, name, n, 4)
	compute := func(v reg.VecVirtual) {
		if leaky {
			s.leaky(v, v, alpha, zero)
		}
	}
	Label(name + "_row")
	CMPQ(x, end)
	JAE(LabelRef(name + "_done"))
	l.columns(func(j reg.GPVirtual, count int) {
		vs := make([]reg.VecVirtual, count)
		for u := range vs {
			vs[u] = s.Vec()
			s.load(s.elem(x, j, u), vs[u])
			VADDPS(s.elem(bias, j, u), vs[u], vs[u])
		}
		for u := range vs {
			compute(vs[u])
			s.store(vs[u], s.elem(x, j, u))
		}
	}, func(j reg.GPVirtual) {
		v, b := s.Vec(), s.Vec()
		s.LoadMasked(s.elem(x, j, 0), l.m, v)
		s.LoadMasked(s.elem(bias, j, 0), l.m, b)
		VADDPS(b, v, v)
		compute(v)
		s.StoreMasked(v, l.m, s.elem(x, j, 0))
	})
	LEAQ(Mem{Base: x, Index: n, Scale: 4}, x)
	JMP(LabelRef(name + "_row"))
	Label(name + "_done")
	ret()
}

// sumRows emits SumRows: dst[j] += sum over rows of x[r*n+j]. It walks
// column blocks outside and rows inside, adding the rows in order into
// accumulators that start from dst, so the result equals the reference's
// bit for bit.
func sumRows(s isa) {
	const name = "sumRows"
	s.text(name, "func(dst, x []float32)", "SumRows: dst[j] += x[r*n+j] over rows r, with n = len(dst)")
	dst, n := loadSlice("dst")
	x, total := loadSlice("x")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	end := GP64()
	LEAQ(Mem{Base: x, Index: total, Scale: 4}, end)
	rowBytes := GP64()
	MOVQ(n, rowBytes)
	SHLQ(U8(2), rowBytes)
	unroll := 8 // accumulators only: VADDPS takes x from memory
	if s.ZMM {
		unroll = 16
	}
	l := newRowLoop(s, name, n, unroll)
	// column is one column block: accumulate every row into count
	// vectors starting at column j.
	column := func(j reg.GPVirtual, count int, masked bool) {
		acc := make([]reg.VecVirtual, count)
		for u := range acc {
			acc[u] = s.Vec()
			if masked {
				s.LoadMasked(s.elem(dst, j, u), l.m, acc[u])
			} else {
				s.load(s.elem(dst, j, u), acc[u])
			}
		}
		p := GP64()
		MOVQ(x, p)
		lbl := fmt.Sprintf("%s_rows%d", name, count)
		if masked {
			lbl += "masked"
		}
		Label(lbl)
		CMPQ(p, end)
		JAE(LabelRef(lbl + "_end"))
		for u := range acc {
			if masked {
				v := s.Vec()
				s.LoadMasked(s.elem(p, j, u), l.m, v)
				VADDPS(v, acc[u], acc[u])
			} else {
				VADDPS(s.elem(p, j, u), acc[u], acc[u])
			}
		}
		ADDQ(rowBytes, p)
		JMP(LabelRef(lbl))
		Label(lbl + "_end")
		for u := range acc {
			if masked {
				s.StoreMasked(acc[u], l.m, s.elem(dst, j, u))
			} else {
				s.store(acc[u], s.elem(dst, j, u))
			}
		}
	}
	l.columns(func(j reg.GPVirtual, count int) { column(j, count, false) },
		func(j reg.GPVirtual) { column(j, 1, true) })
	Label(name + "_done")
	ret()
}

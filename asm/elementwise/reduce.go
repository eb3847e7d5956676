package main

import (
	"github.com/gokern/gokern/asm/internal/avx"
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/reg"
)

// accumulators is the number of independent partial sums in Dot and Sum:
// enough to hide the add/FMA latency (4 cycles, 2 per cycle) when the data
// is in cache.
const accumulators = 8

func genReductions(s isa) {
	reduction(s, "dot", "func(x, y []float32) float32", "Dot: sum of x[i]*y[i]", []string{"x", "y"})
	reduction(s, "sum", "func(x []float32) float32", "Sum: sum of x[i]", []string{"x"})
}

// reduction emits Sum (one input) or Dot (two inputs) with accumulators
// partial sums, added pairwise at the end.
func reduction(s isa, name, sig, doc string, ins []string) {
	s.text(name, sig, doc)
	x, n := loadSlice(ins[0])
	var y reg.GPVirtual
	if len(ins) > 1 {
		y = loadBase(ins[1])
	}
	acc := make([]reg.VecVirtual, accumulators)
	for j := range acc {
		acc[j] = s.Vec()
		s.zero(acc[j])
	}
	block := func(i reg.GPVirtual, count int) {
		for u := 0; u < count; u++ {
			if y == nil {
				VADDPS(s.elem(x, i, u), acc[u], acc[u])
				continue
			}
			v := s.Vec()
			s.load(s.elem(x, i, u), v)
			VFMADD231PS(s.elem(y, i, u), v, acc[u])
		}
	}
	tail := func(i reg.GPVirtual, m avx.Mask) {
		v := s.Vec()
		s.LoadMasked(s.elem(x, i, 0), m, v)
		if y != nil {
			w := s.Vec()
			s.LoadMasked(s.elem(y, i, 0), m, w)
			VMULPS(w, v, v)
		}
		VADDPS(v, acc[1], acc[1])
	}
	s.stream(name, n, accumulators, block, tail)
	for w := accumulators / 2; w > 0; w /= 2 {
		for j := 0; j < w; j++ {
			VADDPS(acc[j+w], acc[j], acc[j])
		}
	}
	x0 := s.Hsum(acc[0])
	VMOVSS(x0, addr(ReturnIndex(0)))
	ret()
}

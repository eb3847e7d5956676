package main

// stream is one operand of an element-wise kernel: the general register that
// walks its memory (post-incremented by every load or store) and the first of
// the consecutive vector registers that hold it during one step.
type stream struct {
	ptr  string // e.g. "R1"
	regs V
}

// elementLoop emits the loop over the count in register cnt, in three stages
// that all run the same body:
//
//	stage 1: unroll vectors (4*unroll floats) per step, while cnt >= 4*unroll
//	stage 2: one vector (4 floats) per step, while cnt >= 4
//	stage 3: one float per step, loaded with FMOVS into lane 0 of each
//	         register (which zeroes lanes 1-3) and stored from lane 0
//
// Running the four-lane arithmetic on a single float in stage 3 keeps each
// kernel's arithmetic in one place; the idle lanes compute on zeros, which is
// harmless (the kernels only ever store lane 0 and FP exceptions do not trap
// in Go). body(u) emits the arithmetic on registers regs..regs+u-1 of each
// stream. fold, if not nil, runs once between stages 1 and 2: reductions use
// it to add their unroll accumulators into the first one. The label names are
// prefixed with tag so a function can hold more than one loop.
func (f *Func) elementLoop(tag, cnt string, unroll int, loads, stores []stream, body func(u int), fold func()) {
	step := 4 * unroll
	l1, l2, l2top, l3, l3top, done := tag+"wide", tag+"vec", tag+"vecloop", tag+"tail", tag+"tailloop", tag+"done"

	vecStep := func(u int) {
		for _, s := range loads {
			f.Op("VLD1.P %d(%s), %s", 16*u, s.ptr, list(s.regs, u))
		}
		body(u)
		for _, s := range stores {
			f.Op("VST1.P %s, %d(%s)", list(s.regs, u), 16*u, s.ptr)
		}
	}

	f.Op("CMP $%d, %s", step, cnt)
	f.Op("BLT %s", l2)
	f.Label(l1)
	vecStep(unroll)
	f.Op("SUB $%d, %s", step, cnt)
	f.Op("CMP $%d, %s", step, cnt)
	f.Op("BGE %s", l1)

	f.Label(l2)
	if fold != nil {
		fold()
	}
	f.Op("CMP $4, %s", cnt)
	f.Op("BLT %s", l3)
	f.Label(l2top)
	vecStep(1)
	f.Op("SUB $4, %s", cnt)
	f.Op("CMP $4, %s", cnt)
	f.Op("BGE %s", l2top)

	f.Label(l3)
	f.Op("CBZ %s, %s", cnt, done)
	f.Label(l3top)
	for _, s := range loads {
		f.Op("FMOVS.P 4(%s), F%d", s.ptr, s.regs)
	}
	body(1)
	for _, s := range stores {
		f.Op("FMOVS.P F%d, 4(%s)", s.regs, s.ptr)
	}
	f.Op("SUBS $1, %s, %s", cnt, cnt)
	f.Op("BNE %s", l3top)
	f.Label(done)
}

// rowLoop emits the outer loop of the row-wise kernels (addBias, sumRows,
// biasLeakyReLU): rows = len(x) / n rows of n floats, where n is the length
// of the per-column operand. It returns early when n == 0 (the wrappers
// allow that only with an empty x). eachRow emits the body for one row with
// the column count in register cnt; it must leave the row pointer advanced by
// one row.
func (f *Func) rowLoop(xLen, nReg, rowsReg string, eachRow func()) {
	f.Op("CBZ %s, rowsdone", nReg)
	f.Op("MOVD %s, %s", f.Arg(xLen), rowsReg)
	f.Op("UDIV %s, %s, %s", nReg, rowsReg, rowsReg)
	f.Label("rows")
	f.Op("CBZ %s, rowsdone", rowsReg)
	eachRow()
	f.Op("SUB $1, %s", rowsReg)
	f.Op("B rows")
	f.Label("rowsdone")
}
